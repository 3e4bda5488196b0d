// Foreground waiting with signal forwarding (wait.h), shared by run and exec.

#include "runtime/wait.h"

#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "libcontainer/base/defer.h"

namespace grove::cli {

int exit_code(const sys::WaitStatus& ws) {
  if (ws.signaled()) return 128 + ws.status;
  return ws.status;
}

// The signals are blocked and taken with sigwaitinfo, so none is lost between the checks; they
// are blocked only here, after the process exists, because a cloned process inherits the mask
// of the thread that cloned it and keeps it across execve.
// TODO(verbs): move sigprocmask/sigwaitinfo into sys::Ops (style.md §2.4). #4
Result<int> wait_forwarding(sys::Ops& ops, pid_t pid, Logger& log) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGCHLD);
  for (int sig : kForwarded) sigaddset(&set, sig);
  sigset_t old;
  if (::sigprocmask(SIG_BLOCK, &set, &old) != 0) return Error::last("sigprocmask(SIG_BLOCK)");
  Defer restore([&] { ::sigprocmask(SIG_SETMASK, &old, nullptr); });
  for (;;) {
    GROVE_ASSIGN_OR_RETURN(sys::WaitStatus ws, ops.waitpid(pid, WNOHANG));
    if (ws.pid == pid && (ws.exited() || ws.signaled())) return exit_code(ws);
    siginfo_t info;
    int sig = ::sigwaitinfo(&set, &info);
    if (sig < 0) {
      if (errno == EINTR) continue;
      return Error::last("sigwaitinfo()");
    }
    if (sig == SIGCHLD) continue;
    log.debug(std::string("forwarding SIG") + sigabbrev_np(sig) + " to " + std::to_string(pid));
    auto sent = ops.kill(pid, sig);
    if (!sent && sent.error().code() != ESRCH) return std::move(sent).error();
  }
}

Result<process::BlockedSignals> prepare_attach(sys::Ops& ops, process::HostTerminal& host,
                                               int master) {
  std::vector<int> sigs(std::begin(kForwarded), std::end(kForwarded));
  sigs.push_back(SIGCHLD);
  sigs.push_back(SIGWINCH);
  GROVE_ASSIGN_OR_RETURN(process::BlockedSignals blocked, process::BlockedSignals::block(ops, sigs));
  GROVE_TRY(host.make_raw().context("failed to set the terminal from the stdin"));
  // The caller's size before the process runs (runc resizes only after start, so a process
  // that asks at once may see consoleSize instead).
  (void)process::copy_window_size(ops, host.fd(), master);
  return blocked;
}

Result<int> attach_and_wait(sys::Ops& ops, process::HostTerminal& host, int master, pid_t pid,
                            const process::BlockedSignals& signals) {
  process::AttachOptions ao;
  ao.master = master;
  ao.winsize_from = host.fd();
  ao.pid = pid;
  ao.signal_fd = signals.fd();
  auto ws = process::attach_terminal(ops, ao);
  GROVE_TRY(host.restore());
  if (!ws) return std::move(ws).error();
  return exit_code(*ws);
}

}  // namespace grove::cli
