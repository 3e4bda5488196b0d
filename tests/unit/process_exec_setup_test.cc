// L0/L1 tests of the init's pure helpers and FakeOps call sequences: fd closing, executable
// lookup, capability/rlimit names, clone flags, id maps, exec fifo decoding.

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <sys/resource.h>

#include <climits>

#include "libcontainer/process/exec_setup.h"
#include "libcontainer/process/init.h"
#include "libcontainer/process/spawn.h"
#include "libcontainer/process/sync.h"
#include "tests/support/fake_ops.h"

namespace grove::process {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

struct stat exec_file(mode_t mode) {
  struct stat st = {};
  st.st_mode = S_IFREG | mode;
  return st;
}

TEST(ProcessFdsTest, ClosesEveryGapAroundKeptFds) {
  testing::FakeOps ops;
  ASSERT_TRUE(close_fds_except(ops, {0, 1, 2, 7, 3, 7, -1}));
  std::string max = std::to_string(UINT_MAX);
  EXPECT_THAT(ops.trace(), ElementsAre("close_range(4, 6, 0)", "close_range(8, " + max + ", 0)"));
}

TEST(ProcessFdsTest, NothingKeptClosesAll) {
  testing::FakeOps ops;
  ASSERT_TRUE(close_fds_except(ops, {}));
  EXPECT_THAT(ops.trace(), ElementsAre("close_range(0, " + std::to_string(UINT_MAX) + ", 0)"));
}

TEST(ProcessFdsTest, InheritedFdsAndListenFds) {
  EXPECT_THAT(inherited_fds(0), ElementsAre(0, 1, 2));
  EXPECT_THAT(inherited_fds(2), ElementsAre(0, 1, 2, 3, 4));
  EXPECT_EQ(listen_fds({"A=1", "LISTEN_FDS=3"}), 3);
  EXPECT_EQ(listen_fds({"LISTEN_FDS=x"}), 0);
  EXPECT_EQ(listen_fds({}), 0);
}

TEST(ProcessExecTest, LooksUpPathLikeRunc) {
  testing::FakeOps ops;
  ops.set_stat("/usr/bin/sh", exec_file(0644));  // not executable: skipped
  ops.set_stat("/bin/sh", exec_file(0755));
  auto exe = find_executable(ops, "sh", {"PATH=/usr/bin:/bin"});
  ASSERT_TRUE(exe) << exe.error().message();
  EXPECT_EQ(*exe, "/bin/sh");
}

TEST(ProcessExecTest, DefaultPathAndNotFoundMessage) {
  testing::FakeOps ops;
  ops.set_stat("/usr/local/bin/tool", exec_file(0755));
  EXPECT_EQ(*find_executable(ops, "tool", {}), "/usr/local/bin/tool");
  auto missing = find_executable(ops, "nope", {});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code(), ENOENT);
  EXPECT_EQ(missing.error().message(), "exec: \"nope\": executable file not found in $PATH");
}

TEST(ProcessExecTest, SlashNameIsUsedAsIs) {
  testing::FakeOps ops;
  ops.set_stat("/app/run", exec_file(0700));
  EXPECT_EQ(*find_executable(ops, "/app/run", {}), "/app/run");
  auto missing = find_executable(ops, "./other", {});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code(), ENOENT);
  ops.set_stat("/app/data", exec_file(0644));
  EXPECT_EQ(find_executable(ops, "/app/data", {}).error().code(), EACCES);
}

TEST(ProcessExecTest, CapabilityAndRlimitNames) {
  EXPECT_EQ(*capability_number("CAP_CHOWN"), 0);
  EXPECT_EQ(*capability_number("CAP_SYS_ADMIN"), 21);
  EXPECT_EQ(capability_number("CAP_NOPE").error().code(), EINVAL);
  EXPECT_EQ(capability_number("SYS_ADMIN").error().code(), EINVAL);
  EXPECT_EQ(*rlimit_resource("RLIMIT_NOFILE"), RLIMIT_NOFILE);
  EXPECT_EQ(rlimit_resource("RLIMIT_BOGUS").error().code(), EINVAL);
}

TEST(ProcessExecTest, UserSetupOrderWithKeepCaps) {
  testing::FakeOps ops;
  oci::User u;
  u.uid = 1000;
  u.gid = 100;
  u.additional_gids = {10, 20};
  ASSERT_TRUE(apply_user(ops, u, /*keep_caps=*/true));
  ASSERT_EQ(ops.trace().size(), 5u);
  EXPECT_THAT(ops.trace()[0], HasSubstr("setgroups("));
  EXPECT_THAT(ops.trace()[1], HasSubstr("setresgid(100, 100, 100)"));
  EXPECT_THAT(ops.trace()[2], HasSubstr("keepcaps"));
  EXPECT_THAT(ops.trace()[3], HasSubstr("setresuid(1000, 1000, 1000)"));
  EXPECT_THAT(ops.trace()[4], HasSubstr("keepcaps"));
}

