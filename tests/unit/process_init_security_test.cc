// L1: the init's SELinux keyring step and the bpffs handoff (process/init.cc) against FakeOps:
// keycreate is written before the session keyring is joined and reset after it, before any
// mount; the bpffs context opened by the init goes to the runtime over the sync socket and the
// mount that comes back is attached at /sys/fs/bpf.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <string>

#include "libcontainer/base/strings.h"
#include "libcontainer/process/init.h"
#include "libcontainer/process/proc_settings.h"
#include "libcontainer/process/sync.h"
#include "libcontainer/sys/linux_ops.h"
#include "oci/default_spec.h"
#include "tests/support/fake_ops.h"

namespace grove::process {
namespace {

using testing::FakeOps;
using ::testing::HasSubstr;

constexpr const char* kLabel = "system_u:system_r:container_t:s0:c1,c2";

struct Harness {
  Harness() {
    sys::LinuxOps real;  // a real socketpair for the sync channel; everything else is fake
    auto pair = make_sync_pair(real);
    EXPECT_TRUE(pair);
    parent = std::move(pair->first);
    child = std::move(pair->second);
    spec = oci::default_spec(false);
    spec.process->terminal = false;
    spec.process->args = {"/bin/app"};
    struct stat exe {};
    exe.st_mode = S_IFREG | 0755;
    ops.set_stat("/bin/app", exe);
    plan.strategy = {plan::Strategy::kPivot, "test"};
    cfg.spec = &spec;
    cfg.rootfs = "/bundle/rootfs";
    cfg.mount_plan = &plan;
    cfg.setup_mounts = true;
    cfg.settings = &settings;
  }
  std::size_t find(const std::string& prefix) const {
    const auto& t = ops.trace();
    return std::find_if(t.begin(), t.end(),
                        [&](const std::string& l) { return l.rfind(prefix, 0) == 0; }) -
           t.begin();
  }
  FakeOps ops;
  SyncSocket parent, child;
  oci::Spec spec;
  plan::MountPlan plan;
  ProcSettings settings;
  InitConfig cfg;
};

TEST(ProcessInitSecurityTest, KeyringLabelAroundTheSessionKeyringBeforeMounts) {
  Harness h;
  h.settings.selinux_label = kLabel;  // planned only when SELinux is enabled
  h.plan.ops = {plan::NewFsMount{"/dev", "tmpfs", "tmpfs", {}, {}, "", {}}};
  auto exe = prepare_init(h.ops, h.cfg, h.child);
  ASSERT_TRUE(exe) << exe.error().message();
  std::string set = "write(<path:/proc/self/attr/keycreate>, " + q(kLabel) + ")";
  std::string reset = "write(<path:/proc/self/attr/keycreate>, \"\")";
  std::size_t s = h.find(set), k = h.find("keyctl_join_session_keyring(NULL)"), r = h.find(reset);
  ASSERT_LT(r, h.ops.trace().size()) << h.ops.trace_text();
  EXPECT_LT(s, k);
  EXPECT_LT(k, r);  // through write_proc_file's checked open (security_procfs_test)
  EXPECT_LT(r, h.find("fsopen("));
}

TEST(ProcessInitSecurityTest, NoLabelNoKeycreateAndNoNewKeyringNoKeyctl) {
  Harness h;
  ASSERT_TRUE(prepare_init(h.ops, h.cfg, h.child));
  EXPECT_THAT(h.ops.trace_text(), ::testing::Not(HasSubstr("keycreate")));
  EXPECT_LT(h.find("keyctl_join_session_keyring(NULL)"), h.ops.trace().size());
  Harness n;
  n.cfg.new_session_keyring = false;
  n.settings.selinux_label = kLabel;
  ASSERT_TRUE(prepare_init(n.ops, n.cfg, n.child));
  EXPECT_THAT(n.ops.trace_text(), ::testing::Not(HasSubstr("keyctl")));
  EXPECT_THAT(n.ops.trace_text(), ::testing::Not(HasSubstr("keycreate")));
}

TEST(ProcessInitSecurityTest, BpffsContextGoesToTheRuntimeAndTheMountIsAttached) {
  Harness h;
  h.cfg.new_session_keyring = false;
  h.plan.ops = {plan::BpfFsMount{"/sys/fs/bpf", {"any", "", "", ""}, ""}};
  // The runtime's answer (serve_bpffs): one kBpfFs message carrying the configured mount.
  char buf[64];
  std::size_t n = encode_sync(SyncKind::kBpfFs, 0, nullptr, buf, sizeof buf);
  h.ops.queue_recv(std::string(buf, n), 1);
  auto exe = prepare_init(h.ops, h.cfg, h.child);
  ASSERT_TRUE(exe) << exe.error().message();
  std::size_t open = h.find("fsopen(\"bpf\"");
  std::size_t send = h.find("send_fds(");
  std::size_t recv = h.find("recv_fds(");
  std::size_t attach = h.find("move_mount(<recv:");
  ASSERT_LT(attach, h.ops.trace().size()) << h.ops.trace_text();
  EXPECT_LT(open, send);
  EXPECT_THAT(h.ops.trace()[send], HasSubstr("[<fsctx:bpf>]"));
  EXPECT_LT(send, recv);
  EXPECT_LT(recv, attach);
  EXPECT_THAT(h.ops.trace()[attach], HasSubstr("<path:/sys/fs/bpf>"));
  // The init itself never configures the bpffs: that needs the runtime's privileges.
  EXPECT_THAT(h.ops.trace_text(), ::testing::Not(HasSubstr("delegate_cmds")));
}

TEST(ProcessInitSecurityTest, RuntimeRefusingTheBpffsFailsTheInit) {
  Harness h;
  h.cfg.new_session_keyring = false;
  h.plan.ops = {plan::BpfFsMount{"/sys/fs/bpf", {"any", "", "", ""}, ""}};
  // Nothing queued: the runtime closed the channel.
  auto exe = prepare_init(h.ops, h.cfg, h.child);
  ASSERT_FALSE(exe);
  EXPECT_THAT(exe.error().message(), HasSubstr("receive bpffs mount"));
}

}  // namespace
}  // namespace grove::process
