#include "tests/support/priv.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "libcontainer/sys/uapi.h"

namespace grove::testing {
namespace {

void write_all(int fd, const void* data, size_t len) {
  const char* p = static_cast<const char*>(data);
  while (len > 0) {
    ssize_t n = ::write(fd, p, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    p += n;
    len -= static_cast<size_t>(n);
  }
}

std::string read_all(int fd) {
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return out;
    out.append(buf, static_cast<size_t>(n));
  }
}

// Wire format: int32 code, uint8 show_errno, uint32 nframes, then {uint32 len, bytes} each.
void send_status(int fd, const Status& s) {
  int32_t code = s ? 0 : s.error().code();
  uint8_t show = s ? 0 : s.error().shows_errno();
  std::vector<std::string> frames = s ? std::vector<std::string>{} : s.error().frame_list();
  uint32_t n = static_cast<uint32_t>(frames.size());
  write_all(fd, &code, sizeof(code));
  write_all(fd, &show, sizeof(show));
  write_all(fd, &n, sizeof(n));
  for (const std::string& f : frames) {
    uint32_t len = static_cast<uint32_t>(f.size());
    write_all(fd, &len, sizeof(len));
    write_all(fd, f.data(), f.size());
  }
}

Status parse_status(const std::string& wire) {
  size_t off = 0;
  auto take = [&](void* out, size_t len) {
    if (off + len > wire.size()) return false;
    std::memcpy(out, wire.data() + off, len);
    off += len;
    return true;
  };
  int32_t code = 0;
  uint8_t show = 0;
  uint32_t n = 0;
  if (!take(&code, 4) || !take(&show, 1) || !take(&n, 4)) {
    return Error::plain(EPROTO, "private mntns child sent no status");
  }
  if (code == 0) return ok();
  std::vector<std::string> frames;
  for (uint32_t i = 0; i < n; ++i) {
    uint32_t len = 0;
    if (!take(&len, 4) || off + len > wire.size()) {
      return Error::plain(EPROTO, "private mntns child sent a truncated status");
    }
    frames.emplace_back(wire.data() + off, len);
    off += len;
  }
  return Error::from_parts(code, std::move(frames), show != 0);
}

[[noreturn]] void child(int wfd, const std::function<Status()>& fn) {
  Status s = ok();
  if (::unshare(CLONE_NEWNS) < 0) {
    s = Error::last("unshare(CLONE_NEWNS)");
  } else if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) < 0) {
    s = Error::last("mount(\"/\", MS_REC|MS_PRIVATE)");
  } else {
    s = fn();
  }
  send_status(wfd, s);
  ::_exit(0);
}

}  // namespace

Status run_in_private_mntns(const std::function<Status()>& fn) {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) < 0) return Error::last("pipe2()");
  pid_t pid = ::fork();
  if (pid < 0) {
    int err = errno;
    ::close(p[0]);
    ::close(p[1]);
    return Error::from_errno(err, "fork()");
  }
  if (pid == 0) {
    ::close(p[0]);
    child(p[1], fn);
  }
  ::close(p[1]);
  std::string wire = read_all(p[0]);
  ::close(p[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFSIGNALED(status)) {
    return Error::plain(
        EINTR, std::string("private mntns child killed by SIG") + sigabbrev_np(WTERMSIG(status)));
  }
  return parse_status(wire);
}

std::string missing_root() {
  if (::geteuid() == 0) return "";
  return "requires root (euid=" + std::to_string(::geteuid()) + ")";
}

std::string missing_new_mount_api() {
  long fd = ::syscall(__NR_fsopen, "tmpfs", FSOPEN_CLOEXEC);
  if (fd >= 0) {
    ::close(static_cast<int>(fd));
    return "";
  }
  if (errno == ENOSYS) return "kernel lacks fsopen(2) (needs >= 5.2)";
  return std::string("fsopen(\"tmpfs\") failed: ") + strerrorname_np(errno);
}

std::string missing_mount_setattr() {
  struct mount_attr attr {};
  ::syscall(__NR_mount_setattr, -EBADF, "", AT_EMPTY_PATH, &attr, sizeof(attr));
  return errno == ENOSYS ? "kernel lacks mount_setattr(2) (needs >= 5.12)" : "";
}

std::string missing_openat2() {
  struct open_how how {};
  how.flags = O_PATH | O_CLOEXEC;
  long fd = ::syscall(__NR_openat2, AT_FDCWD, "/", &how, sizeof(how));
  if (fd >= 0) {
    ::close(static_cast<int>(fd));
    return "";
  }
  return errno == ENOSYS ? "kernel lacks openat2(2) (needs >= 5.6)"
                         : std::string("openat2 failed: ") + strerrorname_np(errno);
}

std::string missing_statmount() {
  // LSMT_ROOT with a zero-sized buffer: EINVAL/EFAULT-free probe; only ENOSYS matters.
  sys::uapi::MntIdReq req{};
  req.size = MNT_ID_REQ_SIZE_VER0;
  req.mnt_id = LSMT_ROOT;
  uint64_t ids[1];
  ::syscall(__NR_listmount, &req, ids, 1, 0);
  return errno == ENOSYS ? "kernel lacks statmount/listmount(2) (needs >= 6.8)" : "";
}

std::string missing_open_tree_namespace() {
  long fd = ::syscall(__NR_open_tree, -EBADF, "", OPEN_TREE_NAMESPACE | AT_EMPTY_PATH);
  if (fd >= 0) ::close(static_cast<int>(fd));
  if (fd < 0 && (errno == EINVAL || errno == ENOSYS)) {
    return "kernel lacks OPEN_TREE_NAMESPACE (needs >= 7.0)";
  }
  return "";
}

std::string missing_filesystem(const std::string& name) {
  std::ifstream in("/proc/filesystems");
  std::string line;
  while (std::getline(in, line)) {
    auto tab = line.rfind('\t');
    if (tab != std::string::npos && line.substr(tab + 1) == name) return "";
  }
  return "filesystem " + name + " not in /proc/filesystems";
}

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base && *base ? base : "/tmp") + "/grove-test-XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (::mkdtemp(buf.data()) == nullptr) std::abort();
  path_ = buf.data();
}

TempDir::~TempDir() {
  ::umount2(path_.c_str(), MNT_DETACH);  // best effort: a test may have left a mount here
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

}  // namespace grove::testing
