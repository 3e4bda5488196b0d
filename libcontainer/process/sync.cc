#include "libcontainer/process/sync.h"

#include <sys/socket.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

namespace grove::process {
namespace {

// Fixed header; copied with memcpy on both sides so alignment of the buffer does not matter.
struct Header {
  uint32_t kind;
  int32_t code;
  uint32_t show_errno;
  uint32_t frame_count;
  int64_t value;
};
static_assert(sizeof(Header) == 24);

// Frames longer than this are cut: a message must fit one datagram whatever the error says.
constexpr std::size_t kMaxFrame = 2048;

bool known_kind(uint32_t k) {
  return k >= static_cast<uint32_t>(SyncKind::kReady) &&
         k <= static_cast<uint32_t>(SyncKind::kBpfFs);
}

}  // namespace

const char* to_string(SyncKind kind) noexcept {
  switch (kind) {
    case SyncKind::kReady:
      return "ready";
    case SyncKind::kError:
      return "error";
    case SyncKind::kPid:
      return "pid";
    case SyncKind::kGo:
      return "go";
    case SyncKind::kConsole:
      return "console";
    case SyncKind::kHooks:
      return "hooks";
    case SyncKind::kSeccompFd:
      return "seccomp fd";
    case SyncKind::kBpfFs:
      return "bpffs";
  }
  return "unknown";
}

std::size_t encode_sync(SyncKind kind, int64_t value, const Error* error, char* buf,
                        std::size_t cap) noexcept {
  Header h{static_cast<uint32_t>(kind), 0, 0, 0, value};
  std::size_t off = sizeof h;
  if (error != nullptr) {
    h.code = error->code();
    h.show_errno = error->shows_errno() ? 1 : 0;
    // Walks the frames without copying them (no allocation after clone).
    for (const std::string& f : error->frame_list()) {
      std::size_t n = std::min(f.size(), kMaxFrame);
      if (off + n + 1 > cap) break;
      std::memcpy(buf + off, f.data(), n);
      // An embedded NUL would split the frame on decode; replace it.
      for (std::size_t i = 0; i < n; ++i) {
        if (buf[off + i] == '\0') buf[off + i] = '?';
      }
      off += n;
      buf[off++] = '\0';
      ++h.frame_count;
    }
  }
  std::memcpy(buf, &h, sizeof h);
  return off;
}

Result<SyncMessage> decode_sync(const char* buf, std::size_t len) {
  Header h;
  if (len < sizeof h || len > kSyncMaxMessage) {
    return Error::plain(EPROTO, "sync: bad message size " + std::to_string(len));
  }
  std::memcpy(&h, buf, sizeof h);
  if (!known_kind(h.kind)) {
    return Error::plain(EPROTO, "sync: unknown message kind " + std::to_string(h.kind));
  }
  SyncMessage msg;
  msg.kind = static_cast<SyncKind>(h.kind);
  msg.value = h.value;
  if (msg.kind != SyncKind::kError) return msg;
  std::vector<std::string> frames;
  std::size_t off = sizeof h;
  for (uint32_t i = 0; i < h.frame_count; ++i) {
    const void* nul = std::memchr(buf + off, '\0', len - off);
    if (nul == nullptr) return Error::plain(EPROTO, "sync: unterminated error frame");
    std::size_t n = static_cast<const char*>(nul) - (buf + off);
    frames.emplace_back(buf + off, n);
    off += n + 1;
  }
  if (h.code == 0) return Error::plain(EPROTO, "sync: error message with code 0");
  msg.error = Error::from_parts(h.code, std::move(frames), h.show_errno != 0);
  return msg;
}

Status SyncSocket::send_raw(const char* buf, std::size_t len) const {
  // MSG_NOSIGNAL: a dead peer must give EPIPE, not kill the runtime with SIGPIPE.
  for (;;) {
    ssize_t n = ::send(fd_.get(), buf, len, MSG_NOSIGNAL);
    if (n >= 0) return ok();
    if (errno != EINTR) return Error::last("sync: send()");
  }
}

Status SyncSocket::send_ready() const {
  char buf[sizeof(Header)];
  return send_raw(buf, encode_sync(SyncKind::kReady, 0, nullptr, buf, sizeof buf));
}

Status SyncSocket::send_go() const {
  char buf[sizeof(Header)];
  return send_raw(buf, encode_sync(SyncKind::kGo, 0, nullptr, buf, sizeof buf));
}

Status SyncSocket::send_hooks() const {
  char buf[sizeof(Header)];
  return send_raw(buf, encode_sync(SyncKind::kHooks, 0, nullptr, buf, sizeof buf));
}

Status SyncSocket::send_pid(int64_t pid) const {
  char buf[sizeof(Header)];
  return send_raw(buf, encode_sync(SyncKind::kPid, pid, nullptr, buf, sizeof buf));
}

Status SyncSocket::send_error(const Error& error) const {
  char buf[kSyncMaxMessage];
  return send_raw(buf, encode_sync(SyncKind::kError, 0, &error, buf, sizeof buf));
}

Status SyncSocket::send_fd(sys::Ops& ops, SyncKind kind, int fd) const {
  char buf[sizeof(Header)];
  std::size_t n = encode_sync(kind, 0, nullptr, buf, sizeof buf);
  return ops.send_fds(fd_.get(), std::string(buf, n), {fd});
}

Result<UniqueFd> SyncSocket::expect_fd(sys::Ops& ops, SyncKind kind) const {
  auto frame = [&] { return std::string("waiting for ") + to_string(kind); };
  GROVE_ASSIGN_OR_RETURN(sys::Ops::Received got,
                         ops.recv_fds(fd_.get(), kSyncMaxMessage + 1, 1).context(frame));
  if (got.data.empty()) {
    return Error::plain(EPIPE, "sync: peer closed the channel").context(frame());
  }
  GROVE_ASSIGN_OR_RETURN(SyncMessage msg, decode_sync(got.data.data(), got.data.size()));
  if (msg.kind == SyncKind::kError) return std::move(*msg.error).context("container init");
  if (msg.kind != kind || got.fds.size() != 1) {
    return Error::plain(EPROTO, std::string("sync: expected ") + to_string(kind) +
                                    " with one fd, got " + to_string(msg.kind) + " with " +
                                    std::to_string(got.fds.size()) + " fds");
  }
  return std::move(got.fds[0]);
}

Result<SyncMessage> SyncSocket::receive() const {
  char buf[kSyncMaxMessage + 1];
  for (;;) {
    // One more byte than allowed so an oversized datagram is detected (MSG_TRUNC also set).
    ssize_t n = ::recv(fd_.get(), buf, sizeof buf, MSG_TRUNC);
    if (n > 0) return decode_sync(buf, static_cast<std::size_t>(n));
    if (n == 0) return Error::plain(EPIPE, "sync: peer closed the channel");
    if (errno != EINTR) return Error::last("sync: recv()");
  }
}

Result<SyncMessage> SyncSocket::expect(SyncKind kind) const {
  auto msg = receive();
  if (!msg) {
    return std::move(msg).error().context(std::string("waiting for ") + to_string(kind));
  }
  if (msg->kind == SyncKind::kError) return std::move(*msg->error).context("container init");
  if (msg->kind != kind) {
    return Error::plain(
        EPROTO, std::string("sync: expected ") + to_string(kind) + ", got " + to_string(msg->kind));
  }
  return msg;
}

Result<std::pair<SyncSocket, SyncSocket>> make_sync_pair(sys::Ops& ops) {
  GROVE_ASSIGN_OR_RETURN(sys::FdPair p, ops.socketpair(AF_UNIX, SOCK_SEQPACKET, 0));
  return std::make_pair(SyncSocket(std::move(p.first)), SyncSocket(std::move(p.second)));
}

}  // namespace grove::process
