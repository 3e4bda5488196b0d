// prepare_mounts / attach_mounts: one function per op kind. No policy here: the planner decided
// what to mount; these only make the calls, resolving every rootfs path fd-relative.

#include "libcontainer/mount/apply.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "libcontainer/base/defer.h"
#include "libcontainer/base/strings.h"
#include "libcontainer/security/bpf_delegate.h"
#include "libcontainer/sys/uapi.h"

namespace grove::mount {
namespace {

using plan::MountOp;

constexpr unsigned kCloneFlags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC;

sys::MountAttr attr(std::uint64_t set, std::uint64_t clr) {
  sys::MountAttr a;
  a.attr_set = set;
  a.attr_clr = clr;
  return a;
}

// ---- phase 1: host resources ------------------------------------------------------------------

Status configure_fs(sys::Ops& ops, int fsfd, const plan::NewFsMount& m) {
  if (!m.source.empty()) GROVE_TRY(ops.fsconfig_set_string(fsfd, "source", m.source));
  for (const std::string& flag : m.sb_flags) GROVE_TRY(ops.fsconfig_set_flag(fsfd, flag));
  for (const std::string& d : m.data) {
    size_t eq = d.find('=');
    if (eq == std::string::npos) {
      GROVE_TRY(ops.fsconfig_set_flag(fsfd, d));
    } else {
      GROVE_TRY(ops.fsconfig_set_string(fsfd, d.substr(0, eq), d.substr(eq + 1)));
    }
  }
  // The label goes through fsconfig only, never also in the data (crun#2120: "duplicate or
  // incompatible" mount options).
  if (!m.label.empty()) GROVE_TRY(ops.fsconfig_set_string(fsfd, "context", m.label));
  return ok();
}

Result<UniqueFd> new_fs_instance(sys::Ops& ops, const plan::NewFsMount& m) {
  GROVE_ASSIGN_OR_RETURN(UniqueFd fsfd, ops.fsopen(m.fstype, FSOPEN_CLOEXEC));
  GROVE_TRY(configure_fs(ops, fsfd.get(), m));
  GROVE_TRY(ops.fsconfig_create(fsfd.get()));
  // fsmount takes the mount attributes to set; a fresh mount has nothing to clear. A tmpcopyup
  // mount stays writable until attach_mounts has copied into it (and set RDONLY there).
  std::uint64_t set = m.copy_up ? m.attrs.set & ~std::uint64_t{MOUNT_ATTR_RDONLY} : m.attrs.set;
  return ops.fsmount(fsfd.get(), FSMOUNT_CLOEXEC, static_cast<unsigned>(set));
}

// The planned fallback (NewFsMount::fallback_bind) when the kernel refuses the instance: a
// recursive bind with the same attributes, like runc's rbind of /sys/fs/cgroup.
Result<UniqueFd> new_fs(sys::Ops& ops, const plan::NewFsMount& m) {
  Result<UniqueFd> fresh = new_fs_instance(ops, m);
  if (fresh || m.fallback_bind.empty()) return fresh;
  int code = fresh.error().code();
  if (code != EPERM && code != EBUSY) return fresh;
  GROVE_ASSIGN_OR_RETURN(UniqueFd fd,
                         ops.open_tree(AT_FDCWD, m.fallback_bind, kCloneFlags | AT_RECURSIVE)
                             .context([&] { return "fallback after " + fresh.error().message(); }));
  if (m.attrs.set != 0) {
    GROVE_TRY(ops.mount_setattr(fd.get(), "", AT_EMPTY_PATH | AT_RECURSIVE, attr(m.attrs.set, 0)));
  }
  return fd;
}

Result<UniqueFd> bind_clone(sys::Ops& ops, const plan::BindMount& b, const ApplyInputs& in) {
  unsigned flags = kCloneFlags | (b.recursive ? AT_RECURSIVE : 0);
  GROVE_ASSIGN_OR_RETURN(UniqueFd fd, ops.open_tree(AT_FDCWD, b.source, flags));
  // Attributes go on the detached tree, so the mount is never visible with the wrong ones.
  if (b.attrs.set != 0 || b.attrs.clr != 0) {
    GROVE_TRY(ops.mount_setattr(fd.get(), "", AT_EMPTY_PATH, attr(b.attrs.set, b.attrs.clr)));
  }
  if (b.attrs.rec_set != 0 || b.attrs.rec_clr != 0) {
    GROVE_TRY(ops.mount_setattr(fd.get(), "", AT_EMPTY_PATH | AT_RECURSIVE,
                                attr(b.attrs.rec_set, b.attrs.rec_clr)));
  }
  if (b.idmap) {
    if (in.idmap_userns_fd < 0) {
      return Error::not_supported("idmapped mount needs a user namespace fd");
    }
    // MOUNT_ATTR_IDMAP is only accepted on a detached mount that was never attached.
    sys::MountAttr a = attr(MOUNT_ATTR_IDMAP, 0);
    a.userns_fd = in.idmap_userns_fd;
    GROVE_TRY(ops.mount_setattr(fd.get(), "",
                                AT_EMPTY_PATH | (b.idmap->recursive ? AT_RECURSIVE : 0), a));
  }
  return fd;
}

// Once per label (apply.h MaskSource): later masks with the label reuse these.
Status prepare_mask(sys::Ops& ops, const plan::MaskPath& m, Prepared* out) {
  if (out->masks.count(m.label) != 0) return ok();
  MaskSource src;
  // The host's /dev/null, not the container's: a container /dev/null swapped for a symlink to a
  // procfs file would otherwise be bound writable over the masked path (CVE-2025-31133).
  GROVE_ASSIGN_OR_RETURN(src.dev_null, ops.open_tree(AT_FDCWD, "/dev/null", kCloneFlags));
  GROVE_ASSIGN_OR_RETURN(UniqueFd fsfd, ops.fsopen("tmpfs", FSOPEN_CLOEXEC));
  if (!m.label.empty()) GROVE_TRY(ops.fsconfig_set_string(fsfd.get(), "context", m.label));
  GROVE_TRY(ops.fsconfig_create(fsfd.get()));
  GROVE_ASSIGN_OR_RETURN(src.tmpfs, ops.fsmount(fsfd.get(), FSMOUNT_CLOEXEC, MOUNT_ATTR_RDONLY));
  out->masks.emplace(m.label, std::move(src));
  return ok();
}

// The fs context is opened here, in the caller's (the container's) user namespace: the bpffs
// then belongs to it, which BPF_TOKEN_CREATE requires.
Result<UniqueFd> new_bpffs(sys::Ops& ops, const plan::BpfFsMount& b, const ApplyInputs& in) {
  GROVE_ASSIGN_OR_RETURN(UniqueFd fsfd, ops.fsopen("bpf", FSOPEN_CLOEXEC));
  if (in.configure_bpffs) return in.configure_bpffs(fsfd.get(), b);
  return security::configure_bpffs(ops, fsfd.get(), b.delegation, b.label);
}

Status prepare_one(sys::Ops& ops, const MountOp& op, const ApplyInputs& in, Prepared* all,
                   PreparedOp* out) {
  if (const auto* m = std::get_if<plan::NewFsMount>(&op)) {
    GROVE_ASSIGN_OR_RETURN(out->mount, new_fs(ops, *m));
  } else if (const auto* b = std::get_if<plan::BindMount>(&op)) {
    GROVE_ASSIGN_OR_RETURN(out->mount, bind_clone(ops, *b, in));
  } else if (const auto* d = std::get_if<plan::BindDevice>(&op)) {
    GROVE_ASSIGN_OR_RETURN(out->mount, ops.open_tree(AT_FDCWD, d->host_path, kCloneFlags));
  } else if (const auto* bpf = std::get_if<plan::BpfFsMount>(&op)) {
    GROVE_ASSIGN_OR_RETURN(out->mount, new_bpffs(ops, *bpf, in));
  } else if (const auto* mask = std::get_if<plan::MaskPath>(&op)) {
    GROVE_TRY(prepare_mask(ops, *mask, all));
  }
  return ok();
}

}  // namespace

Result<Prepared> prepare_mounts(sys::Ops& ops, const plan::MountPlan& plan,
                                const ApplyInputs& inputs) {
  Prepared prepared;
  prepared.ops.resize(plan.ops.size());
  for (size_t i = 0; i < plan.ops.size(); ++i) {
    GROVE_TRY(prepare_one(ops, plan.ops[i], inputs, &prepared, &prepared.ops[i]).context([&] {
      return plan::describe(plan.ops[i]);
    }));
  }
  return prepared;
}

Status bind_console(sys::Ops& ops, int root_fd, const std::string& path, int pty_fd,
                    ResolveMode mode) {
  GROVE_ASSIGN_OR_RETURN(UniqueFd target,
                         open_in_root(ops, root_fd, path, O_PATH | O_NOFOLLOW, mode));
  GROVE_ASSIGN_OR_RETURN(UniqueFd clone, ops.open_tree(pty_fd, "", kCloneFlags | AT_EMPTY_PATH));
  return ops.move_mount(clone.get(), "", target.get(), "",
                        MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
}

Status apply_mounts(sys::Ops& ops, int root_fd, const plan::MountPlan& plan) {
  GROVE_ASSIGN_OR_RETURN(Prepared prepared, prepare_mounts(ops, plan, ApplyInputs{}));
  return attach_mounts(ops, root_fd, plan, prepared);
}

}  // namespace grove::mount
