// LinuxOps: terminals (pty allocation, controlling tty, termios, window size) and what the
// `grove run` attach loop needs (unix socket connect, poll, sigprocmask, signalfd).

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include <cstring>

#include "libcontainer/sys/linux_ops.h"
#include "libcontainer/sys/linux_ops_internal.h"

namespace grove::sys {

using internal::check;
using internal::check_fd;
using internal::fd_str;

Status LinuxOps::ioctl_tiocsptlck(int fd, bool lock) {
  int v = lock ? 1 : 0;
  return check(::ioctl(fd, TIOCSPTLCK, &v),
               [&] { return "ioctl(" + fd_str(fd) + ", TIOCSPTLCK, " + std::to_string(v) + ")"; });
}

Result<UniqueFd> LinuxOps::ioctl_tiocgptpeer(int fd, int flags) {
  return check_fd(::ioctl(fd, TIOCGPTPEER, flags | O_CLOEXEC),
                  [&] { return "ioctl(" + fd_str(fd) + ", TIOCGPTPEER)"; });
}

Result<unsigned> LinuxOps::ioctl_tiocgptn(int fd) {
  unsigned n = 0;
  GROVE_TRY(
      check(::ioctl(fd, TIOCGPTN, &n), [&] { return "ioctl(" + fd_str(fd) + ", TIOCGPTN)"; }));
  return n;
}

Status LinuxOps::ioctl_tiocsctty(int fd, int arg) {
  return check(::ioctl(fd, TIOCSCTTY, arg),
               [&] { return "ioctl(" + fd_str(fd) + ", TIOCSCTTY, " + std::to_string(arg) + ")"; });
}

Result<struct winsize> LinuxOps::ioctl_tiocgwinsz(int fd) {
  struct winsize ws;
  std::memset(&ws, 0, sizeof ws);
  GROVE_TRY(
      check(::ioctl(fd, TIOCGWINSZ, &ws), [&] { return "ioctl(" + fd_str(fd) + ", TIOCGWINSZ)"; }));
  return ws;
}

Status LinuxOps::ioctl_tiocswinsz(int fd, const struct winsize& ws) {
  return check(::ioctl(fd, TIOCSWINSZ, &ws), [&] {
    return "ioctl(" + fd_str(fd) + ", TIOCSWINSZ, " + std::to_string(ws.ws_row) + "x" +
           std::to_string(ws.ws_col) + ")";
  });
}

Result<struct termios> LinuxOps::tcgetattr(int fd) {
  struct termios t;
  std::memset(&t, 0, sizeof t);
  GROVE_TRY(check(::tcgetattr(fd, &t), [&] { return "tcgetattr(" + fd_str(fd) + ")"; }));
  return t;
}

Status LinuxOps::tcsetattr(int fd, int optional_actions, const struct termios& t) {
  int rc;
  do {
    rc = ::tcsetattr(fd, optional_actions, &t);
  } while (rc < 0 && errno == EINTR);  // TCSADRAIN/TCSAFLUSH wait for output
  return check(rc, [&] {
    return "tcsetattr(" + fd_str(fd) + ", " + std::to_string(optional_actions) + ")";
  });
}

Result<pid_t> LinuxOps::setsid() {
  pid_t sid = ::setsid();
  GROVE_TRY(check(sid, [] { return std::string("setsid()"); }));
  return sid;
}

Result<UniqueFd> LinuxOps::socket(int domain, int type, int protocol) {
  return check_fd(::socket(domain, type | SOCK_CLOEXEC, protocol), [&] {
    return "socket(" + std::to_string(domain) + ", " + std::to_string(type) + ")";
  });
}

Status LinuxOps::connect(int fd, const std::string& path) {
  struct sockaddr_un addr;
  std::memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) {
    return Error::from_errno(ENAMETOOLONG, "connect(" + fd_str(fd) + ", " + q(path) + ")");
  }
  std::memcpy(addr.sun_path, path.data(), path.size());
  int rc;
  do {
    rc = ::connect(fd, reinterpret_cast<const struct sockaddr*>(&addr), sizeof addr);
  } while (rc < 0 && errno == EINTR);
  return check(rc, [&] { return "connect(" + fd_str(fd) + ", " + q(path) + ")"; });
}

Result<int> LinuxOps::poll(std::vector<struct pollfd>& fds, int timeout_ms) {
  int rc = ::poll(fds.data(), fds.size(), timeout_ms);
  GROVE_TRY(check(rc, [&] { return "poll(" + std::to_string(fds.size()) + " fds)"; }));
  return rc;
}

Result<sigset_t> LinuxOps::sigprocmask(int how, const sigset_t& set) {
  sigset_t old;
  sigemptyset(&old);
  int rc = ::sigprocmask(how, &set, &old);
  GROVE_TRY(check(rc, [&] { return "sigprocmask(" + std::to_string(how) + ")"; }));
  return old;
}

Result<UniqueFd> LinuxOps::signalfd(const sigset_t& mask, int flags) {
  return check_fd(::signalfd(-1, &mask, flags | SFD_CLOEXEC),
                  [] { return std::string("signalfd(-1)"); });
}

}  // namespace grove::sys
