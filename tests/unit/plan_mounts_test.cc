// L0: the mount planner (plan/mount_plan.h): golden describe() lines for runc's default specs,
// strategy selection, validation errors.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "libcontainer/base/strings.h"
#include "libcontainer/plan/mount_plan.h"
#include "oci/default_spec.h"

namespace grove::plan {
namespace {

using ::testing::HasSubstr;

sys::Features host_features() {  // this VM: 6.18, hybrid cgroups
  sys::Features f;
  f.new_mount_api = sys::Probe::yes();
  f.mount_setattr = sys::Probe::yes();
  f.openat2 = sys::Probe::yes();
  f.idmapped_mounts = sys::Probe::yes();
  f.open_tree_namespace = sys::Probe::no("open_tree(OPEN_TREE_NAMESPACE): EINVAL (kernel < 7.0)");
  f.cgroup_layout = sys::CgroupLayout::kHybrid;
  return f;
}

sys::Features otn_features() {
  sys::Features f = host_features();
  f.open_tree_namespace = sys::Probe::yes();
  return f;
}

std::string golden_path(const std::string& name) {
  return std::string(GROVE_SOURCE_DIR) + "/tests/data/plan/" + name + ".golden";
}

// Compares the plan's printed form with tests/data/plan/<name>.golden. GROVE_UPDATE_GOLDENS=1
// rewrites the file instead (then review the diff).
void expect_golden(const MountPlan& plan, const std::string& name) {
  std::string actual = join(describe(plan), "\n") + "\n";
  if (std::getenv("GROVE_UPDATE_GOLDENS") != nullptr) {
    std::ofstream(golden_path(name)) << actual;
    return;
  }
  std::ifstream in(golden_path(name));
  ASSERT_TRUE(in) << "missing golden " << golden_path(name);
  std::stringstream want;
  want << in.rdbuf();
  EXPECT_EQ(actual, want.str()) << "golden " << name << " differs";
}

MountPlan plan_ok(const oci::Spec& spec, const sys::Features& f, const PlanOptions& o = {}) {
  auto r = plan_mounts(spec, f, o);
  EXPECT_TRUE(r) << r.error().message();
  return r ? *r : MountPlan{};
}

Error plan_err(const oci::Spec& spec, const sys::Features& f = host_features(),
               const PlanOptions& o = {}) {
  auto r = plan_mounts(spec, f, o);
  EXPECT_FALSE(r);
  return r ? Error::invalid("planned") : r.error();
}

TEST(PlanMountsTest, RuncDefaultSpecPivotGolden) {
  expect_golden(plan_ok(oci::default_spec(false), host_features()), "runc_default_pivot");
}

TEST(PlanMountsTest, RuncDefaultSpecOpenTreeNamespaceGolden) {
  MountPlan plan = plan_ok(oci::default_spec(false), otn_features());
  EXPECT_EQ(plan.strategy.strategy, Strategy::kOpenTreeNamespace);
  expect_golden(plan, "runc_default_otn");
}

TEST(PlanMountsTest, RuncRootlessSpecGolden) {
  MountPlan plan = plan_ok(oci::default_spec(true, 1000, 1000), otn_features());
  // A user namespace keeps the pivot strategy and binds devices from the host.
  EXPECT_EQ(plan.strategy.strategy, Strategy::kPivot);
  expect_golden(plan, "runc_rootless");
}

TEST(PlanMountsTest, OptionsBindsDevicesAndPropagationGolden) {
  oci::Spec spec = oci::default_spec(false);
  spec.process->terminal = true;
  spec.root->readonly = false;
  spec.mounts.push_back({"/data/", "bind", "vol", {"rbind", "ro", "rnosuid", "rslave"}, {}, {}});
  spec.mounts.push_back({"/etc/hosts", "", "/etc/hosts", {"bind", "rw", "noatime"}, {}, {}});
  spec.mounts.push_back({"/run", "tmpfs", "tmpfs", {"nodev", "sync", "mode=700"}, {}, {}});
  spec.mounts.push_back({"/var/tmp", "tmpfs", "tmpfs", {"tmpcopyup", "nosuid", "ro"}, {}, {}});
  spec.mounts.push_back({"/mnt/id", "bind", "/srv/id", {"bind", "idmap"},
                         {{0, 100000, 65536}}, {{0, 100000, 65536}}});
  spec.linux->devices.push_back({"/dev/fuse", "c", 10, 229, 0600, 0, 0});
  spec.linux->devices.push_back({"/dev/null", "c", 1, 3, 0640, 0, 5});
  spec.linux->rootfs_propagation = "rshared";
  spec.linux->mount_label = "system_u:object_r:container_file_t:s0";
  sys::Features f = host_features();
  f.selinux = sys::Probe::yes();
  PlanOptions o;
  o.bundle_dir = "/bundles/c1";
  MountPlan plan = plan_ok(spec, f, o);
  EXPECT_EQ(plan.prepare_propagation, Propagation::kSlave);
  expect_golden(plan, "options_binds_devices");
}

TEST(PlanMountsTest, KeepsDuplicateMountsInOrder) {
  oci::Spec spec = oci::default_spec(false);
  spec.mounts = {{"/a", "tmpfs", "tmpfs", {}, {}, {}}, {"/a", "tmpfs", "tmpfs", {"ro"}, {}, {}}};
  MountPlan plan = plan_ok(spec, host_features());
  ASSERT_GE(plan.ops.size(), 2u);
  EXPECT_EQ(describe(plan.ops[0]), "mount tmpfs \"tmpfs\" on \"/a\"");
  EXPECT_EQ(describe(plan.ops[1]), "mount tmpfs \"tmpfs\" on \"/a\" attr=+ro");
}

TEST(PlanMountsTest, BindOverDevSkipsDefaultDevices) {
  oci::Spec spec = oci::default_spec(false);
  spec.mounts.push_back({"/dev", "bind", "/dev", {"rbind"}, {}, {}});
  MountPlan plan = plan_ok(spec, host_features());
  for (const MountOp& op : plan.ops) {
    EXPECT_FALSE(std::holds_alternative<MakeDevice>(op)) << describe(op);
    EXPECT_FALSE(std::holds_alternative<Symlink>(op)) << describe(op);
  }
}

TEST(PlanMountsTest, RejectsBadDestinations) {
  for (const char* dest : {"proc", "/proc/../etc", "", "/a/..", "relative/x"}) {
    oci::Spec spec = oci::default_spec(false);
    spec.mounts.insert(spec.mounts.begin() + 3, {dest, "tmpfs", "tmpfs", {}, {}, {}});
    Error e = plan_err(spec);
    EXPECT_EQ(e.code(), EINVAL) << dest;
    EXPECT_THAT(e.message(), HasSubstr("mounts[3] " + q(dest))) << e.message();
  }
  oci::Spec nul = oci::default_spec(false);
  nul.mounts[0].destination = std::string("/pr\0c", 5);
  EXPECT_THAT(plan_err(nul).message(), HasSubstr("mounts[0] \"/pr\\x00c\": path contains a NUL"));
}

TEST(PlanMountsTest, RejectsBadEntries) {
  oci::Spec spec = oci::default_spec(false);
  spec.mounts.push_back({"/x", "", "", {}, {}, {}});
  EXPECT_THAT(plan_err(spec).message(), HasSubstr("type is required"));

  spec = oci::default_spec(false);
  spec.mounts.push_back({"/x", "bind", "", {"bind"}, {}, {}});
  EXPECT_THAT(plan_err(spec).message(), HasSubstr("bind mount needs a source"));

  spec = oci::default_spec(false);
  spec.linux->masked_paths.push_back("proc/x");
  EXPECT_THAT(plan_err(spec).message(), HasSubstr("linux.maskedPaths[10] \"proc/x\""));

  spec = oci::default_spec(false);
  spec.linux->readonly_paths[1] = "/proc/../../etc";
  EXPECT_THAT(plan_err(spec).message(), HasSubstr("linux.readonlyPaths[1]"));

  spec = oci::default_spec(false);
  spec.linux->devices.push_back({"/dev/x", "z", 1, 1, {}, {}, {}});
  EXPECT_THAT(plan_err(spec).message(), HasSubstr("linux.devices[0] \"/dev/x\": type \"z\""));

  spec = oci::default_spec(false);
  spec.linux->rootfs_propagation = "sideways";
  EXPECT_THAT(plan_err(spec).message(), HasSubstr("linux.rootfsPropagation \"sideways\""));

  spec = oci::default_spec(false);
  spec.mounts.push_back({"/x", "tmpfs", "tmpfs", {"idmap"}, {}, {}});
  EXPECT_THAT(plan_err(spec).message(), HasSubstr("idmap is only supported on bind mounts"));
}

TEST(PlanMountsTest, MissingFeaturesAreNotSupported) {
  oci::Spec spec = oci::default_spec(false);
  sys::Features old = host_features();
  old.new_mount_api = sys::Probe::no("fsopen: ENOSYS (kernel < 5.2)");
  Error e = plan_err(spec, old);
  EXPECT_EQ(e.code(), ENOTSUP);
  EXPECT_THAT(e.message(), HasSubstr("kernel < 5.2"));

  sys::Features no_idmap = host_features();
  no_idmap.idmapped_mounts = sys::Probe::no("kernel < 5.12");
  spec.mounts.push_back({"/m", "bind", "/srv", {"bind", "idmap"}, {{0, 1, 1}}, {{0, 1, 1}}});
  EXPECT_EQ(plan_err(spec, no_idmap).code(), ENOTSUP);
}

TEST(PlanMountsTest, TmpcopyupOnTmpfsOnly) {
  oci::Spec spec = oci::default_spec(false);
  spec.mounts = {{"/run", "tmpfs", "tmpfs", {"tmpcopyup", "nosuid", "mode=755"}, {}, {}},
                 {"/tmp", "tmpfs", "tmpfs", {"nosuid"}, {}, {}}};
  MountPlan plan = plan_ok(spec, host_features());
  ASSERT_GE(plan.ops.size(), 2u);
  ASSERT_TRUE(std::holds_alternative<NewFsMount>(plan.ops[0]));
  EXPECT_TRUE(std::get<NewFsMount>(plan.ops[0]).copy_up);
  EXPECT_FALSE(std::get<NewFsMount>(plan.ops[1]).copy_up);
  EXPECT_EQ(describe(plan.ops[0]),
            "mount tmpfs \"tmpfs\" on \"/run\" attr=+nosuid data=\"mode=755\" copy-up");
  EXPECT_EQ(describe(plan.ops[1]), "mount tmpfs \"tmpfs\" on \"/tmp\" attr=+nosuid");

  const std::vector<oci::Mount> refused = {
      {"/x", "bind", "/srv", {"bind", "tmpcopyup"}, {}, {}},
      {"/x", "tmpfs", "/srv", {"rbind", "tmpcopyup"}, {}, {}},
      {"/x", "proc", "proc", {"tmpcopyup"}, {}, {}},
      {"/x", "", "tmpfs", {"tmpcopyup"}, {}, {}}};
  for (const oci::Mount& m : refused) {
    oci::Spec bad = oci::default_spec(false);
    bad.mounts.insert(bad.mounts.begin(), m);
    Error e = plan_err(bad);
    EXPECT_EQ(e.code(), EINVAL) << m.type;
    EXPECT_THAT(e.message(), HasSubstr("mounts[0] \"/x\": tmpcopyup is only valid on tmpfs"));
  }
}

TEST(PlanMountsTest, WalkResolutionWithoutOpenat2) {
  sys::Features f = host_features();
  f.openat2 = sys::Probe::no("openat2: ENOSYS");
  MountPlan plan = plan_ok(oci::default_spec(false), f);
  EXPECT_FALSE(plan.use_openat2);
  EXPECT_EQ(describe(plan)[1], "resolve component walk (O_NOFOLLOW)");
}

TEST(ChooseStrategyTest, ChoicesAndReasons) {
  oci::Spec spec = oci::default_spec(false);
  auto pivot = choose_strategy(spec, host_features(), {});
  ASSERT_TRUE(pivot);
  EXPECT_EQ(pivot->strategy, Strategy::kPivot);
  EXPECT_THAT(pivot->reason, HasSubstr("kernel < 7.0"));

  auto otn = choose_strategy(spec, otn_features(), {});
  ASSERT_TRUE(otn);
  EXPECT_EQ(otn->strategy, Strategy::kOpenTreeNamespace);

  PlanOptions no_pivot;
  no_pivot.no_pivot = true;
  EXPECT_EQ(choose_strategy(spec, otn_features(), no_pivot)->strategy, Strategy::kChroot);

  PlanOptions forced;
  forced.force_strategy = Strategy::kPivot;
  auto f = choose_strategy(spec, otn_features(), forced);
  EXPECT_EQ(f->strategy, Strategy::kPivot);
  EXPECT_EQ(f->reason, "forced");

  forced.force_strategy = Strategy::kOpenTreeNamespace;
  auto missing = choose_strategy(spec, host_features(), forced);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code(), ENOTSUP);
  EXPECT_THAT(missing.error().message(), HasSubstr("kernel < 7.0"));

