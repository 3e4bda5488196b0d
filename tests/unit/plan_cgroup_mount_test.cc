// L0: a "cgroup" mount on hybrid and legacy hosts (plan/cgroup_mount.h): the view computed from
// the host layout and the container's directories (container/cgroups.h cgroup_mount_view) and
// the ops planned from it (runc's mountCgroupV1), against golden lines; pure v2 unchanged.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "libcontainer/base/strings.h"
#include "libcontainer/cgroup/layout.h"
#include "libcontainer/cgroup/manager.h"
#include "libcontainer/container/cgroups.h"
#include "libcontainer/mount/open_tree_ns.h"
#include "libcontainer/plan/mount_plan.h"
#include "oci/default_spec.h"
#include "tests/support/fake_ops.h"

namespace grove::plan {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// This project's CI machine: separate v1 hierarchies, name=systemd, an empty cgroup2.
constexpr const char* kHybridMountinfo =
    "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
    "33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct\n"
    "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
    "39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
    "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd\n"
    "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";

// A legacy host with co-mounted controllers (the usual systemd layout without cgroup2).
constexpr const char* kLegacyMountinfo =
    "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "32 31 0:29 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd\n"
    "33 31 0:30 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct\n"
    "34 31 0:31 / /sys/fs/cgroup/net_cls,net_prio rw,relatime - cgroup cgroup "
    "rw,net_cls,net_prio\n"
    "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n";

constexpr const char* kUnifiedMountinfo =
    "31 23 0:28 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n";

sys::Features features() {
  sys::Features f;
  f.new_mount_api = sys::Probe::yes();
  f.mount_setattr = sys::Probe::yes();
  f.openat2 = sys::Probe::yes();
  f.open_tree_namespace = sys::Probe::no("open_tree(OPEN_TREE_NAMESPACE): EINVAL (kernel < 7.0)");
  f.cgroup_layout = sys::CgroupLayout::kHybrid;
  return f;
}

cgroup::Layout layout_of(const char* mountinfo) {
  auto l = cgroup::parse_layout(mountinfo);
  EXPECT_TRUE(l) << l.error().message();
  return l ? *l : cgroup::Layout{};
}

// The container "/grove-test/c1" on a host: its view, as create computes it.
std::optional<CgroupView> view_of(const char* mountinfo) {
  cgroup::Layout layout = layout_of(mountinfo);
  auto dirs = cgroup::plan_dirs(layout, {}, "/grove-test/c1");
  EXPECT_TRUE(dirs) << dirs.error().message();
  return container::cgroup_mount_view(layout, dirs ? *dirs : cgroup::Dirs{});
}

oci::Spec cgroup_spec(std::vector<std::string> options) {
  oci::Spec spec = oci::default_spec(false);
  spec.mounts.back().options = std::move(options);  // the default spec's /sys/fs/cgroup
  return spec;
}

MountPlan plan_ok(const oci::Spec& spec, std::optional<CgroupView> view,
                  const sys::Features& f = features()) {
  PlanOptions o;
  o.cgroup_view = std::move(view);
  auto r = plan_mounts(spec, f, o);
  EXPECT_TRUE(r) << r.error().message();
  return r ? *r : MountPlan{};
}

// The describe() lines of the ops at or below /sys/fs/cgroup.
std::vector<std::string> cgroup_lines(const MountPlan& plan) {
  std::vector<std::string> out;
  for (const MountOp& op : plan.ops) {
    std::string line = describe(op);
    if (line.find("\"/sys/fs/cgroup") != std::string::npos) out.push_back(line);
  }
  return out;
}

void expect_golden(const MountPlan& plan, const std::string& name) {
  std::string path = std::string(GROVE_SOURCE_DIR) + "/tests/data/plan/" + name + ".golden";
  std::string actual = join(describe(plan), "\n") + "\n";
  if (std::getenv("GROVE_UPDATE_GOLDENS") != nullptr) {
    std::ofstream(path) << actual;
    return;
  }
  std::ifstream in(path);
  ASSERT_TRUE(in) << "missing golden " << path;
  std::stringstream want;
  want << in.rdbuf();
  EXPECT_EQ(actual, want.str()) << "golden " << name << " differs";
}

TEST(CgroupMountViewTest, HybridHostBindsEachHierarchyAndTheCgroup2Directory) {
  auto view = view_of(kHybridMountinfo);
  ASSERT_TRUE(view);
  std::vector<CgroupViewDir> want = {
      {"cpu", "/sys/fs/cgroup/cpu/grove-test/c1", {}},
      {"cpuacct", "/sys/fs/cgroup/cpuacct/grove-test/c1", {}},
      {"memory", "/sys/fs/cgroup/memory/grove-test/c1", {}},
      {"pids", "/sys/fs/cgroup/pids/grove-test/c1", {}},
      {"systemd", "/sys/fs/cgroup/systemd/grove-test/c1", {}},
      {"unified", "/sys/fs/cgroup/unified/grove-test/c1", {}},
  };
  EXPECT_EQ(view->dirs, want);
}

TEST(CgroupMountViewTest, LegacyHostLinksEachCoMountedController) {
  auto view = view_of(kLegacyMountinfo);
  ASSERT_TRUE(view);
  std::vector<CgroupViewDir> want = {
      {"systemd", "/sys/fs/cgroup/systemd/grove-test/c1", {}},
      {"cpu,cpuacct", "/sys/fs/cgroup/cpu,cpuacct/grove-test/c1", {"cpu", "cpuacct"}},
      {"net_cls,net_prio",
       "/sys/fs/cgroup/net_cls,net_prio/grove-test/c1",
       {"net_cls", "net_prio"}},
      {"memory", "/sys/fs/cgroup/memory/grove-test/c1", {}},
  };
  EXPECT_EQ(view->dirs, want);
}

TEST(CgroupMountViewTest, NoDirectoriesIsAnEmptyViewOnV1HostsOnly) {
  for (const char* mi : {kHybridMountinfo, kLegacyMountinfo}) {
    auto view = container::cgroup_mount_view(layout_of(mi), cgroup::Dirs{});
    ASSERT_TRUE(view) << mi;
    EXPECT_TRUE(view->dirs.empty()) << mi;
  }
  // Pure v2 (and no cgroups at all): no view, the mount stays a cgroup2 instance.
  EXPECT_FALSE(view_of(kUnifiedMountinfo));
  EXPECT_FALSE(container::cgroup_mount_view(layout_of(kUnifiedMountinfo), cgroup::Dirs{}));
  EXPECT_FALSE(container::cgroup_mount_view(cgroup::Layout{}, cgroup::Dirs{}));
}

TEST(CgroupMountViewTest, RepeatedNamesAndCollidingLinksAreLeftOut) {
  cgroup::Layout layout = layout_of(
      "32 31 0:29 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n"
      "33 31 0:30 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpuacct,net_cls\n"
      "34 31 0:31 / /mnt/other/cpu rw - cgroup cgroup rw,memory\n");
  auto dirs = cgroup::plan_dirs(layout, {}, "/c");
  ASSERT_TRUE(dirs);
  auto view = container::cgroup_mount_view(layout, *dirs);
  ASSERT_TRUE(view);
  std::vector<CgroupViewDir> want = {
      {"cpu", "/sys/fs/cgroup/cpu/c", {}},
      {"cpu,cpuacct", "/sys/fs/cgroup/cpu,cpuacct/c", {"cpuacct"}},
  };
  EXPECT_EQ(view->dirs, want);
}

TEST(PlanCgroupMountTest, HybridReadOnlyGolden) {
  MountPlan plan = plan_ok(oci::default_spec(false), view_of(kHybridMountinfo));
  expect_golden(plan, "cgroup_hybrid_pivot");
  // tmpfs, a bind per hierarchy, then the read-only remount of the whole view, nothing after.
  EXPECT_THAT(cgroup_lines(plan),
              ElementsAre("mount tmpfs \"tmpfs\" on \"/sys/fs/cgroup\" attr=+nosuid|nodev|noexec "
                          "data=\"mode=755\"",
                          "rbind \"/sys/fs/cgroup/cpu/grove-test/c1\" on \"/sys/fs/cgroup/cpu\" "
                          "attr=+ro|nosuid|nodev|noexec|relatime",
                          "rbind \"/sys/fs/cgroup/cpuacct/grove-test/c1\" on "
                          "\"/sys/fs/cgroup/cpuacct\" attr=+ro|nosuid|nodev|noexec|relatime",
                          "rbind \"/sys/fs/cgroup/memory/grove-test/c1\" on "
                          "\"/sys/fs/cgroup/memory\" attr=+ro|nosuid|nodev|noexec|relatime",
                          "rbind \"/sys/fs/cgroup/pids/grove-test/c1\" on \"/sys/fs/cgroup/pids\" "
                          "attr=+ro|nosuid|nodev|noexec|relatime",
                          "rbind \"/sys/fs/cgroup/systemd/grove-test/c1\" on "
                          "\"/sys/fs/cgroup/systemd\" attr=+ro|nosuid|nodev|noexec|relatime",
                          "rbind \"/sys/fs/cgroup/unified/grove-test/c1\" on "
                          "\"/sys/fs/cgroup/unified\" attr=+ro|nosuid|nodev|noexec|relatime",
                          "readonly \"/sys/fs/cgroup\""));
}

TEST(PlanCgroupMountTest, LegacyCoMountedControllersGetSymlinks) {
  MountPlan plan =
      plan_ok(cgroup_spec({"nosuid", "noexec", "nodev", "ro"}), view_of(kLegacyMountinfo));
  EXPECT_THAT(
      cgroup_lines(plan),
      ElementsAre(
          "mount tmpfs \"tmpfs\" on \"/sys/fs/cgroup\" attr=+nosuid|nodev|noexec "
          "data=\"mode=755\"",
          "rbind \"/sys/fs/cgroup/systemd/grove-test/c1\" on \"/sys/fs/cgroup/systemd\" "
          "attr=+ro|nosuid|nodev|noexec",
          "rbind \"/sys/fs/cgroup/cpu,cpuacct/grove-test/c1\" on \"/sys/fs/cgroup/cpu,cpuacct\" "
          "attr=+ro|nosuid|nodev|noexec",
          "rbind \"/sys/fs/cgroup/net_cls,net_prio/grove-test/c1\" on "
          "\"/sys/fs/cgroup/net_cls,net_prio\" attr=+ro|nosuid|nodev|noexec",
          "rbind \"/sys/fs/cgroup/memory/grove-test/c1\" on \"/sys/fs/cgroup/memory\" "
          "attr=+ro|nosuid|nodev|noexec",
          "symlink \"/sys/fs/cgroup/cpu\" -> \"cpu,cpuacct\"",
          "symlink \"/sys/fs/cgroup/cpuacct\" -> \"cpu,cpuacct\"",
          "symlink \"/sys/fs/cgroup/net_cls\" -> \"net_cls,net_prio\"",
          "symlink \"/sys/fs/cgroup/net_prio\" -> \"net_cls,net_prio\"",
          "readonly \"/sys/fs/cgroup\""));
}

TEST(PlanCgroupMountTest, LegacyHostNeedsNoCgroup2Support) {
  sys::Features f = features();
  f.cgroup_layout = sys::CgroupLayout::kLegacy;
  // Without a view a legacy host has nothing to mount (no cgroup2); with one it works.
  PlanOptions none;
  auto refused = plan_mounts(oci::default_spec(false), f, none);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code(), ENOTSUP);
  EXPECT_THAT(refused.error().message(), HasSubstr("mounts[6] \"/sys/fs/cgroup\""));
  EXPECT_EQ(cgroup_lines(plan_ok(oci::default_spec(false), view_of(kLegacyMountinfo), f)).size(),
            10u);
}

