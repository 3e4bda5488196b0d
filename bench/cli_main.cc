// grove-bench cli / exec / lib / floor: flags and output (cli_bench.h).

#include "bench/cli_main.h"

#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "bench/cli_report.h"
#include "libcontainer/base/strings.h"
#include "libcontainer/sys/linux_ops.h"

namespace grove::bench {
namespace {

Result<std::vector<int>> int_list(const std::string& flag, const std::string& v) {
  std::vector<int> out;
  for (const std::string& p : split(v, ',')) {
    long long n = 0;
    if (!parse_int64(p, &n) || n < 1 || n > 1000000) {
      return Error::invalid(flag + ": not a positive count: " + q(p));
    }
    out.push_back(static_cast<int>(n));
  }
  if (out.empty()) return Error::invalid(flag + ": empty list");
  return out;
}

Status set_value(CliBenchConfig& cfg, const std::string& f, const std::string& v) {
  if (f == "--count" || f == "--rounds") {
    GROVE_ASSIGN_OR_RETURN(std::vector<int> n, int_list(f, v));
    (f == "--count" ? cfg.count : cfg.rounds) = n.front();
  } else if (f == "--workers") {
    GROVE_ASSIGN_OR_RETURN(cfg.workers, int_list(f, v));
  } else if (f == "--compare") {
    cfg.compare = v.empty() ? std::vector<std::string>{} : split(v, ',');
  } else if (f == "--variant") {
    cfg.variants.clear();
    for (const std::string& p : split(v, ',')) {
      GROVE_ASSIGN_OR_RETURN(Variant x, variant_from_string(p));
      cfg.variants.push_back(x);
    }
  } else if (f == "--ops") {
    cfg.ops.clear();
    for (const std::string& p : split(v, ',')) {
      if (p == "lifecycle") {
        cfg.ops.push_back(Op::kLifecycle);
      } else if (p == "run") {
        cfg.ops.push_back(Op::kRun);
      } else {
        return Error::invalid("--ops: unknown op " + q(p) + " (lifecycle, run)");
      }
    }
  } else if (f == "--grove") {
    cfg.grove = v;
  } else if (f == "--busybox") {
    cfg.busybox = v;
  } else if (f == "--seccomp-profile") {
    cfg.seccomp_profile = v;
  } else if (f == "--tmpdir") {
    cfg.tmp_dir = v;
  } else if (f == "--svg") {
    cfg.svg = v;
  } else {
    return Error::invalid("unknown flag " + q(f));
  }
  return ok();
}

Result<CliBenchConfig> parse_cli(const std::vector<std::string>& a, bool* json) {
  CliBenchConfig cfg;
  cfg.mode = a.at(0);
  cfg.grove = GROVE_BIN_DEFAULT;
  if (cfg.mode == "exec") cfg.ops = {Op::kExec};
  if (cfg.mode == "lib" || cfg.mode == "floor") cfg.ops = {Op::kLifecycle};
  for (std::size_t i = 1; i < a.size(); ++i) {
    if (a[i] == "--json") {
      *json = true;
      continue;
    }
    if (i + 1 >= a.size()) return Error::invalid(a[i] + ": missing value or unknown flag");
    GROVE_TRY(set_value(cfg, a[i], a[i + 1]));
    ++i;
  }
  if (cfg.mode != "cli" && cfg.mode != "exec" && cfg.mode != "lib" && cfg.mode != "floor") {
    return Error::invalid("unknown mode " + q(cfg.mode));
  }
  if (cfg.mode == "exec" && cfg.ops != std::vector<Op>{Op::kExec}) {
    return Error::invalid("--ops: exec mode measures exec only");
  }
  return cfg;
}

}  // namespace

int run_cli_mode(int argc, char** argv, const char* usage) {
  bool json = false;
  auto cfg = parse_cli(std::vector<std::string>(argv + 1, argv + argc), &json);
  if (!cfg) {
    std::cerr << "grove-bench: " << cfg.error().message() << "\n" << usage;
    return 2;
  }
  sys::LinuxOps ops;
  auto res = run_cli_bench(ops, *cfg);
  if (!res) {
    std::cerr << "grove-bench: " << cfg->mode << ": " << res.error().message() << "\n";
    return 1;
  }
  std::cout << (json ? format_cli_json(*cfg, *res) : format_cli_table(*cfg, *res));
  if (cfg->workers.size() > 1 || !cfg->svg.empty()) {
    std::string path = cfg->svg.empty() ? "grove-bench-" + cfg->mode + ".svg" : cfg->svg;
    std::ofstream(path) << format_cli_svg(*cfg, *res);
    std::cerr << "grove-bench: plot written to " << path << "\n";
  }
  return res->any_failed() ? 1 : 0;
}

}  // namespace grove::bench