  forced.no_pivot = true;
  EXPECT_EQ(choose_strategy(spec, otn_features(), forced).error().code(), EINVAL);
}

// Only createContainer hooks need the host root inside the container's mount namespace; every
// other kind keeps the open-tree-namespace fast path (crun drops it for any create-time hook).
TEST(ChooseStrategyTest, HooksKeepOpenTreeNamespaceExceptCreateContainer) {
  oci::Hook h{"/usr/bin/hook", {}, {}, std::nullopt};
  oci::Spec spec = oci::default_spec(false);
  for (auto* list : {&spec.hooks.prestart, &spec.hooks.create_runtime,
                     &spec.hooks.start_container, &spec.hooks.poststart, &spec.hooks.poststop}) {
    list->push_back(h);
  }
  auto otn = choose_strategy(spec, otn_features(), {});
  ASSERT_TRUE(otn);
  EXPECT_EQ(otn->strategy, Strategy::kOpenTreeNamespace);

  spec.hooks.create_container.push_back(h);
  auto pivot = choose_strategy(spec, otn_features(), {});
  ASSERT_TRUE(pivot);
  EXPECT_EQ(pivot->strategy, Strategy::kPivot);
  EXPECT_EQ(pivot->reason, "createContainer hooks need host paths before the root switch");

  PlanOptions forced;
  forced.force_strategy = Strategy::kOpenTreeNamespace;
  auto refused = choose_strategy(spec, otn_features(), forced);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code(), EINVAL);
  EXPECT_THAT(refused.error().message(), HasSubstr("hooks.createContainer"));
  EXPECT_THAT(refused.error().message(), HasSubstr("open-tree-namespace"));

  forced.force_strategy = Strategy::kPivot;
  EXPECT_EQ(choose_strategy(spec, otn_features(), forced)->strategy, Strategy::kPivot);
  PlanOptions no_pivot;
  no_pivot.no_pivot = true;
  EXPECT_EQ(choose_strategy(spec, otn_features(), no_pivot)->strategy, Strategy::kChroot);
}

TEST(ChooseStrategyTest, NamesRoundTrip) {
  for (Strategy s : {Strategy::kOpenTreeNamespace, Strategy::kPivot, Strategy::kChroot}) {
    EXPECT_EQ(strategy_from_string(to_string(s)), s);
  }
  EXPECT_EQ(strategy_from_string("Pivot"), std::nullopt);
}

TEST(CleanContainerPathTest, Cleans) {
  EXPECT_EQ(*clean_container_path("//dev//pts/./"), "/dev/pts");
  EXPECT_EQ(*clean_container_path("/"), "/");
  EXPECT_FALSE(clean_container_path("/a/../b"));
}

}  // namespace
}  // namespace grove::plan
