// grove-bench sandbox (sandbox.h).

#include "bench/sandbox.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <numeric>

extern char** environ;

namespace grove::bench {
namespace {

double now_ms() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

// One run with stdio on /dev/null: "" on exit status 0, else what happened. posix_spawn
// (vfork-based in glibc) keeps the harness's own cost out of the measurement.
std::string run_once(const std::vector<std::string>& argv) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  for (int fd : {0, 1, 2}) {
    posix_spawn_file_actions_addopen(&fa, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0);
  }
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  int err = posix_spawn(&pid, args[0], &fa, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (err != 0) return std::string("posix_spawn: ") + strerrorname_np(err);
  int status = 0;
  if (waitpid(pid, &status, 0) < 0) return "waitpid failed";
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return "";
  if (WIFEXITED(status)) return "exit status " + std::to_string(WEXITSTATUS(status));
  return "killed by signal " + std::to_string(WTERMSIG(status));
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  std::size_t i = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

double mean(const std::vector<double>& v) {
  return v.empty() ? 0 : std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
}

std::string join_argv(const std::vector<std::string>& argv) {
  std::string out;
  for (const std::string& a : argv) out += (out.empty() ? "" : " ") + a;
  return out;
}

}  // namespace

std::vector<SandboxContender> sandbox_contenders(const std::string& grove,
                                                 bool (*have)(const std::string&)) {
  std::vector<SandboxContender> c = {
      {"grove sandbox", {grove, "sandbox", "--", "true"}, "", "", {}},
      {"grove sandbox --map=root", {grove, "sandbox", "--map=root", "--", "true"}, "", "", {}},
      {"bwrap --unshare-all",
       {"/usr/bin/bwrap", "--unshare-all", "--ro-bind", "/", "/", "--dev", "/dev", "--proc",
        "/proc", "--tmpfs", "/tmp", "true"},
       "",
       "",
       {}},
      {"bwrap",
       {"/usr/bin/bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "true"},
       "",
       "",
       {}},
      {"unshare -r", {"/usr/bin/unshare", "-r", "true"}, "", "", {}},
  };
  for (SandboxContender& s : c) {
    if (!have(s.argv[0])) s.na = s.argv[0] + " not installed";
  }
  return c;
}

Result<std::vector<SandboxContender>> run_sandbox_bench(const SandboxBenchConfig& cfg) {
  if (cfg.count < 1) return Error::invalid("--count must be at least 1");
  auto have = [](const std::string& p) { return ::access(p.c_str(), X_OK) == 0; };
  std::vector<SandboxContender> rows = sandbox_contenders(cfg.grove, have);
  for (SandboxContender& s : rows) {
    if (s.na.empty()) s.failed = run_once(s.argv);  // warm-up: page cache, seccomp cache
  }
  // Interleaved rounds, so a load change on a shared machine hits every contender alike.
  for (int i = 0; i < cfg.count; ++i) {
    for (SandboxContender& s : rows) {
      if (!s.na.empty() || !s.failed.empty()) continue;
      double t0 = now_ms();
      s.failed = run_once(s.argv);
      s.ms.push_back(now_ms() - t0);
    }
  }
  return rows;
}

std::string format_sandbox_table(const SandboxBenchConfig& cfg,
                                 const std::vector<SandboxContender>& rows) {
  std::string out = "start-to-exit of `... true` as uid " + std::to_string(::geteuid()) + ", " +
                    std::to_string(cfg.count) + " runs each (ms)\n";
  char line[256];
  std::snprintf(line, sizeof line, "%-26s %8s %8s %8s\n", "", "median", "p90", "mean");
  out += line;
  for (const SandboxContender& s : rows) {
    if (!s.na.empty()) {
      out += s.name + ": n/a: " + s.na + "\n";
    } else if (!s.failed.empty()) {
      out += s.name + ": FAILED: " + s.failed + " (" + join_argv(s.argv) + ")\n";
    } else {
      std::snprintf(line, sizeof line, "%-26s %8.2f %8.2f %8.2f\n", s.name.c_str(),
                    percentile(s.ms, 0.5), percentile(s.ms, 0.9), mean(s.ms));
      out += line;
    }
  }
  return out;
}

std::string format_sandbox_json(const SandboxBenchConfig& cfg,
                                const std::vector<SandboxContender>& rows) {
  nlohmann::json j = {{"mode", "sandbox"}, {"count", cfg.count}, {"uid", ::geteuid()}};
  nlohmann::json list = nlohmann::json::array();
  for (const SandboxContender& s : rows) {
    nlohmann::json c = {{"name", s.name}, {"argv", s.argv}};
    if (!s.na.empty()) {
      c["na"] = s.na;
    } else if (!s.failed.empty()) {
      c["failed"] = s.failed;
    } else {
      c["median_ms"] = percentile(s.ms, 0.5);
      c["p90_ms"] = percentile(s.ms, 0.9);
      c["mean_ms"] = mean(s.ms);
    }
    list.push_back(std::move(c));
  }
  j["contenders"] = std::move(list);
  return j.dump(2) + "\n";
}

}  // namespace grove::bench
