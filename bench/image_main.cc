// grove-bench image: flags and output (image_bench.h).

#include <iostream>
#include <string>
#include <vector>

#include "bench/image_bench.h"
#include "libcontainer/base/strings.h"
#include "libcontainer/sys/linux_ops.h"
#include "libcontainer/sys/probe.h"

namespace grove::bench {
namespace {

Result<int> parse_int(const std::string& flag, const std::string& v) {
  long long n = 0;
  if (!parse_int64(v, &n) || n < 0 || n > 1000000) {
    return Error::invalid(flag + ": not a count: " + q(v));
  }
  return static_cast<int>(n);
}

Result<ImageBenchConfig> parse_image(const std::vector<std::string>& a, bool* json) {
  ImageBenchConfig cfg;
  cfg.grove = GROVE_BIN_DEFAULT;
  for (std::size_t i = 1; i < a.size(); ++i) {
    if (a[i] == "--json") {
      *json = true;
      continue;
    }
    if (i + 1 >= a.size()) return Error::invalid(a[i] + ": missing value or unknown flag");
    const std::string& f = a[i];
    const std::string& v = a[++i];
    if (f == "--count") {
      GROVE_ASSIGN_OR_RETURN(cfg.count, parse_int(f, v));
    } else if (f == "--shared-mib") {
      GROVE_ASSIGN_OR_RETURN(cfg.shared_mib, parse_int(f, v));
    } else if (f == "--reader") {
      cfg.reader = v;
    } else if (f == "--upper") {
      cfg.upper = v;
    } else if (f == "--grove") {
      cfg.grove = v;
    } else if (f == "--busybox") {
      cfg.busybox = v;
    } else if (f == "--tmpdir") {
      cfg.tmp_dir = v;
    } else {
      return Error::invalid("unknown flag " + q(f));
    }
  }
  GROVE_TRY(validate(cfg));
  return cfg;
}

}  // namespace

int run_image_mode(int argc, char** argv, const char* usage) {
  bool json = false;
  auto cfg = parse_image(std::vector<std::string>(argv + 1, argv + argc), &json);
  if (!cfg) {
    std::cerr << "grove-bench: " << cfg.error().message() << "\n" << usage;
    return 2;
  }
  sys::LinuxOps ops;
  const sys::Features features = sys::probe(ops);
  auto r = run_image_bench(ops, features, *cfg);
  if (!r) {
    std::cerr << "grove-bench: image: " << r.error().message() << "\n";
    return 1;
  }
  std::cout << (json ? format_image_json(*cfg, *r) : format_image_table(*cfg, *r));
  return r->any_failed() ? 1 : 0;
}

}  // namespace grove::bench
