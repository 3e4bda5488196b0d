#pragma once
// process.terminal: the container's console pty and what the runtime does with its master.
//
// Who does what (runc's split, libcontainer/console_linux.go, init_linux.go setupConsole,
// tty.go, utils_linux.go setupIO):
// - the container side (init, or later an exec'd process) allocates the pty from the container's
//   own devpts after the mounts (setup_console): the peer becomes /dev/console and stdio, the
//   master goes to the runtime over the sync socket (SyncKind::kConsole);
// - the runtime either hands the master on over a --console-socket (connect_console_socket +
//   send_console_master: one sendmsg, one SCM_RIGHTS fd, what containerd/conmon wait for) or,
//   for a foreground `run`, attaches the caller's terminal to it (HostTerminal, attach_terminal).
//
// `exec --tty` uses the same pieces (process/setns_exec.cc, container/exec.cc, runtime/
// cmd_exec.cc): the exec'd child, after setns into the container, calls setup_console with
// bind_console = false (runc's setns init does not touch /dev/console) and its own sync socket;
// the exec parent receives the master with SyncSocket::expect_fd(kConsole), then sends it on
// with send_console_master (--console-socket with --detach, or the CLI's socketpair in the
// foreground, where HostTerminal + attach_terminal run with the exec'd pid).

#include <signal.h>
#include <sys/types.h>
#include <termios.h>

#include <optional>
#include <string>
#include <vector>

#include "libcontainer/base/result.h"
#include "libcontainer/base/unique_fd.h"
#include "libcontainer/mount/resolve.h"
#include "libcontainer/process/sync.h"
#include "libcontainer/sys/ops.h"
#include "oci/spec.h"

namespace grove::process {

// The payload sent with the master over a console socket: runc sends the master's file name
// (cmsg.SendRawFd(socket, pty.Name(), ...)), which is the ptmx it reopened. Receivers (go-runc's
// console socket, conmon, runc's recvtty) read and ignore it, but a payload must be non-empty
// for SOCK_STREAM receivers to get the fd at all.
inline constexpr const char* kConsolePayload = "/dev/pts/ptmx";

// What the container side needs to set up its console.
struct ConsoleSetup {
  bool bind_console = true;  // bind the peer over /dev/console (init: true; exec: false)
  mount::ResolveMode resolve = mount::ResolveMode::kOpenat2;  // how /dev/console is resolved
  std::optional<oci::ConsoleSize> size;  // process.consoleSize: applied when both are non-zero
  uid_t owner = 0;  // process.user.uid: the peer is chowned to it (runc fixStdioPermissions)
};

// The container side, in this order (FakeOps tests pin it): setsid(); open /dev/pts/ptmx of
// the container's devpts (O_PATH|O_NOFOLLOW first, checked to be the devpts ptmx char device
// 5:2, so a hostile image cannot make us open a fifo or another device), reopen it O_RDWR|
// O_NOCTTY; TIOCSPTLCK unlock; TIOCGPTPEER for the peer; TIOCSWINSZ with `size`; bind the peer
// over /dev/console; send the master over `sync` (kConsole); dup the peer onto 0, 1, 2; TIOCSCTTY
// on 0; chown the peer to `owner`. Both pty fds are closed on return (the master's copy now
// lives in the runtime). Must run in the container's mount namespace with "/" its root, after
// the mounts, single-threaded, before the uid change. Errors: the failing call's errno, ENODEV
// with a "not the devpts ptmx" frame for a wrong /dev/pts/ptmx, ENOTTY/EINVAL for kernels
// without TIOCGPTPEER (< 4.13).
[[nodiscard]] Status setup_console(sys::Ops& ops, const ConsoleSetup& setup,
                                   const SyncSocket& sync);

// Connects a unix stream socket to `path` (--console-socket). Connected before the container
// is created, like runc, so an unreachable socket fails early with nothing left behind.
// Errors: socket/connect errno with a `console socket "path"` frame.
[[nodiscard]] Result<UniqueFd> connect_console_socket(sys::Ops& ops, const std::string& path);

// Sends `master` (borrowed; the caller closes its copy afterwards) over the connected socket
// `sock`: one sendmsg with payload kConsolePayload and exactly one SCM_RIGHTS fd.
// Errors: the sendmsg errno with a `console socket` frame.
[[nodiscard]] Status send_console_master(sys::Ops& ops, int sock, int master);

// The receiving end (runc's recvtty, and a console-socket server): one recvmsg, exactly one fd
// (owned, close-on-exec). Errors: recvmsg errno; EPROTO when the peer closed or sent no fd or
// several (the extras are closed).
[[nodiscard]] Result<UniqueFd> receive_console_master(sys::Ops& ops, int sock);

// The caller's terminal for a foreground `run` with process.terminal: raw mode while attached,
// the saved mode restored by restore() or the destructor (so also on every error path).
// Move-only; not thread-safe.
class HostTerminal {
 public:
  // The first of stderr, stdout, stdin that is a terminal, else /dev/tty (runc's
  // initHostConsole). Errors: ENXIO (no controlling terminal) from opening /dev/tty, with a
  // `no terminal to attach` frame.
  [[nodiscard]] static Result<HostTerminal> open(sys::Ops& ops);

