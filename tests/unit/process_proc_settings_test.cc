// L0/L1: planning of process/linux settings (pure) and their application against FakeOps.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sched.h>

#include "libcontainer/process/proc_settings.h"
#include "libcontainer/process/sysctl.h"
#include "libcontainer/process/time_ns.h"
#include "libcontainer/sys/uapi.h"
#include "oci/default_spec.h"
#include "tests/support/fake_ops.h"

namespace grove::process {
namespace {

using ::testing::ElementsAre;
using testing::FakeOps;
using ::testing::HasSubstr;

sys::Features features(bool apparmor = false, bool selinux = false) {
  sys::Features f;
  f.apparmor = apparmor ? sys::Probe::yes() : sys::Probe::no("test");
  f.selinux = selinux ? sys::Probe::yes() : sys::Probe::no("test");
  return f;
}

TEST(ProcSettingsTest, CpuListsParseLikeTheKernel) {
  auto r = parse_cpu_list("0-3,7");
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_THAT(*r, ElementsAre(0, 1, 2, 3, 7));
  r = parse_cpu_list(" 5 , 1-2,2 ");
  ASSERT_TRUE(r);
  EXPECT_THAT(*r, ElementsAre(1, 2, 5));
  for (const char* bad : {"", "3-1", "a", "1-", "-1", "0,,1", "9000"}) {
    auto b = parse_cpu_list(bad);
    ASSERT_FALSE(b) << bad;
    EXPECT_EQ(b.error().code(), EINVAL) << bad;
  }
}

TEST(ProcSettingsTest, SysctlKeysBecomePathsUnderProcSys) {
  EXPECT_EQ(*sysctl_path("net.ipv4.ip_forward"), "net/ipv4/ip_forward");
  EXPECT_EQ(*sysctl_path("net/ipv4/ip_forward"), "net/ipv4/ip_forward");
  // sysctl.d(5): with '.' first, '/' inside a name stands for a '.' (VLAN interfaces).
  EXPECT_EQ(*sysctl_path("net.ipv4.conf.eth0/100.rp_filter"), "net/ipv4/conf/eth0.100/rp_filter");
  EXPECT_EQ(*sysctl_path("net/ipv4/conf/eth0.100/rp_filter"), "net/ipv4/conf/eth0.100/rp_filter");
  for (const char* bad : {"", "net..core", "net.ipv4.", "/net/core", "net/../../etc"}) {
    EXPECT_FALSE(sysctl_path(bad)) << bad;
  }
}

TEST(ProcSettingsTest, TimeOffsetsText) {
  std::map<std::string, oci::TimeOffset> offs = {{"monotonic", {-5, 0}}, {"boottime", {86400, 7}}};
  EXPECT_EQ(*timens_offsets_text(offs), "boottime 86400 7\nmonotonic -5 0\n");
  EXPECT_EQ(*timens_offsets_text({}), "");
  EXPECT_FALSE(timens_offsets_text({{"realtime", {1, 0}}}));
  EXPECT_FALSE(timens_offsets_text({{"monotonic", {1, 1000000000}}}));
}

TEST(ProcSettingsTest, PlansEveryField) {
  oci::Spec spec = oci::default_spec(false);
  spec.process->oom_score_adj = -500;
  spec.process->scheduler = oci::Scheduler{"SCHED_BATCH", 5, 0, {"SCHED_FLAG_RESET_ON_FORK"}};
  spec.process->io_priority = oci::IoPriority{"IOPRIO_CLASS_BE", 6};
  spec.linux->personality = oci::Personality{"LINUX32", {}};
  spec.linux->memory_policy = oci::MemoryPolicy{"MPOL_BIND", "0,65", {"MPOL_F_STATIC_NODES"}};
  spec.linux->sysctl["net.ipv4.ip_forward"] = "1";
  spec.linux->time_offsets["monotonic"] = {10, 0};
  spec.process->selinux_label = "system_u:system_r:container_t:s0";
  auto r = plan_proc_settings(spec, features());
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->oom_score_adj, -500);
  ASSERT_TRUE(r->scheduler);
  EXPECT_EQ(r->scheduler->policy, 3u);
  EXPECT_EQ(r->scheduler->nice, 5);
  EXPECT_EQ(r->scheduler->flags, 1u);
  EXPECT_EQ(r->ioprio, (2 << 13) | 6);
  EXPECT_EQ(r->personality, 0x0008u);
  ASSERT_TRUE(r->memory_policy);
  EXPECT_EQ(r->memory_policy->mode, 2 | (1 << 15));
  EXPECT_THAT(r->memory_policy->nodemask, ElementsAre(1UL, 2UL));
  EXPECT_EQ(r->memory_policy->maxnode, 67u);
  ASSERT_EQ(r->sysctls.size(), 1u);
  EXPECT_EQ(r->sysctls[0].path, "net/ipv4/ip_forward");
  EXPECT_EQ(r->timens_offsets, "monotonic 10 0\n");
  EXPECT_EQ(r->selinux_label, "") << "SELinux off: the label is a no-op";
  auto on = plan_proc_settings(spec, features(false, true));
  ASSERT_TRUE(on);
  EXPECT_EQ(on->selinux_label, "system_u:system_r:container_t:s0");
}

TEST(ProcSettingsTest, BadValuesNameTheirField) {
  struct Case {
    const char* want;
    void (*set)(oci::Spec&);
  };
  const Case cases[] = {
      {"process.scheduler: nice 20 is outside [-20, 19]",
       [](oci::Spec& s) {
         s.process->scheduler = oci::Scheduler{"SCHED_OTHER", 20};
       }},
      {"process.scheduler: priority can only be specified for SCHED_FIFO or SCHED_RR",
       [](oci::Spec& s) {
         s.process->scheduler = oci::Scheduler{"SCHED_OTHER", 0, 5};
       }},
      {"process.scheduler: runtime/deadline/period can only be specified for SCHED_DEADLINE",
       [](oci::Spec& s) {
         s.process->scheduler = oci::Scheduler{"SCHED_RR", 0, 1, {}, 10};
       }},
      {"process.ioPriority: priority 8 is outside [0, 7]",
       [](oci::Spec& s) {
         s.process->io_priority = oci::IoPriority{"IOPRIO_CLASS_RT", 8};
       }},
      {"process.oomScoreAdj: 1001 is outside [-1000, 1000]",
       [](oci::Spec& s) { s.process->oom_score_adj = 1001; }},
      {"process.execCPUAffinity.final: bad entry \"x\"",
       [](oci::Spec& s) {
         s.process->exec_cpu_affinity = oci::CpuAffinity{"0", "x"};
       }},
      {"linux.memoryPolicy: mode MPOL_BIND needs at least one node",
       [](oci::Spec& s) {
         s.linux->memory_policy = oci::MemoryPolicy{"MPOL_BIND", ""};
       }},
      {"linux.memoryPolicy: mode MPOL_LOCAL takes no nodes",
       [](oci::Spec& s) {
         s.linux->memory_policy = oci::MemoryPolicy{"MPOL_LOCAL", "0"};
       }},
      {"linux.personality: flags: no personality flags are supported",
       [](oci::Spec& s) {
         s.linux->personality = oci::Personality{"LINUX", {"x"}};
       }},
      {"linux.sysctl \"net..x\": bad sysctl key",
       [](oci::Spec& s) { s.linux->sysctl["net..x"] = "1"; }},
      {"process.apparmorProfile: apparmor is not enabled on this system",
       [](oci::Spec& s) { s.process->apparmor_profile = "runtime/default"; }},
  };
  for (const Case& c : cases) {
    oci::Spec spec = oci::default_spec(false);
    c.set(spec);
    auto r = plan_proc_settings(spec, features());
    ASSERT_FALSE(r) << c.want;
    EXPECT_THAT(r.error().message(), HasSubstr(c.want));
  }
  oci::Spec spec = oci::default_spec(false);
  spec.process->apparmor_profile = "runtime/default";
  auto aa = plan_proc_settings(spec, features(true));
  ASSERT_TRUE(aa) << aa.error().message();
  EXPECT_EQ(aa->apparmor_profile, "runtime/default");
}

TEST(ProcSettingsTest, InitAppliesInRuncOrder) {
  ProcSettings s;
  s.apparmor_profile = "p";
  s.sysctls = {{"net.ipv4.ip_forward", "net/ipv4/ip_forward", "1"}};
  s.scheduler = sys::SchedAttr{.policy = 3, .nice = 5};
  s.ioprio = (2 << 13) | 6;
  s.personality = 8;
  s.memory_policy = MemPolicy{2, {1}, 2};
  FakeOps ops;
  ASSERT_TRUE(apply_init_settings(ops, s));
  EXPECT_EQ(
      ops.trace_text(),
      "openat(AT_FDCWD, \"/proc\", O_RDONLY|O_DIRECTORY|O_NOFOLLOW|O_PATH, 00)\n"
      "fstatfs(<path:/proc>)\n"
      "openat2(<path:/proc>, \"thread-self/attr/apparmor/exec\", O_WRONLY|O_NOCTTY, "
      "RESOLVE_NO_XDEV|RESOLVE_NO_MAGICLINKS|RESOLVE_BENEATH)\n"
      "fstatfs(<path:/proc/thread-self/attr/apparmor/exec>)\n"
      "write(<path:/proc/thread-self/attr/apparmor/exec>, \"exec p\")\n"
      "fsopen(\"proc\", 1)\n"
      "fsconfig_create(<fsctx:proc>)\n"
      "fsmount(<fsctx:proc>, FSMOUNT_CLOEXEC, NOSUID|NODEV|NOEXEC)\n"
      "openat2(<fs:proc>, \"sys/net/ipv4/ip_forward\", O_WRONLY|O_NOCTTY|O_TRUNC, "
      "RESOLVE_NO_XDEV|RESOLVE_NO_MAGICLINKS|RESOLVE_NO_SYMLINKS|RESOLVE_BENEATH)\n"
      "write(<path:sys/net/ipv4/ip_forward>, \"1\")\n"
      "sched_setattr(0, {policy=3 flags=0 nice=5 priority=0 runtime=0 deadline=0 period=0}, 0)\n"
      "ioprio_set(1, 0, class=2 data=6)\n"
      "personality(8)\n"
      "set_mempolicy(2, [0x1], 2)");
  EXPECT_TRUE(ops.open_fds().empty());
}

TEST(ProcSettingsTest, ApparmorFallsBackToTheSharedAttrFile) {
  ProcSettings s;
  s.apparmor_profile = "p";
  FakeOps ops;
  ops.fail_next("openat2", ENOENT);  // no attr/apparmor directory (before 5.8)
  ASSERT_TRUE(apply_init_settings(ops, s));
  EXPECT_EQ(ops.sent().size(), 1u);
  EXPECT_EQ(ops.sent().at("<path:/proc/thread-self/attr/exec>"), "exec p");
}

TEST(ProcSettingsTest, FailuresCarryTheFieldFrame) {
  ProcSettings s;
  s.scheduler = sys::SchedAttr{.policy = 1, .priority = 10};
  FakeOps ops;
  ops.fail_next("sched_setattr", EPERM);
  Status st = apply_init_settings(ops, s);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code(), EPERM);
  EXPECT_THAT(st.error().message(), HasSubstr("process.scheduler: sched_setattr(0, {policy=1"));
}

