#pragma once
// Executors for mount plans (plan/mount_plan.h): thin loops, one apply step per op, each failure
// framed with the op's describe() line. Two phases, so the open-tree-namespace strategy can take
// every host resource before setns() and never resolve a host path afterwards:
//   prepare_mounts(): opens what lives on the host (bind sources as detached open_tree clones with
//     their attributes already set, fs instances via fsopen/fsconfig/fsmount, /dev/null clones and
//     read-only tmpfs instances for maskedPaths, host device nodes);
//   attach_mounts(): resolves every target inside the rootfs (resolve.h) and attaches with
//     move_mount(MOVE_MOUNT_F_EMPTY_PATH|MOVE_MOUNT_T_EMPTY_PATH) onto an O_PATH fd of the target,
//     creates device nodes and symlinks, applies readonly/masked paths and root.readonly.
// Strategies (pivot.h, open_tree_ns.h) wrap these with the root switch. Requirements: a
// single-threaded caller with CAP_SYS_ADMIN over the mount namespace it is in, which must not be
// the host's (these functions run in the container child). Fds: `root_fd` is borrowed; Prepared
// owns its fds and closes unused ones when destroyed.

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "libcontainer/base/result.h"
#include "libcontainer/base/unique_fd.h"
#include "libcontainer/mount/resolve.h"
#include "libcontainer/plan/mount_plan.h"
#include "libcontainer/sys/ops.h"

namespace grove::mount {

// Host-side inputs that are not part of the (pure) plan.
struct ApplyInputs {
  int idmap_userns_fd = -1;  // borrowed user-namespace fd for idmapped binds; -1: none
  // BpfFsMount: configures and creates the bpffs whose fs context is `fsfd` (borrowed; opened
  // here, in the container's user namespace) and returns the detached mount. The kernel wants
  // CAP_SYS_ADMIN in the initial user namespace for that, so in a container init this hands the
  // fd to the runtime. Unset: security::configure_bpffs() in this process.
  std::function<Result<UniqueFd>(int fsfd, const plan::BpfFsMount& op)> configure_bpffs;
};

// Host resources for one op, indexed like MountPlan::ops.
struct PreparedOp {
  UniqueFd mount;  // a detached mount to attach (bind clone, fs instance, device node)
};

// What maskedPaths entries with one SELinux label are covered with: a detached clone of the host's
// /dev/null (for anything but a directory) and a detached read-only empty tmpfs (directories).
// The first mask of each kind attaches the prepared mount; later ones attach a clone of that
// now-attached mount (open_tree of the same fd: no path lookup). One prepared mount per kind
// instead of two per mask matters: each detached mount that is closed unused is dissolved, and
// every dissolve waits for synchronize_rcu_expedited().
struct MaskSource {
  UniqueFd dev_null;
  UniqueFd tmpfs;
  bool dev_null_attached = false;
  bool tmpfs_attached = false;
};

struct Prepared {
  std::vector<PreparedOp> ops;
  std::map<std::string, MaskSource> masks;  // keyed by MaskPath::label
};

// Phase 1. Errors: the failing syscall's errno, framed with describe(op) (ENOTSUP for an idmapped
// bind without ApplyInputs::idmap_userns_fd).
[[nodiscard]] Result<Prepared> prepare_mounts(sys::Ops& ops, const plan::MountPlan& plan,
                                              const ApplyInputs& inputs);

// Phase 2: `root_fd` is an O_PATH fd of the root of the container's rootfs mount (in the mount
// namespace the caller is in now). Consumes the fds in `prepared`. Errors: the failing syscall's
// errno framed with describe(op).
[[nodiscard]] Status attach_mounts(sys::Ops& ops, int root_fd, const plan::MountPlan& plan,
                                   Prepared& prepared);

// prepare_mounts + attach_mounts with no idmap user namespace.
[[nodiscard]] Status apply_mounts(sys::Ops& ops, int root_fd, const plan::MountPlan& plan);

// Binds the pty peer `pty_fd` (borrowed, any open fd of a devpts file) over `path` (the Console
// op's /dev/console, created empty by attach_mounts) of the root `root_fd`. Runs after the root
// switch, because the pty can only be allocated from the container's own devpts, which exists
// once the plan is attached (runc: mountConsole after prepareRootfs). The target is opened
// O_NOFOLLOW inside the root (CVE-2025-52565: a /dev/console swapped for a symlink is an error)
// and the mount is a detached clone of the pty's own path (open_tree on the fd), so no
// /dev/pts/N path is ever looked up. Errors: open_tree/move_mount/open errno.
[[nodiscard]] Status bind_console(sys::Ops& ops, int root_fd, const std::string& path, int pty_fd,
                                  ResolveMode mode);

// The resolution mode a plan asks for.
inline ResolveMode resolve_mode(const plan::MountPlan& plan) {
  return plan.use_openat2 ? ResolveMode::kOpenat2 : ResolveMode::kWalk;
}

}  // namespace grove::mount
