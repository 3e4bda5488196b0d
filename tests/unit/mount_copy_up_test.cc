// L1: tmpcopyup (mount/copy_up.h and the NewFsMount executor) against FakeOps: the copy reads the
// destination resolved inside the rootfs and fills the detached tmpfs before move_mount; owners
// and modes are kept; every failure names the path being copied and leaks no fd.

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <map>

#include "libcontainer/mount/apply.h"
#include "libcontainer/mount/copy_up.h"
#include "libcontainer/mount/open_tree_ns.h"
#include "tests/support/fake_ops.h"

namespace grove::mount {
namespace {

using testing::FakeOps;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

struct stat node(mode_t mode, uid_t uid = 0, gid_t gid = 0, dev_t rdev = 0) {
  struct stat st {};
  st.st_mode = mode;
  st.st_uid = uid;
  st.st_gid = gid;
  st.st_rdev = rdev;
  return st;
}

plan::MountPlan copy_up_plan(plan::Strategy s, std::vector<std::string> data = {}) {
  plan::MountPlan p;
  p.strategy = {s, "test"};
  plan::NewFsMount tmpfs{"/data", "tmpfs", "tmpfs", {}, std::move(data), "", {}};
  tmpfs.attrs.set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID;
  tmpfs.copy_up = true;
  p.ops = {tmpfs};
  return p;
}

// The rootfs's /data: a nested directory, a symlink, a 0600 file of 1234:1234, a fifo, a device.
void fake_tree(FakeOps& ops) {
  ops.set_stat("<path:/data>", node(S_IFDIR | 0750, 7, 8));
  ops.set_dir("<path:/data>", {"sub", "link", "file", "fifo", "null"});
  ops.set_stat("sub", node(S_IFDIR | 0555, 1, 2));
  ops.set_dir("<path:sub>", {"inner"});
  ops.set_stat("inner", node(S_IFREG | 04755));
  ops.set_stat("<path:inner>", node(S_IFREG | 04755));
  ops.set_stat("link", node(S_IFLNK | 0777, 3, 3));
  ops.set_link("link", "../../etc");
  ops.set_stat("file", node(S_IFREG | 0600, 1234, 1234));
  ops.set_stat("<path:file>", node(S_IFREG | 0600, 1234, 1234));
  ops.queue_read("path:file", "hello ");
  ops.queue_read("path:file", "world");
  ops.set_stat("fifo", node(S_IFIFO | 0640, 5, 6));
  ops.set_stat("null", node(S_IFCHR | 0666, 0, 0, makedev(1, 3)));
}

constexpr const char* kDir = "O_RDONLY|O_DIRECTORY|O_PATH, RESOLVE_NO_MAGICLINKS|RESOLVE_IN_ROOT)";

// The attach of the copy-up mount with the root fd `<root>`.
const char* kAttachTrace =
    "umask(00)\n"
    "openat2(<root>, \"/data\", O_RDONLY|O_DIRECTORY|O_PATH, "
    "RESOLVE_NO_MAGICLINKS|RESOLVE_IN_ROOT)\n"
    "openat(<fs:tmpfs>, \".\", O_RDONLY|O_DIRECTORY, 00)\n"
    "list_dir(<path:/data>, \"\")\n"
    "fstatat(<path:/data>, \"fifo\", AT_SYMLINK_NOFOLLOW)\n"
    "mknodat(<path:.>, \"fifo\", S_IFIFO|0640, 0:0)\n"
    "fchownat(<path:.>, \"fifo\", 5, 6, AT_SYMLINK_NOFOLLOW)\n"
    "fchmodat(<path:.>, \"fifo\", 0640, 0)\n"
    "fstatat(<path:/data>, \"file\", AT_SYMLINK_NOFOLLOW)\n"
    "openat(<path:/data>, \"file\", O_RDONLY|O_NOCTTY|O_NONBLOCK|O_NOFOLLOW, 00)\n"
    "fstat(<path:file>)\n"
    "openat(<path:.>, \"file\", O_WRONLY|O_CREAT|O_EXCL|O_NOFOLLOW, 0600)\n"
    "read(<path:file>, 131072)\n"
    "write(<path:file>, \"hello \")\n"
    "read(<path:file>, 131072)\n"
    "write(<path:file>, \"world\")\n"
    "read(<path:file>, 131072)\n"
    "fchownat(<path:file>, \"\", 1234, 1234, AT_EMPTY_PATH)\n"
    "fchmod(<path:file>, 0600)\n"
    "fstatat(<path:/data>, \"link\", AT_SYMLINK_NOFOLLOW)\n"
    "readlinkat(<path:/data>, \"link\")\n"
    "symlinkat(\"../../etc\", <path:.>, \"link\")\n"
    "fchownat(<path:.>, \"link\", 3, 3, AT_SYMLINK_NOFOLLOW)\n"
    "fstatat(<path:/data>, \"null\", AT_SYMLINK_NOFOLLOW)\n"
    "mknodat(<path:.>, \"null\", S_IFCHR|0666, 1:3)\n"
    "fchownat(<path:.>, \"null\", 0, 0, AT_SYMLINK_NOFOLLOW)\n"
    "fchmodat(<path:.>, \"null\", 0666, 0)\n"
    "fstatat(<path:/data>, \"sub\", AT_SYMLINK_NOFOLLOW)\n"
    "mkdirat(<path:.>, \"sub\", 0700)\n"
    "openat(<path:/data>, \"sub\", O_RDONLY|O_DIRECTORY|O_NOFOLLOW|O_PATH, 00)\n"
    "openat(<path:.>, \"sub\", O_RDONLY|O_DIRECTORY|O_NOFOLLOW, 00)\n"
    "list_dir(<path:sub>, \"\")\n"
    "fstatat(<path:sub>, \"inner\", AT_SYMLINK_NOFOLLOW)\n"
    "openat(<path:sub>, \"inner\", O_RDONLY|O_NOCTTY|O_NONBLOCK|O_NOFOLLOW, 00)\n"
    "fstat(<path:inner>)\n"
    "openat(<path:sub>, \"inner\", O_WRONLY|O_CREAT|O_EXCL|O_NOFOLLOW, 0600)\n"
    "read(<path:inner>, 131072)\n"
    "fchownat(<path:inner>, \"\", 0, 0, AT_EMPTY_PATH)\n"
    "fchmod(<path:inner>, 04755)\n"
    "fchownat(<path:sub>, \"\", 1, 2, AT_EMPTY_PATH)\n"
    "fchmod(<path:sub>, 0555)\n"
    "fstat(<path:/data>)\n"
    "fchmod(<path:.>, 0750)\n"
    "mount_setattr(<fs:tmpfs>, \"\", AT_EMPTY_PATH, RDONLY)\n"
    "move_mount(<fs:tmpfs>, \"\", <path:/data>, \"\", F_EMPTY_PATH|T_EMPTY_PATH)\n"
    "umask(022)";

TEST(CopyUpTest, CopiesTheTreeIntoTheDetachedTmpfsBeforeMoveMount) {
  FakeOps ops;
  UniqueFd root = ops.make_fd("root");
  fake_tree(ops);
  auto st = apply_mounts(ops, root.get(), copy_up_plan(plan::Strategy::kPivot));
  ASSERT_TRUE(st) << st.error().message();
  std::string want =
      "fsopen(\"tmpfs\", 1)\n"
      "fsconfig_set_string(<fsctx:tmpfs>, \"source\", \"tmpfs\")\n"
      "fsconfig_create(<fsctx:tmpfs>)\n"
      // Writable until the copy is done: RDONLY is set on the detached mount afterwards.
      "fsmount(<fsctx:tmpfs>, FSMOUNT_CLOEXEC, NOSUID)\n" +
      std::string(kAttachTrace);
  EXPECT_EQ(ops.trace_text(), want);
  EXPECT_EQ(ops.sent().at("<path:file>"), "hello world");
  root.reset();
  EXPECT_THAT(ops.open_fds(), IsEmpty());
}

// The same executor code runs for every strategy, inside the tree the strategy prepared.
TEST(CopyUpTest, EveryStrategyCopiesFromTheContainerTree) {
  for (plan::Strategy s :
       {plan::Strategy::kPivot, plan::Strategy::kChroot, plan::Strategy::kOpenTreeNamespace}) {
    SCOPED_TRACE(plan::to_string(s));
    FakeOps ops;
    UniqueFd rootfs = ops.make_fd("rootfs");
    fake_tree(ops);
    auto st = setup_rootfs(ops, rootfs.get(), copy_up_plan(s), {});
    ASSERT_TRUE(st) << st.error().message();
    std::string root = s == plan::Strategy::kOpenTreeNamespace ? "<path:/>" : "<tree:rootfs>";
    std::string attach = kAttachTrace;
    attach.replace(attach.find("<root>"), 6, root);
    EXPECT_THAT(ops.trace_text(), HasSubstr(attach));
    if (s == plan::Strategy::kOpenTreeNamespace) {
      // The source is read after setns, in the container's own tree.
      std::string t = ops.trace_text();
      EXPECT_LT(t.find("setns("), t.find("list_dir("));
    }
  }
}

TEST(CopyUpTest, MissingDestinationHasNothingToCopy) {
  FakeOps ops;
  UniqueFd root = ops.make_fd("root");
  ops.fail_next("openat2", ENOENT);
  auto st = apply_mounts(ops, root.get(), copy_up_plan(plan::Strategy::kPivot));
  ASSERT_TRUE(st) << st.error().message();
  EXPECT_EQ(ops.calls("list_dir"), 0);
  EXPECT_EQ(ops.calls("fchmod"), 0);  // the tmpfs keeps its own root mode
  EXPECT_EQ(ops.calls("mount_setattr"), 1);
  // open_in_root said ENOENT; mkdir_all_in_root makes the target (FakeOps: the second openat2).
  EXPECT_EQ(ops.calls("openat2"), 2);
  EXPECT_EQ(ops.calls("move_mount"), 1);
}

TEST(CopyUpTest, ExplicitModeOptionKeepsTheTmpfsRootMode) {
  EXPECT_TRUE(copy_up_root_mode({}));
  EXPECT_TRUE(copy_up_root_mode({"size=1m", "uid=5", "gid=5"}));
  EXPECT_FALSE(copy_up_root_mode({"size=1m", "mode=1777"}));
  EXPECT_TRUE(copy_up_root_mode({"modeX=1"}));

  FakeOps ops;
  UniqueFd root = ops.make_fd("root");
  ops.set_dir("<path:/data>", {});
  auto st = apply_mounts(ops, root.get(), copy_up_plan(plan::Strategy::kPivot, {"mode=1777"}));
  ASSERT_TRUE(st) << st.error().message();
  EXPECT_EQ(ops.calls("list_dir"), 1);
  EXPECT_EQ(ops.calls("fchmod"), 0);
  EXPECT_EQ(ops.calls("fchownat"), 0);
}

TEST(CopyUpTest, ErrorsNameThePathAndTheOp) {
  FakeOps ops;
  UniqueFd root = ops.make_fd("root");
  fake_tree(ops);
  ops.fail_next("write", ENOSPC);
  auto st = apply_mounts(ops, root.get(), copy_up_plan(plan::Strategy::kPivot));
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code(), ENOSPC);
  EXPECT_THAT(st.error().message(),
              HasSubstr("mount tmpfs \"tmpfs\" on \"/data\" attr=+ro|nosuid copy-up: "
                        "copy \"/data/file\": write(<path:file>"));
  EXPECT_EQ(ops.calls("move_mount"), 0);

