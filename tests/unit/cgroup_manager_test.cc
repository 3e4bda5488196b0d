// L1: the cgroupfs manager against FakeOps (libcontainer/cgroup/manager.h): directories made
// level by level, v2 controllers enabled in ancestors, v1 cpuset inherited, writes routed to the
// right hierarchy, freeze undone on timeout, cgroup.kill with its fallback, rmdir retried.

#include "libcontainer/cgroup/manager.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include "tests/support/fake_ops.h"

namespace grove::cgroup {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;
using testing::FakeOps;

Dirs hybrid() {
  Dirs d;
  d.path = "/grove-test/c1";
  d.unified = "/cg/unified/grove-test/c1";
  d.v1["memory"] = "/cg/memory/grove-test/c1";
  d.v1["cpuset"] = "/cg/cpuset/grove-test/c1";
  d.v1["freezer"] = "/cg/freezer/grove-test/c1";
  return d;
}

Dirs unified() {
  Dirs d;
  d.path = "/grove-test/c1";
  d.unified = "/cg/grove-test/c1";
  return d;
}

TEST(CgroupManagerTest, CreateOnV2EnablesControllersInAncestorsOnly) {
  FakeOps ops;
  ops.set_file("/cg/cgroup.controllers", "cpu memory pids\n");
  ASSERT_TRUE(create(ops, unified()));
  EXPECT_EQ(ops.calls("mkdirat"), 2);
  EXPECT_THAT(ops.writes(),
              ElementsAre(Pair("/cg/cgroup.subtree_control", "+cpu +memory +pids"),
                          Pair("/cg/grove-test/cgroup.subtree_control", "+cpu +memory +pids")));
}

TEST(CgroupManagerTest, CreateOnV2FallsBackToOneControllerAtATime) {
  FakeOps ops;
  ops.set_file("/cg/cgroup.controllers", "cpu memory\n");
  ops.fail_next("write_file_at", EOPNOTSUPP);
  ASSERT_TRUE(create(ops, unified()));
  EXPECT_THAT(ops.writes(), ElementsAre(Pair("/cg/cgroup.subtree_control", "+cpu"),
                                        Pair("/cg/cgroup.subtree_control", "+memory"),
                                        Pair("/cg/grove-test/cgroup.subtree_control",
                                             "+cpu +memory")));
}

TEST(CgroupManagerTest, CreateOnV1CopiesCpusetFromTheParent) {
  FakeOps ops;
  for (const char* f : {"cpuset.cpus", "cpuset.mems"}) {
    ops.set_file(std::string("/cg/cpuset/") + f, "0-1\n");
    ops.set_file(std::string("/cg/cpuset/grove-test/") + f, "\n");
    ops.set_file(std::string("/cg/cpuset/grove-test/c1/") + f, "\n");
  }
  ASSERT_TRUE(create(ops, hybrid()));
  EXPECT_THAT(ops.writes(), ElementsAre(Pair("/cg/cpuset/grove-test/cpuset.cpus", "0-1"),
                                        Pair("/cg/cpuset/grove-test/c1/cpuset.cpus", "0-1"),
                                        Pair("/cg/cpuset/grove-test/cpuset.mems", "0-1"),
                                        Pair("/cg/cpuset/grove-test/c1/cpuset.mems", "0-1")));
  // An existing level with its own sets passes those down.
  FakeOps mid;
  for (const char* f : {"cpuset.cpus", "cpuset.mems"}) {
    mid.set_file(std::string("/cg/cpuset/") + f, "0-1\n");
    mid.set_file(std::string("/cg/cpuset/grove-test/") + f, "1\n");
    mid.set_file(std::string("/cg/cpuset/grove-test/c1/") + f, "\n");
  }
  ASSERT_TRUE(create(mid, hybrid()));
  EXPECT_THAT(mid.writes(), ElementsAre(Pair("/cg/cpuset/grove-test/c1/cpuset.cpus", "1"),
                                        Pair("/cg/cpuset/grove-test/c1/cpuset.mems", "1")));
}

TEST(CgroupManagerTest, CreateToleratesExistingDirsAndReportsOtherErrors) {
  FakeOps ops;
  ops.set_file("/cg/cgroup.controllers", "");
  ops.fail_next("mkdirat", EEXIST);
  EXPECT_TRUE(create(ops, unified()));
  ops.fail_next("mkdirat", EACCES);
  Status st = create(ops, unified());
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code(), EACCES);
  EXPECT_THAT(st.error().message(), HasSubstr("create cgroup \"/cg/grove-test/c1\""));
}

TEST(CgroupManagerTest, EnterSkipsTheUnifiedDirWhenClonedIntoIt) {
  FakeOps ops;
  ASSERT_TRUE(enter(ops, hybrid(), 42, true));
  EXPECT_THAT(ops.writes(), ElementsAre(Pair("/cg/cpuset/grove-test/c1/cgroup.procs", "42"),
                                        Pair("/cg/freezer/grove-test/c1/cgroup.procs", "42"),
                                        Pair("/cg/memory/grove-test/c1/cgroup.procs", "42")));
}

