// L0/L1: SELinux labelling. Mount labels planned from linux.mountLabel and applied as fsconfig
// "context" (FakeOps traces), the keyring label order (runc's SetKeyLabel), and the availability
// probe. SELinux is disabled on the dev VM, so the enabled side is only reachable this way.

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include <algorithm>
#include <string>
#include <vector>

#include "libcontainer/base/strings.h"
#include "libcontainer/mount/apply.h"
#include "libcontainer/plan/mount_plan.h"
#include "libcontainer/security/selinux.h"
#include "libcontainer/sys/probe.h"
#include "oci/default_spec.h"
#include "tests/support/fake_ops.h"

namespace grove::security {
namespace {

using ::testing::ElementsAre;
using testing::FakeOps;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kLabel = "system_u:object_r:container_file_t:s0:c1,c2";

sys::Features features(bool selinux) {
  sys::Features f;
  f.new_mount_api = sys::Probe::yes();
  f.mount_setattr = sys::Probe::yes();
  f.openat2 = sys::Probe::yes();
  f.cgroup_layout = sys::CgroupLayout::kHybrid;
  f.selinux = selinux ? sys::Probe::yes() : sys::Probe::no("is_selinux_enabled() = 0");
  return f;
}

// The phase-1 trace (fsopen/fsconfig/fsmount) of runc's default spec with `kLabel`.
std::vector<std::string> prepare_trace(bool selinux, oci::Spec spec = oci::default_spec(false)) {
  spec.linux->mount_label = kLabel;
  auto plan = plan::plan_mounts(spec, features(selinux), {});
  EXPECT_TRUE(plan) << plan.error().message();
  if (!plan) return {};
  FakeOps ops;
  auto prepared = mount::prepare_mounts(ops, *plan, mount::ApplyInputs{});
  EXPECT_TRUE(prepared) << prepared.error().message();
  return ops.trace();
}

std::string context_line(const std::string& fs) {
  return "fsconfig_set_string(<fsctx:" + fs + ">, \"context\", " + q(kLabel) + ")";
}

size_t count(const std::vector<std::string>& lines, const std::string& line) {
  return static_cast<size_t>(std::count(lines.begin(), lines.end(), line));
}

TEST(SelinuxMountLabelTest, EnabledLabelsTmpfsDevptsMqueueAndMasksOncePerMount) {
  std::vector<std::string> t = prepare_trace(true);
  // runc's default spec: tmpfs /dev and /dev/shm, devpts, mqueue; and one read-only tmpfs that
  // every masked directory with this label gets a clone of (mount/apply.h MaskSource), labelled
  // like runc's per-path tmpfs.
  ASSERT_GT(oci::default_spec(false).linux->masked_paths.size(), 1u);
  const size_t masks = 1;
  EXPECT_EQ(count(t, context_line("tmpfs")), 2 + masks);
  EXPECT_EQ(count(t, context_line("devpts")), 1u);
  EXPECT_EQ(count(t, context_line("mqueue")), 1u);
  EXPECT_EQ(count(t, "fsopen(\"tmpfs\", 1)"), 2 + masks);  // once per mount, never twice
  // runc/crun never label proc, sysfs or cgroup.
  for (const char* fs : {"proc", "sysfs", "cgroup2"}) {
    EXPECT_EQ(count(t, context_line(fs)), 0u) << fs;
  }
  // The label is set before the superblock is created.
  auto ctx = std::find(t.begin(), t.end(), context_line("devpts"));
  auto create = std::find(ctx, t.end(), "fsconfig_create(<fsctx:devpts>)");
  EXPECT_NE(create, t.end());
}

TEST(SelinuxMountLabelTest, DisabledSetsNoContextAtAll) {
  std::vector<std::string> t = prepare_trace(false);
  ASSERT_FALSE(t.empty());
  for (const std::string& line : t) EXPECT_THAT(line, Not(HasSubstr("\"context\""))) << line;
}

TEST(SelinuxMountLabelTest, SpecContextOptionIsNotDuplicated) {
  oci::Spec spec = oci::default_spec(false);
  spec.mounts.push_back(
      {"/run", "tmpfs", "tmpfs", {"context=\"system_u:object_r:x_t:s0\""}, {}, {}});
  auto plan = plan::plan_mounts(spec, features(true), {});
  ASSERT_TRUE(plan) << plan.error().message();
  for (const plan::MountOp& op : plan->ops) {
    const auto* n = std::get_if<plan::NewFsMount>(&op);
    if (n != nullptr && n->target == "/run") {
      EXPECT_EQ(n->label, "") << plan::describe(op);
    }
  }
}

TEST(SelinuxMountLabelTest, NoMountLabelMeansNoContext) {
  oci::Spec spec = oci::default_spec(false);
  auto plan = plan::plan_mounts(spec, features(true), {});
  ASSERT_TRUE(plan);
  FakeOps ops;
  ASSERT_TRUE(mount::prepare_mounts(ops, *plan, mount::ApplyInputs{}));
  EXPECT_THAT(ops.trace_text(), Not(HasSubstr("\"context\"")));
}

TEST(SelinuxKeyringTest, LabelSetBeforeJoinAndResetAfter) {
  FakeOps ops;
  ASSERT_TRUE(join_session_keyring(ops, "", kLabel));
  // The writes go through security::write_proc_file (checked procfs; security_procfs_test).
  std::vector<std::string> effects;
  for (const std::string& line : ops.trace()) {
    if (line.starts_with("write(") || line.starts_with("keyctl")) effects.push_back(line);
  }
  EXPECT_THAT(effects, ElementsAre("write(<path:/proc/self/attr/keycreate>, " + q(kLabel) + ")",
                                   "keyctl_join_session_keyring(NULL)",
                                   "write(<path:/proc/self/attr/keycreate>, \"\")"));
}

TEST(SelinuxKeyringTest, NoLabelJoinsOnly) {
  FakeOps ops;
  ASSERT_TRUE(join_session_keyring(ops, "_ses.c1", ""));
  EXPECT_THAT(ops.trace(), ElementsAre("keyctl_join_session_keyring(\"_ses.c1\")"));
}

TEST(SelinuxKeyringTest, KeycreateFailureStopsBeforeTheKeyring) {
  FakeOps ops;
  ops.fail_next("write", EINVAL);
  auto r = join_session_keyring(ops, "", kLabel);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), EINVAL);
  EXPECT_THAT(r.error().message(), HasSubstr("session keyring: keyring label"));
  EXPECT_EQ(ops.calls("keyctl_join_session_keyring"), 0);
  EXPECT_EQ(ops.calls("write"), 1);
}

