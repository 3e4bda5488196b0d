#pragma once
// Driving the grove binary in e2e tests: a mkdtemp state root (--root), commands run with their
// output in files (run_binary.h), `state` decoded, and a cleanup that force-deletes whatever a
// test left and reaps it. The caller should be a child subreaper (prctl PR_SET_CHILD_SUBREAPER)
// so inits orphaned by `grove create` are reaped here promptly. Not thread-safe.

#include <sys/types.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/support/priv.h"
#include "tests/support/run_binary.h"

namespace grove::testing {

class GroveCli {
 public:
  // `binary`: the grove executable. `prefix`: argv put in front of it, e.g. {grove-enosys,
  // "openat2", "--"} to run every command with a syscall forced to ENOSYS.
  explicit GroveCli(std::string binary, std::vector<std::string> prefix = {});

  const std::string& root() const { return root_; }     // the --root state directory
  const std::string& scratch() const { return tmp_.path(); }  // a temp dir for the test's files

  // Runs `[prefix] grove --root <root> args...` to completion.
  Ran run(const std::vector<std::string>& args);
  // Starts it without waiting; collect with finish() and the same `tag` (names the output files).
  // `terminal_fd` >= 0: the command's stdin/stdout and controlling terminal (RunOptions).
  pid_t spawn(const std::vector<std::string>& args, const std::string& tag, int terminal_fd = -1);
  Ran finish(pid_t pid, const std::string& tag);

  // `grove state id` decoded; null when the command fails.
  nlohmann::json state(const std::string& id);
  // Polls state until status == want (up to ~5 s).
  bool wait_status(const std::string& id, const std::string& want);

  // Force-deletes every listed container, reaps exited children, and returns "" when the state
  // root is empty afterwards, else what was left.
  std::string cleanup();

 private:
  RunOptions output(const std::string& tag) const;
  std::string binary_;
  std::vector<std::string> prefix_;
  TempDir tmp_;
  std::string root_;
};

// Reaps every exited child of this process (waits up to ~2 s for ones about to exit).
void reap_children();

// The lines of /proc/self/mountinfo of this process whose mount point is `path` or below it.
std::vector<std::string> host_mounts_under(const std::string& path);

}  // namespace grove::testing
