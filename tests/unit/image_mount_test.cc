// L1: mounting EROFS layers (image/mounter.h) and stacking them (image/stack.h) against
// FakeOps: the exact calls, the loop-device fallback, and a failure injected at every step
// leaving nothing mounted and no fd open.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <linux/loop.h>

#include <map>
#include <set>
#include <string>

#include "libcontainer/image/mounter.h"
#include "libcontainer/image/stack.h"
#include "tests/support/erofs_reader.h"
#include "tests/support/fake_ops.h"

namespace grove::image {
namespace {

using testing::FakeOps;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// Mount points still attached after a trace: successful move_mount targets minus the umount2
// targets (FakeOps renders them as `move_mount(<fd>, "", AT_FDCWD, "target", ...)`).
std::set<std::string> still_mounted(const std::vector<std::string>& trace) {
  std::set<std::string> attached;
  auto quoted = [](const std::string& line, std::size_t from) {
    std::size_t a = line.find('"', from);
    std::size_t b = line.find('"', a + 1);
    return line.substr(a + 1, b - a - 1);
  };
  for (const std::string& line : trace) {
    if (line.find(" = E") != std::string::npos) continue;  // failed call
    if (line.rfind("move_mount(", 0) == 0) {
      std::size_t at = line.find("AT_FDCWD");
      attached.insert(quoted(line, at));
    } else if (line.rfind("umount2(", 0) == 0) {
      attached.erase(quoted(line, 0));
    }
  }
  return attached;
}

// Method names of a trace, in order.
std::vector<std::string> names(const std::vector<std::string>& trace) {
  std::vector<std::string> out;
  for (const std::string& l : trace) out.push_back(l.substr(0, l.find('(')));
  return out;
}

StackRequest two_layers(UpperKind upper) {
  StackRequest r;
  r.lowers = {"/c/k1/mnt", "/c/k2/mnt"};
  r.upper = upper;
  r.upper_dir = "/persist";
  r.target = "/s/rootfs";
  r.scratch = "/s/upper";
  return r;
}

TEST(ImageStackTest, TwoLayersWithTmpfsUpper) {
  FakeOps ops;
  Status st = mount_stack(ops, two_layers(UpperKind::kTmpfs));
  ASSERT_TRUE(st) << st.error().message();
  EXPECT_EQ(ops.trace_text(), R"(fsopen("overlay", 1)
fsconfig_set_string(<fsctx:overlay>, "source", "grove-image")
fsconfig_set_string(<fsctx:overlay>, "lowerdir+", "/c/k1/mnt")
fsconfig_set_string(<fsctx:overlay>, "lowerdir+", "/c/k2/mnt")
fsopen("tmpfs", 1)
fsconfig_set_string(<fsctx:tmpfs>, "source", "grove-upper")
fsconfig_set_string(<fsctx:tmpfs>, "mode", "0755")
fsconfig_create(<fsctx:tmpfs>)
fsmount(<fsctx:tmpfs>, FSMOUNT_CLOEXEC, 0)
move_mount(<fs:tmpfs>, "", AT_FDCWD, "/s/upper", F_EMPTY_PATH)
mkdirat(AT_FDCWD, "/s/upper/upper", 0755)
mkdirat(AT_FDCWD, "/s/upper/work", 0700)
fsconfig_set_string(<fsctx:overlay>, "upperdir", "/s/upper/upper")
fsconfig_set_string(<fsctx:overlay>, "workdir", "/s/upper/work")
fsconfig_create(<fsctx:overlay>)
fsmount(<fsctx:overlay>, FSMOUNT_CLOEXEC, 0)
move_mount(<fs:overlay>, "", AT_FDCWD, "/s/rootfs", F_EMPTY_PATH)
umount2("/s/upper", MNT_DETACH))");
  // Only the root stays: overlayfs holds its own reference to the detached tmpfs.
  EXPECT_EQ(still_mounted(ops.trace()), std::set<std::string>{"/s/rootfs"});
  EXPECT_THAT(ops.open_fds(), IsEmpty());
}

TEST(ImageStackTest, NoUpperIsReadOnlyOverlay) {
  FakeOps ops;
  ASSERT_TRUE(mount_stack(ops, two_layers(UpperKind::kNone)));
  EXPECT_EQ(ops.calls("fsopen"), 1);  // no tmpfs
  EXPECT_THAT(ops.trace_text(), HasSubstr("fsmount(<fsctx:overlay>, FSMOUNT_CLOEXEC, RDONLY)"));
  EXPECT_THAT(ops.trace_text(), ::testing::Not(HasSubstr("upperdir")));
}

TEST(ImageStackTest, DirUpperMakesUpperAndWork) {
  FakeOps ops;
  ASSERT_TRUE(mount_stack(ops, two_layers(UpperKind::kDir)));
  EXPECT_THAT(ops.trace_text(), HasSubstr(R"(mkdirat(AT_FDCWD, "/persist", 0755)
mkdirat(AT_FDCWD, "/persist/upper", 0755)
mkdirat(AT_FDCWD, "/persist/work", 0700)
fsconfig_set_string(<fsctx:overlay>, "upperdir", "/persist/upper")
fsconfig_set_string(<fsctx:overlay>, "workdir", "/persist/work"))"));
  EXPECT_EQ(still_mounted(ops.trace()), std::set<std::string>{"/s/rootfs"});
}

TEST(ImageStackTest, SingleLayerWithoutUpperIsACloneOfTheLayer) {
  FakeOps ops;
  StackRequest r = two_layers(UpperKind::kNone);
  r.lowers.resize(1);
  ASSERT_TRUE(mount_stack(ops, r));
  EXPECT_EQ(ops.trace_text(), R"(open_tree(AT_FDCWD, "/c/k1/mnt", OPEN_TREE_CLONE)
move_mount(<tree:/c/k1/mnt>, "", AT_FDCWD, "/s/rootfs", F_EMPTY_PATH))");
}

TEST(ImageStackTest, OldKernelWithoutLowerdirPlusGetsJoinedLowerdir) {
  FakeOps real;
  real.fail_at("fsconfig_set_string", 2, EINVAL);  // the first "lowerdir+"
  ASSERT_TRUE(mount_stack(real, two_layers(UpperKind::kNone)));
  EXPECT_THAT(real.trace_text(),
              HasSubstr(R"(fsconfig_set_string(<fsctx:overlay>, "lowerdir", "/c/k1/mnt:/c/k2/mnt"))"));
}

TEST(ImageStackTest, EmptyStackRefused) {
  FakeOps ops;
  StackRequest r = two_layers(UpperKind::kNone);
  r.lowers.clear();
  Status st = mount_stack(ops, r);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code(), EINVAL);
  EXPECT_THAT(ops.trace(), IsEmpty());
}

// Every call of the full sequence fails once, in turn: the error names that call and the stack,
// nothing stays attached, no fd stays open.
TEST(ImageStackTest, FailureAtEveryStepLeavesNothingMounted) {
  for (UpperKind upper : {UpperKind::kTmpfs, UpperKind::kDir, UpperKind::kNone}) {
    FakeOps dry;
    ASSERT_TRUE(mount_stack(dry, two_layers(upper)));
    std::vector<std::string> steps = names(dry.trace());
    std::map<std::string, int> nth;
    for (std::size_t i = 0; i < steps.size(); ++i) {
      const std::string& name = steps[i];
      int n = ++nth[name];
      if (name == "umount2") continue;  // cleanup itself: best effort, checked below
      FakeOps ops;
      // EINVAL on the first "lowerdir+" would take the fallback; EPERM fails it.
      ops.fail_at(name, n, EPERM);
      Status st = mount_stack(ops, two_layers(upper));
      ASSERT_FALSE(st) << to_string(upper) << " step " << i << " " << name;
      EXPECT_EQ(st.error().code(), EPERM);
      EXPECT_THAT(st.error().message(), HasSubstr("image stack \"/s/rootfs\""));
      EXPECT_THAT(st.error().message(), HasSubstr(name + "("));
      EXPECT_THAT(still_mounted(ops.trace()), IsEmpty())
          << to_string(upper) << " step " << i << "\n" << ops.trace_text();
      EXPECT_THAT(ops.open_fds(), IsEmpty());
    }
  }
}

TEST(ImageStackTest, UnmountToleratesWhatIsNotMounted) {
  FakeOps ops;
  ops.fail_next("umount2", EINVAL);  // target not mounted (create failed before)
  ops.fail_next("umount2", ENOENT);  // scratch missing
  EXPECT_TRUE(unmount_stack(ops, "/s/rootfs", "/s/upper"));
  FakeOps busy;
  busy.fail_next("umount2", EPERM);
  Status st = unmount_stack(busy, "/s/rootfs", "/s/upper");
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code(), EPERM);
}

// ---- one layer ----

TEST(ImageMounterTest, OptionsFollowTheProbe) {
  sys::Features f;
  f.erofs_file_backed = sys::Probe::yes();
  f.erofs_inode_share = sys::Probe::no("kernel 6.18 < 7.0");
  LayerMountOptions o = layer_mount_options(f, "acme");
  EXPECT_TRUE(o.file_backed);
  EXPECT_EQ(o.domain, "");  // sharing asked for, kernel lacks it: mounted without
  f.erofs_inode_share = sys::Probe::yes();
  EXPECT_EQ(layer_mount_options(f, "acme").domain, "acme");
  EXPECT_EQ(layer_mount_options(f, "").domain, "");  // opt-in only
  f.erofs_file_backed = sys::Probe::no("kernel 6.1 < 6.12");
  EXPECT_FALSE(layer_mount_options(f, "").file_backed);
}

TEST(ImageMounterTest, FileBackedWithInodeShare) {
  FakeOps ops;
  UniqueFd image = ops.make_fd("img");
  std::string how;
  auto mnt = mount_layer(ops, image.get(), {true, "acme"}, &how);
  ASSERT_TRUE(mnt) << mnt.error().message();
  EXPECT_EQ(how, "file");
  std::string src = "/proc/self/fd/" + std::to_string(image.get());
  EXPECT_EQ(ops.trace_text(), R"(fsopen("erofs", 1)
fsconfig_set_flag(<fsctx:erofs>, "ro")
fsconfig_set_flag(<fsctx:erofs>, "inode_share")
fsconfig_set_string(<fsctx:erofs>, "domain_id", "acme")
fsconfig_set_string(<fsctx:erofs>, "source", ")" + src + R"(")
fsconfig_create(<fsctx:erofs>)
fsmount(<fsctx:erofs>, FSMOUNT_CLOEXEC, RDONLY))");
}

TEST(ImageMounterTest, LoopWhenNotFileBacked) {
  FakeOps ops;
  UniqueFd image = ops.make_fd("img");
  std::string how;
  auto mnt = mount_layer(ops, image.get(), {false, ""}, &how);
  ASSERT_TRUE(mnt) << mnt.error().message();
  EXPECT_EQ(how, "loop7");
  EXPECT_EQ(ops.trace_text(),
            R"(openat(AT_FDCWD, "/dev/loop-control", O_RDWR, 00)
ioctl_loop_ctl_get_free(<path:/dev/loop-control>)
openat(AT_FDCWD, "/dev/loop7", O_RDONLY, 00)
ioctl_loop_configure(<path:/dev/loop7>, <img>, )" +
                std::to_string(LO_FLAGS_READ_ONLY | LO_FLAGS_AUTOCLEAR) + R"()
fsopen("erofs", 1)
fsconfig_set_flag(<fsctx:erofs>, "ro")
fsconfig_set_string(<fsctx:erofs>, "source", "/dev/loop7")
fsconfig_create(<fsctx:erofs>)
fsmount(<fsctx:erofs>, FSMOUNT_CLOEXEC, RDONLY))");
  mnt->reset();
  image.reset();
  EXPECT_THAT(ops.open_fds(), IsEmpty());  // the loop fd is closed: autoclear owns it now
}

TEST(ImageMounterTest, NotBlockDeviceFallsBackToLoop) {
  FakeOps ops;
  UniqueFd image = ops.make_fd("img");
  ops.fail_next("fsconfig_create", ENOTBLK);  // image on tmpfs: no read_folio
  std::string how;
  auto mnt = mount_layer(ops, image.get(), {true, ""}, &how);
  ASSERT_TRUE(mnt) << mnt.error().message();
  EXPECT_EQ(how, "loop7");
  EXPECT_EQ(ops.calls("fsopen"), 2);
}

TEST(ImageMounterTest, LoopTakenMeanwhileIsRetried) {
  FakeOps ops;
  UniqueFd image = ops.make_fd("img");
  ops.fail_next("ioctl_loop_configure", EBUSY);
  std::string how;
  auto mnt = mount_layer(ops, image.get(), {false, ""}, &how);
  ASSERT_TRUE(mnt) << mnt.error().message();
  EXPECT_EQ(how, "loop8");
}

TEST(ImageMounterTest, OtherFileBackedErrorsAreNotRetried) {
  FakeOps ops;
  UniqueFd image = ops.make_fd("img");
  ops.fail_next("fsconfig_create", EINVAL);  // not an EROFS image
  auto mnt = mount_layer(ops, image.get(), {true, ""}, nullptr);
  ASSERT_FALSE(mnt);
  EXPECT_EQ(mnt.error().code(), EINVAL);
  EXPECT_EQ(ops.calls("ioctl_loop_ctl_get_free"), 0);
}

TEST(ImageMounterTest, LoopFailuresCloseEverything) {
  for (const char* name : {"openat", "ioctl_loop_ctl_get_free", "ioctl_loop_configure", "fsopen",
                           "fsconfig_set_flag", "fsconfig_set_string", "fsconfig_create", "fsmount"}) {
    FakeOps ops;
    UniqueFd image = ops.make_fd("img");
    ops.fail_next(name, EIO);
    auto mnt = mount_layer(ops, image.get(), {false, ""}, nullptr);
    ASSERT_FALSE(mnt) << name;
    EXPECT_EQ(mnt.error().code(), EIO);
    EXPECT_THAT(mnt.error().message(), HasSubstr(std::string(name) + "("));
    image.reset();
    EXPECT_THAT(ops.open_fds(), IsEmpty()) << name;
  }
}

TEST(ImageMounterTest, OpenLayerWantsARegularFile) {
  FakeOps ops;
  struct stat dir {};
  dir.st_mode = S_IFDIR | 0755;
  ops.set_stat("<path:/img/dir>", dir);
  auto r = open_layer(ops, "/img/dir");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), EINVAL);
  EXPECT_THAT(r.error().message(), HasSubstr("\"/img/dir\" is not a regular file"));
  const std::string img = testing::tiny_erofs_image();
  struct stat reg {};
  reg.st_mode = S_IFREG | 0644;
  reg.st_size = static_cast<off_t>(img.size());
  ops.set_stat("<path:/img/a.erofs>", reg);
  ops.set_file("<path:/img/a.erofs>", img);
  auto ok = open_layer(ops, "/img/a.erofs");
  ASSERT_TRUE(ok) << ok.error().message();
  EXPECT_THAT(ops.trace(), Contains(HasSubstr("fstat(<path:/img/a.erofs>)")));
  EXPECT_THAT(ops.trace().back(), HasSubstr("pread(")) << "the superblock is read after fstat";
}

