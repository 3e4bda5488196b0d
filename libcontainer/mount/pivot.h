#pragma once
// The pivot and chroot mount strategies (plan::Strategy::kPivot / kChroot).
//
// Process and namespace state expected on entry (both functions):
// - the caller is the container child, single-threaded, already in its own mount namespace
//   (clone/unshare with CLONE_NEWNS) that is still a copy of the host's: host paths (bind
//   sources, /dev/null) resolve as on the host; CAP_SYS_ADMIN over that namespace;
// - `rootfs_fd` (borrowed) is an O_PATH|O_DIRECTORY fd of the bundle's rootfs directory opened
//   AFTER entering the new mount namespace: an fd opened before CLONE_NEWNS still points into
//   the parent's namespace, where open_tree/move_mount refuse it (EINVAL);
// - process root and cwd are anywhere (the host's "/" usually).
// On success the process root and cwd are the container's "/", with every op of `plan` applied;
// for pivot the old root is detached (umount2(MNT_DETACH)) and unreachable; for chroot it is
// still mounted underneath (chroot does not hide it; use only where pivot_root is impossible,
// e.g. a ramfs/initramfs root). On failure the namespace is left half-built: the caller must let
// the child exit (the namespace and every mount in it die with it); nothing is ever mounted in
// the host namespace, because the first step makes "/" rslave (or rprivate) recursively.
// Errors: the failing syscall's errno framed with the op's describe() line or the step name.

#include "libcontainer/base/result.h"
#include "libcontainer/mount/apply.h"
#include "libcontainer/plan/mount_plan.h"
#include "libcontainer/sys/ops.h"

namespace grove::mount {

// "/" rslave|rprivate, bind rootfs on itself, prepare + attach the plan, then
// pivot_root(".", "."), umount2(".", MNT_DETACH), chdir("/"), rootfs propagation.
// = prepare_tree_pivot + switch_root_pivot.
[[nodiscard]] Status setup_rootfs_pivot(sys::Ops& ops, int rootfs_fd, const plan::MountPlan& plan,
                                        const ApplyInputs& inputs);

// As setup_rootfs_pivot but the root switch is move_mount(rootfs, "/") + chroot(".") (runc's
// --no-pivot msMoveRoot). = prepare_tree_pivot + switch_root_chroot.
[[nodiscard]] Status setup_rootfs_chroot(sys::Ops& ops, int rootfs_fd,
                                         const plan::MountPlan& plan, const ApplyInputs& inputs);

// The two phases of both strategies, split so the createRuntime/createContainer hooks run in
// between (container/hooks.h). Phase 1 (same for pivot and chroot): "/" rslave|rprivate, the
// rootfs bound on itself, every op of the plan attached under the rootfs's host path. Returns
// the fd (owned) of the rootfs bind mount; process root and cwd are unchanged.
[[nodiscard]] Result<UniqueFd> prepare_tree_pivot(sys::Ops& ops, int rootfs_fd,
                                                  const plan::MountPlan& plan,
                                                  const ApplyInputs& inputs);
// Phase 2: fchdir(tree), pivot_root(".", "."), umount2(".", MNT_DETACH), chdir("/"), rootfs
// propagation. `tree_fd` (borrowed) is what prepare_tree_pivot returned.
[[nodiscard]] Status switch_root_pivot(sys::Ops& ops, int tree_fd, const plan::MountPlan& plan);
// Phase 2 of chroot: fchdir(tree), move_mount(".", "/"), chroot("."), chdir("/"), propagation.
[[nodiscard]] Status switch_root_chroot(sys::Ops& ops, int tree_fd, const plan::MountPlan& plan);

// Applies linux.rootfsPropagation to the current "/" (no-op for Propagation::kNone). Shared by
// every strategy, after the root switch (pivot_root(2) refuses a shared new root).
[[nodiscard]] Status apply_rootfs_propagation(sys::Ops& ops, const plan::MountPlan& plan);

}  // namespace grove::mount
