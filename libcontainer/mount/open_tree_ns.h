#pragma once
// The open-tree-namespace strategy (plan::Strategy::kOpenTreeNamespace, Linux >= 7.0).
//
// Process and namespace state expected on entry:
// - the caller is the container child, single-threaded, in the mount namespace where the host
//   paths of the plan resolve (the runtime's; it must NOT have unshared CLONE_NEWNS: the new
//   namespace comes from open_tree) and in the container's pid namespace already (procfs
//   instances are created here, before setns, and take the caller's pid namespace);
// - CAP_SYS_ADMIN over its user namespace, plus CAP_SYS_CHROOT (setns into a mount namespace);
// - it may share nothing with other threads: the function unshares CLONE_FS first because
//   setns(CLONE_NEWNS) fails with EINVAL while fs_struct is shared;
// - `rootfs_fd` (borrowed) is an O_PATH|O_DIRECTORY fd of the rootfs directory (7.1 refuses
//   non-directories; we check first and return ENOTDIR).
// Sequence: prepare every host resource (bind clones, fs instances, /dev/null clones, console),
// open_tree(rootfs_fd, "", OPEN_TREE_NAMESPACE|AT_RECURSIVE|AT_EMPTY_PATH|OPEN_TREE_CLOEXEC),
// setns into it (root and cwd become the rootfs; the true root below is nullfs), make the tree
// rprivate, attach the plan relative to the new "/", chdir("/"), rootfs propagation. After setns
// no host path is ever resolved (no path-based fallback: crun#2262).
// On failure before setns nothing was mounted anywhere (detached mounts die with their fds); after
// setns the caller must let the child exit. Errors: the failing syscall's errno framed with the
// op's describe() line or the step name; EINVAL/ENOSYS from open_tree mean "kernel < 7.0".

#include "libcontainer/base/result.h"
#include "libcontainer/mount/apply.h"
#include "libcontainer/plan/mount_plan.h"
#include "libcontainer/sys/ops.h"

namespace grove::mount {

// = prepare_tree_open_tree_ns + switch_root_open_tree_ns.
[[nodiscard]] Status setup_rootfs_open_tree_ns(sys::Ops& ops, int rootfs_fd,
                                               const plan::MountPlan& plan,
                                               const ApplyInputs& inputs);

// Phase 1: everything up to and including attaching the plan: after it the process is in the
// new mount namespace and its root is the container's "/" already (setns set it), the cwd too.
[[nodiscard]] Status prepare_tree_open_tree_ns(sys::Ops& ops, int rootfs_fd,
                                               const plan::MountPlan& plan,
                                               const ApplyInputs& inputs);
// Phase 2: chdir("/") and rootfs propagation (there is no root to switch).
[[nodiscard]] Status switch_root_open_tree_ns(sys::Ops& ops, const plan::MountPlan& plan);

// A container mount tree between the two phases of any strategy: built (every op of the plan
// attached) but not yet made the process root. The hook point of the createRuntime and
// createContainer hooks (container/hooks.h) is here: under pivot/chroot the tree is visible at
// the rootfs's host path and the host root is still "/"; under open-tree-namespace "/" is the
// container's root already (the host tree is unreachable).
struct PreparedRoot {
  plan::Strategy strategy = plan::Strategy::kPivot;
  UniqueFd tree;  // pivot/chroot: the rootfs bind mount (owned); open-tree-namespace: empty
};

// Phase 1 of plan.strategy (see each strategy's header for its entry requirements).
[[nodiscard]] Result<PreparedRoot> prepare_root(sys::Ops& ops, int rootfs_fd,
                                                const plan::MountPlan& plan,
                                                const ApplyInputs& inputs);
// Phase 2: the root switch of the strategy prepare_root used. Consumes `root.tree`.
[[nodiscard]] Status switch_root(sys::Ops& ops, const plan::MountPlan& plan, PreparedRoot& root);

// prepare_root + switch_root: dispatches on plan.strategy to setup_rootfs_open_tree_ns,
// setup_rootfs_pivot or setup_rootfs_chroot (each with its own entry requirements).
[[nodiscard]] Status setup_rootfs(sys::Ops& ops, int rootfs_fd, const plan::MountPlan& plan,
                                  const ApplyInputs& inputs);

}  // namespace grove::mount