TEST(SelinuxKeyringTest, MissingAttributeAndNoKeyringsAreNotErrors) {
  FakeOps ops;
  ops.fail_next("openat2", ENOENT);                      // no LSM provides keycreate
  ops.fail_next("keyctl_join_session_keyring", ENOSYS);  // keyrings not built
  ops.fail_next("write", EACCES);                        // the reset is refused: ignored like runc
  EXPECT_TRUE(join_session_keyring(ops, "", kLabel));
  EXPECT_EQ(ops.calls("openat2"), 2);
  EXPECT_EQ(ops.calls("keyctl_join_session_keyring"), 1);
  EXPECT_EQ(ops.calls("write"), 1);
}

TEST(SelinuxKeyringTest, KeyctlErrorStillResetsTheLabel) {
  FakeOps ops;
  ops.fail_next("keyctl_join_session_keyring", EDQUOT);
  auto r = join_session_keyring(ops, "", kLabel);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), EDQUOT);
  ASSERT_FALSE(ops.trace().empty());
  EXPECT_EQ(ops.trace().back(), "write(<path:/proc/self/attr/keycreate>, \"\")");
}

TEST(SelinuxProbeTest, EvaluateNeedsAllThree) {
  sys::SelinuxProbeInputs in{true, "", true, "", true, ""};
  EXPECT_TRUE(sys::evaluate_selinux(in));
  in.exec_attr_exists = false;
  in.exec_attr_detail = "ENOENT";
  EXPECT_EQ(sys::evaluate_selinux(in).reason, "/proc/thread-self/attr/exec missing: ENOENT");
  in.config_exists = false;
  in.config_detail = "ENOENT";
  EXPECT_EQ(sys::evaluate_selinux(in).reason, "/etc/selinux/config missing: ENOENT");
  in.selinuxfs_mounted = false;
  in.selinuxfs_detail = "f_type 0x62656572 is not selinuxfs";
  EXPECT_EQ(sys::evaluate_selinux(in).reason,
            "/sys/fs/selinux not mounted: f_type 0x62656572 is not selinuxfs");
}

