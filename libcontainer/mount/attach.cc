// attach_mounts(): phase 2 of apply (apply.h). Every rootfs path is resolved from `root_fd` with
// resolve.h; mounts are attached onto O_PATH fds with MOVE_MOUNT_T_EMPTY_PATH, so no path is
// looked up twice and a symlink swapped in after the lookup cannot redirect the mount.

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "libcontainer/base/strings.h"
#include "libcontainer/mount/apply.h"
#include "libcontainer/mount/copy_up.h"
#include "libcontainer/sys/uapi.h"

namespace grove::mount {
namespace {

constexpr unsigned kMoveFlags = MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH;

struct Attacher {
  sys::Ops& ops;
  int root_fd;
  ResolveMode mode;
  PreparedOp& prep;
  std::map<std::string, MaskSource>& masks;

  Status move(const UniqueFd& from, int to) {
    return ops.move_mount(from.get(), "", to, "", kMoveFlags);
  }

  // An existing path (followed inside the root), else a new empty file made with O_EXCL and
  // O_NOFOLLOW in its resolved parent.
  Result<UniqueFd> file_target(const std::string& path) {
    auto existing = open_in_root(ops, root_fd, path, O_PATH, mode);
    if (existing || existing.error().code() != ENOENT) return existing;
    GROVE_ASSIGN_OR_RETURN(ParentAndName pn, open_parent_in_root(ops, root_fd, path, mode));
    auto made = ops.openat(pn.parent.get(), pn.name,
                           O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NOCTTY, 0644);
    if (!made && made.error().code() != EEXIST) return std::move(made).error();
    return ops.openat(pn.parent.get(), pn.name, O_PATH | O_NOFOLLOW, 0);
  }

  Status operator()(const plan::NewFsMount& m) {
    if (m.copy_up) return attach_copy_up(m);
    GROVE_ASSIGN_OR_RETURN(UniqueFd target, mkdir_all_in_root(ops, root_fd, m.target, 0755, mode));
    return move(prep.mount, target.get());
  }

  // tmpcopyup. The copy happens here in phase 2, not in prepare_mounts: its source must be what
  // the container's rootfs shows at the target at this point of the plan, mounts attached by
  // earlier ops included (runc copies in mountToRootfs, in mount order), and with
  // open-tree-namespace the container's tree only exists after setns. It is the same code for
  // every strategy: the target is resolved inside `root_fd` like any other, and the copy fills
  // the still-detached tmpfs (openat works on fsmount's fd), so the mount never shows half-filled
  // and nothing is written through a path.
  Status attach_copy_up(const plan::NewFsMount& m) {
    auto existing = open_in_root(ops, root_fd, m.target, O_PATH | O_DIRECTORY, mode);
    if (!existing && existing.error().code() != ENOENT) return std::move(existing).error();
    UniqueFd target;
    if (existing) {
      target = std::move(*existing);
      bool root_mode = copy_up_root_mode(m.data);
      GROVE_TRY(copy_up(ops, target.get(), prep.mount.get(), m.target, root_mode));
    } else {
      // Nothing to copy; the tmpfs keeps its own root mode (runc and crun create it empty too).
      GROVE_ASSIGN_OR_RETURN(target, mkdir_all_in_root(ops, root_fd, m.target, 0755, mode));
    }
    // prepare_mounts left a read-only instance writable for the copy (runc mounts tmpfs rw and
    // remounts it ro later for the same reason): set it on the detached mount, before it is seen.
    if (m.attrs.set & MOUNT_ATTR_RDONLY) {
      sys::MountAttr ro;
      ro.attr_set = MOUNT_ATTR_RDONLY;
      GROVE_TRY(ops.mount_setattr(prep.mount.get(), "", AT_EMPTY_PATH, ro));
    }
    return move(prep.mount, target.get());
  }

  Status operator()(const plan::BpfFsMount& b) {
    GROVE_ASSIGN_OR_RETURN(UniqueFd target, mkdir_all_in_root(ops, root_fd, b.target, 0755, mode));
    return move(prep.mount, target.get());
  }

  Status operator()(const plan::BindMount& b) {
    GROVE_ASSIGN_OR_RETURN(struct stat st, ops.fstat(prep.mount.get()));
    UniqueFd target;
    if (S_ISDIR(st.st_mode)) {
      GROVE_ASSIGN_OR_RETURN(target, mkdir_all_in_root(ops, root_fd, b.target, 0755, mode));
    } else {
      GROVE_ASSIGN_OR_RETURN(target, file_target(b.target));
    }
    return move(prep.mount, target.get());
  }

  Status operator()(const plan::SetPropagation& p) {
    UniqueFd owned;
    int fd = root_fd;
    if (p.target != "/") {
      GROVE_ASSIGN_OR_RETURN(owned, open_in_root(ops, root_fd, p.target, O_PATH, mode));
      fd = owned.get();
    }
    sys::MountAttr a;
    a.propagation = plan::propagation_ms_flag(p.propagation);
    return ops.mount_setattr(fd, "", AT_EMPTY_PATH | (p.recursive ? AT_RECURSIVE : 0), a);
  }

