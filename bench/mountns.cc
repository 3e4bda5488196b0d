// grove-bench mountns: see mountns.h. The per-iteration work mirrors process::spawn_init
// (clone flags) and process/init.cc build_rootfs (rootfs fd opened in the child, then
// mount::setup_rootfs), so the numbers are what `grove create` pays for its mount namespace.

#include "bench/mountns.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <optional>

#include "bench/scratch.h"
#include "libcontainer/mount/open_tree_ns.h"
#include "libcontainer/process/spawn.h"
#include "oci/default_spec.h"

namespace grove::bench {
namespace {

// A small container: proc, a /dev tmpfs with the default devices and symlinks, devpts, and a
// read-only root. Only a mount namespace, so the clone flags differ by strategy alone.
oci::Spec bench_spec() {
  oci::Spec spec = oci::default_spec(false);
  spec.mounts.resize(3);  // /proc, /dev, /dev/pts (default_spec order)
  spec.root = oci::Root{.path = "rootfs", .readonly = true};
  spec.process->terminal = false;
  spec.linux->namespaces = {oci::Namespace{oci::NamespaceType::kMount}};
  spec.linux->masked_paths.clear();
  spec.linux->readonly_paths.clear();
  return spec;
}

constexpr const char* kContainer =
    "proc, /dev tmpfs + default devices and symlinks, /dev/pts devpts, read-only root; "
    "mount namespace only";

// The init side of one iteration (process/init.cc build_rootfs), in the cloned child.
Status child_setup(sys::Ops& ops, const std::string& rootfs, const plan::MountPlan& plan) {
  GROVE_ASSIGN_OR_RETURN(UniqueFd fd,
                         ops.openat(AT_FDCWD, rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC, 0));
  return mount::setup_rootfs(ops, fd.get(), plan, mount::ApplyInputs{});
}

// The error a child left on the (non-blocking) error pipe, or its exit status.
Error child_error(sys::Ops& ops, int err_fd, const sys::WaitStatus& ws) {
  auto msg = ops.read(err_fd, 4096);
  if (msg && !msg->empty()) return Error::plain(EIO, *msg);
  if (ws.signaled())
    return Error::plain(EIO, "child killed by signal " + std::to_string(ws.status));
  return Error::plain(EIO, "child exited with status " + std::to_string(ws.status));
}

struct Job {
  const plan::MountPlan* plan;
  uint64_t clone_flags;
  std::string rootfs;
  int err_fd;  // write end of the error pipe (the read end for the parent)
  int err_read_fd;
};

// One namespace: clone as spawn_init does (CLONE_PIDFD too), build the root in the child, wait.
Status one_namespace(sys::Ops& ops, const Job& job) {
  sys::CloneArgs args;
  args.flags = job.clone_flags;
  args.exit_signal = SIGCHLD;
  args.want_pidfd = true;
  GROVE_ASSIGN_OR_RETURN(sys::CloneResult c, ops.clone3(args).context("clone"));
  if (c.pid == 0) {
    Status st = child_setup(ops, job.rootfs, *job.plan);
    if (!st) (void)ops.write(job.err_fd, st.error().message());
    ::_exit(st ? 0 : 1);
  }
  GROVE_ASSIGN_OR_RETURN(sys::WaitStatus ws, ops.waitpid(c.pid, 0));
  if (!ws.exited() || ws.status != 0) return child_error(ops, job.err_read_fd, ws);
  return ok();
}

Status run_iterations(sys::Ops& ops, const Job& job, int n) {
  for (int i = 0; i < n; ++i) GROVE_TRY(one_namespace(ops, job));
  return ok();
}

// `count` namespaces split over `workers` processes (one: in this process). Returns seconds of
// wall time from the first clone to the last wait.
Result<double> timed_run(sys::Ops& ops, const Job& job, int count, int workers) {
  const auto t0 = std::chrono::steady_clock::now();
  if (workers == 1) {
    GROVE_TRY(run_iterations(ops, job, count));
  } else {
    std::vector<pid_t> pids;
    Status first_error = ok();
    for (int w = 0; w < workers; ++w) {
      const int share = count / workers + (w < count % workers ? 1 : 0);
      sys::CloneArgs args;
      args.exit_signal = SIGCHLD;
      auto c = ops.clone3(args);
      if (!c) {
        first_error = std::move(c).error().context("start worker");
        break;
      }
      if (c->pid == 0) {
        Status st = run_iterations(ops, job, share);
        if (!st) (void)ops.write(job.err_fd, st.error().message());
        ::_exit(st ? 0 : 1);
      }
      pids.push_back(c->pid);
    }
    for (pid_t pid : pids) {
      auto ws = ops.waitpid(pid, 0);
      if (!ws) {
        if (first_error) first_error = std::move(ws).error();
      } else if ((!ws->exited() || ws->status != 0) && first_error) {
        first_error = child_error(ops, job.err_read_fd, *ws);
      }
    }
    GROVE_TRY(std::move(first_error));
  }
  const std::chrono::duration<double> dt = std::chrono::steady_clock::now() - t0;
  return dt.count();
}

// Rounds per cell: the strategies take turns (round-robin, `count / kRounds` namespaces each),
// so a slow phase of a shared or emulated machine hits every column alike.
constexpr int kRounds = 5;

// A strategy being measured at one mount-table size.
struct Lane {
  plan::MountPlan plan;
  uint64_t clone_flags = 0;
  double seconds = 0;
};

// Plans one strategy and runs one untimed namespace (fails fast, warms the dentry and slab
// caches). On failure fills `cell` and returns nullopt.
std::optional<Lane> prepare_lane(sys::Ops& ops, const sys::Features& features,
                                 const Scratch& scratch, plan::Strategy strategy,
                                 const sys::FdPair& err_pipe, MountnsCell& cell) {
  const oci::Spec spec = bench_spec();
  plan::PlanOptions opts;
  opts.force_strategy = strategy;
  opts.bundle_dir = scratch.dir();
  auto plan = plan::plan_mounts(spec, features, opts);
  if (!plan) {
    cell.kind = plan.error().code() == ENOTSUP ? MountnsCell::Kind::kNotAvailable
                                               : MountnsCell::Kind::kFailed;
    cell.reason = plan.error().message();
    return std::nullopt;
  }
  Lane lane{std::move(*plan), 0, 0};
  lane.clone_flags = process::clone_flags(spec, &lane.plan);
  Job job{&lane.plan, lane.clone_flags, scratch.rootfs(), err_pipe.second.get(),
          err_pipe.first.get()};
  if (Status warm = one_namespace(ops, job); !warm) {
    cell.kind = MountnsCell::Kind::kFailed;
    cell.reason = warm.error().message();
    return std::nullopt;
  }
  return lane;
}

// Measures every strategy at the current mount-table size.
std::vector<MountnsCell> measure_row(sys::Ops& ops, const sys::Features& features,
                              const MountnsConfig& cfg, const Scratch& scratch,
                              const sys::FdPair& err_pipe) {
  std::vector<MountnsCell> cells(cfg.strategies.size());
  std::vector<std::optional<Lane>> lanes;
  for (std::size_t i = 0; i < cfg.strategies.size(); ++i) {
    lanes.push_back(prepare_lane(ops, features, scratch, cfg.strategies[i], err_pipe, cells[i]));
  }
  const int rounds = std::min(kRounds, cfg.count);
  for (int r = 0; r < rounds; ++r) {
    const int n = cfg.count / rounds + (r < cfg.count % rounds ? 1 : 0);
    for (std::size_t i = 0; i < lanes.size(); ++i) {
      if (!lanes[i]) continue;
      Job job{&lanes[i]->plan, lanes[i]->clone_flags, scratch.rootfs(), err_pipe.second.get(),
              err_pipe.first.get()};
      auto secs = timed_run(ops, job, n, std::min(cfg.workers, n));
      if (!secs) {
        cells[i].kind = MountnsCell::Kind::kFailed;
        cells[i].reason = secs.error().message();
        lanes[i].reset();
        continue;
      }
      lanes[i]->seconds += *secs;
    }
  }
  for (std::size_t i = 0; i < lanes.size(); ++i) {
    if (!lanes[i]) continue;
    cells[i].per_second = cfg.count / lanes[i]->seconds;
    cells[i].us_per_op = lanes[i]->seconds * 1e6 / cfg.count;
  }
  return cells;
}

}  // namespace

bool MountnsResult::any_failed() const {
  for (const Row& r : rows) {
    for (const MountnsCell& c : r.cells) {
      if (c.kind == MountnsCell::Kind::kFailed) return true;
    }
  }
  return false;
}

Status validate(const MountnsConfig& cfg) {
  if (cfg.count < 1) return Error::invalid("--count must be at least 1");
  if (cfg.workers < 1) return Error::invalid("--workers must be at least 1");
  if (cfg.workers > cfg.count) return Error::invalid("--workers must not exceed --count");
  if (cfg.host_mounts.empty()) return Error::invalid("--host-mounts must name at least one size");
  for (int n : cfg.host_mounts) {
    if (n < 1 || n > 100000) return Error::invalid("--host-mounts: sizes must be 1..100000");
  }
  if (cfg.strategies.empty()) return Error::invalid("--strategies must name at least one");
  return ok();
}

Result<MountnsResult> run_mountns(sys::Ops& ops, const sys::Features& features,
                                  const MountnsConfig& cfg) {
  GROVE_TRY(validate(cfg));
  MountnsResult result;
  GROVE_ASSIGN_OR_RETURN(sys::KernelRelease rel, ops.uname());
  result.kernel = rel.release;
  result.open_tree_ns = features.open_tree_namespace;
  result.container = kContainer;

  GROVE_ASSIGN_OR_RETURN(Scratch scratch, Scratch::create(ops, cfg.tmp_dir));
  GROVE_TRY(scratch.enter_private_namespace());
  GROVE_ASSIGN_OR_RETURN(sys::FdPair err_pipe, ops.pipe2(O_NONBLOCK).context("error pipe"));

  std::vector<int> sizes = cfg.host_mounts;
  std::sort(sizes.begin(), sizes.end());
  sizes.erase(std::unique(sizes.begin(), sizes.end()), sizes.end());
  for (int target : sizes) {
    Row row;
    row.target = target;
    GROVE_ASSIGN_OR_RETURN(row.actual, scratch.grow_mount_table(target));
    row.cells = measure_row(ops, features, cfg, scratch, err_pipe);
    result.rows.push_back(std::move(row));
  }
  return result;
}

}  // namespace grove::bench
