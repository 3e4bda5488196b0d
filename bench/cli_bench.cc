// grove-bench cli / exec / lib / floor: the rounds (cli_bench.h).

#include "bench/cli_bench.h"

#include <fcntl.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <map>

#include "bench/cli_internal.h"
#include "libcontainer/base/strings.h"

namespace grove::bench {
namespace {

std::string find_binary(const std::string& name) {
  for (const char* dir : {"/usr/bin/", "/usr/sbin/", "/usr/local/bin/", "/usr/local/sbin/"}) {
    std::string p = dir + name;
    if (::access(p.c_str(), X_OK) == 0) return p;
  }
  return "";
}

std::string read_line(const std::string& path) {
  std::ifstream f(path);
  std::string line;
  std::getline(f, line);
  return line;
}

// Everything a run shares: the scratch dirs, the bundles' seccomp object, the exec targets.
struct Run {
  sys::Ops* ops;
  const CliBenchConfig* cfg;
  CliScratch* scratch;
  nlohmann::json seccomp;
  std::map<std::string, std::string> exec_ids;  // contender -> its running container
  std::map<std::string, pid_t> exec_pids;
  std::map<std::string, std::string> exec_roots;
};

Result<Job> make_job(Run& run, const Contender& c, Variant v, Op op, int workers, int count,
                     const std::string& id_prefix) {
  Job j;
  j.contender = &c;
  j.op = op;
  j.count = count;
  j.workers = workers;
  j.id_prefix = id_prefix;
  j.scratch = run.scratch->dir();
  j.true_path = run.scratch->rootfs() + "/bin/true";
  j.clone_flags = floor_clone_flags(v);
  if (c.kind == Kind::kFloor) return j;
  const std::string runtime = c.kind == Kind::kLib ? "grove-lib" : c.name;
  GROVE_ASSIGN_OR_RETURN(j.root, run.scratch->state_root(runtime));
  if (op == Op::kExec) {
    j.exec_id = run.exec_ids[c.name];
    j.bundles.assign(static_cast<std::size_t>(workers), "");
    return j;
  }
  for (int w = 0; w < workers; ++w) {
    const std::string name = c.name + "-" + std::string(to_string(v)) + "-w" + std::to_string(w);
    nlohmann::json config = bench_config(v, {"/bin/true"}, run.scratch->rootfs(),
                                         run.scratch->cgroups_path(name), run.seccomp);
    GROVE_ASSIGN_OR_RETURN(std::string b, run.scratch->bundle(name, config));
    j.bundles.push_back(b);
  }
  return j;
}

// exec mode: one `sleep` container per runtime, created and started before the rounds.
Status start_exec_target(Run& run, const Contender& c, Variant v) {
  const std::string name = c.name + "-exec";
  nlohmann::json config = bench_config(v, {"/bin/sleep", "100000"}, run.scratch->rootfs(),
                                       run.scratch->cgroups_path(name), run.seccomp);
  GROVE_ASSIGN_OR_RETURN(std::string bundle, run.scratch->bundle(name, config));
  GROVE_ASSIGN_OR_RETURN(std::string root, run.scratch->state_root(c.name));
  const std::string err = run.scratch->dir() + "/stderr-exec";
  const std::string pid_file = run.scratch->dir() + "/pid-exec-" + c.name;
  Sample s;
  GROVE_TRY(spawn_wait({c.bin, "--root", root, "create", "--bundle", bundle, "--pid-file",
                        pid_file, name},
                       err, &s));
  run.exec_ids[c.name] = name;
  run.exec_roots[c.name] = root;
  std::ifstream f(pid_file);
  pid_t pid = 0;
  f >> pid;
  run.exec_pids[c.name] = pid;
  return spawn_wait({c.bin, "--root", root, "start", name}, err, &s);
}

void stop_exec_targets(Run& run, const std::vector<Contender>& cs) {
  for (const Contender& c : cs) {
    auto it = run.exec_ids.find(c.name);
    if (it == run.exec_ids.end()) continue;
    Sample s;
    (void)spawn_wait({c.bin, "--root", run.exec_roots[c.name], "delete", "--force", it->second},
                     run.scratch->dir() + "/stderr-exec", &s);
    if (run.exec_pids[c.name] > 0) (void)run.ops->waitpid(run.exec_pids[c.name], 0);
  }
}

// One untimed container per cell first: warms caches (grove's seccomp cache included) and fails
// fast. Then `rounds` turns in which every cell runs count/rounds containers, the contenders'
// order rotating each round.
void run_rounds(Run& run, const std::vector<Contender>& cs, int workers,
                std::vector<Cell>& cells) {
  const CliBenchConfig& cfg = *run.cfg;
  const int per_round = std::max(1, cfg.count / cfg.rounds);
  auto cell_of = [&](const Contender& c, Variant v, Op op) -> Cell& {
    for (Cell& x : cells) {
      if (x.contender == c.name && x.variant == v && x.op == op && x.workers == workers) return x;
    }
    cells.push_back(Cell{c.name, v, op, workers, c.na, "", {}, {}});
    return cells.back();
  };
  for (int r = -1; r < cfg.rounds; ++r) {
    for (Variant v : cfg.variants) {
      for (Op op : cfg.ops) {
        for (std::size_t k = 0; k < cs.size(); ++k) {
          const Contender& c = cs[(k + static_cast<std::size_t>(std::max(r, 0))) % cs.size()];
          Cell& cell = cell_of(c, v, op);
          if (!cell.na.empty() || !cell.failed.empty()) continue;
          if (op == Op::kExec && c.kind != Kind::kCli) continue;
          const std::string prefix = "b" + std::to_string(workers) + "-" + std::to_string(r + 1) +
                                     "-" + std::string(to_string(op)).substr(0, 3) + "-" +
                                     std::string(to_string(v));
          const int n = r < 0 ? std::min(workers, per_round) : per_round;
          auto job = make_job(run, c, v, op, workers, n, prefix);
          std::vector<Sample> samples;
          auto wall = job ? run_batch(*run.ops, *job, &samples) : Result<double>(job.error());
          if (!wall) {
            cell.failed = wall.error().message();
            continue;
          }
          if (r < 0) continue;
          cell.samples.insert(cell.samples.end(), samples.begin(), samples.end());
          cell.round_rates.push_back(static_cast<double>(n) * 60000.0 / *wall);
        }
      }
    }
  }
}

}  // namespace

std::string_view to_string(Op op) {
  switch (op) {
    case Op::kLifecycle: return "lifecycle";
    case Op::kRun: return "run";
    case Op::kExec: return "exec";
  }
  return "?";
}

bool CliBenchResult::any_failed() const {
  return std::any_of(cells.begin(), cells.end(), [](const Cell& c) { return !c.failed.empty(); });
}

Result<std::vector<Contender>> contenders_for(const CliBenchConfig& cfg) {
  const Contender grove{"grove", Kind::kCli, cfg.grove, ""};
  const Contender floor{"floor", Kind::kFloor, "", ""};
  std::vector<Contender> out;
  if (cfg.mode == "floor") return std::vector<Contender>{floor};
  if (cfg.mode == "lib") return std::vector<Contender>{{"grove-lib", Kind::kLib, "", ""}, grove, floor};
  if (cfg.mode != "cli" && cfg.mode != "exec") return Error::invalid("unknown mode " + q(cfg.mode));
  out.push_back(grove);
  for (const std::string& name : cfg.compare) {
    // NAME=PATH: another runtime binary with runc's CLI (an older grove for an A/B in one run).
    if (std::size_t eq = name.find('='); eq != std::string::npos && eq > 0) {
      const std::string path = name.substr(eq + 1);
      if (::access(path.c_str(), X_OK) != 0) return Error::last("--compare: " + q(path));
      out.push_back(Contender{name.substr(0, eq), Kind::kCli, path, ""});
      continue;
    }
    if (name != "crun" && name != "runc") {
      return Error::invalid("--compare: unknown runtime " + q(name) + " (crun, runc or NAME=PATH)");
    }
    Contender c{name, Kind::kCli, find_binary(name), ""};
    if (c.bin.empty()) c.na = name + " not installed";
    out.push_back(c);
  }
  if (cfg.mode == "cli") out.push_back(floor);
  return out;
}

Result<CliBenchResult> run_cli_bench(sys::Ops& ops, const CliBenchConfig& cfg) {
  if (cfg.count < 1 || cfg.rounds < 1) return Error::invalid("--count and --rounds must be >= 1");
  CliBenchResult res;
  GROVE_ASSIGN_OR_RETURN(res.contenders, contenders_for(cfg));
  struct utsname u {};
  ::uname(&u);
  res.kernel = std::string(u.release);
  res.pid = ops.getpid();
  GROVE_ASSIGN_OR_RETURN(std::string ns_note, enter_bench_namespace(ops));
  if (!ns_note.empty()) res.notes.push_back(ns_note);
  // The exec targets' inits are reparented to the bench when their `create` exits.
  GROVE_TRY(ops.set_child_subreaper(true));
  GROVE_ASSIGN_OR_RETURN(CliScratch scratch, CliScratch::create(ops, cfg.busybox, cfg.tmp_dir));
  Run run{&ops, &cfg, &scratch, nlohmann::json::object(), {}, {}, {}};
  if (std::find(cfg.variants.begin(), cfg.variants.end(), Variant::kSeccomp) !=
      cfg.variants.end()) {
    GROVE_ASSIGN_OR_RETURN(std::string text, ops.read_file_at(AT_FDCWD, cfg.seccomp_profile)
                                                 .context("seccomp profile"));
    GROVE_ASSIGN_OR_RETURN(run.seccomp,
                           oci_seccomp_from_profile(text, {"CAP_AUDIT_WRITE", "CAP_KILL",
                                                           "CAP_NET_BIND_SERVICE"}));
  }
  res.load_before = read_line("/proc/loadavg");
  if (cfg.mode == "exec") {
    for (const Contender& c : res.contenders) {
      if (!c.na.empty()) continue;
      Status st = start_exec_target(run, c, cfg.variants.front());
      if (!st) res.cells.push_back(Cell{c.name, cfg.variants.front(), Op::kExec, 1, "",
                                        "exec target: " + st.error().message(), {}, {}});
    }
  }
  for (int w : cfg.workers) run_rounds(run, res.contenders, w, res.cells);
  stop_exec_targets(run, res.contenders);
  res.load_after = read_line("/proc/loadavg");
  return res;
}

}  // namespace grove::bench
