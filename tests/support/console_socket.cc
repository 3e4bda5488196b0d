#include "tests/support/console_socket.h"

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstring>

namespace grove::testing {

// A unix stream socket listening at `path` (the --console-socket).
UniqueFd listen_at(const std::string& path) {
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  struct sockaddr_un addr;
  std::memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  if (!fd || ::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(fd.get(), 1) != 0) {
    return UniqueFd();
  }
  return fd;
}

// Accepts one connection (up to 30 s, containerd's wait) and receives one message with its
// SCM_RIGHTS fds.
std::optional<Received> accept_console(int listener) {
  struct pollfd p = {listener, POLLIN, 0};
  if (::poll(&p, 1, 30000) != 1) return std::nullopt;
  UniqueFd conn(::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC));
  if (!conn) return std::nullopt;
  char data[256];
  struct iovec iov = {data, sizeof data};
  alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(int) * 4)];
  struct msghdr msg;
  std::memset(&msg, 0, sizeof msg);
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n = ::recvmsg(conn.get(), &msg, MSG_CMSG_CLOEXEC);
  if (n < 0) return std::nullopt;
  Received r;
  r.payload.assign(data, static_cast<std::size_t>(n));
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    std::size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (std::size_t i = 0; i < count; ++i) {
      int fd;
      std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
      r.fds.emplace_back(fd);
    }
  }
  // The sender closes after its one message: nothing more arrives.
  char more;
  if (::recv(conn.get(), &more, 1, 0) != 0) r.payload += "<more data>";
  return r;
}

// Everything readable from a pty master until every peer is closed (EIO) or `until` appears,
// waiting at most ~20 s.
std::string read_pty(int master, const std::string& until) {
  std::string out;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    struct pollfd p = {master, POLLIN, 0};
    if (::poll(&p, 1, 200) <= 0) continue;
    char buf[4096];
    ssize_t n = ::read(master, buf, sizeof buf);
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
    if (!until.empty() && out.find(until) != std::string::npos) break;
  }
  return out;
}

TestPty open_test_pty(unsigned short rows, unsigned short cols) {
  int master = -1;
  int peer = -1;
  struct winsize ws = {};
  ws.ws_row = rows;
  ws.ws_col = cols;
  if (::openpty(&master, &peer, nullptr, nullptr, &ws) != 0) return {};
  ::fcntl(master, F_SETFD, FD_CLOEXEC);
  ::fcntl(peer, F_SETFD, FD_CLOEXEC);
  return {UniqueFd(master), UniqueFd(peer)};
}

}  // namespace grove::testing