  HostTerminal(HostTerminal&& other) noexcept;
  HostTerminal& operator=(HostTerminal&&) = delete;
  HostTerminal(const HostTerminal&) = delete;
  ~HostTerminal();

  int fd() const noexcept { return fd_; }
  // Saves the current mode and switches to raw mode (cfmakeraw, as containerd/console's
  // SetRaw). Errors: tcgetattr/tcsetattr errno.
  [[nodiscard]] Status make_raw();
  // Restores the saved mode (no-op when not raw). Errors: tcsetattr errno.
  [[nodiscard]] Status restore();

 private:
  HostTerminal(sys::Ops& ops, int fd, UniqueFd owned)
      : ops_(&ops), fd_(fd), owned_(std::move(owned)) {}
  sys::Ops* ops_;
  int fd_ = -1;
  UniqueFd owned_;  // /dev/tty when none of 0-2 is a terminal
  std::optional<struct termios> saved_;
};

// Blocks `signals` for the calling thread and reads them from a signalfd; the destructor
// restores the previous mask. Block before starting the process the signals are for, so none
// is lost or takes its default action in between. Move-only.
class BlockedSignals {
 public:
  // Errors: sigprocmask/signalfd errno.
  [[nodiscard]] static Result<BlockedSignals> block(sys::Ops& ops, const std::vector<int>& signals);
  BlockedSignals(BlockedSignals&& other) noexcept;
  BlockedSignals& operator=(BlockedSignals&&) = delete;
  ~BlockedSignals();
  int fd() const noexcept { return fd_.get(); }

 private:
  BlockedSignals(sys::Ops& ops, UniqueFd fd, sigset_t old)
      : ops_(&ops), fd_(std::move(fd)), old_(old) {}
  sys::Ops* ops_;
  UniqueFd fd_;
  sigset_t old_;
  bool active_ = true;
};

// Copies the window size of terminal `from` onto terminal `to` (runc's tty.resize()).
// Errors: TIOCGWINSZ/TIOCSWINSZ errno (callers attaching a terminal ignore them, as runc).
[[nodiscard]] Status copy_window_size(sys::Ops& ops, int from, int to);

struct AttachOptions {
  int master = -1;        // borrowed pty master of the process's terminal
  int in = 0;             // copied to the master until EOF
  int out = 1;            // the master's output is copied here
  int winsize_from = -1;  // the caller's terminal: its size is copied on start and on SIGWINCH
  pid_t pid = 0;          // our child whose exit ends the loop
  int signal_fd = -1;     // BlockedSignals::fd() for SIGCHLD, SIGWINCH and the forwarded ones
};

// The foreground `run` loop (runc's tty copy goroutines + signal forwarding in one poll loop):
// copies `in` -> master and master -> `out`, resizes the master from `winsize_from` at start and
// on SIGWINCH (errors ignored, like runc), forwards every other signal read from `signal_fd` but
// SIGCHLD to `pid` (kill; ESRCH ignored), and on SIGCHLD reaps `pid` if it exited, drains what
// the master still holds, and returns its wait status. Errors: poll/read/write errno (EIO on
// the master is its normal end: every peer fd closed).
[[nodiscard]] Result<sys::WaitStatus> attach_terminal(sys::Ops& ops, const AttachOptions& opts);

}  // namespace grove::process