TEST(ProcSettingsTest, SysctlFallsBackToTheContainersProcfsOnlyIfItIsOne) {
  std::vector<Sysctl> sysctls = {{"kernel.shmmax", "kernel/shmmax", "1024"}};
  FakeOps ops;
  ops.fail_next("fsmount", EPERM);
  ops.set_statfs("<path:/proc>", PROC_SUPER_MAGIC);
  ASSERT_TRUE(apply_sysctls(ops, sysctls));
  EXPECT_EQ(ops.sent().at("<path:/proc/sys/kernel/shmmax>"), "1024");

  FakeOps fake_proc;
  fake_proc.fail_next("fsopen", EPERM);
  fake_proc.set_statfs("<path:/proc>", 0x01021994);  // tmpfs
  Status st = apply_sysctls(fake_proc, sysctls);
  ASSERT_FALSE(st);
  EXPECT_THAT(st.error().message(), HasSubstr("linux.sysctl: open procfs: /proc is not a procfs"));
  EXPECT_EQ(fake_proc.calls("write"), 0);
}

TEST(ProcSettingsTest, SysctlErrorsNameTheKey) {
  FakeOps ops;
  ops.fail_next("openat2", ENOENT);
  Status st = apply_sysctls(ops, {{"net.nope", "net/nope", "1"}});
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code(), ENOENT);
  EXPECT_THAT(st.error().message(), HasSubstr("linux.sysctl \"net.nope\": openat2("));
  EXPECT_TRUE(ops.open_fds().empty());
}

