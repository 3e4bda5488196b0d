// plan_cgroup_view(): a "cgroup" mount on a hybrid or legacy host shows the container's own
// cgroups (cgroup_mount.h), as runc 1.1 does in libcontainer/rootfs_linux.go mountCgroupV1:
// a tmpfs at the destination, then for each v1 hierarchy a bind of the container's directory at
// <dest>/<basename of the host mount point>, symlinks for co-mounted controllers, and the tmpfs
// made read-only at the end when the spec mount is.
//
// Deliberate differences from runc 1.1.5:
// - on a hybrid host the container's cgroup2 directory is bound at <dest>/unified too, mirroring
//   the host layout (runc's getCgroupMounts lists only "cgroup" mounts, so it has none);
// - binds are used with a cgroup namespace as well (runc mounts fresh v1 instances there); the
//   container's directories are its cgroup namespace root, so the view is the same;
// - a container without a cgroup (rootless without a writable one) gets the read-only tmpfs
//   alone; runc binds the runtime's own cgroups, which belong to somebody else.

#include <algorithm>

#include "libcontainer/base/strings.h"
#include "libcontainer/plan/mount_plan_internal.h"

namespace grove::plan {
namespace {

// runc's defaultMountFlags for the tmpfs: MS_NOEXEC|MS_NOSUID|MS_NODEV.
constexpr std::uint64_t kTmpfsAttrs = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC;

// A name directly below the destination: one path component.
Status check_name(const std::string& name) {
  if (name.empty() || name == "." || name == ".." ||
      name.find_first_of(std::string("/\0", 2)) != std::string::npos) {
    return Error::invalid("cgroup view: bad name " + q(name) + " (one path component)");
  }
  return ok();
}

// The values come from the host's mountinfo, not from the spec; checked all the same, since a
// bad one would place a mount outside the destination.
Status check_view(const CgroupView& view) {
  std::vector<std::string> names;
  for (const CgroupViewDir& d : view.dirs) {
    GROVE_TRY(check_name(d.name));
    names.push_back(d.name);
    if (d.host_dir.empty() || d.host_dir[0] != '/' || d.host_dir.find('\0') != std::string::npos) {
      return Error::invalid("cgroup view " + q(d.name) + ": host directory " + q(d.host_dir) +
                            " is not an absolute path");
    }
    for (const std::string& link : d.links) {
      GROVE_TRY(check_name(link));
      names.push_back(link);
    }
  }
  std::sort(names.begin(), names.end());
  auto dup = std::adjacent_find(names.begin(), names.end());
  if (dup != names.end()) return Error::invalid("cgroup view: duplicate name " + q(*dup));
  return ok();
}

std::string below(const std::string& target, const std::string& name) {
  return target == "/" ? "/" + name : target + "/" + name;
}

}  // namespace

Status plan_cgroup_view(const std::string& target, const MountOptions& o,
                        const SpecMountContext& ctx, std::vector<MountOp>* ops) {
  const CgroupView& view = *ctx.options.cgroup_view;
  GROVE_TRY(check_view(view));
  NewFsMount fs;
  fs.target = target;
  fs.fstype = "tmpfs";
  fs.source = "tmpfs";
  fs.data = {"mode=755"};
  fs.attrs.set = kTmpfsAttrs;
  // Nothing to place in an empty view: read-only from the start.
  if (view.dirs.empty()) fs.attrs.set |= MOUNT_ATTR_RDONLY;
  // runc mounts this tmpfs through mountToRootfs, which adds the mount label.
  if (ctx.features.selinux && ctx.spec.linux) fs.label = ctx.spec.linux->mount_label;
  ops->push_back(std::move(fs));
  // runc: MS_BIND|MS_REC plus the spec mount's flags (ro, nosuid, nodev, noexec, relatime).
  const MountAttrs attrs{o.attr_set, o.attr_clr, o.rec_attr_set, o.rec_attr_clr};
  for (const CgroupViewDir& d : view.dirs) {
    ops->push_back(BindMount{d.host_dir, below(target, d.name), true, attrs, std::nullopt});
  }
  // A relative link, like runc's symlink(mc, dest/ss): it resolves inside the container.
  for (const CgroupViewDir& d : view.dirs) {
    for (const std::string& link : d.links) ops->push_back(Symlink{below(target, link), d.name});
  }
  // The tmpfs had to be writable for the mount points and links; now it follows the spec. The
  // recursive read-only clone also covers the binds (already read-only themselves).
  const bool read_only = ((o.attr_set | o.rec_attr_set) & MOUNT_ATTR_RDONLY) != 0;
  if (read_only && !view.dirs.empty()) ops->push_back(ReadonlyPath{target});
  if (o.propagation != Propagation::kNone) {
    ops->push_back(SetPropagation{target, o.propagation, o.propagation_recursive});
  }
  return ok();
}

}  // namespace grove::plan
