// L2: the kernel facts behind the run.grove.bpf.delegate handoff (process/spawn.cc serve_bpffs),
// checked on the host kernel (BPF tokens: Linux >= 6.9):
//   1. a process inside a new user namespace can fsopen("bpf") (the context then belongs to that
//      user namespace) but cannot set a delegate option itself: EPERM (capable(CAP_SYS_ADMIN) in
//      the initial user namespace, kernel/bpf/inode.c bpf_parse_param);
//   2. the privileged parent can configure, create and fsmount that very context
//      (security::configure_bpffs), and the child attaches the mount in its own mount namespace:
//      mountinfo shows the delegate options;
//   3. from that bpffs the child, root only in its user namespace, creates a BPF token.
// If a kernel lifts (1), the handoff is no longer needed and this test says so.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/bpf.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "libcontainer/security/bpf_delegate.h"
#include "libcontainer/sys/linux_ops.h"
#include "libcontainer/sys/uapi.h"
#include "tests/support/priv.h"

namespace grove::security {
namespace {

enum Step : int {
  kAllAsExpected = 0,
  kUserNsFailed = 10,
  kFsopenFailed = 11,
  kDelegateInUserNsWorked = 12,
  kDelegateOtherErrno = 13,
  kHandoffFailed = 14,
  kAttachFailed = 15,
  kMountinfoLacksDelegate = 16,
  kTokenCreateFailed = 17,
};

constexpr int kBpfTokenCreate = 36;  // BPF_TOKEN_CREATE (6.9), newer than some distro headers

bool write_file(const std::string& path, const std::string& text) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  return ok;
}

std::string read_all(const char* path) {
  std::string out;
  int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  char buf[4096];
  for (ssize_t n; fd >= 0 && (n = ::read(fd, buf, sizeof buf)) > 0;) out.append(buf, n);
  if (fd >= 0) ::close(fd);
  return out;
}

// The child: new user + mount namespace (root mapped to root), then the container's side.
[[noreturn]] void child(int sock, const std::string& dir) {
  sys::LinuxOps ops;
  if (::unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0) ::_exit(kUserNsFailed);
  if (!write_file("/proc/self/setgroups", "deny") || !write_file("/proc/self/uid_map", "0 0 1") ||
      !write_file("/proc/self/gid_map", "0 0 1")) {
    ::_exit(kUserNsFailed);
  }
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) ::_exit(kUserNsFailed);
  auto fsfd = ops.fsopen("bpf", FSOPEN_CLOEXEC);
  if (!fsfd) ::_exit(kFsopenFailed);
  auto self = ops.fsconfig_set_string(fsfd->get(), "delegate_cmds", "any");
  if (self) ::_exit(kDelegateInUserNsWorked);
  if (self.error().code() != EPERM) ::_exit(kDelegateOtherErrno);
  if (!ops.send_fds(sock, "fs", {fsfd->get()})) ::_exit(kHandoffFailed);
  auto got = ops.recv_fds(sock, 16, 1);
  if (!got || got->fds.size() != 1) ::_exit(kHandoffFailed);
  if (!ops.move_mount(got->fds[0].get(), "", AT_FDCWD, dir, MOVE_MOUNT_F_EMPTY_PATH)) {
    ::_exit(kAttachFailed);
  }
  std::string mi = read_all("/proc/self/mountinfo");
  if (mi.find(" " + dir + " ") == std::string::npos ||
      mi.find("delegate_cmds=any") == std::string::npos) {
    ::_exit(kMountinfoLacksDelegate);
  }
  int bpffs = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  union bpf_attr attr;
  std::memset(&attr, 0, sizeof attr);
  // token_create is { u32 flags; u32 bpffs_fd; } at the start of the union.
  reinterpret_cast<uint32_t*>(&attr)[1] = static_cast<uint32_t>(bpffs);
  long token = ::syscall(SYS_bpf, kBpfTokenCreate, &attr, sizeof attr);
  ::_exit(token >= 0 ? kAllAsExpected : kTokenCreateFailed);
}

TEST(BpfDelegatePrivTest, RuntimeConfiguresTheUserNamespaceBpffs) {
  GROVE_REQUIRE_ROOT();
  GROVE_REQUIRE(testing::missing_new_mount_api());
  GROVE_REQUIRE(testing::missing_filesystem("bpf"));
  char tmpl[] = "/tmp/grove-bpffs-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  std::string dir = tmpl;
  int sv[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::close(sv[0]);
    child(sv[1], dir);
  }
  ::close(sv[1]);
  sys::LinuxOps ops;
  auto got = ops.recv_fds(sv[0], 16, 1);
  bool served = false;
  if (got && got->fds.size() == 1) {
    auto mnt = configure_bpffs(ops, got->fds[0].get(), {"any", "", "", ""}, "");
    EXPECT_TRUE(mnt) << mnt.error().message();
    if (mnt) served = static_cast<bool>(ops.send_fds(sv[0], "mnt", {mnt->get()}));
  }
  ::close(sv[0]);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ::rmdir(dir.c_str());  // the mount lived only in the child's mount namespace
  ASSERT_TRUE(WIFEXITED(status));
  int code = WEXITSTATUS(status);
  if (code == kDelegateInUserNsWorked) {
    FAIL() << "this kernel lets a user namespace set delegate options: the runtime handoff in "
              "serve_bpffs is no longer needed";
  }
  EXPECT_TRUE(served);
  EXPECT_EQ(code, kAllAsExpected) << "child step " << code;
}

}  // namespace
}  // namespace grove::security
