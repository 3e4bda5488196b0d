// The container root from layers: overlayfs or a single read-only layer clone (stack.h).

#include "libcontainer/image/stack.h"

#include <fcntl.h>
#include <sys/mount.h>

#include "libcontainer/base/defer.h"
#include "libcontainer/base/strings.h"
#include "libcontainer/sys/uapi.h"

namespace grove::image {
namespace {

Status ignore(Status st, int tolerated) {
  if (!st && st.error().code() == tolerated) return ok();
  return st;
}

Status attach(sys::Ops& ops, int mnt_fd, const std::string& target) {
  return ops.move_mount(mnt_fd, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH);
}

// "lowerdir+" (6.8) appends one layer per call, so a path may hold ':' or ','; older kernels
// only know "lowerdir" with ':'-joined paths (ours never contain ':': they are the cache's).
Status set_lowers(sys::Ops& ops, int fs, const std::vector<std::string>& lowers) {
  Status first = ops.fsconfig_set_string(fs, "lowerdir+", lowers[0]);
  if (!first && first.error().code() == EINVAL) {
    std::string joined;
    for (const std::string& l : lowers) joined += (joined.empty() ? "" : ":") + l;
    return ops.fsconfig_set_string(fs, "lowerdir", joined);
  }
  GROVE_TRY(std::move(first));
  for (std::size_t i = 1; i < lowers.size(); ++i) {
    GROVE_TRY(ops.fsconfig_set_string(fs, "lowerdir+", lowers[i]));
  }
  return ok();
}

// A fresh tmpfs attached on `scratch` with upper/ and work/ in it.
Status make_tmpfs_upper(sys::Ops& ops, const std::string& scratch) {
  GROVE_ASSIGN_OR_RETURN(UniqueFd fs, ops.fsopen("tmpfs", FSOPEN_CLOEXEC));
  GROVE_TRY(ops.fsconfig_set_string(fs.get(), "source", "grove-upper"));
  GROVE_TRY(ops.fsconfig_set_string(fs.get(), "mode", "0755"));
  GROVE_TRY(ops.fsconfig_create(fs.get()));
  GROVE_ASSIGN_OR_RETURN(UniqueFd mnt, ops.fsmount(fs.get(), FSMOUNT_CLOEXEC, 0));
  GROVE_TRY(attach(ops, mnt.get(), scratch));
  return ok();
}

Status set_upper(sys::Ops& ops, int fs, const std::string& dir) {
  GROVE_TRY(ignore(ops.mkdirat(AT_FDCWD, dir + "/upper", 0755), EEXIST));
  GROVE_TRY(ignore(ops.mkdirat(AT_FDCWD, dir + "/work", 0700), EEXIST));
  GROVE_TRY(ops.fsconfig_set_string(fs, "upperdir", dir + "/upper"));
  return ops.fsconfig_set_string(fs, "workdir", dir + "/work");
}

Status mount_overlay(sys::Ops& ops, const StackRequest& req) {
  GROVE_ASSIGN_OR_RETURN(UniqueFd fs, ops.fsopen("overlay", FSOPEN_CLOEXEC));
  GROVE_TRY(ops.fsconfig_set_string(fs.get(), "source", "grove-image"));
  GROVE_TRY(set_lowers(ops, fs.get(), req.lowers));
  bool tmpfs_attached = false;
  // Runs on success too: overlayfs took its own (private) clone of the upper at CMD_CREATE.
  Defer detach_tmpfs([&] {
    if (tmpfs_attached) (void)ops.umount2(req.scratch, MNT_DETACH);
  });
  if (req.upper == UpperKind::kTmpfs) {
    GROVE_TRY(make_tmpfs_upper(ops, req.scratch));
    tmpfs_attached = true;
    GROVE_TRY(set_upper(ops, fs.get(), req.scratch));
  } else if (req.upper == UpperKind::kDir) {
    GROVE_TRY(ignore(ops.mkdirat(AT_FDCWD, req.upper_dir, 0755), EEXIST));
    GROVE_TRY(set_upper(ops, fs.get(), req.upper_dir));
  }
  GROVE_TRY(ops.fsconfig_create(fs.get()));
  unsigned attr = req.upper == UpperKind::kNone ? MOUNT_ATTR_RDONLY : 0;
  GROVE_ASSIGN_OR_RETURN(UniqueFd mnt, ops.fsmount(fs.get(), FSMOUNT_CLOEXEC, attr));
  return attach(ops, mnt.get(), req.target);
}

}  // namespace

Status mount_stack(sys::Ops& ops, const StackRequest& req) {
  if (req.lowers.empty()) return Error::invalid("image stack: no layers");
  if (req.lowers.size() == 1 && req.upper == UpperKind::kNone) {
    // The layer's mount is read-only already; its clone stays so.
    GROVE_ASSIGN_OR_RETURN(UniqueFd tree,
                           ops.open_tree(AT_FDCWD, req.lowers[0], OPEN_TREE_CLONE));
    return attach(ops, tree.get(), req.target).context("image stack " + q(req.target));
  }
  return mount_overlay(ops, req).context("image stack " + q(req.target));
}

Status unmount_stack(sys::Ops& ops, const std::string& target, const std::string& scratch) {
  for (const std::string& path : {target, scratch}) {
    if (path.empty()) continue;
    Status st = ops.umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW);
    if (!st && st.error().code() != EINVAL && st.error().code() != ENOENT) return st;
  }
  return ok();
}

}  // namespace grove::image
