// LinuxOps: fd plumbing (close_range, socketpair, pipes, dup, SCM_RIGHTS).

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>

#include "libcontainer/sys/linux_ops.h"
#include "libcontainer/sys/linux_ops_internal.h"
#include "libcontainer/sys/uapi.h"

namespace grove::sys {

using internal::check;
using internal::fd_str;

Status LinuxOps::close_range(unsigned first, unsigned last, unsigned flags) {
  long rc = syscall(__NR_close_range, first, last, flags);
  return check(rc, [&] {
    std::string f = (flags & CLOSE_RANGE_CLOEXEC) ? ", CLOSE_RANGE_CLOEXEC" : "";
    return "close_range(" + std::to_string(first) + ", " + std::to_string(last) + f + ")";
  });
}

Result<FdPair> LinuxOps::socketpair(int domain, int type, int protocol) {
  int fds[2];
  if (::socketpair(domain, type | SOCK_CLOEXEC, protocol, fds) < 0) {
    return Error::last("socketpair(" + std::to_string(domain) + ", " + std::to_string(type) + ")");
  }
  return FdPair{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

Result<FdPair> LinuxOps::pipe2(int flags) {
  int fds[2];
  if (::pipe2(fds, flags | O_CLOEXEC) < 0) return Error::last("pipe2()");
  return FdPair{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

Status LinuxOps::dup3(int oldfd, int newfd, int flags) {
  int rc;
  do {
    rc = ::dup3(oldfd, newfd, flags);
  } while (rc < 0 && errno == EBUSY);  // dup3 races with open(2) in another thread
  return check(rc, [&] {
    return "dup3(" + fd_str(oldfd) + ", " + fd_str(newfd) +
           ((flags & O_CLOEXEC) ? ", O_CLOEXEC)" : ")");
  });
}

Result<UniqueFd> LinuxOps::dup_cloexec(int fd, int min_fd) {
  int rc = ::fcntl(fd, F_DUPFD_CLOEXEC, min_fd);
  return internal::check_fd(rc, [&] {
    return "fcntl(" + fd_str(fd) + ", F_DUPFD_CLOEXEC, " + std::to_string(min_fd) + ")";
  });
}

Status LinuxOps::set_cloexec(int fd, bool on) {
  int flags = ::fcntl(fd, F_GETFD);
  if (flags < 0) return Error::last("fcntl(" + fd_str(fd) + ", F_GETFD)");
  flags = on ? (flags | FD_CLOEXEC) : (flags & ~FD_CLOEXEC);
  return check(::fcntl(fd, F_SETFD, flags), [&] {
    return "fcntl(" + fd_str(fd) + ", F_SETFD, " + (on ? "FD_CLOEXEC" : "0") + ")";
  });
}

Status LinuxOps::send_fds(int sock, const std::string& data, const std::vector<int>& fds) {
  if (data.empty()) return Error::invalid("send_fds(" + fd_str(sock) + "): empty payload");
  struct iovec iov = {const_cast<char*>(data.data()), data.size()};
  struct msghdr msg;
  std::memset(&msg, 0, sizeof(msg));
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  std::vector<char> control(CMSG_SPACE(sizeof(int) * fds.size()));
  if (!fds.empty()) {
    msg.msg_control = control.data();
    msg.msg_controllen = control.size();
    struct cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
    std::memcpy(CMSG_DATA(c), fds.data(), sizeof(int) * fds.size());
  }
  ssize_t n;
  do {
    n = ::sendmsg(sock, &msg, MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    return Error::last("sendmsg(" + fd_str(sock) + ", " + std::to_string(fds.size()) + " fds)");
  }
  if (static_cast<size_t>(n) != data.size()) {
    return Error::from_errno(EIO, "sendmsg(" + fd_str(sock) + "): short write");
  }
  return ok();
}

Result<Ops::Received> LinuxOps::recv_fds(int sock, size_t max_data, size_t max_fds) {
  Received out;
  out.data.assign(max_data, '\0');
  struct iovec iov = {out.data.data(), max_data};
  struct msghdr msg;
  std::memset(&msg, 0, sizeof(msg));
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  std::vector<char> control(CMSG_SPACE(sizeof(int) * (max_fds ? max_fds : 1)));
  msg.msg_control = control.data();
  msg.msg_controllen = control.size();
  ssize_t n;
  do {
    n = ::recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return Error::last("recvmsg(" + fd_str(sock) + ")");
  out.data.resize(static_cast<size_t>(n));
  for (struct cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (size_t i = 0; i < count; ++i) {
      int fd;
      std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
      out.fds.emplace_back(fd);  // owned even if over max_fds, so nothing leaks
    }
  }
  if (msg.msg_flags & MSG_CTRUNC) {
    return Error::from_errno(EMSGSIZE, "recvmsg(" + fd_str(sock) + "): fds truncated");
  }
  return out;
}

// ---- hooks -------------------------------------------------------------------------------------

Result<int> LinuxOps::poll(std::vector<struct pollfd>& fds, int timeout_ms) {
  for (;;) {
    int n = ::poll(fds.data(), fds.size(), timeout_ms);
    if (n >= 0) return n;
    if (errno == EINTR) continue;
    int err = errno;
    std::string what = "poll(";
    for (std::size_t i = 0; i < fds.size(); ++i) what += (i ? ", " : "") + fd_str(fds[i].fd);
    return Error::from_errno(err, what + ", " + std::to_string(timeout_ms) + ")");
  }
}

}  // namespace grove::sys