TEST(CgroupManagerTest, ApplyRoutesWritesAndNamesTheFailingOne) {
  FakeOps ops;
  std::vector<Write> plan = {{Hierarchy::kV1, "memory", "memory.limit_in_bytes", "1024"},
                             {Hierarchy::kUnified, "", "cgroup.freeze", "0"}};
  ASSERT_TRUE(apply(ops, hybrid(), plan));
  EXPECT_THAT(ops.writes(),
              ElementsAre(Pair("/cg/memory/grove-test/c1/memory.limit_in_bytes", "1024"),
                          Pair("/cg/unified/grove-test/c1/cgroup.freeze", "0")));
  Status missing = apply(ops, hybrid(), {{Hierarchy::kV1, "hugetlb", "hugetlb.2MB.limit_in_bytes",
                                          "0"}});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code(), ENOTSUP);
  EXPECT_THAT(missing.error().message(), HasSubstr("\"hugetlb\" is not mounted"));
}

// runc fs/cpu.go: cpu.shares is read back; a value the kernel clamped is reported with its bound.
TEST(CgroupManagerTest, ApplyReadsBackAndReportsAClampedValue) {
  Dirs d = hybrid();
  d.v1["cpu"] = "/cg/cpu/grove-test/c1";
  Write shares{Hierarchy::kV1, "cpu", "cpu.shares", "500000"};
  shares.read_back = true;
  FakeOps ops;
  ops.set_file("/cg/cpu/grove-test/c1/cpu.shares", "262144\n");
  Status high = apply(ops, d, {shares});
  ASSERT_FALSE(high);
  EXPECT_THAT(high.error().message(), HasSubstr("the maximum allowed cpu-shares is 262144"));
  shares.value = "1";
  ops.set_file("/cg/cpu/grove-test/c1/cpu.shares", "2\n");
  Status low = apply(ops, d, {shares});
  ASSERT_FALSE(low);
  EXPECT_THAT(low.error().message(), HasSubstr("the minimum allowed cpu-shares is 2"));
  shares.value = "2";
  EXPECT_TRUE(apply(ops, d, {shares}));
}

TEST(CgroupManagerTest, FreezeUsesTheV1FreezerAndWaitsForFrozen) {
  FakeOps ops;
  ops.set_file("/cg/freezer/grove-test/c1/freezer.state", "FROZEN\n");
  ASSERT_TRUE(freeze(ops, hybrid(), true));
  EXPECT_THAT(ops.writes(), ElementsAre(Pair("/cg/freezer/grove-test/c1/freezer.state", "FROZEN")));
  EXPECT_TRUE(*is_frozen(ops, hybrid()));
}

TEST(CgroupManagerTest, FreezeThatNeverCompletesIsUndone) {
  FakeOps ops;
  ops.set_file("/cg/grove-test/c1/cgroup.events", "populated 1\nfrozen 0\n");
  Status st = freeze(ops, unified(), true);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code(), EBUSY);
  EXPECT_THAT(ops.writes(), ElementsAre(Pair("/cg/grove-test/c1/cgroup.freeze", "1"),
                                        Pair("/cg/grove-test/c1/cgroup.freeze", "0")));
}

TEST(CgroupManagerTest, KillAllUsesCgroupKillAndFallsBackToSignallingEachPid) {
  FakeOps ops;
  ASSERT_TRUE(kill_all(ops, unified(), SIGKILL));
  EXPECT_THAT(ops.writes(), ElementsAre(Pair("/cg/grove-test/c1/cgroup.kill", "1")));
  EXPECT_EQ(ops.calls("kill"), 0);

  // Kernel < 5.14: no cgroup.kill (ENOENT), and here no freezer either (cgroup.freeze ENOENT):
  // every listed pid is signalled.
  FakeOps old;
  old.fail_next("write_file_at", ENOENT);
  old.fail_next("write_file_at", ENOENT);
  old.set_file("/cg/grove-test/c1/cgroup.procs", "7\n9\n");
  Status st = kill_all(old, unified(), SIGKILL);
  ASSERT_TRUE(st) << st.error().message();
  EXPECT_EQ(old.calls("kill"), 2);
  EXPECT_THAT(old.trace_text(), HasSubstr("kill(7, SIGKILL)"));
}

TEST(CgroupManagerTest, DestroyRetriesBusyAndIgnoresMissing) {
  FakeOps ops;
  ops.fail_next("unlinkat", EBUSY);
  ops.fail_next("unlinkat", ENOENT);
  ASSERT_TRUE(destroy(ops, hybrid()));
  EXPECT_EQ(ops.calls("unlinkat"), 5);  // 4 directories, one retried
  FakeOps busy;
  busy.fail_always("unlinkat", EBUSY);
  Status st = destroy(busy, unified());
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code(), EBUSY);
  EXPECT_THAT(st.error().message(), HasSubstr("remove cgroup \"/cg/grove-test/c1\""));
}

TEST(CgroupManagerTest, PidsComeFromTheUnifiedDirFirst) {
  FakeOps ops;
  ops.set_file("/cg/unified/grove-test/c1/cgroup.procs", "1\n23\n");
  auto p = pids(ops, hybrid());
  ASSERT_TRUE(p);
  EXPECT_THAT(*p, ElementsAre(1, 23));
  ops.set_file("/cg/unified/grove-test/c1/cgroup.procs", "1\nx\n");
  EXPECT_FALSE(pids(ops, hybrid()));
}

}  // namespace
}  // namespace grove::cgroup
