// L1: mount executors (libcontainer/mount/) against FakeOps: exact call traces per strategy,
// an injected failure at every step carries the op's describe() and the errno, no fd leaks.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>

#include "libcontainer/base/strings.h"
#include "libcontainer/mount/apply.h"
#include "libcontainer/mount/open_tree_ns.h"
#include "libcontainer/mount/pivot.h"
#include "tests/support/fake_ops.h"

namespace grove::mount {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::FakeOps;

plan::MountPlan small_plan(plan::Strategy s) {
  plan::MountPlan p;
  p.strategy = {s, "test"};
  plan::NewFsMount proc{"/proc", "proc", "proc", {}, {}, "", {}};
  proc.attrs.set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC;
  plan::NewFsMount dev{"/dev", "tmpfs", "tmpfs", {}, {"mode=755"}, "", {}};
  plan::BindMount data{"/srv/data", "/data", true, {MOUNT_ATTR_RDONLY, 0, 0, 0}, std::nullopt};
  p.ops = {proc,
           dev,
           data,
           plan::SetPropagation{"/data", plan::Propagation::kSlave, true},
           plan::MakeDevice{"/dev/null", 'c', 1, 3, 0666, 0, 0},
           plan::Symlink{"/dev/fd", "/proc/self/fd"},
           plan::ReadonlyPath{"/proc/sys"},
           plan::MaskPath{"/proc/kcore"},
           plan::RootReadonly{}};
  return p;
}

// openat2 flag renderings: a directory target, any target.
const std::string kDir = "O_RDONLY|O_DIRECTORY|O_PATH, RESOLVE_NO_MAGICLINKS|RESOLVE_IN_ROOT)";
const std::string kPath = "O_RDONLY|O_PATH, RESOLVE_NO_MAGICLINKS|RESOLVE_IN_ROOT)";

// The attach part shared by every strategy, with the root fd named `root`.
std::string attach_trace(const std::string& root) {
  std::string r = "<" + root + ">";
  return "umask(00)\n"
         "openat2(" + r + ", \"/proc\", " + kDir + "\n"
         "move_mount(<fs:proc>, \"\", <path:/proc>, \"\", F_EMPTY_PATH|T_EMPTY_PATH)\n"
         "openat2(" + r + ", \"/dev\", " + kDir + "\n"
         "move_mount(<fs:tmpfs>, \"\", <path:/dev>, \"\", F_EMPTY_PATH|T_EMPTY_PATH)\n"
         "fstat(<tree:/srv/data>)\n"
         "openat2(" + r + ", \"/data\", " + kDir + "\n"
         "move_mount(<tree:/srv/data>, \"\", <path:/data>, \"\", F_EMPTY_PATH|T_EMPTY_PATH)\n"
         "openat2(" + r + ", \"/data\", " + kPath + "\n"
         "mount_setattr(<path:/data>, \"\", AT_EMPTY_PATH|AT_RECURSIVE, propagation=SLAVE)\n"
         "openat2(" + r + ", \"/dev\", " + kDir + "\n"
         "mknodat(<path:/dev>, \"null\", S_IFCHR|0666, 1:3)\n"
         "fchownat(<path:/dev>, \"null\", 0, 0, AT_SYMLINK_NOFOLLOW)\n"
         "openat2(" + r + ", \"/dev\", " + kDir + "\n"
         "symlinkat(\"/proc/self/fd\", <path:/dev>, \"fd\")\n"
         "openat2(" + r + ", \"/proc/sys\", " + kPath + "\n"
         "open_tree(<path:/proc/sys>, \"\", "
         "OPEN_TREE_CLONE|OPEN_TREE_CLOEXEC|AT_EMPTY_PATH|AT_RECURSIVE)\n"
         "mount_setattr(<tree:path:/proc/sys>, \"\", AT_EMPTY_PATH|AT_RECURSIVE, RDONLY)\n"
         "move_mount(<tree:path:/proc/sys>, \"\", <path:/proc/sys>, \"\", "
         "F_EMPTY_PATH|T_EMPTY_PATH)\n"
         "openat2(" + r + ", \"/proc/kcore\", " + kPath + "\n"
         "fstat(<path:/proc/kcore>)\n"
         "move_mount(<tree:/dev/null>, \"\", <path:/proc/kcore>, \"\", F_EMPTY_PATH|T_EMPTY_PATH)\n"
         "mount_setattr(" + r + ", \"\", AT_EMPTY_PATH, RDONLY)\n"
         "umask(022)";
}

constexpr const char* kPrepareTrace =
    "fsopen(\"proc\", 1)\n"
    "fsconfig_set_string(<fsctx:proc>, \"source\", \"proc\")\n"
    "fsconfig_create(<fsctx:proc>)\n"
    "fsmount(<fsctx:proc>, FSMOUNT_CLOEXEC, NOSUID|NODEV|NOEXEC)\n"
    "fsopen(\"tmpfs\", 1)\n"
    "fsconfig_set_string(<fsctx:tmpfs>, \"source\", \"tmpfs\")\n"
    "fsconfig_set_string(<fsctx:tmpfs>, \"mode\", \"755\")\n"
    "fsconfig_create(<fsctx:tmpfs>)\n"
    "fsmount(<fsctx:tmpfs>, FSMOUNT_CLOEXEC, 0)\n"
    "open_tree(AT_FDCWD, \"/srv/data\", OPEN_TREE_CLONE|OPEN_TREE_CLOEXEC|AT_RECURSIVE)\n"
    "mount_setattr(<tree:/srv/data>, \"\", AT_EMPTY_PATH, RDONLY)\n"
    "open_tree(AT_FDCWD, \"/dev/null\", OPEN_TREE_CLONE|OPEN_TREE_CLOEXEC)\n"
    "fsopen(\"tmpfs\", 1)\n"
    "fsconfig_create(<fsctx:tmpfs>)\n"
    "fsmount(<fsctx:tmpfs>, FSMOUNT_CLOEXEC, RDONLY)\n";

struct stat file_stat() {
  struct stat st {};
  st.st_mode = S_IFREG | 0444;
  return st;
}

class MountExecTest : public ::testing::Test {
 protected:
  void SetUp() override {
    rootfs_ = ops_.make_fd("rootfs");
    ops_.set_stat("<path:/proc/kcore>", file_stat());
    ops_.set_stat("<tree:/srv/data>", [] {
      struct stat st {};
      st.st_mode = S_IFDIR | 0755;
      return st;
    }());
  }
  FakeOps ops_;
  UniqueFd rootfs_;
};

TEST_F(MountExecTest, PivotTrace) {
  plan::MountPlan p = small_plan(plan::Strategy::kPivot);
  p.rootfs_propagation = plan::Propagation::kShared;
  auto st = setup_rootfs(ops_, rootfs_.get(), p, {});
  ASSERT_TRUE(st) << st.error().message();
  std::string want =
      "mount_setattr(AT_FDCWD, \"/\", AT_RECURSIVE, propagation=SLAVE)\n"
      "open_tree(<rootfs>, \"\", OPEN_TREE_CLONE|OPEN_TREE_CLOEXEC|AT_EMPTY_PATH|AT_RECURSIVE)\n"
      "move_mount(<tree:rootfs>, \"\", <rootfs>, \"\", F_EMPTY_PATH|T_EMPTY_PATH)\n" +
      std::string(kPrepareTrace) + attach_trace("tree:rootfs") +
      "\nfchdir(<tree:rootfs>)\n"
      "pivot_root(\".\", \".\")\n"
      "umount2(\".\", MNT_DETACH)\n"
      "chdir(\"/\")\n"
      "mount_setattr(AT_FDCWD, \"/\", 0, propagation=SHARED)";
  EXPECT_EQ(ops_.trace_text(), want);
  rootfs_.reset();
  EXPECT_THAT(ops_.open_fds(), IsEmpty());
}

TEST_F(MountExecTest, ChrootTrace) {
  auto st = setup_rootfs(ops_, rootfs_.get(), small_plan(plan::Strategy::kChroot), {});
  ASSERT_TRUE(st) << st.error().message();
  std::string trace = ops_.trace_text();
  EXPECT_THAT(trace, HasSubstr(attach_trace("tree:rootfs") +
                               "\nfchdir(<tree:rootfs>)\n"
                               "move_mount(AT_FDCWD, \".\", AT_FDCWD, \"/\", 0)\n"
                               "chroot(\".\")\n"
                               "chdir(\"/\")"));
  EXPECT_EQ(ops_.calls("pivot_root"), 0);
  rootfs_.reset();
  EXPECT_THAT(ops_.open_fds(), IsEmpty());
}

TEST_F(MountExecTest, OpenTreeNamespaceTracePreopensBeforeSetns) {
  auto st = setup_rootfs(ops_, rootfs_.get(), small_plan(plan::Strategy::kOpenTreeNamespace), {});
  ASSERT_TRUE(st) << st.error().message();
  std::string want =
      "fstat(<rootfs>)\n"
      "unshare(CLONE_FS)\n" +
      std::string(kPrepareTrace) +
      "open_tree(<rootfs>, \"\", OPEN_TREE_NAMESPACE|OPEN_TREE_CLOEXEC|AT_EMPTY_PATH|"
      "AT_RECURSIVE)\n"
      "setns(<mntns:rootfs>, CLONE_NEWNS)\n"
      "openat(AT_FDCWD, \"/\", O_RDONLY|O_DIRECTORY|O_PATH, 00)\n"
      "mount_setattr(<path:/>, \"\", AT_EMPTY_PATH|AT_RECURSIVE, propagation=PRIVATE)\n" +
      attach_trace("path:/") + "\nchdir(\"/\")";
  EXPECT_EQ(ops_.trace_text(), want);
  // After setns nothing is looked up by a host path: every lookup is relative to the new root.
  std::string after = ops_.trace_text().substr(ops_.trace_text().find("setns("));
  EXPECT_EQ(after.find("AT_FDCWD, \"/srv"), std::string::npos);
  EXPECT_EQ(after.find("\"/dev/null\", OPEN_TREE"), std::string::npos);
  rootfs_.reset();
  EXPECT_THAT(ops_.open_fds(), IsEmpty());
}

// The hook point (createRuntime/createContainer hooks) sits between prepare_root and
// switch_root: phase 1 builds the whole tree and never switches the root; phase 2 only switches.
// Together they make exactly the trace of setup_rootfs.
TEST_F(MountExecTest, PrepareAndSwitchSplitAtTheRootSwitch) {
  struct Case {
    plan::Strategy strategy;
    const char* first_switch_call;  // the first call of phase 2
  };
  for (Case c : {Case{plan::Strategy::kPivot, "fchdir(<tree:rootfs>)"},
                 Case{plan::Strategy::kChroot, "fchdir(<tree:rootfs>)"},
                 Case{plan::Strategy::kOpenTreeNamespace, "chdir(\"/\")"}}) {
    SCOPED_TRACE(plan::to_string(c.strategy));
    plan::MountPlan p = small_plan(c.strategy);
    FakeOps whole;
    whole.set_stat("<path:/proc/kcore>", file_stat());
    struct stat dir {};
    dir.st_mode = S_IFDIR | 0755;
    whole.set_stat("<tree:/srv/data>", dir);
    UniqueFd whole_rootfs = whole.make_fd("rootfs");
    ASSERT_TRUE(setup_rootfs(whole, whole_rootfs.get(), p, {}));

    ops_.clear_trace();
    auto root = prepare_root(ops_, rootfs_.get(), p, {});
    ASSERT_TRUE(root) << root.error().message();
    std::vector<std::string> phase1 = ops_.trace();
    for (const std::string& line : phase1) {
      for (const char* call : {"pivot_root(", "chroot(", "chdir(", "fchdir("}) {
        EXPECT_NE(line.rfind(call, 0), 0u) << "phase 1 switched the root: " << line;
      }
    }
    EXPECT_EQ(root->tree.valid(), c.strategy != plan::Strategy::kOpenTreeNamespace);
    auto st = switch_root(ops_, p, *root);
    ASSERT_TRUE(st) << st.error().message();
    ASSERT_GT(ops_.trace().size(), phase1.size());
    EXPECT_EQ(ops_.trace()[phase1.size()], c.first_switch_call);
    EXPECT_FALSE(root->tree.valid());  // consumed
    EXPECT_EQ(ops_.trace(), whole.trace());
  }
}

TEST_F(MountExecTest, OpenTreeNamespaceRefusesNonDirectoryRootfs) {
  ops_.set_stat("<rootfs>", file_stat());
  auto st = setup_rootfs(ops_, rootfs_.get(), small_plan(plan::Strategy::kOpenTreeNamespace), {});
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code(), ENOTDIR);
  EXPECT_EQ(ops_.calls("open_tree"), 0);
}

