// L2: the kernel facts behind plan::choose_strategy's user-namespace rule, checked where
// OPEN_TREE_NAMESPACE exists (Linux >= 7.0; on older kernels the test skips with the probe's
// reason, under tests/vm it runs). crun#2086 gave the reasons; this test keeps them honest:
//   1. inside a new user namespace, open_tree(OPEN_TREE_NAMESPACE) itself works (the new mount
//      namespace is owned by that user namespace);
//   2. but no filesystem instance can be prepared before setns: the caller's mount namespace is
//      owned by the initial user namespace (fsopen: EPERM);
//   3. and after setns a fresh procfs is refused: mount_too_revealing() finds no fully visible
//      proc in a namespace that holds only the container tree on nullfs (fsmount: EPERM).
// A container with a user namespace needs (2) or (3) for its /proc, so grove keeps such
// containers on the pivot strategy. When a kernel lifts this, the test fails and says so.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "libcontainer/sys/linux_ops.h"
#include "libcontainer/sys/uapi.h"
#include "tests/support/priv.h"

namespace grove::sys {
namespace {

// Exit codes of the grandchild: which expectation broke.
enum Step : int {
  kAllAsExpected = 0,
  kOpenTreeNamespaceFailed = 10,
  kFsopenBeforeSetnsWorked = 11,
  kSetnsFailed = 12,
  kFsopenAfterSetnsFailed = 13,
  kFreshProcWorked = 14,
  kFreshProcOtherErrno = 15,
};

const char* describe(int code) {
  switch (code) {
    case kOpenTreeNamespaceFailed: return "open_tree(OPEN_TREE_NAMESPACE) failed in a userns";
    case kFsopenBeforeSetnsWorked: return "fsopen(proc) worked before setns (kernel lifted it)";
    case kSetnsFailed: return "setns into the userns-owned namespace failed";
    case kFsopenAfterSetnsFailed: return "fsopen/fsconfig(proc) failed after setns";
    case kFreshProcWorked: return "a fresh procfs was allowed after setns (kernel lifted it)";
    case kFreshProcOtherErrno: return "fsmount(proc) failed with an errno other than EPERM";
    default: return "unexpected exit";
  }
}

// Runs in the new user and pid namespaces (pid 1 there).
int probe_in_userns(const std::string& rootfs) {
  LinuxOps ops;
  auto ns = ops.open_tree(AT_FDCWD, rootfs,
                          OPEN_TREE_NAMESPACE | AT_RECURSIVE | OPEN_TREE_CLOEXEC);
  if (!ns) return kOpenTreeNamespaceFailed;
  if (auto early = ops.fsopen("proc", FSOPEN_CLOEXEC); early) return kFsopenBeforeSetnsWorked;
  if (!ops.setns(ns->get(), CLONE_NEWNS)) return kSetnsFailed;
  auto fs = ops.fsopen("proc", FSOPEN_CLOEXEC);
  if (!fs || !ops.fsconfig_create(fs->get())) return kFsopenAfterSetnsFailed;
  auto mnt = ops.fsmount(fs->get(), FSMOUNT_CLOEXEC, 0);
  if (mnt) return kFreshProcWorked;
  return mnt.error().code() == EPERM ? kAllAsExpected : kFreshProcOtherErrno;
}

TEST(OpenTreeNamespaceUsernsPrivTest, UsernsOwnedNamespaceCannotGetAFreshProc) {
  GROVE_REQUIRE_ROOT();
  GROVE_REQUIRE(testing::missing_open_tree_namespace());
  testing::TempDir rootfs;
  ASSERT_EQ(::mkdir((rootfs.path() + "/proc").c_str(), 0755), 0);
  Status st = testing::run_in_private_mntns([&]() -> Status {
    LinuxOps ops;
    GROVE_TRY(ops.unshare(CLONE_NEWUSER | CLONE_NEWPID));
    // Root maps only itself, which needs no privilege over the parent user namespace.
    GROVE_TRY(ops.write_file_at(AT_FDCWD, "/proc/self/setgroups", "deny"));
    GROVE_TRY(ops.write_file_at(AT_FDCWD, "/proc/self/uid_map", "0 0 1"));
    GROVE_TRY(ops.write_file_at(AT_FDCWD, "/proc/self/gid_map", "0 0 1"));
    pid_t child = ::fork();  // the pid namespace (owned by the new userns) is for children
    if (child < 0) return Error::last("fork()");
    if (child == 0) ::_exit(probe_in_userns(rootfs.path()));
    int status = 0;
    if (::waitpid(child, &status, 0) != child) return Error::last("waitpid()");
    if (!WIFEXITED(status)) return Error::plain(EINTR, "probe child killed");
    int code = WEXITSTATUS(status);
    if (code != kAllAsExpected) return Error::plain(EPROTO, describe(code));
    return ok();
  });
  EXPECT_TRUE(st) << st.error().message();
}

}  // namespace
}  // namespace grove::sys
