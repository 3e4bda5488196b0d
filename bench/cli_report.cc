// Table, JSON and SVG for grove-bench cli/exec/lib/floor (cli_report.h).

#include "bench/cli_report.h"

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "bench/stats.h"

namespace grove::bench {
namespace {

std::vector<double> pick(const Cell& c, double Sample::*field) {
  std::vector<double> v;
  for (const Sample& s : c.samples) v.push_back(s.*field);
  return v;
}

const Cell* find(const CliBenchResult& r, const std::string& who, const Cell& like) {
  for (const Cell& c : r.cells) {
    if (c.contender == who && c.variant == like.variant && c.op == like.op &&
        c.workers == like.workers && c.na.empty() && c.failed.empty() && !c.round_rates.empty()) {
      return &c;
    }
  }
  return nullptr;
}

double rate(const Cell& c) { return spread(c.round_rates).median; }

// ratio a/b of two cells' median rates, 0 when either is missing.
double ratio(const Cell* a, const Cell* b) {
  if (a == nullptr || b == nullptr || rate(*b) == 0) return 0;
  return rate(*a) / rate(*b);
}

std::string fmt(const char* f, double v) {
  char b[64];
  std::snprintf(b, sizeof b, f, v);
  return b;
}

std::string op_title(Op op) {
  switch (op) {
    case Op::kLifecycle: return "create+start+wait+delete";
    case Op::kRun: return "run";
    case Op::kExec: return "exec /bin/true";
  }
  return "";
}

}  // namespace

std::string format_cli_table(const CliBenchConfig& cfg, const CliBenchResult& res) {
  std::string out = "grove-bench " + cfg.mode + ": kernel " + res.kernel + ", " +
                    std::to_string(cfg.count) + " containers per cell in " +
                    std::to_string(cfg.rounds) + " rounds (contenders rotate each round)\n" +
                    "loadavg before: " + res.load_before + "\nloadavg after:  " + res.load_after +
                    "\n";
  std::vector<std::string> tail;
  for (int w : cfg.workers) {
    for (Variant v : cfg.variants) {
      for (Op op : cfg.ops) {
        out += "\nworkers " + std::to_string(w) + ", variant " + std::string(to_string(v)) +
               ", " + (cfg.mode == "floor" ? "clone3+execve+wait" : op_title(op)) + "\n";
        char line[256];
        std::snprintf(line, sizeof line, "  %-10s %22s %8s %8s %8s %9s %8s %8s\n", "", "per 60 s [min-max]",
                      "p50 ms", "p99 ms", "cpu ms", "rss MiB", "grove x", "floor x");
        out += line;
        for (const Cell& c : res.cells) {
          if (c.workers != w || c.variant != v || c.op != op) continue;
          if (!c.na.empty() || !c.failed.empty()) {
            out += "  " + c.contender + ": " + (c.na.empty() ? "FAILED" : "n/a") + "\n";
            tail.push_back(c.contender + " (" + std::string(to_string(v)) + ", " +
                           std::string(to_string(op)) + "): " +
                           (c.na.empty() ? "FAILED: " + c.failed : "n/a: " + c.na));
            continue;
          }
          if (c.round_rates.empty()) continue;
          Spread r = spread(c.round_rates);
          std::string rates = fmt("%.0f", r.median) + " [" + fmt("%.0f", r.min) + "-" +
                              fmt("%.0f", r.max) + "]";
          double gx = ratio(find(res, "grove", c), &c);
          double fx = ratio(find(res, "floor", c), &c);
          std::snprintf(line, sizeof line, "  %-10s %22s %8.2f %8.2f %8.2f %9.1f %8s %8s\n",
                        c.contender.c_str(), rates.c_str(), percentile(pick(c, &Sample::ms), 0.5),
                        percentile(pick(c, &Sample::ms), 0.99),
                        percentile(pick(c, &Sample::cpu_ms), 0.5),
                        percentile(pick(c, &Sample::rss_kb), 1.0) / 1024.0,
                        gx > 0 ? fmt("%.2f", gx).c_str() : "-", fx > 0 ? fmt("%.2f", fx).c_str() : "-");
          out += line;
        }
      }
    }
  }
  out += "\n";
  for (const std::string& t : tail) out += t + "\n";
  for (const std::string& n : res.notes) out += "note: " + n + "\n";
  return out;
}

std::string format_cli_json(const CliBenchConfig& cfg, const CliBenchResult& res) {
  nlohmann::json j = {{"mode", cfg.mode},         {"kernel", res.kernel}, {"pid", res.pid},
                      {"load_before", res.load_before}, {"load_after", res.load_after},
                      {"count", cfg.count},       {"rounds", cfg.rounds},
                      {"workers", cfg.workers},   {"notes", res.notes}};
  nlohmann::json cells = nlohmann::json::array();
  for (const Cell& c : res.cells) {
    nlohmann::json x = {{"contender", c.contender}, {"variant", std::string(to_string(c.variant))},
                        {"op", std::string(to_string(c.op))}, {"workers", c.workers}};
    if (!c.na.empty()) {
      x["na"] = c.na;
    } else if (!c.failed.empty()) {
      x["failed"] = c.failed;
    } else {
      Spread r = spread(c.round_rates);
      x["per_60s"] = {{"median", r.median}, {"min", r.min}, {"max", r.max}};
      x["round_rates"] = c.round_rates;
      x["p50_ms"] = percentile(pick(c, &Sample::ms), 0.5);
      x["p99_ms"] = percentile(pick(c, &Sample::ms), 0.99);
      x["cpu_ms"] = percentile(pick(c, &Sample::cpu_ms), 0.5);
      x["peak_rss_kib"] = percentile(pick(c, &Sample::rss_kb), 1.0);
      x["grove_x"] = ratio(find(res, "grove", c), &c);
      x["floor_x"] = ratio(find(res, "floor", c), &c);
    }
    cells.push_back(std::move(x));
  }
  j["cells"] = std::move(cells);
  return j.dump(2) + "\n";
}

std::string format_cli_svg(const CliBenchConfig& cfg, const CliBenchResult& res) {
  static const char* kColors[] = {"#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#666666"};
  const int pw = 360, ph = 240, pad = 50;
  std::vector<std::pair<Variant, Op>> panels;
  for (Variant v : cfg.variants) {
    for (Op op : cfg.ops) panels.emplace_back(v, op);
  }
  const int width = pw * static_cast<int>(panels.size()), height = ph + 40;
  std::string s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(width) +
                  "\" height=\"" + std::to_string(height) + "\" font-family=\"sans-serif\" "
                  "font-size=\"11\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  const int max_w = *std::max_element(cfg.workers.begin(), cfg.workers.end());
  for (std::size_t p = 0; p < panels.size(); ++p) {
    auto [v, op] = panels[p];
    double ymax = 1;
    for (const Cell& c : res.cells) {
      if (c.variant == v && c.op == op && !c.round_rates.empty()) ymax = std::max(ymax, rate(c));
    }
    const int x0 = static_cast<int>(p) * pw + pad, y0 = ph - 10;
    auto px = [&](int w) { return x0 + (pw - pad - 20) * (w - 1) / std::max(1, max_w - 1); };
    auto py = [&](double r) { return y0 - static_cast<int>((ph - 50) * r / (ymax * 1.1)); };
    s += "<text x=\"" + std::to_string(x0) + "\" y=\"16\">" + std::string(to_string(v)) + ", " +
         op_title(op) + " (containers per 60 s vs workers)</text>\n";
    s += "<line x1=\"" + std::to_string(x0) + "\" y1=\"" + std::to_string(y0) + "\" x2=\"" +
         std::to_string(px(max_w)) + "\" y2=\"" + std::to_string(y0) + "\" stroke=\"black\"/>\n";
    s += "<line x1=\"" + std::to_string(x0) + "\" y1=\"30\" x2=\"" + std::to_string(x0) +
         "\" y2=\"" + std::to_string(y0) + "\" stroke=\"black\"/>\n";
    s += "<text x=\"" + std::to_string(x0 - 45) + "\" y=\"" + std::to_string(py(ymax)) + "\">" +
         fmt("%.0f", ymax) + "</text>\n";
    for (int w : cfg.workers) {
      s += "<text x=\"" + std::to_string(px(w) - 3) + "\" y=\"" + std::to_string(y0 + 14) +
           "\">" + std::to_string(w) + "</text>\n";
    }
    for (std::size_t k = 0; k < res.contenders.size(); ++k) {
      std::string pts;
      for (int w : cfg.workers) {
        for (const Cell& c : res.cells) {
          if (c.contender == res.contenders[k].name && c.variant == v && c.op == op &&
              c.workers == w && !c.round_rates.empty()) {
            pts += std::to_string(px(w)) + "," + std::to_string(py(rate(c))) + " ";
          }
        }
      }
      if (pts.empty()) continue;
      const char* color = kColors[k % 5];
      s += "<polyline fill=\"none\" stroke-width=\"2\" stroke=\"" + std::string(color) +
           "\" points=\"" + pts + "\"/>\n";
      s += "<text fill=\"" + std::string(color) + "\" x=\"" + std::to_string(x0 + 10) + "\" y=\"" +
           std::to_string(44 + 13 * static_cast<int>(k)) + "\">" + res.contenders[k].name +
           "</text>\n";
    }
  }
  return s + "</svg>\n";
}

}  // namespace grove::bench
