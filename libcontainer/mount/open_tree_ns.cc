// OPEN_TREE_NAMESPACE: a combined unshare(CLONE_NEWNS) + pivot_root that copies only the rootfs
// subtree (reference/kernel.md §1.4; crun >= 1.29 setup_mount_namespace and
// maybe_open_tree_namespace).

#include "libcontainer/mount/open_tree_ns.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>

#include "libcontainer/mount/pivot.h"
#include "libcontainer/sys/uapi.h"

namespace grove::mount {

Status prepare_tree_open_tree_ns(sys::Ops& ops, int rootfs_fd, const plan::MountPlan& plan,
                                 const ApplyInputs& inputs) {
  // 7.0.y accepts a file here; 7.1 (805d5a2b7928) refuses it. Check ourselves for both.
  GROVE_ASSIGN_OR_RETURN(struct stat st, ops.fstat(rootfs_fd).context("rootfs"));
  if (!S_ISDIR(st.st_mode)) return Error::from_errno(ENOTDIR, "rootfs is not a directory");
  GROVE_TRY(ops.unshare(CLONE_FS).context("unshare fs state"));
  // Everything that lives on the host is opened now: after setns the host tree is unreachable
  // (crun#2119: devices not pre-opened became regular files).
  GROVE_ASSIGN_OR_RETURN(Prepared prepared, prepare_mounts(ops, plan, inputs));
  GROVE_ASSIGN_OR_RETURN(
      UniqueFd ns, ops.open_tree(rootfs_fd, "", OPEN_TREE_NAMESPACE | OPEN_TREE_CLOEXEC |
                                                    AT_EMPTY_PATH | AT_RECURSIVE)
                       .context("create mount namespace"));
  GROVE_TRY(ops.setns(ns.get(), CLONE_NEWNS).context("enter mount namespace"));
  ns.reset();
  // The new namespace's "/" is the rootfs clone (mntns_install() set root and cwd to it).
  GROVE_ASSIGN_OR_RETURN(UniqueFd root, ops.openat(AT_FDCWD, "/", O_PATH | O_DIRECTORY, 0)
                                            .context("open new root"));
  // crun makes the fresh tree private before applying rootfsPropagation.
  sys::MountAttr prop;
  prop.propagation = MS_PRIVATE;
  GROVE_TRY(ops.mount_setattr(root.get(), "", AT_EMPTY_PATH | AT_RECURSIVE, prop)
                .context("make / rprivate"));
  return attach_mounts(ops, root.get(), plan, prepared);
}

Status switch_root_open_tree_ns(sys::Ops& ops, const plan::MountPlan& plan) {
  GROVE_TRY(ops.chdir("/").context("enter new root"));
  return apply_rootfs_propagation(ops, plan);
}

Status setup_rootfs_open_tree_ns(sys::Ops& ops, int rootfs_fd, const plan::MountPlan& plan,
                                 const ApplyInputs& inputs) {
  GROVE_TRY(prepare_tree_open_tree_ns(ops, rootfs_fd, plan, inputs));
  return switch_root_open_tree_ns(ops, plan);
}

Result<PreparedRoot> prepare_root(sys::Ops& ops, int rootfs_fd, const plan::MountPlan& plan,
                                  const ApplyInputs& inputs) {
  PreparedRoot root;
  root.strategy = plan.strategy.strategy;
  if (root.strategy == plan::Strategy::kOpenTreeNamespace) {
    GROVE_TRY(prepare_tree_open_tree_ns(ops, rootfs_fd, plan, inputs));
    return root;
  }
  GROVE_ASSIGN_OR_RETURN(root.tree, prepare_tree_pivot(ops, rootfs_fd, plan, inputs));
  return root;
}

Status switch_root(sys::Ops& ops, const plan::MountPlan& plan, PreparedRoot& root) {
  UniqueFd tree = std::move(root.tree);
  switch (root.strategy) {
    case plan::Strategy::kOpenTreeNamespace:
      return switch_root_open_tree_ns(ops, plan);
    case plan::Strategy::kPivot:
      return switch_root_pivot(ops, tree.get(), plan);
    case plan::Strategy::kChroot:
      return switch_root_chroot(ops, tree.get(), plan);
  }
  return Error::invalid("unknown mount strategy");
}

Status setup_rootfs(sys::Ops& ops, int rootfs_fd, const plan::MountPlan& plan,
                    const ApplyInputs& inputs) {
  GROVE_ASSIGN_OR_RETURN(PreparedRoot root, prepare_root(ops, rootfs_fd, plan, inputs));
  return switch_root(ops, plan, root);
}

}  // namespace grove::mount