TEST(PlanCgroupMountTest, ReadWriteViewStaysWritableWithPropagation) {
  MountPlan plan = plan_ok(cgroup_spec({"nosuid", "rw", "rslave"}), view_of(kLegacyMountinfo));
  std::vector<std::string> lines = cgroup_lines(plan);
  ASSERT_EQ(lines.size(), 10u);
  EXPECT_EQ(lines[1],
            "rbind \"/sys/fs/cgroup/systemd/grove-test/c1\" on "
            "\"/sys/fs/cgroup/systemd\" attr=+nosuid,-ro");
  EXPECT_EQ(lines[8], "symlink \"/sys/fs/cgroup/net_prio\" -> \"net_cls,net_prio\"");
  // No read-only remount; the spec's propagation goes on the tmpfs, recursively, last.
  EXPECT_EQ(lines[9], "propagation \"/sys/fs/cgroup\" rslave");
}

TEST(PlanCgroupMountTest, NoDirectoriesMountsOnlyAReadOnlyTmpfs) {
  for (auto options : {std::vector<std::string>{"ro"}, std::vector<std::string>{"rw"}}) {
    MountPlan plan = plan_ok(cgroup_spec(options), CgroupView{});
    EXPECT_THAT(cgroup_lines(plan), ElementsAre("mount tmpfs \"tmpfs\" on \"/sys/fs/cgroup\" "
                                                "attr=+ro|nosuid|nodev|noexec data=\"mode=755\""))
        << options[0];
  }
}