  Status operator()(const plan::MakeDevice& d) {
    GROVE_ASSIGN_OR_RETURN(ParentAndName pn, open_parent_in_root(ops, root_fd, d.path, mode));
    mode_t type = d.type == 'b' ? S_IFBLK : d.type == 'p' ? S_IFIFO : S_IFCHR;
    dev_t dev = makedev(d.major, d.minor);
    auto made = ops.mknodat(pn.parent.get(), pn.name, type | d.mode, dev);
    if (!made && made.error().code() == EEXIST) {
      // runc/crun replace what the image has there; unlinkat never follows a symlink and fails
      // on a directory, which is then an error.
      GROVE_TRY(ops.unlinkat(pn.parent.get(), pn.name, 0));
      made = ops.mknodat(pn.parent.get(), pn.name, type | d.mode, dev);
    }
    GROVE_TRY(std::move(made));
    return ops.fchownat(pn.parent.get(), pn.name, d.uid, d.gid, AT_SYMLINK_NOFOLLOW);
  }

  Status operator()(const plan::BindDevice& d) {
    GROVE_ASSIGN_OR_RETURN(UniqueFd target, file_target(d.path));
    return move(prep.mount, target.get());
  }

  Status operator()(const plan::Symlink& s) {
    GROVE_ASSIGN_OR_RETURN(ParentAndName pn, open_parent_in_root(ops, root_fd, s.path, mode));
    auto made = ops.symlinkat(s.link_target, pn.parent.get(), pn.name);
    if (made || made.error().code() != EEXIST) return made;
    auto current = ops.readlinkat(pn.parent.get(), pn.name);
    if (current && *current == s.link_target) return ok();
    GROVE_TRY(ops.unlinkat(pn.parent.get(), pn.name, 0));
    return ops.symlinkat(s.link_target, pn.parent.get(), pn.name);
  }

  Status operator()(const plan::Console& c) {
    // Created O_NOFOLLOW in the resolved /dev: an image's /dev/console symlink is an error, never
    // followed (CVE-2025-52565, crun GHSA for /dev/console without O_NOFOLLOW).
    GROVE_ASSIGN_OR_RETURN(ParentAndName pn, open_parent_in_root(ops, root_fd, c.path, mode));
    auto made = ops.openat(pn.parent.get(), pn.name,
                           O_WRONLY | O_CREAT | O_NOFOLLOW | O_NOCTTY, 0666);
    // The pty is bound over it later (bind_console), once the container's devpts exists.
    if (!made) return std::move(made).error();
    return ok();
  }

  Status operator()(const plan::MaskPath& m) {
    auto target = open_in_root(ops, root_fd, m.path, O_PATH, mode);
    // runc and crun skip masked paths that do not exist in this kernel/image.
    if (!target && (target.error().code() == ENOENT || target.error().code() == ENOTDIR)) {
      return ok();
    }
    if (!target) return std::move(target).error();
    GROVE_ASSIGN_OR_RETURN(struct stat st, ops.fstat(target->get()));
    auto src = masks.find(m.label);
    if (src == masks.end()) return Error::invalid("attach_mounts: mask source not prepared");
    const bool dir = S_ISDIR(st.st_mode);
    UniqueFd& from = dir ? src->second.tmpfs : src->second.dev_null;
    bool& attached = dir ? src->second.tmpfs_attached : src->second.dev_null_attached;
    if (!attached) {
      GROVE_TRY(move(from, target->get()));
      attached = true;
      return ok();
    }
    // `from` now refers to the mount an earlier mask attached in this namespace, so it can be
    // cloned by fd (no path is resolved, so the host /dev/null of CVE-2025-31133 stays the source).
    GROVE_ASSIGN_OR_RETURN(UniqueFd clone, ops.open_tree(from.get(), "", OPEN_TREE_CLONE |
                                                                         OPEN_TREE_CLOEXEC |
                                                                         AT_EMPTY_PATH));
    return move(clone, target->get());
  }

  Status operator()(const plan::ReadonlyPath& r) {
    auto target = open_in_root(ops, root_fd, r.path, O_PATH, mode);
    if (!target && target.error().code() == ENOENT) return ok();
    if (!target) return std::move(target).error();
    GROVE_ASSIGN_OR_RETURN(UniqueFd clone,
                           ops.open_tree(target->get(), "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
                                                                AT_EMPTY_PATH | AT_RECURSIVE));
    sys::MountAttr a;
    a.attr_set = MOUNT_ATTR_RDONLY;
    GROVE_TRY(ops.mount_setattr(clone.get(), "", AT_EMPTY_PATH | AT_RECURSIVE, a));
    return move(clone, target->get());
  }

  Status operator()(const plan::RootReadonly&) {
    // Only the rootfs mount itself, like runc's remount of "/" (submounts keep their flags).
    sys::MountAttr a;
    a.attr_set = MOUNT_ATTR_RDONLY;
    return ops.mount_setattr(root_fd, "", AT_EMPTY_PATH, a);
  }
};

}  // namespace

Status attach_mounts(sys::Ops& ops, int root_fd, const plan::MountPlan& plan,
                     Prepared& prepared) {
  if (prepared.ops.size() != plan.ops.size()) {
    return Error::invalid("attach_mounts: prepared resources do not match the plan");
  }
  // Modes in the plan are exact (runc sets umask 0 for mknod): restore the caller's mask after.
  mode_t old_mask = ops.umask(0);
  Status st = ok();
  for (size_t i = 0; i < plan.ops.size() && st; ++i) {
    Attacher a{ops, root_fd, resolve_mode(plan), prepared.ops[i], prepared.masks};
    st = std::visit(a, plan.ops[i]).context([&] { return plan::describe(plan.ops[i]); });
    prepared.ops[i] = PreparedOp{};  // close what this op did not consume
  }
  ops.umask(old_mask);
  prepared.masks.clear();
  return st;
}

}  // namespace grove::mount