// Every call of every strategy, failed in turn: the error carries the errno and the failing
// call, the op's describe() (or the strategy step), and no fd handed out stays open.
TEST(MountExecFailureTest, InjectedFailureAtEachStep) {
  for (plan::Strategy s : {plan::Strategy::kPivot, plan::Strategy::kChroot,
                           plan::Strategy::kOpenTreeNamespace}) {
    plan::MountPlan p = small_plan(s);
    std::vector<std::string> calls;
    {
      FakeOps ops;
      UniqueFd rootfs = ops.make_fd("rootfs");
      ops.set_stat("<path:/proc/kcore>", file_stat());
      ASSERT_TRUE(setup_rootfs(ops, rootfs.get(), p, {}));
      calls = ops.trace();
    }
    std::map<std::string, int> seen;
    for (const std::string& line : calls) {
      std::string name = line.substr(0, line.find('('));
      int nth = ++seen[name];
      if (name == "umask") continue;  // cannot fail
      FakeOps ops;
      UniqueFd rootfs = ops.make_fd("rootfs");
      ops.set_stat("<path:/proc/kcore>", file_stat());
      ops.fail_at(name, nth, EPERM);
      auto st = setup_rootfs(ops, rootfs.get(), p, {});
      SCOPED_TRACE(std::string(plan::to_string(s)) + ": " + line);
      ASSERT_FALSE(st);
      EXPECT_EQ(st.error().code(), EPERM);
      EXPECT_THAT(st.error().message(), HasSubstr(line));
      EXPECT_GE(st.error().frame_list().size(), 2u) << st.error().message();
      rootfs.reset();
      EXPECT_THAT(ops.open_fds(), IsEmpty());
    }
  }
}