TEST(PlanCgroupMountTest, UnifiedOnlyHostKeepsAFreshCgroup2Instance) {
  sys::Features f = features();
  f.cgroup_layout = sys::CgroupLayout::kUnified;
  MountPlan plan = plan_ok(oci::default_spec(false), view_of(kUnifiedMountinfo), f);
  EXPECT_THAT(cgroup_lines(plan), ElementsAre("mount cgroup2 \"cgroup\" on \"/sys/fs/cgroup\" "
                                              "attr=+ro|nosuid|nodev|noexec|relatime"));
  // The whole plan is today's (the VM suite's) runc default plan.
  expect_golden(plan, "runc_default_pivot");
}

// Pure v2: the fallback bind (runc's mountCgroupV2) for a user namespace that may not mount
// cgroup2: the container's directory with a cgroup namespace, else the host's mount point; none
// on v1 hosts (they have a view).
TEST(Cgroup2FallbackTest, ContainerDirectoryWithACgroupNamespaceElseTheHostMountPoint) {
  cgroup::Layout v2 = layout_of(kUnifiedMountinfo);
  auto dirs = cgroup::plan_dirs(v2, {}, "/grove-test/c1");
  ASSERT_TRUE(dirs);
  EXPECT_EQ(container::cgroup2_fallback(v2, *dirs, true), "/sys/fs/cgroup/grove-test/c1");
  EXPECT_EQ(container::cgroup2_fallback(v2, *dirs, false), "/sys/fs/cgroup");
  EXPECT_EQ(container::cgroup2_fallback(v2, cgroup::Dirs{}, true), "/sys/fs/cgroup");
  cgroup::Layout hybrid = layout_of(kHybridMountinfo);
  auto hdirs = cgroup::plan_dirs(hybrid, {}, "/grove-test/c1");
  ASSERT_TRUE(hdirs);
  EXPECT_EQ(container::cgroup2_fallback(hybrid, *hdirs, true), "");
}

