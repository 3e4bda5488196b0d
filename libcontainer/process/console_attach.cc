// attach_terminal: the foreground `run` loop over the console master (console.h). One poll loop
// instead of runc's goroutines: the signalfd, the master and the input.

#include <poll.h>
#include <sys/signalfd.h>
#include <sys/wait.h>

#include <cstring>
#include <optional>

#include "libcontainer/process/console.h"

namespace grove::process {
namespace {

constexpr std::size_t kChunk = 4096;

// Errors are ignored, as runc does (the caller's terminal may be gone already).
void copy_winsize(sys::Ops& ops, int from, int to) {
  if (from >= 0) (void)copy_window_size(ops, from, to);
}

// Copies what the master holds right now (poll with a zero timeout, so never blocks) to `out`.
Status drain(sys::Ops& ops, int master, int out) {
  for (;;) {
    std::vector<struct pollfd> p{{master, POLLIN, 0}};
    GROVE_ASSIGN_OR_RETURN(int n, ops.poll(p, 0));
    if (n == 0 || (p[0].revents & POLLIN) == 0) return ok();
    auto data = ops.read(master, kChunk);
    if (!data || data->empty()) return ok();  // EIO: every peer fd closed
    GROVE_TRY(ops.write(out, *data));
  }
}

struct LoopState {
  bool in_open = true;
  bool master_open = true;
};

// One signal from the signalfd. Returns the wait status once `pid` exited.
Result<std::optional<sys::WaitStatus>> on_signal(sys::Ops& ops, const AttachOptions& o) {
  GROVE_ASSIGN_OR_RETURN(std::string raw, ops.read(o.signal_fd, sizeof(struct signalfd_siginfo)));
  if (raw.size() != sizeof(struct signalfd_siginfo)) return std::optional<sys::WaitStatus>();
  struct signalfd_siginfo info;
  std::memcpy(&info, raw.data(), sizeof info);
  int sig = static_cast<int>(info.ssi_signo);
  if (sig == SIGCHLD) {
    GROVE_ASSIGN_OR_RETURN(sys::WaitStatus ws, ops.waitpid(o.pid, WNOHANG));
    if (ws.pid == o.pid && (ws.exited() || ws.signaled())) return std::optional(ws);
  } else if (sig == SIGWINCH) {
    copy_winsize(ops, o.winsize_from, o.master);
  } else {
    auto sent = ops.kill(o.pid, sig);
    if (!sent && sent.error().code() != ESRCH) return std::move(sent).error();
  }
  return std::optional<sys::WaitStatus>();
}

// Master output to `out`. EIO (or a hang-up without data) means no peer fd is open any more.
Status on_master(sys::Ops& ops, const AttachOptions& o, short revents, LoopState& st) {
  if ((revents & POLLIN) == 0) {
    st.master_open = false;
    return ok();
  }
  auto data = ops.read(o.master, kChunk);
  if (!data) {
    if (data.error().code() != EIO) return std::move(data).error();
    st.master_open = false;
    return ok();
  }
  if (data->empty()) st.master_open = false;
  return ops.write(o.out, *data);
}

// Input to the master until EOF (runc's io.Copy(console, os.Stdin) just stops there too).
Status on_input(sys::Ops& ops, const AttachOptions& o, LoopState& st) {
  auto data = ops.read(o.in, kChunk);
  if (!data || data->empty()) {
    st.in_open = false;  // EOF, or EIO from a hung-up terminal
    return ok();
  }
  if (!st.master_open) return ok();
  return ops.write(o.master, *data);
}

}  // namespace

Status copy_window_size(sys::Ops& ops, int from, int to) {
  GROVE_ASSIGN_OR_RETURN(struct winsize ws, ops.ioctl_tiocgwinsz(from));
  return ops.ioctl_tiocswinsz(to, ws);
}

Result<sys::WaitStatus> attach_terminal(sys::Ops& ops, const AttachOptions& o) {
  copy_winsize(ops, o.winsize_from, o.master);
  LoopState st;
  // The process may have exited before its SIGCHLD could reach the signalfd's mask.
  GROVE_ASSIGN_OR_RETURN(sys::WaitStatus first, ops.waitpid(o.pid, WNOHANG));
  if (first.pid == o.pid && (first.exited() || first.signaled())) {
    GROVE_TRY(drain(ops, o.master, o.out));
    return first;
  }
  for (;;) {
    std::vector<struct pollfd> fds{{o.signal_fd, POLLIN, 0},
                                   {st.master_open ? o.master : -1, POLLIN, 0},
                                   {st.in_open ? o.in : -1, POLLIN, 0}};
    auto n = ops.poll(fds, -1);
    if (!n && n.error().code() == EINTR) continue;
    if (!n) return std::move(n).error();
    // Output first, so what the process printed before exiting is not lost behind SIGCHLD.
    if (fds[1].revents != 0) GROVE_TRY(on_master(ops, o, fds[1].revents, st));
    if (fds[2].revents != 0) GROVE_TRY(on_input(ops, o, st));
    if (fds[0].revents & POLLIN) {
      GROVE_ASSIGN_OR_RETURN(auto done, on_signal(ops, o));
      if (done) {
        if (st.master_open) GROVE_TRY(drain(ops, o.master, o.out));
        return *done;
      }
    }
  }
}

}  // namespace grove::process
