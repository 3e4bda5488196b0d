// L1: fd-relative resolution inside the rootfs (mount/resolve.h), openat2 and the O_NOFOLLOW
// component walk fallback (forced by Features and by an ENOSYS openat2).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>

#include "libcontainer/mount/resolve.h"
#include "tests/support/fake_ops.h"

namespace grove::mount {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::FakeOps;

struct stat link_stat() {
  struct stat st {};
  st.st_mode = S_IFLNK | 0777;
  return st;
}

class ResolveTest : public ::testing::Test {
 protected:
  void SetUp() override { root_ = ops_.make_fd("root"); }
  void TearDown() override {
    root_.reset();
    EXPECT_THAT(ops_.open_fds(), IsEmpty());
  }
  FakeOps ops_;
  UniqueFd root_;
};

TEST_F(ResolveTest, Openat2StaysInRootWithoutMagicLinks) {
  auto fd = open_in_root(ops_, root_.get(), "/etc/passwd", O_PATH, ResolveMode::kOpenat2);
  ASSERT_TRUE(fd) << fd.error().message();
  EXPECT_EQ(ops_.trace_text(),
            "openat2(<root>, \"/etc/passwd\", O_RDONLY|O_PATH, "
            "RESOLVE_NO_MAGICLINKS|RESOLVE_IN_ROOT)");
}

TEST_F(ResolveTest, Openat2EnosysFallsBackToWalk) {
  ops_.fail_always("openat2", ENOSYS);
  auto fd = open_in_root(ops_, root_.get(), "/etc/passwd", O_PATH, ResolveMode::kOpenat2);
  ASSERT_TRUE(fd) << fd.error().message();
  EXPECT_EQ(ops_.calls("openat"), 2);
}

TEST_F(ResolveTest, WalkOpensEachComponentNoFollow) {
  auto fd = open_in_root(ops_, root_.get(), "//etc/./ssh/", O_PATH | O_DIRECTORY,
                         ResolveMode::kWalk);
  ASSERT_TRUE(fd) << fd.error().message();
  EXPECT_EQ(ops_.trace_text(),
            "openat(<root>, \"etc\", O_RDONLY|O_NOFOLLOW|O_PATH, 00)\n"
            "fstat(<path:etc>)\n"
            "openat(<path:etc>, \"ssh\", O_RDONLY|O_NOFOLLOW|O_PATH, 00)\n"
            "fstat(<path:ssh>)\n"
            "openat(<path:etc>, \"ssh\", O_RDONLY|O_DIRECTORY|O_NOFOLLOW|O_PATH, 00)");
}

TEST_F(ResolveTest, WalkDotDotNeverClimbsAboveRoot) {
  auto fd = open_in_root(ops_, root_.get(), "/../../etc", O_PATH, ResolveMode::kWalk);
  ASSERT_TRUE(fd) << fd.error().message();
  EXPECT_EQ(ops_.trace_text(),
            "openat(<root>, \"etc\", O_RDONLY|O_NOFOLLOW|O_PATH, 00)\n"
            "fstat(<path:etc>)");
}

TEST_F(ResolveTest, WalkAbsoluteSymlinkRestartsAtRoot) {
  // /dev -> /tmp/host-canary/../x: stays inside the root.
  ops_.set_stat("<path:dev>", link_stat());
  ops_.set_link("dev", "/../../x");
  auto fd = open_in_root(ops_, root_.get(), "/dev/null", O_PATH, ResolveMode::kWalk);
  ASSERT_TRUE(fd) << fd.error().message();
  EXPECT_EQ(ops_.trace_text(),
            "openat(<root>, \"dev\", O_RDONLY|O_NOFOLLOW|O_PATH, 00)\n"
            "fstat(<path:dev>)\n"
            "readlinkat(<root>, \"dev\")\n"
            "openat(<root>, \"x\", O_RDONLY|O_NOFOLLOW|O_PATH, 00)\n"
            "fstat(<path:x>)\n"
            "openat(<path:x>, \"null\", O_RDONLY|O_NOFOLLOW|O_PATH, 00)\n"
            "fstat(<path:null>)");
}

TEST_F(ResolveTest, WalkLastComponentNoFollowKeepsTheLink) {
  ops_.set_stat("<path:console>", link_stat());
  auto fd = open_in_root(ops_, root_.get(), "/console", O_PATH | O_NOFOLLOW, ResolveMode::kWalk);
  ASSERT_TRUE(fd) << fd.error().message();
  EXPECT_EQ(ops_.calls("readlinkat"), 0);
}

TEST_F(ResolveTest, WalkSymlinkLoopIsEloop) {
  ops_.set_stat("<path:a>", link_stat());
  ops_.set_link("a", "a");
  auto fd = open_in_root(ops_, root_.get(), "/a", O_PATH, ResolveMode::kWalk);
  ASSERT_FALSE(fd);
  EXPECT_EQ(fd.error().code(), ELOOP);
  EXPECT_THAT(fd.error().message(), HasSubstr("too many symlinks"));
}

TEST_F(ResolveTest, WalkFileInTheMiddleIsEnotdir) {
  struct stat st {};
  st.st_mode = S_IFREG | 0644;
  ops_.set_stat("<path:etc>", st);
  auto fd = open_in_root(ops_, root_.get(), "/etc/x", O_PATH, ResolveMode::kWalk);
  ASSERT_FALSE(fd);
  EXPECT_EQ(fd.error().code(), ENOTDIR);
}

// Only the last component missing (the usual mount point): the parent is resolved in one
// openat2, not prefix by prefix from "/".
TEST_F(ResolveTest, MkdirAllCreatesMissingComponentsNoFollow) {
  ops_.fail_next("openat2", ENOENT);  // whole path; "/a" exists
  auto fd = mkdir_all_in_root(ops_, root_.get(), "/a/b", 0755, ResolveMode::kOpenat2);
  ASSERT_TRUE(fd) << fd.error().message();
  EXPECT_EQ(ops_.trace_text(),
            "openat2(<root>, \"/a/b\", O_RDONLY|O_DIRECTORY|O_PATH, "
            "RESOLVE_NO_MAGICLINKS|RESOLVE_IN_ROOT) = ENOENT\n"
            "openat2(<root>, \"/a\", O_RDONLY|O_DIRECTORY|O_PATH, "
            "RESOLVE_NO_MAGICLINKS|RESOLVE_IN_ROOT)\n"
            "mkdirat(<path:/a>, \"b\", 0755)\n"
            "openat(<path:/a>, \"b\", O_RDONLY|O_DIRECTORY|O_NOFOLLOW|O_PATH, 00)");
}

// The parent missing too: the walk from "/" creates each missing component in its resolved
// parent and reopens it O_NOFOLLOW.
TEST_F(ResolveTest, MkdirAllWalksWhenTheParentIsMissing) {
  ops_.fail_next("openat2", ENOENT);   // whole path "/a/b/c"
  ops_.fail_at("openat2", 2, ENOENT);  // parent "/a/b"
  ops_.fail_at("openat2", 5, ENOENT);  // the walk: "/" and "/a" exist, "/a/b" does not
  ops_.fail_at("openat2", 6, ENOENT);  // "/a/b/c"
  auto fd = mkdir_all_in_root(ops_, root_.get(), "/a/b/c", 0755, ResolveMode::kOpenat2);
  ASSERT_TRUE(fd) << fd.error().message();
  EXPECT_EQ(ops_.trace_text(),
            "openat2(<root>, \"/a/b/c\", O_RDONLY|O_DIRECTORY|O_PATH, "
            "RESOLVE_NO_MAGICLINKS|RESOLVE_IN_ROOT) = ENOENT\n"
            "openat2(<root>, \"/a/b\", O_RDONLY|O_DIRECTORY|O_PATH, "
            "RESOLVE_NO_MAGICLINKS|RESOLVE_IN_ROOT) = ENOENT\n"
            "openat2(<root>, \"/\", O_RDONLY|O_DIRECTORY|O_PATH, "
            "RESOLVE_NO_MAGICLINKS|RESOLVE_IN_ROOT)\n"
            "openat2(<root>, \"/a\", O_RDONLY|O_DIRECTORY|O_PATH, "
            "RESOLVE_NO_MAGICLINKS|RESOLVE_IN_ROOT)\n"
            "openat2(<root>, \"/a/b\", O_RDONLY|O_DIRECTORY|O_PATH, "
            "RESOLVE_NO_MAGICLINKS|RESOLVE_IN_ROOT) = ENOENT\n"
            "mkdirat(<path:/a>, \"b\", 0755)\n"
            "openat(<path:/a>, \"b\", O_RDONLY|O_DIRECTORY|O_NOFOLLOW|O_PATH, 00)\n"
            "openat2(<root>, \"/a/b/c\", O_RDONLY|O_DIRECTORY|O_PATH, "
            "RESOLVE_NO_MAGICLINKS|RESOLVE_IN_ROOT) = ENOENT\n"
            "mkdirat(<path:b>, \"c\", 0755)\n"
            "openat(<path:b>, \"c\", O_RDONLY|O_DIRECTORY|O_NOFOLLOW|O_PATH, 00)");
}

TEST_F(ResolveTest, MkdirAllOtherErrorsPropagate) {
  ops_.fail_next("openat2", EXDEV);
  auto fd = mkdir_all_in_root(ops_, root_.get(), "/a", 0755, ResolveMode::kOpenat2);
  ASSERT_FALSE(fd);
  EXPECT_EQ(fd.error().code(), EXDEV);
  EXPECT_EQ(ops_.calls("mkdirat"), 0);
}

TEST_F(ResolveTest, ParentAndName) {
  auto pn = open_parent_in_root(ops_, root_.get(), "/dev/pts/ptmx", ResolveMode::kOpenat2);
  ASSERT_TRUE(pn) << pn.error().message();
  EXPECT_EQ(pn->name, "ptmx");
  EXPECT_EQ(ops_.fd_name(pn->parent.get()), "<path:/dev/pts>");
  pn->parent.reset();
  EXPECT_FALSE(open_parent_in_root(ops_, root_.get(), "/", ResolveMode::kOpenat2));
}

}  // namespace
}  // namespace grove::mount
