// Pivot/chroot strategies: the runc/crun sequence (runc libcontainer/rootfs_linux.go prepareRoot,
// pivotRoot, msMoveRoot; crun do_pivot) with the new mount API.

#include "libcontainer/mount/pivot.h"

#include <fcntl.h>

#include "libcontainer/sys/uapi.h"

namespace grove::mount {

// Steps shared by pivot and chroot. Returns the fd of the rootfs bind mount (its root dentry),
// which is the root every rootfs path is resolved from.
Result<UniqueFd> prepare_tree_pivot(sys::Ops& ops, int rootfs_fd, const plan::MountPlan& plan,
                            const ApplyInputs& inputs) {
  // Cut propagation to the host first, so nothing below can leak a mount into the host
  // namespace (runc prepareRoot: MS_SLAVE|MS_REC unless rootfsPropagation says private).
  sys::MountAttr prop;
  prop.propagation = plan::propagation_ms_flag(plan.prepare_propagation);
  GROVE_TRY(ops.mount_setattr(AT_FDCWD, "/", AT_RECURSIVE, prop).context("make / " +
      std::string(plan::to_string(plan.prepare_propagation))));
  // The rootfs must be a mount for pivot_root(2): bind it onto itself (recursively, so mounts the
  // bundle already has inside the rootfs stay visible).
  GROVE_ASSIGN_OR_RETURN(
      UniqueFd tree,
      ops.open_tree(rootfs_fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH |
                                       AT_RECURSIVE)
          .context("bind rootfs"));
  GROVE_TRY(ops.move_mount(tree.get(), "", rootfs_fd, "",
                           MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH)
                .context("bind rootfs"));
  GROVE_ASSIGN_OR_RETURN(Prepared prepared, prepare_mounts(ops, plan, inputs));
  GROVE_TRY(attach_mounts(ops, tree.get(), plan, prepared));
  return tree;
}

Status apply_rootfs_propagation(sys::Ops& ops, const plan::MountPlan& plan) {
  if (plan.rootfs_propagation == plan::Propagation::kNone) return ok();
  sys::MountAttr prop;
  prop.propagation = plan::propagation_ms_flag(plan.rootfs_propagation);
  unsigned flags = plan.rootfs_propagation_recursive ? AT_RECURSIVE : 0;
  return ops.mount_setattr(AT_FDCWD, "/", flags, prop).context("rootfs propagation");
}

Status switch_root_pivot(sys::Ops& ops, int tree_fd, const plan::MountPlan& plan) {
  // pivot_root(".", ".") stacks the old root on top of the new one; detaching "." then removes
  // it without needing a put_old directory in the image (runc commit f8e6b5af, nsjail's note).
  GROVE_TRY(ops.fchdir(tree_fd).context("pivot_root"));
  GROVE_TRY(ops.pivot_root(".", ".").context("pivot_root"));
  GROVE_TRY(ops.umount2(".", MNT_DETACH).context("detach old root"));
  GROVE_TRY(ops.chdir("/").context("pivot_root"));
  return apply_rootfs_propagation(ops, plan);
}

Status switch_root_chroot(sys::Ops& ops, int tree_fd, const plan::MountPlan& plan) {
  // runc msMoveRoot: move the rootfs mount over "/" and chroot into it (cwd stays on it).
  GROVE_TRY(ops.fchdir(tree_fd).context("chroot"));
  GROVE_TRY(ops.move_mount(AT_FDCWD, ".", AT_FDCWD, "/", 0).context("move rootfs on /"));
  GROVE_TRY(ops.chroot(".").context("chroot"));
  GROVE_TRY(ops.chdir("/").context("chroot"));
  return apply_rootfs_propagation(ops, plan);
}

Status setup_rootfs_pivot(sys::Ops& ops, int rootfs_fd, const plan::MountPlan& plan,
                          const ApplyInputs& inputs) {
  GROVE_ASSIGN_OR_RETURN(UniqueFd tree, prepare_tree_pivot(ops, rootfs_fd, plan, inputs));
  return switch_root_pivot(ops, tree.get(), plan);
}

Status setup_rootfs_chroot(sys::Ops& ops, int rootfs_fd, const plan::MountPlan& plan,
                           const ApplyInputs& inputs) {
  GROVE_ASSIGN_OR_RETURN(UniqueFd tree, prepare_tree_pivot(ops, rootfs_fd, plan, inputs));
  return switch_root_chroot(ops, tree.get(), plan);
}

}  // namespace grove::mount
