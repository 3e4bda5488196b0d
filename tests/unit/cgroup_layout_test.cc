// L0: cgroup layout parsing and runc's cgroupsPath rules (libcontainer/cgroup/layout.h).

#include "libcontainer/cgroup/layout.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "libcontainer/cgroup/manager.h"

namespace grove::cgroup {
namespace {

using ::testing::HasSubstr;

// This project's CI machine (hybrid: v1 controllers, an empty cgroup2 at .../unified).
constexpr std::string_view kHybrid =
    "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
    "33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct\n"
    "34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset\n"
    "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
    "36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices\n"
    "37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer\n"
    "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd\n"
    "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";

// A Debian/systemd v2 host, with a container's bind of a sub-cgroup that must be ignored.
constexpr std::string_view kUnified =
    "25 1 0:22 / / rw - ext4 /dev/sda1 rw\n"
    "30 25 0:26 / /sys/fs/cgroup rw,nosuid shared:9 - cgroup2 cgroup2 rw,nsdelegate\n"
    "90 25 0:26 /system.slice/x /mnt/cg rw - cgroup2 cgroup2 rw\n";

// Debian's old co-mounted layout.
constexpr std::string_view kLegacy =
    "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n"
    "35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory,clone_children\n";

TEST(CgroupLayoutTest, HybridHost) {
  auto l = parse_layout(kHybrid);
  ASSERT_TRUE(l) << l.error().message();
  EXPECT_EQ(l->mode(), Mode::kHybrid);
  EXPECT_EQ(l->unified, "/sys/fs/cgroup/unified");
  ASSERT_EQ(l->v1.size(), 7u);
  EXPECT_EQ(l->v1[6], (V1Mount{"/sys/fs/cgroup/systemd", {"name=systemd"}}));
  ASSERT_NE(l->v1_mount("memory"), nullptr);
  EXPECT_EQ(l->v1_mount("memory")->mountpoint, "/sys/fs/cgroup/memory");
  EXPECT_EQ(l->v1_mount("hugetlb"), nullptr);
}

TEST(CgroupLayoutTest, UnifiedHostIgnoresBindsOfSubCgroups) {
  auto l = parse_layout(kUnified);
  ASSERT_TRUE(l);
  EXPECT_EQ(l->mode(), Mode::kUnifiedOnly);
  EXPECT_EQ(l->unified, "/sys/fs/cgroup");
  EXPECT_TRUE(l->v1.empty());
}

TEST(CgroupLayoutTest, LegacyCoMountedControllersAndOptionsThatAreNotControllers) {
  auto l = parse_layout(kLegacy);
  ASSERT_TRUE(l);
  EXPECT_EQ(l->mode(), Mode::kLegacy);
  ASSERT_EQ(l->v1.size(), 2u);
  EXPECT_EQ(l->v1[0].controllers, (std::vector<std::string>{"cpu", "cpuacct"}));
  EXPECT_EQ(l->v1[1].controllers, (std::vector<std::string>{"memory"}));
  EXPECT_EQ(parse_layout("")->mode(), Mode::kNone);
}

TEST(CgroupLayoutTest, MalformedMountinfoNamesTheLine) {
  auto l = parse_layout("1 2 3 / /x rw - cgroup2 c rw\ngarbage\n");
  ASSERT_FALSE(l);
  EXPECT_EQ(l.error().code(), EINVAL);
  EXPECT_THAT(l.error().message(), HasSubstr("line 2"));
}

TEST(CgroupLayoutTest, ProcSelfCgroup) {
  auto m = parse_proc_cgroup("9:name=systemd:/\n4:memory:/process_api/92\n2:cpu,cpuacct:/a\n0::/\n");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->at(""), "/");
  EXPECT_EQ(m->at("memory"), "/process_api/92");
  EXPECT_EQ(m->at("cpuacct"), "/a");
  EXPECT_EQ(m->at("name=systemd"), "/");
  EXPECT_FALSE(parse_proc_cgroup("nonsense\n"));
}

TEST(CgroupLayoutTest, CleanPathLikeRunc) {
  EXPECT_EQ(clean_path("/a/b/../c//d/."), "/a/c/d");
  EXPECT_EQ(clean_path("/../../x"), "/x");
  EXPECT_EQ(clean_path("../../etc/x"), "etc/x");
  EXPECT_EQ(clean_path("a/./b/"), "a/b");
  EXPECT_EQ(clean_path("/"), "/");
  EXPECT_EQ(clean_path(""), "");
}

TEST(CgroupLayoutTest, ContainerPath) {
  EXPECT_EQ(*container_path("", "c1"), "/c1");
  EXPECT_EQ(*container_path("/grove-test/../grove-test/c1", "c1"), "/grove-test/c1");
  EXPECT_EQ(*container_path("pod/c1", "c1"), "pod/c1");
  auto root = container_path("/..", "c1");
  ASSERT_FALSE(root);
  EXPECT_THAT(root.error().message(), HasSubstr("linux.cgroupsPath"));
  auto systemd = container_path("machine.slice:libpod:abc", "c1");
  ASSERT_FALSE(systemd);
  EXPECT_EQ(systemd.error().code(), ENOTSUP);
  EXPECT_THAT(systemd.error().message(), HasSubstr("systemd"));
}

TEST(CgroupLayoutTest, ResolveDir) {
  EXPECT_EQ(resolve_dir("/sys/fs/cgroup", "/a/b", "/user.slice/x", true), "/sys/fs/cgroup/a/b");
  // Relative on v2: under the parent of the own cgroup (runc fs2); on v1: under the own cgroup.
  EXPECT_EQ(resolve_dir("/sys/fs/cgroup", "c1", "/user.slice/x", true),
            "/sys/fs/cgroup/user.slice/c1");
  EXPECT_EQ(resolve_dir("/sys/fs/cgroup/memory", "c1", "/p/q", false),
            "/sys/fs/cgroup/memory/p/q/c1");
  EXPECT_EQ(resolve_dir("/sys/fs/cgroup", "c1", "/", true), "/sys/fs/cgroup/c1");
}

TEST(CgroupLayoutTest, PlanDirsHybridPutsEveryHierarchyAndTheUnifiedDir) {
  auto l = parse_layout(kHybrid);
  ASSERT_TRUE(l);
  auto d = plan_dirs(*l, {}, "/grove-test/c1");
  ASSERT_TRUE(d) << d.error().message();
  EXPECT_EQ(d->unified, "/sys/fs/cgroup/unified/grove-test/c1");
  EXPECT_EQ(d->v1.at("memory"), "/sys/fs/cgroup/memory/grove-test/c1");
  EXPECT_EQ(d->v1.at("name=systemd"), "/sys/fs/cgroup/systemd/grove-test/c1");
  EXPECT_EQ(d->all().size(), 8u);
  EXPECT_EQ(d->all().front(), d->unified);
  EXPECT_EQ(from_record(d->path, to_record(*d)), *d);
}

TEST(CgroupLayoutTest, PlanDirsCoMountedShareOneDirAndRelativeUsesOwnCgroup) {
  auto l = parse_layout(kLegacy);
  ASSERT_TRUE(l);
  auto d = plan_dirs(*l, {{"cpu", "/own"}, {"cpuacct", "/own"}, {"memory", "/m"}}, "c1");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->unified, "");
  EXPECT_EQ(d->v1.at("cpu"), "/sys/fs/cgroup/cpu,cpuacct/own/c1");
  EXPECT_EQ(d->v1.at("cpuacct"), d->v1.at("cpu"));
  EXPECT_EQ(d->v1.at("memory"), "/sys/fs/cgroup/memory/m/c1");
  EXPECT_EQ(d->all().size(), 2u);
}

TEST(CgroupLayoutTest, PlanDirsWithoutCgroupsIsNotSupported) {
  auto d = plan_dirs(Layout{}, {}, "/c1");
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().code(), ENOTSUP);
}

}  // namespace
}  // namespace grove::cgroup
