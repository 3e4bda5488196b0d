#pragma once
// Waiting for a container process in the foreground (run, exec), as runc's signal handler does:
// the signals a user or an engine sends to the runtime are forwarded to the process.

#include <signal.h>
#include <sys/types.h>

#include <optional>

#include "libcontainer/base/result.h"
#include "libcontainer/container/container.h"
#include "libcontainer/process/console.h"
#include "libcontainer/sys/ops.h"
#include "runtime/log.h"

namespace grove::cli {

// What runc forwards to the container (signal.go forwards everything it gets but SIGCHLD,
// SIGWINCH, which resizes the tty, and SIGURG, Go's preemption signal). SIGKILL/SIGSTOP cannot
// be caught; SIGPIPE and the synchronous faults stay ours.
inline constexpr int kForwarded[] = {SIGHUP,    SIGINT,  SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2,
                              SIGALRM,   SIGCONT, SIGTSTP, SIGTTIN, SIGTTOU, SIGPWR,
                              SIGVTALRM, SIGPROF, SIGIO,   SIGXCPU, SIGXFSZ, SIGSYS};

// The exit code a shell would report: the status, or 128+N for signal N. Pure.
int exit_code(const sys::WaitStatus& ws);

// Blocks SIGCHLD and the forwarded signals in the calling thread until destroyed, then restores
// the previous mask. `run` holds one from after create (the init is cloned by then, so it does
// not inherit the mask) until the wait, so a signal sent once the process runs but before the
// wait starts is queued and forwarded instead of ending grove.
class ForwardBlock {
 public:
  explicit ForwardBlock(sys::Ops& ops);
  ~ForwardBlock();
  ForwardBlock(const ForwardBlock&) = delete;
  ForwardBlock& operator=(const ForwardBlock&) = delete;

 private:
  sys::Ops& ops_;
  std::optional<sigset_t> old_;  // unset when blocking failed (nothing to restore)
};

// Waits for `pid` (a child of ours) and forwards SIGHUP, SIGINT, SIGTERM, ... to it (runc's
// list: everything but SIGCHLD, SIGWINCH and SIGURG). Returns exit_code() of the child. The
// signals are blocked only for the wait and restored before returning. Errors: waitpid,
// sigprocmask, signalfd or kill errno (ESRCH from kill is ignored: the child is exiting).
[[nodiscard]] Result<int> wait_forwarding(sys::Ops& ops, pid_t pid, Logger& log);

// Foreground process with a terminal (run, exec), first half: blocks kForwarded + SIGCHLD +
// SIGWINCH (from here every signal is forwarded or resizes, none can end grove with the terminal
// left raw), switches `host` to raw mode and copies its window size onto `master` (errors of
// the copy ignored, like runc). Errors: sigprocmask/signalfd errno; tcsetattr errno with a
// "failed to set the terminal from the stdin" frame.
[[nodiscard]] Result<process::BlockedSignals> prepare_attach(sys::Ops& ops,
                                                             process::HostTerminal& host,
                                                             int master);

// Second half, once `pid` runs: attach_terminal (copy loop, signal forwarding, SIGWINCH
// resizes) until `pid` exits, restores `host` and returns exit_code() of `pid`. Errors:
// attach_terminal's; tcsetattr errno from the restore.
[[nodiscard]] Result<int> attach_and_wait(sys::Ops& ops, process::HostTerminal& host, int master,
                                          pid_t pid, const process::BlockedSignals& signals);

// start() of a created container; when it fails the container is destroyed (forced remove, as
// runc does) and, if the init itself exited, `init_code` gets its exit code (a foreground run
// exits with it). Used by run and sandbox.
[[nodiscard]] Status start_or_destroy(sys::Ops& ops, const container::CreateOptions& opts,
                                      pid_t pid, std::optional<int>& init_code);

// Foreground create + start + wait with the caller's terminal attached to the container's
// console (process.terminal without a console socket): the master comes back over a
// socketpair set as opts.console_socket_fd. `started` tells whether a container is left to
// delete (errors before start have destroyed it). Returns exit_code() of the init. Errors:
// HostTerminal::open's, create's, start's, attach_and_wait's.
[[nodiscard]] Result<int> run_attached(sys::Ops& ops, container::CreateOptions& opts,
                                       bool& started, std::optional<int>& init_code);

}  // namespace grove::cli
