#pragma once
// Running a binary (in the e2e tests, GROVE_BIN) as a child process with its stdout and stderr
// captured in files. Files rather than pipes, so that a grandchild that keeps the streams open
// (the init of a container that `grove create` leaves running) cannot make the test hang.

#include <sys/types.h>

#include <string>
#include <vector>

namespace grove::testing {

// What a finished child did.
struct Ran {
  int code = -1;    // exit status; 1000 + N when killed by signal N; -1 when not run or waited for
  std::string out;  // all it wrote to stdout
  std::string err;  // all it wrote to stderr
};

// Where a child's output goes and where it runs. Both paths are required; the files are created
// or truncated (mode 0600) by the child and left in place for the caller to remove.
struct RunOptions {
  std::string out_path;  // the child's stdout
  std::string err_path;  // the child's stderr
  std::string cwd;       // the child's working directory; "" keeps the caller's
  // When >= 0: a terminal (e.g. the peer of an openpty(3) pair, borrowed) that becomes the
  // child's stdin and stdout, in a new session with it as the controlling terminal, as a
  // process started from a shell sees it; stderr still goes to err_path and out_path stays
  // empty (read the output from the pty's other end).
  int terminal_fd = -1;
};

// Starts argv[0] (a path: no $PATH search) with arguments `argv`, stdin from /dev/null (or
// options.terminal_fd) and stdout/stderr in the files of `options`, without waiting for it. Returns its pid, or -1 when
// `argv` is empty or fork(2) fails. A child that cannot open its files, chdir or exec exits 127.
// Collect it with finish_binary() and the same `options`.
pid_t spawn_binary(const std::vector<std::string>& argv, const RunOptions& options);

// Waits for `pid` (from spawn_binary()) and reads back the output files of `options`. Returns a
// Ran with code -1 and no output when `pid` is not a child of ours or cannot be waited for.
Ran finish_binary(pid_t pid, const RunOptions& options);

// spawn_binary() then finish_binary(): runs `argv` to completion.
Ran run_binary(const std::vector<std::string>& argv, const RunOptions& options);

// Runs `command` with /bin/sh -c (as popen(3) does) to completion, so it may hold pipes and
// redirections; the shell's stdout and stderr are captured as for run_binary(). The caller
// quotes whatever `command` inserts.
Ran run_shell(const std::string& command, const RunOptions& options);

}  // namespace grove::testing