// libselinux's is_selinux_enabled() rule (a writable selinuxfs and /etc/selinux/config), then
// the exec attribute, all through ops: no libselinux.
TEST(SelinuxProbeTest, ProbeChecksSelinuxfsConfigAndExecAttr) {
  struct stat st {};
  st.st_mode = S_IFREG | 0666;
  FakeOps ops;
  ops.set_statfs("/sys/fs/selinux", sys::kSelinuxMagic);
  ops.set_stat("/etc/selinux/config", st);
  ops.set_stat("/proc/thread-self/attr/exec", st);
  EXPECT_TRUE(sys::probe_selinux(ops));
  EXPECT_THAT(ops.trace(), ElementsAre("statfs(\"/sys/fs/selinux\")",
                                       "fstatat(AT_FDCWD, \"/etc/selinux/config\", 0)",
                                       "fstatat(AT_FDCWD, \"/proc/thread-self/attr/exec\", 0)"));

  FakeOps read_only;  // how a container is told that SELinux is off for it
  read_only.set_statfs("/sys/fs/selinux", sys::kSelinuxMagic);
  read_only.set_statfs_flags("/sys/fs/selinux", ST_RDONLY);
  read_only.set_stat("/etc/selinux/config", st);
  read_only.set_stat("/proc/thread-self/attr/exec", st);
  sys::Probe p = sys::probe_selinux(read_only);
  EXPECT_FALSE(p);
  EXPECT_THAT(p.reason, HasSubstr("/sys/fs/selinux not mounted: mounted read-only"));

  FakeOps no_config;
  no_config.set_statfs("/sys/fs/selinux", sys::kSelinuxMagic);
  no_config.set_stat("/proc/thread-self/attr/exec", st);
  p = sys::probe_selinux(no_config);
  EXPECT_FALSE(p);
  EXPECT_THAT(p.reason, HasSubstr("/etc/selinux/config missing: fstatat("));

  FakeOps sysfs_only;  // selinuxfs path exists but is plain sysfs (SYSFS_MAGIC)
  sysfs_only.set_statfs("/sys/fs/selinux", 0x62656572);
  sysfs_only.set_stat("/etc/selinux/config", st);
  sysfs_only.set_stat("/proc/thread-self/attr/exec", st);
  p = sys::probe_selinux(sysfs_only);
  EXPECT_FALSE(p);
  EXPECT_THAT(p.reason, HasSubstr("is not selinuxfs"));

  FakeOps no_attr;
  no_attr.set_statfs("/sys/fs/selinux", sys::kSelinuxMagic);
  no_attr.set_stat("/etc/selinux/config", st);
  p = sys::probe_selinux(no_attr);
  EXPECT_FALSE(p);
  EXPECT_THAT(p.reason, HasSubstr("/proc/thread-self/attr/exec missing: fstatat("));
}

}  // namespace
}  // namespace grove::security
