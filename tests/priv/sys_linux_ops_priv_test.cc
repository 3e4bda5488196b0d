// L2: LinuxOps against the real kernel, as root, each test in a private mount namespace.

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "libcontainer/sys/linux_ops.h"
#include "libcontainer/sys/uapi.h"
#include "tests/support/priv.h"

namespace grove::sys {
namespace {

using ::testing::HasSubstr;

// Fails with a plain error naming `what` when `cond` is false (assertions do not cross fork).
Status expect(bool cond, const std::string& what) {
  return cond ? ok() : Error::plain(EPROTO, "expectation failed: " + what);
}

TEST(SysLinuxOpsPrivTest, FsopenFsmountMoveMountTmpfs) {
  GROVE_REQUIRE_ROOT();
  GROVE_REQUIRE(testing::missing_new_mount_api());
  testing::TempDir dir;
  Status s = testing::run_in_private_mntns([&]() -> Status {
    LinuxOps ops;
    GROVE_ASSIGN_OR_RETURN(UniqueFd fs, ops.fsopen("tmpfs", 0));
    GROVE_TRY(ops.fsconfig_set_string(fs.get(), "mode", "0711"));
    GROVE_TRY(ops.fsconfig_create(fs.get()));
    GROVE_ASSIGN_OR_RETURN(UniqueFd mnt, ops.fsmount(fs.get(), 0, MOUNT_ATTR_NOSUID));
    GROVE_TRY(ops.move_mount(mnt.get(), "", AT_FDCWD, dir.path(), MOVE_MOUNT_F_EMPTY_PATH));
    GROVE_ASSIGN_OR_RETURN(struct statfs sfs, ops.statfs(dir.path()));
    GROVE_TRY(expect(static_cast<uint64_t>(sfs.f_type) == TMPFS_MAGIC, "tmpfs magic"));
    GROVE_ASSIGN_OR_RETURN(struct stat st, ops.fstatat(AT_FDCWD, dir.path(), 0));
    GROVE_TRY(expect((st.st_mode & 07777) == 0711, "mode 0711 from fsconfig"));
    GROVE_TRY(ops.mount_setattr(AT_FDCWD, dir.path(), 0, MountAttr{MOUNT_ATTR_RDONLY, 0, 0, -1}));
    Status w = ops.mkdirat(AT_FDCWD, dir.path() + "/x", 0755);
    GROVE_TRY(expect(!w && w.error().code() == EROFS, "mkdir on read-only mount is EROFS"));
    return ops.umount2(dir.path(), MNT_DETACH);
  });
  EXPECT_TRUE(s) << s.error().message();
}

TEST(SysLinuxOpsPrivTest, OpenTreeCloneIsDetachedAndAttachable) {
  GROVE_REQUIRE_ROOT();
  GROVE_REQUIRE(testing::missing_new_mount_api());
  testing::TempDir src;
  testing::TempDir dst;
  Status s = testing::run_in_private_mntns([&]() -> Status {
    LinuxOps ops;
    GROVE_TRY(ops.mount("none", src.path(), "tmpfs", 0, "size=1m"));
    GROVE_ASSIGN_OR_RETURN(UniqueFd f,
                           ops.openat(AT_FDCWD, src.path() + "/marker", O_WRONLY | O_CREAT, 0644));
    GROVE_ASSIGN_OR_RETURN(UniqueFd tree,
                           ops.open_tree(AT_FDCWD, src.path(), OPEN_TREE_CLONE | AT_RECURSIVE));
    GROVE_TRY(ops.move_mount(tree.get(), "", AT_FDCWD, dst.path(), MOVE_MOUNT_F_EMPTY_PATH));
    GROVE_ASSIGN_OR_RETURN(struct stat st, ops.fstatat(AT_FDCWD, dst.path() + "/marker", 0));
    GROVE_TRY(expect(S_ISREG(st.st_mode), "marker visible through the clone"));
    GROVE_TRY(ops.umount2(dst.path(), MNT_DETACH));
    return ops.umount2(src.path(), MNT_DETACH);
  });
  EXPECT_TRUE(s) << s.error().message();
}

TEST(SysLinuxOpsPrivTest, Openat2InRootRefusesEscapes) {
  GROVE_REQUIRE(testing::missing_openat2());
  testing::TempDir root;
  LinuxOps ops;
  auto rootfd = ops.openat(AT_FDCWD, root.path(), O_PATH | O_DIRECTORY, 0);
  ASSERT_TRUE(rootfd) << rootfd.error().message();
  ASSERT_TRUE(ops.mkdirat(rootfd->get(), "etc", 0755));
  ASSERT_TRUE(ops.symlinkat("/etc", rootfd->get(), "abs"));            // absolute: re-rooted
  ASSERT_TRUE(ops.symlinkat("../../../../etc", rootfd->get(), "up"));  // dot-dot: clamped
  OpenHow in_root{O_PATH | O_DIRECTORY, 0, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};
  for (const char* path : {"abs", "up", "../../etc"}) {
    auto fd = ops.openat2(rootfd->get(), path, in_root);
    ASSERT_TRUE(fd) << path << ": " << fd.error().message();
    auto st = ops.fstat(fd->get());
    auto inner = ops.fstatat(rootfd->get(), "etc", 0);
    ASSERT_TRUE(st && inner);
    EXPECT_EQ(st->st_ino, inner->st_ino) << path << " resolved outside the root";
  }
  // RESOLVE_BENEATH refuses the escape outright instead of clamping it.
  auto beneath = ops.openat2(rootfd->get(), "up", OpenHow{O_PATH, 0, RESOLVE_BENEATH});
  ASSERT_FALSE(beneath);
  EXPECT_EQ(beneath.error().code(), EXDEV);
  EXPECT_THAT(beneath.error().message(), HasSubstr("openat2(\"up\", O_RDONLY|O_CLOEXEC|O_PATH, "
                                                   "RESOLVE_BENEATH)"));
  auto magic = ops.openat2(AT_FDCWD, "/proc/self/exe", OpenHow{O_PATH, 0, RESOLVE_NO_MAGICLINKS});
  ASSERT_FALSE(magic);
  EXPECT_EQ(magic.error().code(), ELOOP);
}

TEST(SysLinuxOpsPrivTest, StatmountAndListmountSeeTheRootMount) {
  GROVE_REQUIRE_ROOT();
  GROVE_REQUIRE(testing::missing_statmount());
  LinuxOps ops;
  auto id = ops.statx_mnt_id(AT_FDCWD, "/", 0);
  ASSERT_TRUE(id) << id.error().message();
  auto st = ops.statmount(*id);
  ASSERT_TRUE(st) << st.error().message();
  EXPECT_EQ(st->mnt_id, *id);
  EXPECT_EQ(st->mount_point, "/");
  EXPECT_FALSE(st->fs_type.empty());
  EXPECT_NE(st->sb_magic, 0u);
  auto all = ops.listmount(LSMT_ROOT, 0);
  ASSERT_TRUE(all) << all.error().message();
  EXPECT_FALSE(all->empty());
  auto proc = ops.statx_mnt_id(AT_FDCWD, "/proc", 0);
  ASSERT_TRUE(proc);
  auto pst = ops.statmount(*proc);
  ASSERT_TRUE(pst);
  EXPECT_EQ(pst->fs_type, "proc");
  EXPECT_EQ(pst->sb_magic, static_cast<uint64_t>(PROC_SUPER_MAGIC));
}

TEST(SysLinuxOpsPrivTest, Clone3WithPidfdAndWaitid) {
  GROVE_REQUIRE_ROOT();
  LinuxOps ops;
  CloneArgs args;
  args.want_pidfd = true;
  auto r = ops.clone3(args);
  ASSERT_TRUE(r) << r.error().message();
  if (r->pid == 0) ::_exit(7);
  ASSERT_TRUE(r->pidfd.valid());
  auto ws = ops.waitid(P_PIDFD, r->pidfd.get(), WEXITED);
  ASSERT_TRUE(ws) << ws.error().message();
  EXPECT_EQ(ws->pid, r->pid);
  EXPECT_TRUE(ws->exited());
  EXPECT_EQ(ws->status, 7);
  Status gone = ops.pidfd_send_signal(r->pidfd.get(), SIGKILL);
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code(), ESRCH);
}

TEST(SysLinuxOpsPrivTest, UnshareAndHostnameStayInTheChild) {
  GROVE_REQUIRE_ROOT();
  char before[256] = {};
  ::gethostname(before, sizeof(before) - 1);
  Status s = testing::run_in_private_mntns([]() -> Status {
    LinuxOps ops;
    GROVE_TRY(ops.unshare(CLONE_NEWUTS));
    GROVE_TRY(ops.sethostname("grove-test"));
    char now[256] = {};
    ::gethostname(now, sizeof(now) - 1);
    return expect(std::string(now) == "grove-test", "hostname set in the new uts ns");
  });
  EXPECT_TRUE(s) << s.error().message();
  char after[256] = {};
  ::gethostname(after, sizeof(after) - 1);
  EXPECT_STREQ(before, after);
}

TEST(SysLinuxOpsPrivTest, RunInPrivateMntnsCarriesErrorsBack) {
  GROVE_REQUIRE_ROOT();
  Status s = testing::run_in_private_mntns([]() -> Status {
    LinuxOps ops;
    return ops.pivot_root("/nonexistent-grove", "/nonexistent-grove/old").context("step 1");
  });
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code(), ENOENT);
  EXPECT_EQ(s.error().message(),
            "step 1: pivot_root(\"/nonexistent-grove\", \"/nonexistent-grove/old\"): ENOENT (No "
            "such file or directory)");
}

}  // namespace
}  // namespace grove::sys