TEST(ProcessExecTest, UserSetupFailureStopsBeforeUid) {
  testing::FakeOps ops;
  ops.fail_next("setresgid", EPERM);
  auto r = apply_user(ops, oci::User{}, false);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), EPERM);
  EXPECT_EQ(ops.calls("setresuid"), 0);
}

TEST(ProcessSpawnTest, CloneFlagsOnlyForNewNamespaces) {
  oci::Spec spec;
  spec.linux = oci::Linux{};
  spec.linux->namespaces = {{oci::NamespaceType::kPid, ""},
                            {oci::NamespaceType::kMount, ""},
                            {oci::NamespaceType::kNetwork, "/proc/1/ns/net"},
                            {oci::NamespaceType::kUts, ""}};
  EXPECT_EQ(clone_flags(spec), static_cast<uint64_t>(CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS));
  EXPECT_EQ(clone_flags(oci::Spec{}), 0u);
  // open-tree-namespace: the mount namespace comes from open_tree + setns, not from clone.
  plan::MountPlan otn;
  otn.strategy.strategy = plan::Strategy::kOpenTreeNamespace;
  EXPECT_EQ(clone_flags(spec, &otn), static_cast<uint64_t>(CLONE_NEWPID | CLONE_NEWUTS));
  plan::MountPlan pivot;
  pivot.strategy.strategy = plan::Strategy::kPivot;
  EXPECT_EQ(clone_flags(spec, &pivot), clone_flags(spec));
}

TEST(ProcessSpawnTest, JoinedNamespacesOpenUserFirst) {
  testing::FakeOps ops;
  oci::Spec spec;
  spec.linux = oci::Linux{};
  spec.linux->namespaces = {{oci::NamespaceType::kNetwork, "/run/netns/a"},
                            {oci::NamespaceType::kPid, "/proc/9/ns/pid"},
                            {oci::NamespaceType::kUser, "/proc/9/ns/user"}};
  auto joins = open_join_namespaces(ops, spec);
  ASSERT_TRUE(joins) << joins.error().message();
  ASSERT_EQ(joins->size(), 2u);  // pid is joined by the parent, not the init
  EXPECT_EQ((*joins)[0].second.nstype, CLONE_NEWUSER);
  EXPECT_EQ((*joins)[1].second.nstype, CLONE_NEWNET);
  testing::FakeOps failing;
  failing.fail_next("openat", ENOENT);
  auto r = open_join_namespaces(failing, spec);
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().message(), HasSubstr("linux.namespaces \"network\" \"/run/netns/a\""));
}

TEST(ProcessSpawnTest, IdMapFormat) {
  EXPECT_EQ(format_id_map({{0, 100000, 65536}, {65536, 1000, 1}}),
            "0 100000 65536\n65536 1000 1\n");
}

TEST(ProcessInitTest, FifoResultMarkerIsSuccessEofAloneIsDeath) {
  // The marker then EOF: init reached its last steps and exec'd.
  EXPECT_TRUE(decode_fifo_result(std::string(1, kExecMarker)));
  // EOF with nothing: init died (killed) after opening the fifo, before the marker.
  auto died = decode_fifo_result("");
  ASSERT_FALSE(died);
  EXPECT_EQ(died.error().code(), ESRCH);
  EXPECT_THAT(died.error().message(), HasSubstr("exited before exec"));
}

TEST(ProcessInitTest, FifoResultErrorBeforeOrAfterMarkerIsInitError) {
  Error e = Error::from_errno(EACCES, "execve(\"/bin/x\")");
  char buf[kSyncMaxMessage];
  std::size_t n = encode_sync(SyncKind::kError, 0, &e, buf, sizeof buf);
  ASSERT_GT(n, 0u);
  ASSERT_NE(buf[0], kExecMarker) << "a sync message must not start with the marker byte";
  for (const std::string& data : {std::string(buf, n), kExecMarker + std::string(buf, n)}) {
    auto r = decode_fifo_result(data);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), EACCES);
    EXPECT_EQ(r.error().message(),
              "container init: execve(\"/bin/x\"): EACCES (Permission denied)");
  }
  // Garbage that is not a sync message, with or without the marker.
  EXPECT_EQ(decode_fifo_result("00").error().code(), EPROTO);
  EXPECT_EQ(decode_fifo_result("x").error().code(), EPROTO);
}

}  // namespace
}  // namespace grove::process
