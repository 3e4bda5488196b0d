// L1 (real kernel, any user): LinuxOps error frames name the syscall with quoted arguments, and
// the unprivileged basics (openat, read/write helpers, socketpair, fd passing) work.

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/socket.h>

#include "libcontainer/sys/linux_ops.h"
#include "libcontainer/sys/uapi.h"
#include "tests/support/priv.h"

namespace grove::sys {
namespace {

using ::testing::HasSubstr;

TEST(SysLinuxOpsTest, MkdiratFrameQuotesPathAndMode) {
  LinuxOps ops;
  Status s = ops.mkdirat(AT_FDCWD, "/nonexistent-grove/x\n", 0755);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code(), ENOENT);
  EXPECT_EQ(s.error().message(),
            "mkdirat(\"/nonexistent-grove/x\\n\", 0755): ENOENT (No such file or directory)");
}

TEST(SysLinuxOpsTest, MountSetattrFrameRendersAttrs) {
  LinuxOps ops;
  Status s = ops.mount_setattr(AT_FDCWD, "/nonexistent-grove", 0,
                               MountAttr{MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID, 0, 0, -1});
  ASSERT_FALSE(s);
  EXPECT_THAT(s.error().message(),
              HasSubstr("mount_setattr(\"/nonexistent-grove\", RDONLY|NOSUID)"));
}

TEST(SysLinuxOpsTest, OpenTreeFrameShowsFdWhenPathEmpty) {
  LinuxOps ops;
  auto r = ops.open_tree(-EBADF, "", OPEN_TREE_CLONE | AT_EMPTY_PATH);
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().message(),
              HasSubstr("open_tree(fd -9, OPEN_TREE_CLONE|OPEN_TREE_CLOEXEC|AT_EMPTY_PATH)"));
}

TEST(SysLinuxOpsTest, WriteAndReadFileAt) {
  testing::TempDir dir;
  LinuxOps ops;
  auto d = ops.openat(AT_FDCWD, dir.path(), O_PATH | O_DIRECTORY, 0);
  ASSERT_TRUE(d) << d.error().message();
  auto f = ops.openat(d->get(), "state", O_WRONLY | O_CREAT | O_EXCL, 0600);
  ASSERT_TRUE(f) << f.error().message();
  ASSERT_TRUE(ops.write_file_at(d->get(), "state", "hello"));
  auto back = ops.read_file_at(d->get(), "state");
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, "hello");
  auto names = ops.list_dir(d->get(), "");
  ASSERT_TRUE(names);
  EXPECT_EQ(*names, std::vector<std::string>{"state"});
  auto st = ops.fstatat(d->get(), "state", AT_SYMLINK_NOFOLLOW);
  ASSERT_TRUE(st);
  EXPECT_EQ(st->st_size, 5);
}

TEST(SysLinuxOpsTest, SendAndReceiveFds) {
  LinuxOps ops;
  auto pair = ops.socketpair(AF_UNIX, SOCK_SEQPACKET, 0);
  ASSERT_TRUE(pair);
  auto null = ops.openat(AT_FDCWD, "/dev/null", O_RDONLY, 0);
  ASSERT_TRUE(null);
  ASSERT_TRUE(ops.send_fds(pair->first.get(), "x", {null->get(), null->get()}));
  auto got = ops.recv_fds(pair->second.get(), 8, 2);
  ASSERT_TRUE(got) << got.error().message();
  EXPECT_EQ(got->data, "x");
  ASSERT_EQ(got->fds.size(), 2u);
  auto st = ops.fstat(got->fds[0].get());
  ASSERT_TRUE(st);
  EXPECT_TRUE(S_ISCHR(st->st_mode));
}

TEST(SysLinuxOpsTest, UnameParsesRelease) {
  LinuxOps ops;
  auto k = ops.uname();
  ASSERT_TRUE(k);
  EXPECT_GE(k->major, 5);
  EXPECT_TRUE(k->at_least(k->major, k->minor));
  EXPECT_FALSE(k->at_least(k->major + 1, 0));
}

}  // namespace
}  // namespace grove::sys
