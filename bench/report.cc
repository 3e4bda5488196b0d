#include "bench/report.h"

#include <cstdio>
#include <nlohmann/json.hpp>

namespace grove::bench {
namespace {

constexpr int kFirstWidth = 12;
constexpr int kCellWidth = 26;

std::string pad(std::string s, int width, bool right) {
  if (static_cast<int>(s.size()) >= width) return s;
  std::string fill(width - s.size(), ' ');
  return right ? fill + s : s + fill;
}

std::string cell_text(const MountnsCell& c) {
  switch (c.kind) {
    case MountnsCell::Kind::kNotAvailable:
      return "n/a";
    case MountnsCell::Kind::kFailed:
      return "FAILED";
    case MountnsCell::Kind::kOk:
      break;
  }
  // Two significant digits at least: a pivot at 10,000 mounts under TCG runs ~2/s.
  const int decimals = c.per_second < 10 ? 2 : c.per_second < 100 ? 1 : 0;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f/s (%.0f us)", decimals, c.per_second, c.us_per_op);
  return buf;
}

}  // namespace

std::string format_table(const MountnsConfig& cfg, const MountnsResult& result) {
  std::string out = "grove-bench mountns\n";
  out += "kernel:              " + result.kernel + "\n";
  out += std::string("open-tree-namespace: ") + (result.open_tree_ns.ok ? "yes" : "no") +
         (result.open_tree_ns.reason.empty() ? "" : " (" + result.open_tree_ns.reason + ")") + "\n";
  out += "per cell:            " + std::to_string(cfg.count) + " namespaces, " +
         std::to_string(cfg.workers) + (cfg.workers == 1 ? " worker" : " workers") + "\n";
  out += "container:           " + result.container + "\n";
  out += "cells:               namespaces created per second (wall time per namespace)\n\n";
  std::string header = pad("host mounts", kFirstWidth, true);
  for (plan::Strategy s : cfg.strategies) header += "  " + pad(to_string(s), kCellWidth, false);
  out += header.substr(0, header.find_last_not_of(' ') + 1) + "\n";
  for (const Row& row : result.rows) {
    std::string line = pad(std::to_string(row.actual), kFirstWidth, true);
    for (const MountnsCell& c : row.cells) line += "  " + pad(cell_text(c), kCellWidth, false);
    out += line.substr(0, line.find_last_not_of(' ') + 1) + "\n";
  }
  // One note per strategy that did not run (the reason is the same on every row for n/a).
  for (std::size_t i = 0; i < cfg.strategies.size(); ++i) {
    std::string last;
    for (const Row& row : result.rows) {
      const MountnsCell& c = row.cells[i];
      if (c.kind == MountnsCell::Kind::kOk || c.reason == last) continue;
      last = c.reason;
      out += std::string(to_string(cfg.strategies[i])) +
             (c.kind == MountnsCell::Kind::kNotAvailable ? ": n/a: " : ": FAILED: ") + c.reason +
             "\n";
    }
  }
  return out;
}

std::string format_json(const MountnsConfig& cfg, const MountnsResult& result) {
  nlohmann::ordered_json j;
  j["mode"] = "mountns";
  j["kernel"] = result.kernel;
  j["open_tree_namespace"] = {{"ok", result.open_tree_ns.ok},
                              {"reason", result.open_tree_ns.reason}};
  j["count"] = cfg.count;
  j["workers"] = cfg.workers;
  j["container"] = result.container;
  j["strategies"] = nlohmann::json::array();
  for (plan::Strategy s : cfg.strategies) j["strategies"].push_back(to_string(s));
  j["rows"] = nlohmann::json::array();
  for (const Row& row : result.rows) {
    nlohmann::ordered_json r;
    r["target"] = row.target;
    r["host_mounts"] = row.actual;
    nlohmann::ordered_json cells = nlohmann::ordered_json::object();
    for (std::size_t i = 0; i < row.cells.size(); ++i) {
      const MountnsCell& c = row.cells[i];
      nlohmann::ordered_json v;
      if (c.kind == MountnsCell::Kind::kOk) {
        v["per_second"] = c.per_second;
        v["us_per_op"] = c.us_per_op;
      } else {
        v[c.kind == MountnsCell::Kind::kNotAvailable ? "na" : "failed"] = c.reason;
      }
      cells[to_string(cfg.strategies[i])] = v;
    }
    r["cells"] = cells;
    j["rows"].push_back(r);
  }
  return j.dump(2) + "\n";
}

}  // namespace grove::bench