TEST(MountExecFailureTest, FrameNamesTheOp) {
  FakeOps ops;
  UniqueFd rootfs = ops.make_fd("rootfs");
  ops.fail_next("move_mount", EPERM);
  plan::MountPlan p;
  p.ops = {plan::NewFsMount{"/tmp", "tmpfs", "", {}, {}, "", {}}};
  auto st = apply_mounts(ops, rootfs.get(), p);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code(), EPERM);
  EXPECT_THAT(st.error().message(),
              HasSubstr("mount tmpfs \"\" on \"/tmp\": move_mount(<fs:tmpfs>, \"\", <path:/tmp>"));
}

}  // namespace
}  // namespace grove::mount

namespace grove::mount {
namespace {

plan::MountPlan cgroup2_plan(std::string fallback) {
  plan::MountPlan p;
  p.strategy = {plan::Strategy::kPivot, "test"};
  plan::NewFsMount cg{"/sys/fs/cgroup", "cgroup2", "cgroup", {}, {}, "", {}};
  cg.attrs.set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID;
  cg.fallback_bind = std::move(fallback);
  p.ops = {cg};
  return p;
}

// A user namespace without its own cgroup namespace may not mount cgroup2 (EPERM at
// CMD_CREATE): the planned host path is bound recursively with the mount's attributes instead.
TEST(MountFallbackTest, Cgroup2RefusedWithEpermBindsTheFallback) {
  testing::FakeOps ops;
  ops.fail_next("fsconfig_create", EPERM);
  auto prepared = prepare_mounts(ops, cgroup2_plan("/sys/fs/cgroup"), ApplyInputs{});
  ASSERT_TRUE(prepared) << prepared.error().message();
  EXPECT_THAT(ops.trace_text(),
              HasSubstr("fsconfig_create(<fsctx:cgroup2>) = EPERM\n"
                        "open_tree(AT_FDCWD, \"/sys/fs/cgroup\", "
                        "OPEN_TREE_CLONE|OPEN_TREE_CLOEXEC|AT_RECURSIVE)\n"
                        "mount_setattr(<tree:/sys/fs/cgroup>, \"\", AT_EMPTY_PATH|AT_RECURSIVE, "
                        "RDONLY|NOSUID)"));
}

TEST(MountFallbackTest, OtherErrorsAndNoFallbackFailAsBefore) {
  {
    testing::FakeOps ops;
    ops.fail_next("fsconfig_create", EINVAL);
    auto prepared = prepare_mounts(ops, cgroup2_plan("/sys/fs/cgroup"), ApplyInputs{});
    ASSERT_FALSE(prepared);
    EXPECT_EQ(prepared.error().code(), EINVAL);
    EXPECT_THAT(ops.trace_text(), ::testing::Not(HasSubstr("open_tree")));
  }
  {
    testing::FakeOps ops;
    ops.fail_next("fsconfig_create", EPERM);
    auto prepared = prepare_mounts(ops, cgroup2_plan(""), ApplyInputs{});
    ASSERT_FALSE(prepared);
    EXPECT_EQ(prepared.error().code(), EPERM);
  }
  {
    // The fallback failing too: its error, with the first refusal named.
    testing::FakeOps ops;
    ops.fail_next("fsconfig_create", EPERM);
    ops.fail_next("open_tree", ENOENT);
    auto prepared = prepare_mounts(ops, cgroup2_plan("/sys/fs/cgroup/x"), ApplyInputs{});
    ASSERT_FALSE(prepared);
    EXPECT_EQ(prepared.error().code(), ENOENT);
    EXPECT_THAT(prepared.error().message(), HasSubstr("fallback after"));
    EXPECT_THAT(prepared.error().message(), HasSubstr("EPERM"));
  }
}

// maskedPaths share one prepared /dev/null clone and one read-only tmpfs (apply.h MaskSource):
// the first mask of each kind attaches the prepared mount, later ones a clone of it taken by fd,
// so no prepared mount is closed unused (each such close costs a synchronize_rcu_expedited).
TEST_F(MountExecTest, MasksShareOnePreparedMountPerKind) {
  plan::MountPlan p;
  p.strategy = {plan::Strategy::kChroot, "test"};
  p.ops = {plan::MaskPath{"/proc/kcore"}, plan::MaskPath{"/proc/acpi"},
           plan::MaskPath{"/proc/keys"}, plan::MaskPath{"/sys/firmware"}};
  struct stat dir {};
  dir.st_mode = S_IFDIR | 0755;
  ops_.set_stat("<path:/proc/keys>", file_stat());
  ops_.set_stat("<path:/proc/acpi>", dir);
  ops_.set_stat("<path:/sys/firmware>", dir);
  auto prepared = prepare_mounts(ops_, p, {});
  ASSERT_TRUE(prepared) << prepared.error().message();
  EXPECT_EQ(ops_.calls("open_tree"), 1);
  EXPECT_EQ(ops_.calls("fsmount"), 1);
  ops_.clear_trace();
  auto st = attach_mounts(ops_, rootfs_.get(), p, *prepared);
  ASSERT_TRUE(st) << st.error().message();
  const std::string t = ops_.trace_text();
  EXPECT_THAT(t, HasSubstr("move_mount(<tree:/dev/null>, \"\", <path:/proc/kcore>"));
  EXPECT_THAT(t, HasSubstr("move_mount(<fs:tmpfs>, \"\", <path:/proc/acpi>"));
  EXPECT_THAT(t, HasSubstr("open_tree(<tree:/dev/null>, \"\", OPEN_TREE_CLONE|OPEN_TREE_CLOEXEC|"
                           "AT_EMPTY_PATH)"));
  EXPECT_THAT(t, HasSubstr("open_tree(<fs:tmpfs>, \"\", OPEN_TREE_CLONE|OPEN_TREE_CLOEXEC|"
                           "AT_EMPTY_PATH)"));
  EXPECT_EQ(ops_.calls("move_mount"), 4);
  // Nothing looked up by a host path while attaching.
  EXPECT_EQ(t.find("AT_FDCWD, \"/dev/null\""), std::string::npos);
  prepared->ops.clear();
  rootfs_.reset();
  EXPECT_THAT(ops_.open_fds(), IsEmpty());
}

}  // namespace
}  // namespace grove::mount
