// FakeOps: terminals and the attach loop (split from fake_ops.cc to keep files < 600 lines).

#include <fcntl.h>
#include <poll.h>
#include <termios.h>

#include <cstring>
#include <initializer_list>

#include "libcontainer/base/strings.h"
#include "tests/support/fake_ops.h"

namespace grove::testing {
namespace {

std::string call(const std::string& name, std::initializer_list<std::string> args) {
  return name + "(" + join(std::vector<std::string>(args), ", ") + ")";
}

std::string num(long long v) { return std::to_string(v); }

}  // namespace

Status FakeOps::ioctl_tiocsptlck(int fd, bool lock) {
  return effect("ioctl_tiocsptlck", call("ioctl_tiocsptlck", {fd_name(fd), lock ? "1" : "0"}));
}

Result<UniqueFd> FakeOps::ioctl_tiocgptpeer(int fd, int flags) {
  std::string line = call("ioctl_tiocgptpeer", {fd_name(fd), num(flags)});
  if (int err = record("ioctl_tiocgptpeer", line)) return Error::from_errno(err, line);
  return new_fd("peer:" + bare_label(fd));
}

Result<unsigned> FakeOps::ioctl_tiocgptn(int fd) {
  std::string line = call("ioctl_tiocgptn", {fd_name(fd)});
  if (int err = record("ioctl_tiocgptn", line)) return Error::from_errno(err, line);
  return 0u;
}

Status FakeOps::ioctl_tiocsctty(int fd, int arg) {
  return effect("ioctl_tiocsctty", call("ioctl_tiocsctty", {fd_name(fd), num(arg)}));
}

Result<struct winsize> FakeOps::ioctl_tiocgwinsz(int fd) {
  std::string line = call("ioctl_tiocgwinsz", {fd_name(fd)});
  if (int err = record("ioctl_tiocgwinsz", line)) return Error::from_errno(err, line);
  return winsize_;
}

Status FakeOps::ioctl_tiocswinsz(int fd, const struct winsize& ws) {
  return effect("ioctl_tiocswinsz",
                call("ioctl_tiocswinsz", {fd_name(fd), num(ws.ws_row) + "x" + num(ws.ws_col)}));
}

Result<struct termios> FakeOps::tcgetattr(int fd) {
  std::string line = call("tcgetattr", {fd_name(fd)});
  if (int err = record("tcgetattr", line)) return Error::from_errno(err, line);
  return termios_;
}

Status FakeOps::tcsetattr(int fd, int optional_actions, const struct termios& t) {
  // The flags a test cares about: canonical mode, echo and output post-processing.
  std::string mode = std::string((t.c_lflag & ICANON) ? "+" : "-") + "icanon " +
                     ((t.c_lflag & ECHO) ? "+" : "-") + "echo " +
                     ((t.c_oflag & OPOST) ? "+" : "-") + "opost " +
                     ((t.c_oflag & ONLCR) ? "+" : "-") + "onlcr";
  std::string line = call("tcsetattr", {fd_name(fd), num(optional_actions), mode});
  if (int err = record("tcsetattr", line)) return Error::from_errno(err, line);
  termios_ = t;
  return ok();
}

Result<pid_t> FakeOps::setsid() {
  std::string line = "setsid()";
  if (int err = record("setsid", line)) return Error::from_errno(err, line);
  return pid_;
}

Result<UniqueFd> FakeOps::socket(int domain, int type, int protocol) {
  std::string line = call("socket", {num(domain), num(type), num(protocol)});
  if (int err = record("socket", line)) return Error::from_errno(err, line);
  return new_fd("socket:" + num(++next_id_));
}

Status FakeOps::connect(int fd, const std::string& path) {
  return effect("connect", call("connect", {fd_name(fd), q(path)}));
}

// Readable when a read is queued for the fd, hung up when POLLIN is asked without one (so a
// loop under test ends), writable whenever asked.
Result<int> FakeOps::poll(std::vector<struct pollfd>& fds, int timeout_ms) {
  std::vector<std::string> names;
  for (const struct pollfd& p : fds) names.push_back(fd_name(p.fd));
  std::string line = call("poll", {"[" + join(names, ", ") + "]", num(timeout_ms)});
  if (int err = record("poll", line)) return Error::from_errno(err, line);
  int ready = 0;
  for (struct pollfd& p : fds) {
    p.revents = 0;
    if (p.fd < 0) continue;
    if (p.events & POLLIN) {
      auto it = reads_.find(fd_name(p.fd));
      p.revents |= (it != reads_.end() && !it->second.empty()) ? POLLIN : POLLHUP;
    }
    if (p.events & POLLOUT) p.revents |= POLLOUT;
    if (p.revents != 0) ++ready;
  }
  return ready;
}

Result<sigset_t> FakeOps::sigprocmask(int how, const sigset_t& set) {
  std::string line = call("sigprocmask", {num(how), num(sigismember(&set, SIGWINCH))});
  if (int err = record("sigprocmask", line)) return Error::from_errno(err, line);
  sigset_t old;
  sigemptyset(&old);
  return old;
}

Result<UniqueFd> FakeOps::signalfd(const sigset_t& mask, int flags) {
  (void)mask;
  std::string line = call("signalfd", {num(flags)});
  if (int err = record("signalfd", line)) return Error::from_errno(err, line);
  return new_fd("signalfd");
}

}  // namespace grove::testing