TEST(ProcSettingsTest, ExecLabelOomAndAffinity) {
  FakeOps ops;
  ProcSettings s;
  ASSERT_TRUE(apply_exec_label(ops, s));
  ASSERT_TRUE(apply_oom_score_adj(ops, 42, s));
  EXPECT_TRUE(ops.trace().empty()) << "unset fields are not applied";
  s.selinux_label = "l";
  s.oom_score_adj = -17;
  ASSERT_TRUE(apply_exec_label(ops, s));
  ASSERT_TRUE(apply_oom_score_adj(ops, 42, s));
  ASSERT_TRUE(apply_cpu_affinity(ops, 42, "1,0"));
  EXPECT_EQ(ops.trace_text(),
            "openat(AT_FDCWD, \"/proc\", O_RDONLY|O_DIRECTORY|O_NOFOLLOW|O_PATH, 00)\n"
            "fstatfs(<path:/proc>)\n"
            "openat2(<path:/proc>, \"thread-self/attr/exec\", O_WRONLY|O_NOCTTY, "
            "RESOLVE_NO_XDEV|RESOLVE_NO_MAGICLINKS|RESOLVE_BENEATH)\n"
            "fstatfs(<path:/proc/thread-self/attr/exec>)\n"
            "write(<path:/proc/thread-self/attr/exec>, \"l\")\n"
            "openat(AT_FDCWD, \"/proc\", O_RDONLY|O_DIRECTORY|O_NOFOLLOW|O_PATH, 00)\n"
            "fstatfs(<path:/proc>)\n"
            "openat2(<path:/proc>, \"42/oom_score_adj\", O_WRONLY|O_NOCTTY, "
            "RESOLVE_NO_XDEV|RESOLVE_NO_MAGICLINKS|RESOLVE_BENEATH)\n"
            "fstatfs(<path:/proc/42/oom_score_adj>)\n"
            "write(<path:/proc/42/oom_score_adj>, \"-17\")\n"
            "sched_setaffinity(42, [0,1])");
  EXPECT_FALSE(apply_cpu_affinity(ops, 42, "1-0"));
}