TEST(Cgroup2FallbackTest, PlannedOnTheCgroup2Mount) {
  sys::Features f = features();
  f.cgroup_layout = sys::CgroupLayout::kUnified;
  PlanOptions o;
  o.cgroup2_fallback = "/sys/fs/cgroup";
  auto plan = plan_mounts(oci::default_spec(false), f, o);
  ASSERT_TRUE(plan) << plan.error().message();
  EXPECT_THAT(cgroup_lines(*plan),
              ElementsAre("mount cgroup2 \"cgroup\" on \"/sys/fs/cgroup\" "
                          "attr=+ro|nosuid|nodev|noexec|relatime fallback-rbind=\"/sys/fs/cgroup\""));
}

TEST(PlanCgroupMountTest, TmpfsTakesTheMountLabel) {
  sys::Features f = features();
  f.selinux = sys::Probe::yes();
  oci::Spec spec = cgroup_spec({"ro"});
  spec.linux->mount_label = "system_u:object_r:container_file_t:s0:c1,c2";
  MountPlan plan = plan_ok(spec, view_of(kHybridMountinfo), f);
  EXPECT_THAT(cgroup_lines(plan).front(),
              HasSubstr("label=\"system_u:object_r:container_file_t:s0:c1,c2\""));
}

TEST(PlanCgroupMountTest, BadViewIsRefusedNamingTheMount) {
  std::vector<CgroupView> bad = {
      {{{"a/b", "/sys/fs/cgroup/x", {}}}},
      {{{"..", "/sys/fs/cgroup/x", {}}}},
      {{{"memory", "relative/dir", {}}}},
      {{{"memory", "/m", {}}, {"cpu", "/c", {"memory"}}}},
      {{{"cpu", "/c", {""}}}},
  };
  for (const CgroupView& v : bad) {
    PlanOptions o;
    o.cgroup_view = v;
    auto r = plan_mounts(oci::default_spec(false), features(), o);
    ASSERT_FALSE(r) << v.dirs.front().name;
    EXPECT_EQ(r.error().code(), EINVAL);
    EXPECT_THAT(r.error().message(), HasSubstr("mounts[6] \"/sys/fs/cgroup\": cgroup view"));
  }
}

