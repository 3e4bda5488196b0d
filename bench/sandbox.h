#pragma once
// grove-bench sandbox: start-to-exit time of `grove sandbox -- true` next to the Debian tools
// that do the same job for an unprivileged user (bwrap, `unshare -r`), each run N times from
// this process with stdio on /dev/null. Runs as whoever calls it (the point is a normal user).

#include <string>
#include <vector>

#include "libcontainer/base/result.h"

namespace grove::bench {

struct SandboxBenchConfig {
  int count = 50;
  std::string grove;  // the grove binary
};

struct SandboxContender {
  std::string name;
  std::vector<std::string> argv;  // argv[0] absolute
  std::string na;                 // non-empty: not run, and why (binary missing)
  std::string failed;             // the first failure ("exit status 1"), when one happened
  std::vector<double> ms;         // wall time per run, in run order
};

// The contenders for `grove` (a path): grove sandbox with the default id mapping and with
// --map=root, bwrap with and without --unshare-all, unshare -r. Pure: `have(path)` says
// whether a binary exists.
std::vector<SandboxContender> sandbox_contenders(const std::string& grove,
                                                 bool (*have)(const std::string&));

// Runs every contender `cfg.count` times (after one warm-up run each), in interleaved rounds.
// Errors: EINVAL for a
// count < 1.
[[nodiscard]] Result<std::vector<SandboxContender>> run_sandbox_bench(
    const SandboxBenchConfig& cfg);

// "name  median  p90  mean  (N runs)" lines, n/a and FAILED rows with their reason. Pure.
std::string format_sandbox_table(const SandboxBenchConfig& cfg,
                                 const std::vector<SandboxContender>& rows);
// {"mode":"sandbox","count":N,"contenders":[{"name","argv","median_ms","p90_ms","mean_ms"}|
// {"name","na"}|{"name","failed"}]}. Pure.
std::string format_sandbox_json(const SandboxBenchConfig& cfg,
                                const std::vector<SandboxContender>& rows);

}  // namespace grove::bench