TEST(ProcSettingsTest, TimeNamespaceIsPreparedByTheParent) {
  FakeOps ops;
  auto none = enter_time_ns_for_clone(ops, "");
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->active());
  EXPECT_EQ(time_ns_clone_flags(CLONE_NEWTIME | CLONE_NEWPID, *none), CLONE_NEWTIME | CLONE_NEWPID);
  auto t = enter_time_ns_for_clone(ops, "monotonic 5 0\n");
  ASSERT_TRUE(t) << t.error().message();
  EXPECT_EQ(time_ns_clone_flags(CLONE_NEWTIME | CLONE_NEWPID, *t), uint64_t{CLONE_NEWPID});
  ASSERT_TRUE(leave_time_ns_for_clone(ops, *t));
  EXPECT_FALSE(t->active());
  EXPECT_EQ(ops.trace_text(),
            "openat(AT_FDCWD, \"/proc/self/ns/time\", O_RDONLY, 00)\n"
            "unshare(CLONE_NEWTIME)\n"
            "openat(AT_FDCWD, \"/proc\", O_RDONLY|O_DIRECTORY|O_NOFOLLOW|O_PATH, 00)\n"
            "fstatfs(<path:/proc>)\n"
            "openat2(<path:/proc>, \"self/timens_offsets\", O_WRONLY|O_NOCTTY, "
            "RESOLVE_NO_XDEV|RESOLVE_NO_MAGICLINKS|RESOLVE_BENEATH)\n"
            "fstatfs(<path:/proc/self/timens_offsets>)\n"
            "write(<path:/proc/self/timens_offsets>, \"monotonic 5 0\\n\")\n"
            "setns(<path:/proc/self/ns/time>, CLONE_NEWTIME)");
  EXPECT_TRUE(ops.open_fds().empty());
}

TEST(ProcSettingsTest, TimeOffsetsRefusedByTheKernelLeaveTheRuntimeInItsOwnNamespace) {
  FakeOps ops;
  ops.fail_next("write", EINVAL);
  auto t = enter_time_ns_for_clone(ops, "monotonic -999999999 0\n");
  ASSERT_FALSE(t);
  EXPECT_THAT(t.error().message(),
              HasSubstr("linux.timeOffsets: write \"/proc/self/timens_offsets\": write("));
  EXPECT_EQ(ops.calls("setns"), 1);
  EXPECT_TRUE(ops.open_fds().empty());
}

}  // namespace
}  // namespace grove::process
