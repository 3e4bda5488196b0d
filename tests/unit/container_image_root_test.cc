// L1: the container side of image roots (container/image_root.h) against FakeOps: refusals
// before anything exists, the mount sequence, and the release of what a record names.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "libcontainer/container/image_root.h"
#include "libcontainer/sys/uapi.h"
#include "tests/support/erofs_reader.h"
#include "tests/support/fake_ops.h"

namespace grove::container {
namespace {

using testing::FakeOps;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

sys::Features kernel_with_images() {
  sys::Features f;
  f.erofs = sys::Probe::yes();
  f.overlay = sys::Probe::yes();
  f.erofs_file_backed = sys::Probe::yes();
  f.erofs_inode_share = sys::Probe::no("kernel 6.18 < 7.0");
  return f;
}

oci::Spec image_spec(const std::string& images) {
  oci::Spec spec;
  spec.annotations["run.grove.rootfs.images"] = images;
  return spec;
}

struct stat regular() {
  struct stat st {};
  st.st_mode = S_IFREG | 0644;
  st.st_ino = 42;
  st.st_size = static_cast<off_t>(testing::tiny_erofs_image().size());
  return st;
}

// A layer file open_layer accepts: a regular file holding a valid EROFS image.
void set_image(FakeOps& ops, const std::string& path) {
  ops.set_stat("<path:" + path + ">", regular());
  ops.set_file("<path:" + path + ">", testing::tiny_erofs_image());
}

TEST(ContainerImageRootTest, NoAnnotationNoImageRoot) {
  FakeOps ops;
  auto r = prepare_image_root(ops, oci::Spec{}, "/b", kernel_with_images(), false);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_FALSE(r->has_value());
  EXPECT_THAT(ops.trace(), IsEmpty());
}

TEST(ContainerImageRootTest, RootlessIsRefusedBeforeAnyFileIsOpened) {
  FakeOps ops;
  auto r = prepare_image_root(ops, image_spec("/img/a.erofs"), "/b", kernel_with_images(), true);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), EPERM);
  EXPECT_THAT(r.error().message(), HasSubstr("\"run.grove.rootfs.images\""));
  EXPECT_THAT(r.error().message(), HasSubstr("user namespace"));
  EXPECT_THAT(ops.trace(), IsEmpty());
}

TEST(ContainerImageRootTest, KernelWithoutErofsOrOverlay) {
  if (::geteuid() != 0) GTEST_SKIP() << "non-root is refused first (EPERM)";
  FakeOps ops;
  sys::Features f = kernel_with_images();
  f.overlay = sys::Probe::no("overlay not in /proc/filesystems");
  auto r = prepare_image_root(ops, image_spec("/img/a.erofs"), "/b", f, false);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ENODEV);
  EXPECT_THAT(r.error().message(), HasSubstr("overlay not in /proc/filesystems"));
}

TEST(ContainerImageRootTest, LayersOpenedAndKeyed) {
  if (::geteuid() != 0) GTEST_SKIP() << "non-root is refused first (EPERM)";
  FakeOps ops;
  set_image(ops, "/b/top.erofs");
  set_image(ops, "/img/base.erofs");
  auto r = prepare_image_root(ops, image_spec("top.erofs:/img/base.erofs"), "/b",
                              kernel_with_images(), false);
  ASSERT_TRUE(r) << r.error().message();
  ASSERT_TRUE(r->has_value());
  const ImageRoot& root = **r;
  ASSERT_EQ(root.layers.size(), 2u);
  EXPECT_EQ(root.layers[0].path, "/b/top.erofs");
  ASSERT_EQ(root.keys.size(), 2u);
  EXPECT_EQ(root.keys[0], root.keys[1]);  // same fake stat: same identity
  EXPECT_TRUE(root.options.file_backed);
  EXPECT_EQ(root.options.domain, "");
  ContainerRecord rec;
  record_image_root(root, rec);
  EXPECT_EQ(rec.image_cache, "/run/grove-images");
  EXPECT_EQ(rec.image_layers, root.keys);
}

TEST(ContainerImageRootTest, MissingLayerNamesAnnotationAndIndex) {
  if (::geteuid() != 0) GTEST_SKIP() << "non-root is refused first (EPERM)";
  FakeOps ops;
  set_image(ops, "/img/a.erofs");
  ops.fail_at("openat", 2, ENOENT);
  auto r = prepare_image_root(ops, image_spec("/img/a.erofs:/img/gone.erofs"), "/b",
                              kernel_with_images(), false);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ENOENT);
  EXPECT_THAT(r.error().message(), HasSubstr("\"run.grove.rootfs.images\" layer 1"));
  EXPECT_THAT(ops.open_fds(), IsEmpty());
}

TEST(ContainerImageRootTest, ReleaseUnmountsTheStackAndEveryRecordedLayer) {
  FakeOps ops;
  ops.set_stat("/c", {});
  ops.set_dir("/c/k1/holders", {});
  ops.set_dir("/c/k2/holders", {"someone-else"});
  ops.set_statfs("/c/k1/mnt", static_cast<long>(EROFS_SUPER_MAGIC_V1));
  ops.set_statfs("/c/k2/mnt", static_cast<long>(EROFS_SUPER_MAGIC_V1));
  ContainerRecord rec;
  rec.image_cache = "/c";
  rec.image_layers = {"k1", "k2"};
  Status st = release_image_root(ops, rec, "/s/c1");
  ASSERT_TRUE(st) << st.error().message();
  std::string t = ops.trace_text();
  EXPECT_THAT(t, HasSubstr(R"(umount2("/s/c1/rootfs", MNT_DETACH|UMOUNT_NOFOLLOW))"));
  EXPECT_THAT(t, HasSubstr(R"(umount2("/s/c1/upper", MNT_DETACH|UMOUNT_NOFOLLOW))"));
  EXPECT_THAT(t, HasSubstr(R"(umount2("/c/k1/mnt", MNT_DETACH))"));  // last holder
  EXPECT_THAT(t, ::testing::Not(HasSubstr(R"(umount2("/c/k2/mnt")")));  // still held
  // The stack goes before the layers under it.
  EXPECT_LT(t.find("/s/c1/rootfs"), t.find("/c/k1/mnt"));
}

TEST(ContainerImageRootTest, ReleaseOfAPlainRootIsANoOp) {
  FakeOps ops;
  EXPECT_TRUE(release_image_root(ops, ContainerRecord{}, "/s/c1"));
  EXPECT_THAT(ops.trace(), IsEmpty());
}

TEST(ContainerImageRootTest, ReleaseGoesOnAfterAFailure) {
  FakeOps ops;
  ops.set_stat("/c", {});
  ops.fail_next("umount2", EPERM);  // the stack
  ContainerRecord rec;
  rec.image_cache = "/c";
  rec.image_layers = {"k1"};
  Status st = release_image_root(ops, rec, "/s/c1");
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code(), EPERM);
  EXPECT_EQ(ops.calls("flock"), 1);  // the layer was still released
}

}  // namespace
}  // namespace grove::container
