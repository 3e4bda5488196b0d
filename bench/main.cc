// grove-bench: benchmarks of grove's engine (architecture.md bench/). Modes:
//   mountns  mount-namespace creation throughput per mount strategy vs host mount-table size
//            (issue #3; see bench/README.md and mountns.h).
//   sandbox  start-to-exit of `grove sandbox -- true` next to bwrap and `unshare -r` (sandbox.h).
//   cli, exec, lib, floor  container lifecycle throughput next to crun/runc (cli_bench.h).
// Exit codes: 0 every cell ran or was n/a; 1 a strategy failed or setup failed; 2 usage error.

#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "bench/cli_main.h"
#include "bench/image_bench.h"
#include "bench/mountns.h"
#include "bench/report.h"
#include "bench/sandbox.h"
#include "libcontainer/base/strings.h"
#include "libcontainer/sys/linux_ops.h"
#include "libcontainer/sys/probe.h"

namespace grove::bench {
namespace {

constexpr const char* kUsage =
    "usage: grove-bench mountns [--count N] [--host-mounts N[,N...]] [--strategies S[,S...]]\n"
    "                           [--workers W] [--json] [--tmpdir DIR]\n"
    "  Creates N mount namespaces for a small rootfs with each mount strategy\n"
    "  (open-tree-namespace, pivot, chroot) through grove's mount engine, with the mount table\n"
    "  of a private namespace grown to each size, and prints namespaces per second side by side.\n"
    "  Defaults: --count 200 --host-mounts 30,1000,10000 --strategies all --workers 1.\n"
    "  Needs root.\n"
    "usage: grove-bench sandbox [--count N] [--grove PATH] [--json]\n"
    "  Runs `grove sandbox -- true` (default mapping and --map=root), bwrap and `unshare -r`\n"
    "  N times each (default 50) as the calling user and prints median/p90/mean in ms.\n"
    "usage: grove-bench cli|exec|lib|floor [--count N] [--rounds R] [--workers P[,P...]]\n"
    "                   [--compare crun,runc,NAME=PATH] [--variant default,seccomp,userns,nonetns]\n"
    "                   [--ops lifecycle,run] [--json] [--svg FILE] [--grove PATH]\n"
    "                   [--busybox PATH] [--seccomp-profile FILE] [--tmpdir DIR]\n"
    "  cli: create+start+wait+delete and run of a /bin/true container (default `grove spec`\n"
    "  config) through grove, crun and runc, taking turns; exec: exec latency into a running\n"
    "  container; lib: the lifecycle through the library in-process; floor: clone3 + execve\n"
    "  + wait. Prints containers per 60 s, p50/p99 ms, CPU ms, peak RSS and the ratios.\n"
    "  Defaults: --count 100 --rounds 5 --workers 1 --compare crun,runc --variant default.\n"
    "  Needs root.\n"
    "usage: grove-bench image [--count N] [--shared-mib M] [--upper tmpfs|none]\n"
    "                         [--reader read|sendfile] [--json] [--tmpdir DIR]\n"
    "                         [--grove PATH] [--busybox PATH]\n"
    "  Two EROFS images sharing M MiB of files: page cache of N containers reading both, with\n"
    "  and without inode_share (n/a where the kernel lacks it), and grove create from an image\n"
    "  vs a directory rootfs. Defaults: --count 8 --shared-mib 32. Needs root.\n";

struct Args {
  MountnsConfig cfg;
  bool json = false;
};

Result<int> parse_count(std::string_view flag, std::string_view v) {
  long long n = 0;
  if (!parse_int64(v, &n) || n < 0 || n > 100000000) {
    return Error::invalid(std::string(flag) + ": not a count: " + q(v));
  }
  return static_cast<int>(n);
}

Result<Args> parse(int argc, char** argv) {
  std::vector<std::string> a(argv + 1, argv + argc);
  if (a.empty() || a[0] != "mountns") return Error::invalid("unknown or missing mode (mountns, sandbox, cli, exec, lib, floor, image)");
  Args out;
  for (std::size_t i = 1; i < a.size(); ++i) {
    const std::string& f = a[i];
    if (f == "--json") {
      out.json = true;
      continue;
    }
    if (i + 1 >= a.size()) return Error::invalid(f + ": missing value or unknown flag");
    const std::string& v = a[++i];
    if (f == "--count") {
      GROVE_ASSIGN_OR_RETURN(out.cfg.count, parse_count(f, v));
    } else if (f == "--workers") {
      GROVE_ASSIGN_OR_RETURN(out.cfg.workers, parse_count(f, v));
    } else if (f == "--tmpdir") {
      out.cfg.tmp_dir = v;
    } else if (f == "--host-mounts") {
      out.cfg.host_mounts.clear();
      for (const std::string& p : split(v, ',')) {
        GROVE_ASSIGN_OR_RETURN(int n, parse_count(f, p));
        out.cfg.host_mounts.push_back(n);
      }
    } else if (f == "--strategies") {
      out.cfg.strategies.clear();
      for (const std::string& p : split(v, ',')) {
        auto s = plan::strategy_from_string(p);
        if (!s) return Error::invalid("--strategies: unknown strategy " + q(p));
        out.cfg.strategies.push_back(*s);
      }
    } else {
      return Error::invalid("unknown flag " + q(f));
    }
  }
  GROVE_TRY(validate(out.cfg));
  return out;
}

Result<SandboxBenchConfig> parse_sandbox(const std::vector<std::string>& a, bool* json) {
  SandboxBenchConfig cfg;
  cfg.grove = GROVE_BIN_DEFAULT;
  for (std::size_t i = 1; i < a.size(); ++i) {
    if (a[i] == "--json") {
      *json = true;
      continue;
    }
    if (i + 1 >= a.size()) return Error::invalid(a[i] + ": missing value or unknown flag");
    if (a[i] == "--count") {
      GROVE_ASSIGN_OR_RETURN(cfg.count, parse_count(a[i], a[i + 1]));
    } else if (a[i] == "--grove") {
      cfg.grove = a[i + 1];
    } else {
      return Error::invalid("unknown flag " + q(a[i]));
    }
    ++i;
  }
  return cfg;
}

int run_sandbox_mode(int argc, char** argv) {
  bool json = false;
  auto cfg = parse_sandbox(std::vector<std::string>(argv + 1, argv + argc), &json);
  if (!cfg) {
    std::cerr << "grove-bench: " << cfg.error().message() << "\n" << kUsage;
    return 2;
  }
  auto rows = run_sandbox_bench(*cfg);
  if (!rows) {
    std::cerr << "grove-bench: sandbox: " << rows.error().message() << "\n";
    return 1;
  }
  std::cout << (json ? format_sandbox_json(*cfg, *rows) : format_sandbox_table(*cfg, *rows));
  for (const SandboxContender& s : *rows) {
    if (!s.failed.empty()) return 1;
  }
  return 0;
}

int run(int argc, char** argv) {
  if (argc >= 2 && std::string_view(argv[1]) == "sandbox") return run_sandbox_mode(argc, argv);
  if (argc >= 2 && std::string_view(argv[1]) == "image") return run_image_mode(argc, argv, kUsage);
  for (const char* m : {"cli", "exec", "lib", "floor"}) {
    if (argc >= 2 && std::string_view(argv[1]) == m) return run_cli_mode(argc, argv, kUsage);
  }
  if (argc == 2 && (std::string_view(argv[1]) == "--help" || std::string_view(argv[1]) == "-h")) {
    std::cout << kUsage;
    return 0;
  }
  auto args = parse(argc, argv);
  if (!args) {
    std::cerr << "grove-bench: " << args.error().message() << "\n" << kUsage;
    return 2;
  }
  sys::LinuxOps ops;
  const sys::Features features = sys::probe(ops);
  auto result = run_mountns(ops, features, args->cfg);
  if (!result) {
    std::cerr << "grove-bench: mountns: " << result.error().message() << "\n";
    return 1;
  }
  std::cout << (args->json ? format_json(args->cfg, *result) : format_table(args->cfg, *result));
  return result->any_failed() ? 1 : 0;
}

}  // namespace
}  // namespace grove::bench

int main(int argc, char** argv) { return grove::bench::run(argc, argv); }
