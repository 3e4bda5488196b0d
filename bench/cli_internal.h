#pragma once
// Internals of grove-bench cli (cli_bench.h): one batch of containers run by W worker processes.

#include <cstdint>
#include <string>
#include <vector>

#include "bench/cli_bench.h"

namespace grove::bench {

// What one batch runs: `count` containers of one contender, variant and op, shared among
// `workers` processes (worker k runs containers k, k+W, ...).
struct Job {
  const Contender* contender = nullptr;
  Op op = Op::kLifecycle;
  std::vector<std::string> bundles;  // one per worker (its own cgroupsPath)
  std::string root;                  // the runtime's state root
  std::string id_prefix;             // container ids are <prefix>-<worker>-<i>
  std::string exec_id;               // kExec: the running container
  std::string scratch;               // pid files and stderr captures go here
  std::string true_path;             // kFloor: the static true on the host
  uint64_t clone_flags = 0;          // kFloor: the namespaces
  int count = 1;
  int workers = 1;
};

// Runs the batch; appends one Sample per container to `out` and returns the wall time in ms
// from the first clone to the last worker reaped. Errors: the first container that failed
// (its runtime's exit status and the start of its stderr).
[[nodiscard]] Result<double> run_batch(sys::Ops& ops, const Job& job, std::vector<Sample>* out);

// posix_spawn of argv (argv[0] absolute) with stdin/stdout on /dev/null and stderr into
// `err_file`, then wait4; adds the child's rusage to `s`. Errors: spawn errno, or EIO with the
// exit status and the start of stderr.
[[nodiscard]] Status spawn_wait(const std::vector<std::string>& argv, const std::string& err_file,
                                Sample* s);

// The clone flags of the spec's namespaces for the floor: pid, ipc, uts, mount, + network
// unless kNoNetns, + user for kUserns.
uint64_t floor_clone_flags(Variant v);

}  // namespace grove::bench
