#pragma once
// The mount planner: OCI spec + kernel Features -> an ordered, printable MountPlan. Pure: no
// syscalls, no globals, no clock (style.md §2.5). Executors live in libcontainer/mount/.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "libcontainer/base/result.h"
#include "libcontainer/plan/cgroup_mount.h"
#include "libcontainer/plan/mount_ops.h"
#include "libcontainer/sys/features.h"
#include "oci/spec.h"

namespace grove::plan {

// How the container's mount namespace and root are built (architecture.md "Mount strategies").
enum class Strategy {
  kOpenTreeNamespace,  // open_tree(OPEN_TREE_NAMESPACE) + setns, no pivot_root (Linux >= 7.0)
  kPivot,              // CLONE_NEWNS + bind rootfs + pivot_root(".", ".") + umount2(MNT_DETACH)
  kChroot,             // CLONE_NEWNS + move rootfs onto "/" + chroot (--no-pivot, ramfs roots)
};

// "open-tree-namespace", "pivot", "chroot".
const char* to_string(Strategy s) noexcept;
// The inverse of to_string(); nullopt for anything else.
std::optional<Strategy> strategy_from_string(std::string_view name) noexcept;

struct PlanOptions {
  std::optional<Strategy> force_strategy;  // --mount-strategy / run.grove.mount-strategy
  bool no_pivot = false;                   // --no-pivot (same as forcing kChroot)
  std::string bundle_dir;                  // relative bind sources are taken relative to it
  bool rootless = false;                   // not real root: devices are bound, not mknod'ed
  // Hybrid/legacy hosts: what "cgroup" mounts show (cgroup_mount.h). Unset: a fresh cgroup2
  // instance (a pure v2 host; also callers that plan without a container, e.g. benchmarks).
  std::optional<CgroupView> cgroup_view;
  // Pure v2 host: what a cgroup2 mount binds when the kernel refuses a fresh instance (EPERM: a
  // user namespace without its own cgroup namespace; runc's mountCgroupV2 fallback), the
  // container's cgroup2 directory with a cgroup namespace, else the host's cgroup2 mount point.
  // "" = no fallback.
  std::string cgroup2_fallback;
};

// A strategy and why it was chosen (reported by `grove features` and --debug).
struct StrategyChoice {
  Strategy strategy = Strategy::kPivot;
  std::string reason;
};

// Chooses the strategy: open-tree-namespace when Features has it, except with a new user
// namespace or rootless, or with createContainer hooks (they need the host root while in the
// container's mount namespace: pivot, reason "createContainer hooks need host paths before the
// root switch"); else pivot; chroot for --no-pivot. Errors: ENOTSUP when a forced strategy is
// not available (the message says why, from Features); EINVAL when force_strategy and no_pivot
// disagree, or open-tree-namespace is forced with createContainer hooks (names the field).
[[nodiscard]] Result<StrategyChoice> choose_strategy(const oci::Spec& spec,
                                                     const sys::Features& features,
                                                     const PlanOptions& options);

struct MountPlan {
  StrategyChoice strategy;
  // Propagation given to the inherited tree before mounting (pivot/chroot): rslave by default,
  // like runc; always recursive. OTN makes its fresh tree rprivate instead.
  Propagation prepare_propagation = Propagation::kSlave;
  // linux.rootfsPropagation, applied to "/" after the root switch (kNone: leave as is).
  Propagation rootfs_propagation = Propagation::kNone;
  bool rootfs_propagation_recursive = false;
  // Resolve rootfs paths with openat2(RESOLVE_IN_ROOT) (else the O_NOFOLLOW component walk).
  bool use_openat2 = true;
  std::vector<MountOp> ops;
};

// Plans the whole mount tree of a container: spec mounts in order (runc keeps order and allows
// duplicates: a later mount stacks on an earlier one), default devices and /dev symlinks (unless
// /dev is bound from the host), linux.devices, /dev/console (process.terminal), readonlyPaths,
// maskedPaths, root.readonly. Validates every path (absolute, no "..", no NUL) and option.
// Errors: EINVAL naming the entry (`mounts[3] "/proc": ...`, `linux.maskedPaths[1] ...`);
// ENOTSUP when the spec needs a kernel feature Features lacks (mount API, idmapped mounts) or a
// forced strategy is unavailable.
[[nodiscard]] Result<MountPlan> plan_mounts(const oci::Spec& spec, const sys::Features& features,
                                            const PlanOptions& options);

// The printed plan: a header line for the strategy and resolution mode, then describe() of each
// op and a footer for the root switch and rootfs propagation. Stable: golden tests compare it.
std::vector<std::string> describe(const MountPlan& plan);

// Cleans an absolute container path: collapses "//", drops "." and a trailing "/". Errors:
// EINVAL when `path` is empty, relative, contains NUL or a ".." component.
[[nodiscard]] Result<std::string> clean_container_path(std::string_view path);

}  // namespace grove::plan
