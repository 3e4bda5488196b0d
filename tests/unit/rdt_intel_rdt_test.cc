// L0/L1 tests of linux.intelRdt over resctrl (rdt/intel_rdt.h): the mountinfo parser, runc's
// validation strings, the schemata text, the group setup/join/update/remove sequence under
// FakeOps (with injected failures), and the probe and setup against a fake resctrl tree in a
// mkdtemp directory (the injectable root: this host has no resctrl).

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "libcontainer/rdt/intel_rdt.h"
#include "libcontainer/sys/linux_ops.h"
#include "tests/support/fake_ops.h"
#include "tests/support/files.h"

namespace grove::rdt {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Pair;

constexpr const char* kMountinfo =
    "22 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw\n"
    "30 22 0:26 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n"
    "41 22 0:40 / /sys/fs/my\\040resctrl rw,relatime shared:20 - resctrl resctrl rw,cdp\n"
    "42 22 0:41 / /other rw - resctrl resctrl rw\n";

TEST(IntelRdtTest, FindsTheFirstResctrlMountAndDecodesEscapes) {
  EXPECT_EQ(find_resctrl_mount(kMountinfo), "/sys/fs/my resctrl");
  EXPECT_EQ(find_resctrl_mount("22 1 8:1 / / rw - ext4 /dev/sda1 rw\n"), std::nullopt);
  EXPECT_EQ(find_resctrl_mount(""), std::nullopt);
}

TEST(IntelRdtTest, CheckUsesRuncsStrings) {
  oci::IntelRdt rdt;
  Resctrl none;  // mounted, but the CPU offers nothing
  none.root = "/sys/fs/resctrl";
  EXPECT_THAT(check(rdt, std::nullopt).error().message(),
              HasSubstr("intelRdt is specified in config, but Intel RDT is not supported or "
                        "enabled"));
  EXPECT_TRUE(check(rdt, none));
  for (const char* bad : {".", "..", "a/b"}) {
    rdt.clos_id = bad;
    EXPECT_THAT(check(rdt, none).error().message(), HasSubstr("invalid intelRdt.ClosID"));
  }
  rdt.clos_id = "gold";
  rdt.l3_cache_schema = "L3:0=ff";
  EXPECT_THAT(check(rdt, none).error().message(),
              HasSubstr("intelRdt.l3CacheSchema is specified in config, but Intel RDT/CAT is "
                        "not enabled"));
  none.cat = true;
  EXPECT_TRUE(check(rdt, none));
  rdt.mem_bw_schema = "MB:0=50";
  EXPECT_THAT(check(rdt, none).error().message(),
              HasSubstr("intelRdt.memBwSchema is specified in config, but Intel RDT/MBA is not "
                        "enabled"));
  none.mba = true;
  rdt.enable_monitoring = true;
  EXPECT_THAT(check(rdt, none).error().message(), HasSubstr("intelRdt.enableMonitoring"));
  none.monitoring = true;
  EXPECT_TRUE(check(rdt, none));
  EXPECT_EQ(check(oci::IntelRdt{}, std::nullopt).error().code(), EINVAL);
}

TEST(IntelRdtTest, SchemataTextOrder) {
  EXPECT_EQ(schemata_text("L3:0=ff", "MB:0=50", {"L2:0=f", ""}), "L3:0=ff\nMB:0=50\nL2:0=f");
  EXPECT_EQ(schemata_text("", "MB:0=50", {}), "MB:0=50");
  EXPECT_EQ(schemata_text("", "", {}), "");
}

Resctrl full_host(const std::string& root) {
  Resctrl r;
  r.root = root;
  r.cat = r.mba = r.monitoring = true;
  return r;
}

TEST(IntelRdtTest, SetupMakesTheGroupWritesSchemataAndMovesThePid) {
  testing::FakeOps ops;
  oci::IntelRdt rdt;
  rdt.l3_cache_schema = "L3:0=ff";
  rdt.mem_bw_schema = "MB:0=50";
  rdt.enable_monitoring = true;
  auto g = setup(ops, rdt, full_host("/rc"), "c1", 4242);
  ASSERT_TRUE(g) << g.error().message();
  EXPECT_EQ(g->dir, "/rc/c1");  // no closID: the container id
  EXPECT_TRUE(g->created);
  EXPECT_EQ(g->mon_dir, "/rc/c1/mon_groups/c1");
  EXPECT_THAT(ops.writes(), ElementsAre(Pair("/rc/c1/schemata", "L3:0=ff\nMB:0=50"),
                                        Pair("/rc/c1/tasks", "4242"),
                                        Pair("/rc/c1/mon_groups/c1/tasks", "4242")));
  EXPECT_THAT(ops.trace_text(), HasSubstr("mkdirat(AT_FDCWD, \"/rc/c1\", 0755)"));
  EXPECT_THAT(ops.trace_text(), HasSubstr("mkdirat(AT_FDCWD, \"/rc/c1/mon_groups/c1\", 0755)"));
  // delete: monitoring group, then the group grove made.
  ops.clear_trace();
  ASSERT_TRUE(remove(ops, *g));
  EXPECT_THAT(ops.trace(), ElementsAre(HasSubstr("unlinkat(AT_FDCWD, \"/rc/c1/mon_groups/c1\""),
                                       HasSubstr("unlinkat(AT_FDCWD, \"/rc/c1\"")));
}

TEST(IntelRdtTest, ASharedClosGroupIsReusedAndKept) {
  testing::FakeOps ops;
  oci::IntelRdt rdt;
  rdt.clos_id = "gold";
  rdt.l3_cache_schema = "L3:0=f0";
  ops.fail_next("mkdirat", EEXIST);
  auto g = setup(ops, rdt, full_host("/rc"), "c1", 7);
  ASSERT_TRUE(g) << g.error().message();
  EXPECT_EQ(g->dir, "/rc/gold");
  EXPECT_FALSE(g->created);
  ops.clear_trace();
  ASSERT_TRUE(remove(ops, *g));
  EXPECT_TRUE(ops.trace().empty()) << ops.trace_text();  // someone else's group stays
}

TEST(IntelRdtTest, ClosWithoutSchemaMustExist) {
  testing::FakeOps ops;
  oci::IntelRdt rdt;
  rdt.clos_id = "gold";
  auto g = setup(ops, rdt, full_host("/rc"), "c1", 7);
  ASSERT_FALSE(g);
  EXPECT_EQ(g.error().code(), ENOENT);
  EXPECT_THAT(g.error().message(), HasSubstr("linux.intelRdt: clos dir \"/rc/gold\" not "
                                             "accessible (must be pre-created"));
  EXPECT_THAT(ops.trace_text(), Not(HasSubstr("mkdirat")));
}

TEST(IntelRdtTest, BadSchemaFailsAndRemovesWhatItMade) {
  testing::FakeOps ops;
  oci::IntelRdt rdt;
  rdt.l3_cache_schema = "L3:0=zz";
  ops.fail_next("write_file_at", EINVAL);  // the kernel's answer to a bad schema
  auto g = setup(ops, rdt, full_host("/rc"), "c1", 7);
  ASSERT_FALSE(g);
  EXPECT_EQ(g.error().code(), EINVAL);
  EXPECT_THAT(g.error().message(), HasSubstr("linux.intelRdt: write \"/rc/c1/schemata\""));
  EXPECT_THAT(ops.trace().back(), HasSubstr("unlinkat(AT_FDCWD, \"/rc/c1\", AT_REMOVEDIR)"));
}

TEST(IntelRdtTest, MonitoringFailureRemovesBothGroups) {
  testing::FakeOps ops;
  oci::IntelRdt rdt;
  rdt.enable_monitoring = true;
  ops.fail_at("write_file_at", 2, ESRCH);  // the group's tasks succeed, the monitoring group's fail
  auto g = setup(ops, rdt, full_host("/rc"), "c1", 7);
  ASSERT_FALSE(g);
  EXPECT_THAT(g.error().message(), HasSubstr("linux.intelRdt.enableMonitoring: write"));
  const std::string t = ops.trace_text();
  EXPECT_THAT(t, HasSubstr("unlinkat(AT_FDCWD, \"/rc/c1/mon_groups/c1\", AT_REMOVEDIR)"));
  EXPECT_THAT(t, HasSubstr("unlinkat(AT_FDCWD, \"/rc/c1\", AT_REMOVEDIR)"));
}

TEST(IntelRdtTest, PlanNamesTheGroupsBeforeAnythingIsMade) {
  testing::FakeOps ops;
  // FakeOps: /rc/c1 does not exist (fstatat ENOENT).
  oci::IntelRdt rdt;
  rdt.enable_monitoring = true;
  Group g = plan_group(ops, rdt, full_host("/rc"), "c1");
  EXPECT_EQ(g.dir, "/rc/c1");
  EXPECT_TRUE(g.created);  // recorded as grove's, so delete --force of a killed create removes it
  EXPECT_EQ(g.mon_dir, "/rc/c1/mon_groups/c1");
  EXPECT_THAT(ops.trace_text(), Not(HasSubstr("mkdirat")));
  // apply makes it, and says so.
  ASSERT_TRUE(apply(ops, rdt, g, 5));
  EXPECT_TRUE(g.created);
  EXPECT_THAT(ops.trace_text(), HasSubstr("mkdirat(AT_FDCWD, \"/rc/c1\", 0755)"));
}

TEST(IntelRdtTest, PlanLeavesClosGroupsUnclaimedUntilMade) {
  testing::FakeOps ops;
  oci::IntelRdt rdt;
  rdt.clos_id = "gold";
  rdt.l3_cache_schema = "L3:0=f0";
  Group g = plan_group(ops, rdt, full_host("/rc"), "c1");
  EXPECT_EQ(g.dir, "/rc/gold");
  EXPECT_FALSE(g.created);  // maybe another container's: only apply's own mkdir claims it
  EXPECT_TRUE(g.mon_dir.empty());
  ASSERT_TRUE(apply(ops, rdt, g, 5));
  EXPECT_TRUE(g.created);
  // A racing create made it first: apply reuses it and does not claim it.
  Group again = plan_group(ops, rdt, full_host("/rc"), "c2");
  ops.fail_next("mkdirat", EEXIST);
  ASSERT_TRUE(apply(ops, rdt, again, 6));
  EXPECT_FALSE(again.created);
}

TEST(IntelRdtTest, JoinAndUpdate) {
  testing::FakeOps ops;
  Group g{"/rc/c1", true, "/rc/c1/mon_groups/c1"};
  ASSERT_TRUE(join(ops, g, 99));
  ASSERT_TRUE(join(ops, Group{}, 99));  // no intelRdt: nothing
  ASSERT_TRUE(update_schemata(ops, g, "L3:0=3", ""));
  EXPECT_THAT(ops.writes(), ElementsAre(Pair("/rc/c1/tasks", "99"),
                                        Pair("/rc/c1/mon_groups/c1/tasks", "99"),
                                        Pair("/rc/c1/schemata", "L3:0=3")));
  EXPECT_EQ(update_schemata(ops, Group{}, "L3:0=3", "").error().code(), EINVAL);
}

// A fake resctrl tree: info/ entries say what the "CPU" offers, and a pre-made CLOS group has
// the files the kernel would show in it.
class IntelRdtTreeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/grove-rdt-test.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(root_); }
  void touch(const std::string& rel) {
    std::filesystem::create_directories(std::filesystem::path(root_ + "/" + rel).parent_path());
    std::ofstream(root_ + "/" + rel).flush();
  }
  void mkdir(const std::string& rel) { std::filesystem::create_directories(root_ + "/" + rel); }
  std::string root_;
  sys::LinuxOps ops_;
};

