// Running a binary with its output in files (run_binary.h).

#include "tests/support/run_binary.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/support/files.h"

namespace grove::testing {
namespace {

// Makes `target` refer to `path` opened with `flags`; false on failure. Runs in the forked child,
// so it only makes async-signal-safe calls.
bool redirect(int target, const char* path, int flags) {
  int fd = ::open(path, flags, 0600);
  if (fd < 0) return false;
  if (fd == target) return true;
  bool ok = ::dup2(fd, target) == target;
  ::close(fd);
  return ok;
}

}  // namespace

pid_t spawn_binary(const std::vector<std::string>& argv, const RunOptions& options) {
  if (argv.empty()) return -1;
  // Everything the child needs is built before fork(): it may only make async-signal-safe calls.
  std::vector<char*> cargv;
  for (const std::string& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  const char* out = options.out_path.c_str();
  const char* err = options.err_path.c_str();
  const char* cwd = options.cwd.empty() ? nullptr : options.cwd.c_str();
  const int tty = options.terminal_fd;
  pid_t pid = ::fork();
  if (pid == 0) {
    constexpr int kWrite = O_WRONLY | O_CREAT | O_TRUNC;
    bool io = tty >= 0 ? ::setsid() >= 0 && ::ioctl(tty, TIOCSCTTY, 0) == 0 &&
                             ::dup2(tty, STDIN_FILENO) == STDIN_FILENO &&
                             ::dup2(tty, STDOUT_FILENO) == STDOUT_FILENO
                       : redirect(STDIN_FILENO, "/dev/null", O_RDONLY) &&
                             redirect(STDOUT_FILENO, out, kWrite);
    if (!io || !redirect(STDERR_FILENO, err, kWrite) || (cwd != nullptr && ::chdir(cwd) != 0)) {
      ::_exit(127);
    }
    ::execv(cargv[0], cargv.data());
    ::_exit(127);
  }
  return pid;
}

Ran finish_binary(pid_t pid, const RunOptions& options) {
  Ran r;
  if (pid <= 0) return r;
  int status = 0;
  pid_t waited;
  do {
    waited = ::waitpid(pid, &status, 0);
  } while (waited < 0 && errno == EINTR);
  if (waited != pid) return r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 1000 + WTERMSIG(status);
  r.out = read_text_file(options.out_path);
  r.err = read_text_file(options.err_path);
  return r;
}

Ran run_binary(const std::vector<std::string>& argv, const RunOptions& options) {
  return finish_binary(spawn_binary(argv, options), options);
}

Ran run_shell(const std::string& command, const RunOptions& options) {
  return run_binary({"/bin/sh", "-c", command}, options);
}

}  // namespace grove::testing
