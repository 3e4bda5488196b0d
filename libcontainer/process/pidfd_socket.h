#pragma once
// --pidfd-socket (runc 1.2+): a pidfd of the container's init (create/run) or of the exec'd
// process (exec) is sent over a unix stream socket, so a supervisor can wait for and signal
// that process without pid reuse races. runc's wire format (libcontainer/init_linux.go
// setupPidfd): one sendmsg whose payload is the init type ("standard" for the container init,
// "setns" for an exec'd process) with exactly one SCM_RIGHTS fd, the pidfd (pidfd_open flags 0).
// runc's init opens and sends the pidfd itself; grove's runtime already holds one (clone3
// CLONE_PIDFD, or pidfd_open of its own unreaped child), which refers to the same process.

#include <string>

#include "libcontainer/base/result.h"
#include "libcontainer/base/unique_fd.h"
#include "libcontainer/sys/ops.h"

namespace grove::process {

// The payloads runc sends with the pidfd.
inline constexpr const char* kPidfdPayloadInit = "standard";
inline constexpr const char* kPidfdPayloadExec = "setns";

// Connects a unix stream socket to `path`. Called before the process exists, like runc's
// setupPidfdSocket, so an unreachable socket fails with nothing created. Errors: socket/connect
// errno with a `--pidfd-socket "path"` frame.
[[nodiscard]] Result<UniqueFd> connect_pidfd_socket(sys::Ops& ops, const std::string& path);

// Sends `pidfd` (borrowed) over the connected socket `sock` with `payload` (kPidfdPayload*): one
// sendmsg, one SCM_RIGHTS fd. Errors: the sendmsg errno with a `--pidfd-socket` frame.
[[nodiscard]] Status send_pidfd(sys::Ops& ops, int sock, int pidfd, const char* payload);

}  // namespace grove::process