// L1: the binds' sources are host paths; with open-tree-namespace they are cloned before setns
// (the host tree is unreachable after it) and attached inside the new root, in plan order.
TEST(PlanCgroupMountTest, OpenTreeNamespaceClonesTheHostDirectoriesBeforeSetns) {
  sys::Features f = features();
  f.open_tree_namespace = sys::Probe::yes();
  oci::Spec spec = cgroup_spec({"ro", "nosuid"});
  spec.mounts = {spec.mounts.back()};
  spec.linux->masked_paths.clear();
  spec.linux->readonly_paths.clear();
  MountPlan plan = plan_ok(spec, view_of(kLegacyMountinfo), f);
  ASSERT_EQ(plan.strategy.strategy, Strategy::kOpenTreeNamespace);
  testing::FakeOps ops;
  UniqueFd rootfs = ops.make_fd("rootfs");
  auto st = mount::setup_rootfs(ops, rootfs.get(), plan, {});
  ASSERT_TRUE(st) << st.error().message();
  const std::string trace = ops.trace_text();
  const std::size_t setns = trace.find("setns(");
  ASSERT_NE(setns, std::string::npos) << trace;
  for (const char* dir : {"systemd", "cpu,cpuacct", "net_cls,net_prio", "memory"}) {
    const std::string clone = std::string("open_tree(AT_FDCWD, \"/sys/fs/cgroup/") + dir +
                              "/grove-test/c1\", OPEN_TREE_CLONE|OPEN_TREE_CLOEXEC|AT_RECURSIVE)";
    EXPECT_LT(trace.find(clone), setns) << dir << "\n" << trace;
    const std::string attach = std::string("move_mount(<tree:/sys/fs/cgroup/") + dir +
                               "/grove-test/c1>, \"\", <path:/sys/fs/cgroup/" + dir + ">";
    std::size_t at = trace.find(attach);
    EXPECT_NE(at, std::string::npos) << attach << "\n" << trace;
    EXPECT_GT(at, setns) << dir;
  }
  EXPECT_EQ(trace.substr(setns).find("AT_FDCWD, \"/sys"), std::string::npos) << trace;
  EXPECT_THAT(trace, HasSubstr("symlinkat(\"cpu,cpuacct\", <path:/sys/fs/cgroup>, \"cpuacct\")"));
  // The read-only step comes last: a recursive read-only clone of the whole view.
  EXPECT_THAT(trace, HasSubstr("mount_setattr(<tree:path:/sys/fs/cgroup>, \"\", "
                               "AT_EMPTY_PATH|AT_RECURSIVE, RDONLY)"));
  rootfs.reset();
  EXPECT_THAT(ops.open_fds(), ::testing::IsEmpty());
}

}  // namespace
}  // namespace grove::plan