TEST_F(IntelRdtTreeTest, ProbeReadsInfo) {
  Resctrl bare = probe_root(ops_, root_);
  EXPECT_FALSE(bare.cat || bare.mba || bare.monitoring);
  mkdir("info/L3CODE");  // CDP on: no plain L3
  mkdir("info/MB");
  Resctrl some = probe_root(ops_, root_);
  EXPECT_TRUE(some.cat);
  EXPECT_TRUE(some.mba);
  EXPECT_FALSE(some.monitoring);
  mkdir("info/L3_MON");
  EXPECT_TRUE(probe_root(ops_, root_).monitoring);
}

TEST_F(IntelRdtTreeTest, SetupInAPreMadeClosGroup) {
  mkdir("info/L3");
  mkdir("info/MB");
  touch("gold/schemata");
  touch("gold/tasks");
  oci::IntelRdt rdt;
  rdt.clos_id = "gold";
  rdt.mem_bw_schema = "MB:0=40";
  rdt.schemata = {"L2:0=3"};
  Resctrl host = probe_root(ops_, root_);
  ASSERT_TRUE(check(rdt, host));
  auto g = setup(ops_, rdt, host, "c1", 1234);
  ASSERT_TRUE(g) << g.error().message();
  EXPECT_FALSE(g->created);
  EXPECT_EQ(testing::read_text_file(root_ + "/gold/schemata"), "MB:0=40\nL2:0=3");
  EXPECT_EQ(testing::read_text_file(root_ + "/gold/tasks"), "1234");
  ASSERT_TRUE(remove(ops_, *g));
  EXPECT_TRUE(std::filesystem::exists(root_ + "/gold"));  // not grove's: kept
}

