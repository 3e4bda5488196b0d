// Foreground waiting with signal forwarding (wait.h), shared by run and exec.

#include "runtime/wait.h"

#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "libcontainer/base/defer.h"
#include "libcontainer/container/container.h"
#include "libcontainer/process/console.h"

namespace grove::cli {

int exit_code(const sys::WaitStatus& ws) {
  if (ws.signaled()) return 128 + ws.status;
  return ws.status;
}

namespace {
sigset_t forwarded_set() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGCHLD);
  for (int sig : kForwarded) sigaddset(&set, sig);
  return set;
}
}  // namespace

ForwardBlock::ForwardBlock(sys::Ops& ops) : ops_(ops) {
  auto old = ops_.sigprocmask(SIG_BLOCK, forwarded_set());
  if (old) old_ = *old;
}

ForwardBlock::~ForwardBlock() {
  if (old_) (void)ops_.sigprocmask(SIG_SETMASK, *old_);
}

// The signals are blocked and read from a signalfd, so none is lost between the checks; they
// are blocked only here, after the process exists, because a cloned process inherits the mask
// of the thread that cloned it and keeps it across execve.
Result<int> wait_forwarding(sys::Ops& ops, pid_t pid, Logger& log) {
  const sigset_t set = forwarded_set();
  GROVE_ASSIGN_OR_RETURN(sigset_t old, ops.sigprocmask(SIG_BLOCK, set));
  Defer restore([&] { (void)ops.sigprocmask(SIG_SETMASK, old); });
  GROVE_ASSIGN_OR_RETURN(UniqueFd sfd, ops.signalfd(set, 0));
  for (;;) {
    GROVE_ASSIGN_OR_RETURN(sys::WaitStatus ws, ops.waitpid(pid, WNOHANG));
    if (ws.pid == pid && (ws.exited() || ws.signaled())) return exit_code(ws);
    auto data = ops.read(sfd.get(), sizeof(struct signalfd_siginfo));
    if (!data) {
      if (data.error().code() == EINTR) continue;
      return std::move(data).error().context("read the signalfd");
    }
    if (data->size() != sizeof(struct signalfd_siginfo)) continue;
    struct signalfd_siginfo info;
    std::memcpy(&info, data->data(), sizeof info);
    const int sig = static_cast<int>(info.ssi_signo);
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

// runc destroys a container whose start failed. When the init itself failed after start (ids,
// caps, execve: it reports on the exec fifo and exits 255, see process/init.h) `init_code` gets
// its exit code; a foreground run exits with it, as runc (>= 1.2, whose init exits 255 there)
// does. The init is in do_exit by the time start sees the fifo's EOF, so the SIGKILL of the
// forced delete cannot change that code.
Status start_or_destroy(sys::Ops& ops, const container::CreateOptions& opts, pid_t pid,
                        std::optional<int>& init_code) {
  Status st = container::start(ops, opts.root, opts.id, opts.warnings);
  if (!st) {
    (void)container::remove(ops, opts.root, opts.id, true, opts.warnings);
    auto ws = ops.waitpid(pid, 0);
    if (ws && ws->exited()) init_code = ws->status;
  }
  return st;
}

// Foreground run with process.terminal and no console socket: the caller's terminal is
// attached to the container's pty (runc's setupIO + recvtty + signal forwarding). The master
// comes back over a socketpair given to create as its console socket.
// `started` tells the caller whether a container is left to delete (errors before start have
// destroyed it already).
Result<int> run_attached(sys::Ops& ops, container::CreateOptions& opts, bool& started,
                         std::optional<int>& init_code) {
  GROVE_ASSIGN_OR_RETURN(process::HostTerminal host, process::HostTerminal::open(ops));
  GROVE_ASSIGN_OR_RETURN(sys::FdPair pair, ops.socketpair(AF_UNIX, SOCK_STREAM, 0));
  opts.console_socket_fd = pair.second.get();
  GROVE_ASSIGN_OR_RETURN(pid_t pid, container::create(ops, opts));
  pair.second.reset();
  auto destroy = [&] {
    (void)container::remove(ops, opts.root, opts.id, true, opts.warnings);
    (void)ops.waitpid(pid, 0);
  };
  // runc's recvtty also clears ONLCR on the master, but runc's observable output keeps "\r\n"
  // (checked with runc 1.1.5 under script(1)); clearing it here made the caller's raw terminal
  // print stair-stepped lines, so the container's line discipline is left as it is.
  auto master = process::receive_console_master(ops, pair.first.get());
  if (!master) {
    destroy();
    return std::move(master).error();
  }
  auto blocked = prepare_attach(ops, host, master->get());
  if (!blocked) {
    destroy();
    return std::move(blocked).error();
  }
  GROVE_TRY(start_or_destroy(ops, opts, pid, init_code));
  started = true;
  return attach_and_wait(ops, host, master->get(), pid, *blocked);
}

}  // namespace grove::cli
