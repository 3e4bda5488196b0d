#pragma once
// The parent <-> container-init sync channel: one SOCK_SEQPACKET socketpair, one bounded datagram
// per message. Errors cross fork as {int32 code, frames, show_errno} (never the rendered text,
// which would duplicate the errno description) and are rebuilt on the receiving side with
// grove::Error::from_parts plus a "container init" frame (style.md §2.2, §2.8).
//
// Wire format (host byte order; both ends are the same binary): a fixed 24-byte header
// {uint32 kind, int32 code, uint32 show_errno, uint32 frame_count, int64 value} followed by the
// frames, innermost first, each NUL-terminated. A datagram never exceeds kSyncMaxMessage bytes:
// long frames are truncated, extra frames dropped, so the sender needs no allocation.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>

#include "libcontainer/base/result.h"
#include "libcontainer/base/unique_fd.h"
#include "libcontainer/sys/ops.h"

namespace grove::process {

inline constexpr std::size_t kSyncMaxMessage = 8192;

enum class SyncKind : uint32_t {
  kReady = 1,  // child -> parent: setup done, init is waiting for `start`
  kError = 2,  // child -> parent: setup failed; carries an Error; the child then _exit()s
  kPid = 3,    // either way: carries a pid in `value`
  kGo = 4,     // parent -> child: continue (e.g. id maps written, createRuntime hooks ran)
  kConsole = 5,  // child -> parent: carries the console pty master as one SCM_RIGHTS fd
  kHooks = 6,  // child -> parent: namespaces and mounts are set up, the root switch has not
               // happened: run prestart/createRuntime hooks, then send kGo (container/hooks.h)
  kSeccompFd = 7,  // child -> parent: the seccomp notify listener fd rides along (SCM_RIGHTS)
  kBpfFs = 8,  // run.grove.bpf.delegate, one fd each way (SCM_RIGHTS): child -> parent the bpffs
               // fs context opened in the container's user namespace; parent -> child the
               // configured, detached bpffs mount (security::configure_bpffs)
};

// Stable lower-case name ("ready", "error", "pid", "go", "hooks", or "unknown") for error messages.
const char* to_string(SyncKind kind) noexcept;

struct SyncMessage {
  SyncKind kind = SyncKind::kReady;
  int64_t value = 0;           // kPid: the pid
  std::optional<Error> error;  // kError only, already rebuilt (without the init frame)
};

// Encodes `msg` into `buf` (capacity `cap`, at least 24 bytes); returns the datagram length.
// Pure and allocation-free: usable between clone() and execve().
std::size_t encode_sync(SyncKind kind, int64_t value, const Error* error, char* buf,
                        std::size_t cap) noexcept;
// Decodes one datagram. EPROTO (plain) on a short, oversized or malformed datagram.
Result<SyncMessage> decode_sync(const char* buf, std::size_t len);

// One end of the channel. Owns its fd; move-only. Not thread-safe (grove is single-threaded).
class SyncSocket {
 public:
  SyncSocket() = default;
  explicit SyncSocket(UniqueFd fd) : fd_(std::move(fd)) {}

  int fd() const noexcept { return fd_.get(); }
  bool valid() const noexcept { return fd_.valid(); }
  void close() noexcept { fd_.reset(); }

  // Send one message. Errors: the send(2) errno (EPIPE when the peer is gone; SIGPIPE is never
  // raised). send_error() is allocation-free and async-signal-safe.
  [[nodiscard]] Status send_ready() const;
  [[nodiscard]] Status send_go() const;
  [[nodiscard]] Status send_pid(int64_t pid) const;
  [[nodiscard]] Status send_error(const Error& error) const;
  [[nodiscard]] Status send_hooks() const;

  // Sends a header-only `kind` message with `fd` (borrowed) attached as SCM_RIGHTS, through
  // ops.send_fds. Errors: the sendmsg errno.
  [[nodiscard]] Status send_fd(sys::Ops& ops, SyncKind kind, int fd) const;
  // Receives one message through ops.recv_fds and requires `kind` with exactly one fd, which is
  // returned (owned, close-on-exec). A kError message is returned as that Error with a
  // `container init` frame; EPIPE when the peer closed; EPROTO otherwise.
  [[nodiscard]] Result<UniqueFd> expect_fd(sys::Ops& ops, SyncKind kind) const;

  // Blocks for the next message. A peer that closed its end (died) gives EPIPE
  // "sync: peer closed the channel"; EINTR is retried.
  [[nodiscard]] Result<SyncMessage> receive() const;

  // Receives one message and requires `kind`. A kError message is returned as that Error with a
  // `container init` frame added; any other kind gives EPROTO.
  [[nodiscard]] Result<SyncMessage> expect(SyncKind kind) const;

 private:
  Status send_raw(const char* buf, std::size_t len) const;
  UniqueFd fd_;
};

// A connected SOCK_SEQPACKET pair (parent end, child end), both O_CLOEXEC.
// Errors: socketpair(2) errno.
[[nodiscard]] Result<std::pair<SyncSocket, SyncSocket>> make_sync_pair(sys::Ops& ops);

}  // namespace grove::process
