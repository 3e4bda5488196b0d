// L1: the init brings the loopback of a new network namespace up (InitConfig::loopback_up),
// before the rootfs is built, and a failure carries the namespace and the ioctl.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <string>

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

struct NetHarness {
  NetHarness() {
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
    plan.ops = {plan::NewFsMount{"/dev", "tmpfs", "tmpfs", {}, {}, "", {}}};
    cfg.spec = &spec;
    cfg.rootfs = "/bundle/rootfs";
    cfg.mount_plan = &plan;
    cfg.setup_mounts = true;
    cfg.settings = &settings;
    cfg.new_session_keyring = false;
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

TEST(ProcessInitNetTest, LoopbackUpBeforeTheRootfs) {
  NetHarness h;
  h.cfg.loopback_up = true;
  auto exe = prepare_init(h.ops, h.cfg, h.child);
  ASSERT_TRUE(exe) << exe.error().message();
  std::size_t up = h.find("set_link_up(\"lo\")");
  ASSERT_LT(up, h.ops.trace().size()) << h.ops.trace_text();
  EXPECT_LT(up, h.find("fsopen("));
}

TEST(ProcessInitNetTest, NoNewNetworkNamespaceNoLinkChange) {
  NetHarness h;
  ASSERT_TRUE(prepare_init(h.ops, h.cfg, h.child));
  EXPECT_THAT(h.ops.trace_text(), ::testing::Not(HasSubstr("set_link_up")));
}

TEST(ProcessInitNetTest, LoopbackFailureIsNamed) {
  NetHarness h;
  h.cfg.loopback_up = true;
  h.ops.fail_next("set_link_up", EPERM);
  auto exe = prepare_init(h.ops, h.cfg, h.child);
  ASSERT_FALSE(exe);
  EXPECT_EQ(exe.error().code(), EPERM);
  EXPECT_THAT(exe.error().message(), HasSubstr("linux.namespaces \"network\": loopback: "
                                               "set_link_up(\"lo\")"));
}

}  // namespace
}  // namespace grove::process
