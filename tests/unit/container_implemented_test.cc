// L0: create refuses config fields grove does not apply yet, naming the field; features agree.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "libcontainer/container/features.h"
#include "libcontainer/container/implemented.h"
#include "oci/default_spec.h"

namespace grove::container {
namespace {

using ::testing::HasSubstr;

sys::Features no_selinux() {
  sys::Features f;
  f.selinux = sys::Probe::no("test");
  f.seccomp = sys::Probe::yes();
  return f;
}

TEST(ContainerImplementedTest, DefaultSpecIsAccepted) {
  EXPECT_TRUE(check_implemented(oci::default_spec(false), no_selinux()));
  EXPECT_TRUE(check_implemented(oci::default_spec(true, 1000, 1000), no_selinux()));
}

// linux.intelRdt is applied now (rdt/intel_rdt.h): it is checked against the host's resctrl at
// create, not refused here; features follow the resctrl probe.
TEST(ContainerImplementedTest, IntelRdtIsNotRefusedAndFeaturesFollowResctrl) {
  oci::Spec spec = oci::default_spec(false);
  spec.linux->intel_rdt = oci::IntelRdt{};
  EXPECT_TRUE(check_implemented(spec, no_selinux()));
  oci::Features none = features_document(no_selinux());
  ASSERT_TRUE(none.linux && none.linux->intel_rdt);
  EXPECT_EQ(none.linux->intel_rdt->enabled, false);
  rdt::Resctrl host;
  host.root = "/sys/fs/resctrl";
  host.monitoring = true;
  oci::Features with = features_document(no_selinux(), host);
  EXPECT_EQ(with.linux->intel_rdt,
            (oci::FeaturesIntelRdt{.enabled = true, .schemata = true, .monitoring = true}));
}

// No mount namespace: refused (the root would be built in the host's mount table), where grove
// used to skip the root switch and run the process in the host's root.
TEST(ContainerImplementedTest, MissingMountNamespaceIsRefused) {
  oci::Spec spec = oci::default_spec(false);
  std::erase_if(spec.linux->namespaces,
                [](const oci::Namespace& n) { return n.type == oci::NamespaceType::kMount; });
  Status st = check_implemented(spec, no_selinux());
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code(), ENOTSUP);
  EXPECT_THAT(st.error().message(), HasSubstr("linux.namespaces"));
  EXPECT_THAT(st.error().message(), HasSubstr("mount namespace"));
}

TEST(ContainerImplementedTest, ResourcesGoToTheCgroupPlanner) {
  oci::Spec spec = oci::default_spec(false);
  spec.linux->resources = oci::Resources{};
  spec.linux->resources->memory = oci::Memory{};
  spec.linux->resources->memory->limit = 1 << 20;
  spec.linux->resources->pids = oci::Pids{64};
  spec.linux->resources->unified["memory.high"] = "1M";
  EXPECT_TRUE(check_implemented(spec, no_selinux()));
}

TEST(ContainerImplementedTest, EveryHookKindIsAccepted) {
  oci::Spec spec = oci::default_spec(false);
  oci::Hook h{"/bin/true", {}, {}, std::nullopt};
  for (auto* list : {&spec.hooks.prestart, &spec.hooks.create_runtime,
                     &spec.hooks.create_container, &spec.hooks.start_container,
                     &spec.hooks.poststart, &spec.hooks.poststop}) {
    list->push_back(h);
  }
  Status st = check_implemented(spec, no_selinux());
  EXPECT_TRUE(st) << st.error().message();
}

TEST(ContainerImplementedTest, SeccompIsAccepted) {
  oci::Spec spec = oci::default_spec(false);
  oci::Seccomp seccomp;
  seccomp.default_action = "SCMP_ACT_ALLOW";
  seccomp.syscalls.push_back({{"mkdir"}, "SCMP_ACT_ERRNO", 1, {}});
  spec.linux->seccomp = seccomp;
  EXPECT_TRUE(check_implemented(spec, no_selinux()));
}

TEST(ContainerImplementedTest, ProcessAndLinuxSettingsAreAccepted) {
  // Applied by process/proc_settings (#4); their own checks live in plan_proc_settings.
  oci::Spec spec = oci::default_spec(false);
  spec.process->selinux_label = "system_u:system_r:container_t:s0";
  spec.process->oom_score_adj = 100;
  spec.process->scheduler = oci::Scheduler{"SCHED_BATCH"};
  spec.process->io_priority = oci::IoPriority{"IOPRIO_CLASS_BE", 4};
  spec.process->exec_cpu_affinity = oci::CpuAffinity{"0", "0"};
  spec.process->apparmor_profile = "p";
  spec.linux->sysctl["net.ipv4.ip_forward"] = "1";
  spec.linux->time_offsets["monotonic"] = {1, 0};
  spec.linux->memory_policy = oci::MemoryPolicy{"MPOL_LOCAL", ""};
  spec.linux->personality = oci::Personality{"LINUX", {}};
  EXPECT_TRUE(check_implemented(spec, no_selinux()));
  sys::Features on = no_selinux();
  on.selinux = sys::Probe::yes();
  EXPECT_TRUE(check_implemented(spec, on));
}

TEST(ContainerImplementedTest, FeaturesAdvertiseOnlyWhatCreateAccepts) {
  oci::Features doc = features_document(no_selinux());
  EXPECT_EQ(doc.hooks.empty(), !kImplementsHooks);
  ASSERT_TRUE(doc.linux && doc.linux->seccomp);
  EXPECT_EQ(doc.linux->seccomp->enabled, kImplementsSeccomp);
}

}  // namespace
}  // namespace grove::container
