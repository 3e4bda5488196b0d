#pragma once
// grove-bench cli / exec / lib / floor (issue #8): how many containers per minute a runtime
// creates and tears down, grove next to crun and runc, measured in one run with the contenders
// taking turns (A/B/C, rotated every round) so a load change on a shared machine hits all alike.
//   cli    `create + start + wait + delete` and `run` of a /bin/true container through each
//          runtime's CLI (posix_spawn, stdio on /dev/null);
//   exec   `exec <id> /bin/true` into a running container;
//   lib    the same lifecycle through grove's library API in-process (no CLI exec);
//   floor  clone3 with the spec's namespace flags + execve of the static true + wait.
// The floor row runs in cli and lib too, so every figure is also a multiple of the floor.
// Needs root. See bench/README.md for the method.

#include <string>
#include <vector>

#include "bench/cli_setup.h"
#include "libcontainer/base/result.h"
#include "libcontainer/sys/ops.h"

namespace grove::bench {

enum class Op {
  kLifecycle,  // create, start, wait for the process, delete
  kRun,        // `run` (create+start+wait+delete in one runtime process)
  kExec,       // `exec <id> /bin/true` into a running container
};
std::string_view to_string(Op op);

enum class Kind { kCli, kLib, kFloor };

struct Contender {
  std::string name;  // grove, crun, runc, grove-lib, floor
  Kind kind = Kind::kCli;
  std::string bin;   // the runtime binary (kCli)
  std::string na;    // non-empty: not run, and why (not installed)
};

struct CliBenchConfig {
  std::string mode = "cli";                        // cli, exec, lib, floor
  std::vector<std::string> compare = {"crun", "runc"};
  std::vector<Variant> variants = {Variant::kDefault};
  std::vector<Op> ops = {Op::kLifecycle, Op::kRun};
  std::vector<int> workers = {1};
  int count = 100;   // containers per cell (per contender, variant, op and worker count)
  int rounds = 5;    // the count is split into this many turns
  std::string grove;                               // the grove binary
  std::string busybox = "/bin/busybox";            // static; becomes /bin/true in the rootfs
  std::string seccomp_profile = kContainersSeccompProfile;
  std::string tmp_dir;  // scratch parent ("" = $TMPDIR, else /tmp)
  std::string svg;   // sweep plot path ("" = grove-bench-<mode>.svg when workers has > 1 value)
};

// One container's figures.
struct Sample {
  double ms = 0;      // wall time of the whole lifecycle (or exec)
  double cpu_ms = 0;  // user + system time of every process waited for (rusage of children)
  double rss_kb = 0;  // the largest ru_maxrss among them
};

struct Cell {
  std::string contender;
  Variant variant = Variant::kDefault;
  Op op = Op::kLifecycle;
  int workers = 1;
  std::string na;      // not run, and why
  std::string failed;  // the first failure
  std::vector<Sample> samples;
  std::vector<double> round_rates;  // containers per 60 s of wall time, one per round
};

struct CliBenchResult {
  std::vector<Contender> contenders;
  std::vector<Cell> cells;
  std::vector<std::string> notes;
  std::string kernel;
  int pid = 0;  // the bench's pid: its cgroups were /grove-test/bench-<pid>/...
  std::string load_before, load_after;  // /proc/loadavg
  bool any_failed() const;
};

// Contenders for the mode: cli = grove + cfg.compare + floor; exec = grove + compare;
// lib = grove-lib + grove + floor; floor = floor. A compared runtime not found in /usr/bin,
// /usr/sbin, /usr/local/bin or /usr/local/sbin is kept with `na` set. EINVAL for an unknown mode
// or a compared name other than crun/runc.
[[nodiscard]] Result<std::vector<Contender>> contenders_for(const CliBenchConfig& cfg);

// Runs the benchmark. Errors: setup failures (scratch, namespace); a contender that fails has
// its cells marked `failed` instead.
[[nodiscard]] Result<CliBenchResult> run_cli_bench(sys::Ops& ops, const CliBenchConfig& cfg);

}  // namespace grove::bench