  FakeOps nested;
  UniqueFd root2 = nested.make_fd("root");
  fake_tree(nested);
  nested.fail_next("fchmod", EPERM);  // the first fchmod is /data/file's
  nested.set_dir("<path:/data>", {"sub"});
  st = apply_mounts(nested, root2.get(), copy_up_plan(plan::Strategy::kPivot));
  ASSERT_FALSE(st);
  EXPECT_THAT(st.error().message(), HasSubstr("copy \"/data/sub/inner\": fchmod("));
  // One frame for the failing entry, not one per directory level.
  EXPECT_THAT(st.error().message(), ::testing::Not(HasSubstr("copy \"/data/sub\":")));
}

// A device node where mknod is not allowed (a user namespace without CAP_MKNOD) fails the
// mount naming the node, like runc and crun; it is not skipped.
TEST(CopyUpTest, DeviceThatCannotBeMadeIsAnError) {
  FakeOps ops;
  UniqueFd root = ops.make_fd("root");
  fake_tree(ops);
  ops.fail_at("mknodat", 2, EPERM);  // the first is the fifo, the second /data/null
  auto st = apply_mounts(ops, root.get(), copy_up_plan(plan::Strategy::kPivot));
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code(), EPERM);
  EXPECT_THAT(st.error().message(),
              HasSubstr("copy \"/data/null\": mknodat(<path:.>, \"null\", S_IFCHR|0666, 1:3)"));
  EXPECT_EQ(ops.calls("move_mount"), 0);
}

