#pragma once
// grove-bench mountns: mount-namespace creation throughput per mount strategy, with the host
// mount table grown to given sizes (issue #3 "Benchmark hook"; reference/kernel.md §1.6).
//
// One iteration is what a container create pays for its mount namespace with grove's real
// engine: clone3 with exactly the flags process::spawn_init uses for the strategy (CLONE_NEWNS
// for pivot/chroot, none for open-tree-namespace), then in the child the same call
// process/init.cc makes (open the rootfs O_PATH, mount::setup_rootfs with the plan), then
// _exit; the parent waits. Nothing is exec'd.
//
// The "host" is a private mount namespace of the bench process (unshare(CLONE_NEWNS), "/"
// rprivate), in which small tmpfs instances are mounted under a scratch directory until
// /proc/self/mountinfo has the requested number of lines. The real host mount table is never
// touched, and every extra mount dies with the namespace. Needs root (CAP_SYS_ADMIN).

#include <string>
#include <vector>

#include "libcontainer/base/result.h"
#include "libcontainer/plan/mount_plan.h"
#include "libcontainer/sys/features.h"
#include "libcontainer/sys/ops.h"

namespace grove::bench {

struct MountnsConfig {
  int count = 200;                                   // timed namespaces per cell
  std::vector<int> host_mounts = {30, 1000, 10000};  // mount-table sizes, any order
  std::vector<plan::Strategy> strategies = {plan::Strategy::kOpenTreeNamespace,
                                            plan::Strategy::kPivot, plan::Strategy::kChroot};
  int workers = 1;      // parallel worker processes sharing `count`
  std::string tmp_dir;  // parent of the scratch directory ($TMPDIR or /tmp)
};

// One strategy at one mount-table size.
struct MountnsCell {
  enum class Kind { kOk, kNotAvailable, kFailed } kind = Kind::kOk;
  std::string reason;     // kNotAvailable: why (the planner's ENOTSUP message); kFailed: error
  double per_second = 0;  // namespaces per second (count / wall time)
  double us_per_op = 0;   // wall time / count, in microseconds
};

struct Row {
  int target = 0;           // requested mount-table size
  int actual = 0;           // lines in /proc/self/mountinfo while measuring (>= target)
  std::vector<MountnsCell> cells;  // indexed like MountnsConfig::strategies
};

struct MountnsResult {
  std::string kernel;       // uname release
  sys::Probe open_tree_ns;  // sys::probe()'s open_tree_namespace
  std::string container;    // what each namespace holds (for the report)
  std::vector<Row> rows;    // ascending target
  bool any_failed() const;
};

// Validates `cfg` (count, workers >= 1; sizes >= 1; strategies non-empty). Errors: EINVAL naming
// the option.
[[nodiscard]] Status validate(const MountnsConfig& cfg);

// Runs the benchmark. The calling process must be single-threaded and root; it unshares its own
// mount namespace (so call it from a process that does nothing else afterwards in the host
// namespace: grove-bench's main). A strategy the kernel lacks gives kNotAvailable cells; one
// that fails at run time gives kFailed cells (the run goes on). Errors: setup failures (scratch
// directory, unshare, the extra mounts) with the failing step framed; the scratch directory is
// removed on every path.
[[nodiscard]] Result<MountnsResult> run_mountns(sys::Ops& ops, const sys::Features& features,
                                                const MountnsConfig& cfg);

}  // namespace grove::bench
