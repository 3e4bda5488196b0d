// L1: the layer mount cache (image/mount_cache.h) against FakeOps: holders as the reference
// count, one mount per key, the last release unmounting, failures undoing the hold.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/file.h>

#include <string>

#include "libcontainer/image/mount_cache.h"
#include "libcontainer/sys/uapi.h"
#include "tests/support/fake_ops.h"

namespace grove::image {
namespace {

using testing::FakeOps;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

OpenedLayer layer(FakeOps& ops) {
  OpenedLayer l;
  l.path = "/img/base.erofs";
  l.fd = ops.make_fd("img");
  l.st.st_mode = S_IFREG | 0644;
  return l;
}

constexpr const char* kKey = "k1";
constexpr const char* kMnt = "/c/k1/mnt";

TEST(ImageMountCacheTest, KeysAreStableAndSeparateWhatDiffers) {
  struct stat a {};
  a.st_dev = 1;
  a.st_ino = 2;
  a.st_size = 4096;
  struct stat b = a;
  EXPECT_EQ(layer_key(a, {}), layer_key(b, {}));
  EXPECT_EQ(layer_key(a, {}).size(), 32u);
  b.st_ino = 3;  // another file
  EXPECT_NE(layer_key(a, {}), layer_key(b, {}));
  b = a;
  b.st_mtim.tv_nsec = 1;  // the file was rewritten
  EXPECT_NE(layer_key(a, {}), layer_key(b, {}));
  EXPECT_NE(layer_key(a, {true, ""}), layer_key(a, {true, "acme"}));  // other mount options
  EXPECT_EQ(layer_key(a, {true, ""}), layer_key(a, {false, ""}));     // loop or file: same fs
  EXPECT_NE(holder_name("/run/grove/c1"), holder_name("/run/grove/c2"));
}

TEST(ImageMountCacheTest, FirstAcquireMountsAndHolds) {
  FakeOps ops;
  OpenedLayer l = layer(ops);
  MountCache cache(ops, "/c");
  auto mnt = cache.acquire(l, kKey, {true, ""}, "h1", "/run/grove/c1");
  ASSERT_TRUE(mnt) << mnt.error().message();
  EXPECT_EQ(*mnt, kMnt);
  std::string t = ops.trace_text();
  EXPECT_THAT(t, HasSubstr(R"(openat(AT_FDCWD, "/c/lock", O_RDWR|O_CREAT, 0600))"));
  EXPECT_THAT(t, HasSubstr("flock(<path:/c/lock>, " + std::to_string(LOCK_EX) + ")"));
  EXPECT_THAT(t, HasSubstr(R"(openat(AT_FDCWD, "/c/k1/holders/h1", O_WRONLY|O_CREAT|O_TRUNC, 0600)
write(<path:/c/k1/holders/h1>, "/run/grove/c1\n"))"));
  EXPECT_THAT(t, HasSubstr(R"(move_mount(<fs:erofs>, "", AT_FDCWD, "/c/k1/mnt", F_EMPTY_PATH))"));
  // The holder is written before the mount: a kill in between leaves a held, unmounted entry.
  EXPECT_LT(t.find("holders/h1"), t.find("fsopen"));
  l.fd.reset();
  EXPECT_THAT(ops.open_fds(), IsEmpty());  // the lock is released on return
}

TEST(ImageMountCacheTest, MountedLayerIsSharedNotMountedAgain) {
  FakeOps ops;
  OpenedLayer l = layer(ops);
  ops.set_statfs(kMnt, static_cast<long>(EROFS_SUPER_MAGIC_V1));
  MountCache cache(ops, "/c");
  auto mnt = cache.acquire(l, kKey, {true, ""}, "h2", "/run/grove/c2");
  ASSERT_TRUE(mnt) << mnt.error().message();
  EXPECT_EQ(ops.calls("fsopen"), 0);
  EXPECT_EQ(ops.calls("move_mount"), 0);
  EXPECT_THAT(ops.trace_text(), HasSubstr("holders/h2"));
}

TEST(ImageMountCacheTest, ReleaseWithOtherHoldersKeepsTheMount) {
  FakeOps ops;
  ops.set_stat("/c", {});
  ops.set_statfs(kMnt, static_cast<long>(EROFS_SUPER_MAGIC_V1));
  ops.set_dir("/c/k1/holders", {"h2"});  // what is left after h1's unlink
  MountCache cache(ops, "/c");
  ASSERT_TRUE(cache.release(kKey, "h1"));
  EXPECT_THAT(ops.trace_text(), HasSubstr(R"(unlinkat(AT_FDCWD, "/c/k1/holders/h1", 0))"));
  EXPECT_EQ(ops.calls("umount2"), 0);
}

TEST(ImageMountCacheTest, LastReleaseUnmountsAndRemovesTheEntry) {
  FakeOps ops;
  ops.set_stat("/c", {});
  ops.set_statfs(kMnt, static_cast<long>(EROFS_SUPER_MAGIC_V1));
  ops.set_dir("/c/k1/holders", {});
  MountCache cache(ops, "/c");
  ASSERT_TRUE(cache.release(kKey, "h1"));
  EXPECT_THAT(ops.trace_text(), HasSubstr(R"(umount2("/c/k1/mnt", MNT_DETACH)
unlinkat(AT_FDCWD, "/c/k1/mnt", AT_REMOVEDIR)
unlinkat(AT_FDCWD, "/c/k1/holders", AT_REMOVEDIR)
unlinkat(AT_FDCWD, "/c/k1", AT_REMOVEDIR))"));
}

TEST(ImageMountCacheTest, HolderOfAVanishedContainerIsDroppedAsStale) {
  FakeOps ops;
  ops.set_stat("/c", {});
  ops.set_statfs(kMnt, static_cast<long>(EROFS_SUPER_MAGIC_V1));
  ops.set_dir("/c/k1/holders", {"gone", "live"});
  ops.set_file("/c/k1/holders/gone", "/run/grove/removed-by-hand\n");  // fstatat: ENOENT
  ops.set_file("/c/k1/holders/live", "/run/grove/c2\n");
  ops.set_stat("/run/grove/c2", {});
  MountCache cache(ops, "/c");
  ASSERT_TRUE(cache.release(kKey, "h1"));
  EXPECT_THAT(ops.trace_text(), HasSubstr(R"(unlinkat(AT_FDCWD, "/c/k1/holders/gone", 0))"));
  EXPECT_THAT(ops.trace_text(), Not(HasSubstr(R"(unlinkat(AT_FDCWD, "/c/k1/holders/live")")));
  EXPECT_EQ(ops.calls("umount2"), 0);  // c2 still holds it
  FakeOps last;
  last.set_stat("/c", {});
  last.set_statfs(kMnt, static_cast<long>(EROFS_SUPER_MAGIC_V1));
  last.set_dir("/c/k1/holders", {"gone"});
  last.set_file("/c/k1/holders/gone", "/run/grove/removed-by-hand\n");
  MountCache c2(last, "/c");
  ASSERT_TRUE(c2.release(kKey, "h1"));
  EXPECT_EQ(last.calls("umount2"), 1);
}

TEST(ImageMountCacheTest, ReleaseIsIdempotent) {
  FakeOps ops;
  // No cache directory at all (create killed before the first acquire): nothing to do.
  MountCache cache(ops, "/c");
  ASSERT_TRUE(cache.release(kKey, "h1"));
  EXPECT_EQ(ops.calls("flock"), 0);
  // The entry is gone already (a second delete): unlink ENOENT, no holders, nothing mounted.
  FakeOps again;
  again.set_stat("/c", {});
  again.fail_next("unlinkat", ENOENT);
  MountCache c2(again, "/c");
  Status st = c2.release(kKey, "h1");
  ASSERT_TRUE(st) << st.error().message();
  EXPECT_EQ(again.calls("umount2"), 0);
}

TEST(ImageMountCacheTest, FailedMountDropsTheHoldAndTheEntry) {
  FakeOps ops;
  OpenedLayer l = layer(ops);
  ops.set_dir("/c/k1/holders", {});
  ops.fail_next("fsconfig_create", EINVAL);  // not an EROFS image
  MountCache cache(ops, "/c");
  auto mnt = cache.acquire(l, kKey, {true, ""}, "h1", "/run/grove/c1");
  ASSERT_FALSE(mnt);
  EXPECT_EQ(mnt.error().code(), EINVAL);
  EXPECT_THAT(mnt.error().message(), HasSubstr("image \"/img/base.erofs\""));
  std::string t = ops.trace_text();
  EXPECT_THAT(t, HasSubstr(R"(unlinkat(AT_FDCWD, "/c/k1/holders/h1", 0))"));
  EXPECT_THAT(t, HasSubstr(R"(unlinkat(AT_FDCWD, "/c/k1", AT_REMOVEDIR))"));
  EXPECT_THAT(t, Not(HasSubstr("umount2")));  // it never got mounted
  l.fd.reset();
  EXPECT_THAT(ops.open_fds(), IsEmpty());
}

TEST(ImageMountCacheTest, FailedAttachLeavesNoMount) {
  FakeOps ops;
  OpenedLayer l = layer(ops);
  ops.set_dir("/c/k1/holders", {});
  ops.fail_next("move_mount", ENOENT);
  MountCache cache(ops, "/c");
  auto mnt = cache.acquire(l, kKey, {true, ""}, "h1", "/run/grove/c1");
  ASSERT_FALSE(mnt);
  EXPECT_EQ(mnt.error().code(), ENOENT);
  // The detached mount was closed (never attached), the hold dropped.
  EXPECT_THAT(ops.trace_text(), HasSubstr(R"(unlinkat(AT_FDCWD, "/c/k1/holders/h1", 0))"));
  l.fd.reset();
  EXPECT_THAT(ops.open_fds(), IsEmpty());
}

}  // namespace
}  // namespace grove::image