TEST(CopyUpTest, RegularFileThatChangedTypeIsRefused) {
  FakeOps ops;
  UniqueFd root = ops.make_fd("root");
  ops.set_dir("<path:/data>", {"file"});
  ops.set_stat("file", node(S_IFREG | 0644));
  ops.set_stat("<path:file>", node(S_IFIFO | 0644));  // swapped between fstatat and open
  auto st = apply_mounts(ops, root.get(), copy_up_plan(plan::Strategy::kPivot));
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code(), ESTALE);
  EXPECT_THAT(st.error().message(), HasSubstr("copy \"/data/file\": changed type"));
  EXPECT_EQ(ops.calls("read"), 0);
}

// Every call of the copy failed in turn: the errno and the failing call are reported, the mount
// is never attached, and no fd handed out stays open.
TEST(CopyUpTest, InjectedFailureAtEachStep) {
  std::vector<std::string> calls;
  {
    FakeOps ops;
    UniqueFd root = ops.make_fd("root");
    fake_tree(ops);
    ASSERT_TRUE(apply_mounts(ops, root.get(), copy_up_plan(plan::Strategy::kPivot)));
    calls = ops.trace();
  }
  std::map<std::string, int> seen;
  for (const std::string& line : calls) {
    std::string name = line.substr(0, line.find('('));
    int nth = ++seen[name];
    if (name == "umask") continue;  // cannot fail
    SCOPED_TRACE(line);
    FakeOps ops;
    UniqueFd root = ops.make_fd("root");
    fake_tree(ops);
    ops.fail_at(name, nth, EIO);
    auto st = apply_mounts(ops, root.get(), copy_up_plan(plan::Strategy::kPivot));
    ASSERT_FALSE(st);
    EXPECT_EQ(st.error().code(), EIO);
    EXPECT_THAT(st.error().message(), HasSubstr(line));
    if (name != "move_mount") {
      EXPECT_EQ(ops.calls("move_mount"), 0);
    }
    root.reset();
    EXPECT_THAT(ops.open_fds(), IsEmpty());
  }
}

}  // namespace
}  // namespace grove::mount
