// grove-bench image: the table and the JSON document (image_bench.h). Pure.

#include <cstdio>
#include <nlohmann/json.hpp>

#include "bench/image_bench.h"
#include "bench/stats.h"

namespace grove::bench {
namespace {

std::string fixed(double v, int digits) {
  char b[64];
  std::snprintf(b, sizeof b, "%.*f", digits, v);
  return b;
}

double ratio(int64_t bytes, uint64_t shared) {
  return shared == 0 ? 0 : static_cast<double>(bytes) / static_cast<double>(shared);
}

std::string spread_text(const std::vector<double>& v) {
  Spread s = spread(v);
  return fixed(s.median, 1) + " ms  [" + fixed(s.min, 1) + " .. " + fixed(s.max, 1) + "]";
}

nlohmann::json spread_json(const std::vector<double>& v) {
  Spread s = spread(v);
  return {{"median", s.median}, {"min", s.min}, {"max", s.max}, {"n", v.size()}};
}

// Every phase reads at least one image's data for the first time: a smaller growth means the
// system-wide counter was moved by something else.
bool implausible(const CacheRow& c, const ImageBenchResult& r) {
  return c.cached_delta < static_cast<int64_t>(r.shared_bytes * 9 / 10);
}

}  // namespace

std::string format_image_table(const ImageBenchConfig& cfg, const ImageBenchResult& r) {
  std::string out = "grove-bench image: kernel " + r.kernel + ", " + std::to_string(cfg.count) +
                    " containers per phase, images of " + std::to_string(cfg.shared_mib) +
                    " MiB shared + " + std::to_string(r.own_bytes / 1024) + " KiB own data, " +
                    r.how + ", upper " + cfg.upper + ", reader " + cfg.reader + "\n";
  out += "page cache (growth of Cached while the containers read all data of A and B):\n";
  for (const CacheRow& c : r.cache) {
    out += "  " + c.mode + std::string(c.mode.size() < 24 ? 24 - c.mode.size() : 1, ' ');
    if (!c.na.empty()) {
      out += "n/a: " + c.na + "\n";
    } else if (!c.failed.empty()) {
      out += "FAILED: " + c.failed + "\n";
    } else {
      out += fixed(static_cast<double>(c.cached_delta) / (1024.0 * 1024.0), 1) + " MiB  (" +
             fixed(ratio(c.cached_delta, r.shared_bytes), 2) + " x the shared bytes)\n";
    }
  }
  for (const CacheRow& c : r.cache) {
    if (c.na.empty() && c.failed.empty() && implausible(c, r)) {
      out += "  note: " + c.mode +
             " grew less than one image's data: something else on this "
             "machine freed page cache meanwhile; measure on a quiet machine (tests/vm)\n";
    }
  }
  out += "grove create (median [min .. max] of " + std::to_string(cfg.count) + "):\n";
  if (!r.failed.empty()) return out + "  FAILED: " + r.failed + "\n";
  out += "  image root (A, upper " + cfg.upper + ")" +
         std::string(cfg.upper == "none" ? 3 : 2, ' ') + spread_text(r.create_image_ms) + "\n";
  out += "  directory root (tree A)      " + spread_text(r.create_dir_ms) + "\n";
  double d = spread(r.create_dir_ms).median;
  if (d > 0) {
    out +=
        "  image / directory            " + fixed(spread(r.create_image_ms).median / d, 2) + "\n";
  }
  return out;
}

std::string format_image_json(const ImageBenchConfig& cfg, const ImageBenchResult& r) {
  nlohmann::json j = {{"mode", "image"},
                      {"kernel", r.kernel},
                      {"pid", r.pid},
                      {"count", cfg.count},
                      {"shared_bytes", r.shared_bytes},
                      {"own_bytes", r.own_bytes},
                      {"mounted", r.how},
                      {"upper", cfg.upper},
                      {"reader", cfg.reader}};
  nlohmann::json rows = nlohmann::json::array();
  for (const CacheRow& c : r.cache) {
    nlohmann::json row = {{"mode", c.mode}};
    if (!c.na.empty()) {
      row["na"] = c.na;
    } else if (!c.failed.empty()) {
      row["failed"] = c.failed;
    } else {
      row["cached_bytes"] = c.cached_delta;
      row["ratio_to_shared"] = ratio(c.cached_delta, r.shared_bytes);
      row["implausible"] = implausible(c, r);
    }
    rows.push_back(row);
  }
  j["page_cache"] = rows;
  if (!r.failed.empty()) {
    j["create_ms"] = {{"failed", r.failed}};
  } else {
    j["create_ms"] = {{"image", spread_json(r.create_image_ms)},
                      {"directory", spread_json(r.create_dir_ms)}};
  }
  return j.dump(1) + "\n";
}

}  // namespace grove::bench