TEST(ImageMounterTest, OpenLayerChecksTheSuperblockAndClosesTheFile) {
  const std::string img = testing::tiny_erofs_image();
  struct {
    std::string content;
    off_t size;
    const char* error;
  } cases[] = {
      {"", 0, "not an erofs image: 0 bytes"},
      {std::string(4096, 'x'), 4096, "not an erofs image: magic 0x78787878"},
      {img, static_cast<off_t>(img.size()) - 4096, "image truncated"},
  };
  for (const auto& c : cases) {
    FakeOps ops;
    struct stat reg {};
    reg.st_mode = S_IFREG | 0644;
    reg.st_size = c.size;
    ops.set_stat("<path:/img/bad.erofs>", reg);
    ops.set_file("<path:/img/bad.erofs>", c.content);
    auto r = open_layer(ops, "/img/bad.erofs");
    ASSERT_FALSE(r) << c.error;
    EXPECT_EQ(r.error().code(), EINVAL);
    EXPECT_THAT(r.error().message(), HasSubstr("image \"/img/bad.erofs\": erofs superblock: "));
    EXPECT_THAT(r.error().message(), HasSubstr(c.error));
    EXPECT_THAT(ops.open_fds(), IsEmpty()) << c.error;
  }
}

}  // namespace
}  // namespace grove::image