TEST_F(IntelRdtTreeTest, NewGroupWithoutKernelFilesFailsAndLeavesNothing) {
  // A plain directory is not resctrl: the new group has no schemata file, so the write fails
  // with ENOENT, and the group grove made is removed again.
  mkdir("info/L3");
  oci::IntelRdt rdt;
  rdt.l3_cache_schema = "L3:0=ff";
  auto g = setup(ops_, rdt, probe_root(ops_, root_), "c2", 1);
  ASSERT_FALSE(g);
  EXPECT_EQ(g.error().code(), ENOENT);
  EXPECT_FALSE(std::filesystem::exists(root_ + "/c2"));
}

TEST_F(IntelRdtTreeTest, APlannedGroupIsRemovableWhereverCreateWasKilled) {
  mkdir("info/L3");
  oci::IntelRdt rdt;
  rdt.l3_cache_schema = "L3:0=ff";
  Resctrl host = probe_root(ops_, root_);
  const Group planned = plan_group(ops_, rdt, host, "c3");
  ASSERT_TRUE(planned.created);
  // Killed before the mkdir: delete --force finds nothing to remove and succeeds.
  ASSERT_TRUE(remove(ops_, planned));
  // Killed after it: the recorded group is removed.
  mkdir("c3");
  ASSERT_TRUE(remove(ops_, planned));
  EXPECT_FALSE(std::filesystem::exists(root_ + "/c3"));
  // A group of that name that was already there is not grove's.
  mkdir("c3");
  EXPECT_FALSE(plan_group(ops_, rdt, host, "c3").created);
}

}  // namespace
}  // namespace grove::rdt
