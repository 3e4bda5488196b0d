#include "tests/support/grove_cli.h"

#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace grove::testing {

GroveCli::GroveCli(std::string binary, std::vector<std::string> prefix)
    : binary_(std::move(binary)), prefix_(std::move(prefix)), root_(tmp_.path() + "/state") {}

RunOptions GroveCli::output(const std::string& tag) const {
  return {.out_path = tmp_.path() + "/" + tag + ".out",
          .err_path = tmp_.path() + "/" + tag + ".err"};
}

pid_t GroveCli::spawn(const std::vector<std::string>& args, const std::string& tag,
                      int terminal_fd) {
  std::vector<std::string> argv = prefix_;
  argv.push_back(binary_);
  argv.push_back("--root");
  argv.push_back(root_);
  argv.insert(argv.end(), args.begin(), args.end());
  RunOptions o = output(tag);
  o.terminal_fd = terminal_fd;
  return spawn_binary(argv, o);
}

Ran GroveCli::finish(pid_t pid, const std::string& tag) { return finish_binary(pid, output(tag)); }

Ran GroveCli::run(const std::vector<std::string>& args) {
  return finish(spawn(args, "grove"), "grove");
}

nlohmann::json GroveCli::state(const std::string& id) {
  Ran r = run({"state", id});
  if (r.code != 0) return nlohmann::json();
  return nlohmann::json::parse(r.out, nullptr, false);
}

bool GroveCli::wait_status(const std::string& id, const std::string& want) {
  for (int i = 0; i < 250; ++i) {
    nlohmann::json s = state(id);
    if (s.is_object() && s["status"] == want) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

std::string GroveCli::cleanup() {
  std::string left;
  Ran ids = run({"list", "-q"});
  std::istringstream lines(ids.out);
  for (std::string id; std::getline(lines, id);) {
    Ran r = run({"delete", "--force", id});
    if (r.code != 0) left += "delete --force " + id + ": " + r.err;
  }
  reap_children();
  std::error_code ec;
  if (std::filesystem::exists(root_, ec) && !std::filesystem::is_empty(root_, ec)) {
    left += "state left under " + root_;
  }
  return left;
}

void reap_children() {
  for (int i = 0; i < 200; ++i) {
    pid_t p = ::waitpid(-1, nullptr, WNOHANG);
    if (p < 0) return;  // ECHILD: nothing left
    if (p == 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

std::vector<std::string> host_mounts_under(const std::string& path) {
  std::vector<std::string> out;
  std::ifstream in("/proc/self/mountinfo");
  for (std::string line; std::getline(in, line);) {
    std::istringstream f(line);
    std::string id, parent, dev, root, point;
    f >> id >> parent >> dev >> root >> point;
    if (point == path || point.rfind(path + "/", 0) == 0) out.push_back(line);
  }
  return out;
}

}  // namespace grove::testing
