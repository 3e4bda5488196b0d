// --pidfd-socket (pidfd_socket.h).

#include "libcontainer/process/pidfd_socket.h"

#include <sys/socket.h>

#include "libcontainer/base/strings.h"

namespace grove::process {

Result<UniqueFd> connect_pidfd_socket(sys::Ops& ops, const std::string& path) {
  auto frame = [&] { return "--pidfd-socket " + q(path); };
  GROVE_ASSIGN_OR_RETURN(UniqueFd sock, ops.socket(AF_UNIX, SOCK_STREAM, 0).context(frame));
  GROVE_TRY(ops.connect(sock.get(), path).context(frame));
  return sock;
}

Status send_pidfd(sys::Ops& ops, int sock, int pidfd, const char* payload) {
  return ops.send_fds(sock, payload, {pidfd}).context("--pidfd-socket");
}

}  // namespace grove::process
