// L1: the init's hook point (process/init.h) against FakeOps over a real sync socketpair: the
// host pid arrives as kPid, kHooks is sent once the mount tree is built and before the root
// switch, the init waits for kGo, then runs the createContainer hooks, then switches the root.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "libcontainer/process/init.h"
#include "libcontainer/process/sync.h"
#include "libcontainer/sys/linux_ops.h"
#include "oci/default_spec.h"
#include "tests/support/fake_ops.h"

namespace grove::process {
namespace {

using testing::FakeOps;

struct InitHarness {
  InitHarness() {
    sys::LinuxOps real;  // the channel is a real socketpair; everything else is the fake
    auto pair = make_sync_pair(real);
    EXPECT_TRUE(pair);
    parent = std::move(pair->first);
    child = std::move(pair->second);
    spec = oci::default_spec(false);
    spec.process->terminal = false;  // no console: the traces are about the hook point
    spec.process->args = {"/bin/app"};
    struct stat exe {};
    exe.st_mode = S_IFREG | 0755;
    ops.set_stat("/bin/app", exe);
    plan.strategy = {plan::Strategy::kPivot, "test"};
    cfg.spec = &spec;
    cfg.rootfs = "/bundle/rootfs";
    cfg.mount_plan = &plan;
    cfg.setup_mounts = true;
    cfg.new_session_keyring = false;  // keyring traces: process_init_security_test.cc
  }
  // Index of the first trace line starting with `call`, or trace().size().
  std::size_t find(const std::string& call) const {
    const auto& t = ops.trace();
    return std::find_if(t.begin(), t.end(),
                        [&](const std::string& l) { return l.rfind(call, 0) == 0; }) -
           t.begin();
  }
  FakeOps ops;
  SyncSocket parent, child;
  oci::Spec spec;
  plan::MountPlan plan;
  InitConfig cfg;
};

TEST(ProcessInitHooksTest, HookPointIsAfterTheMountsAndBeforePivotRoot) {
  InitHarness h;
  h.cfg.hook_point = true;
  h.cfg.need_host_pid = true;
  std::size_t trace_at_hook = 0;
  pid_t hook_pid = 0;
  h.cfg.create_container_hooks = [&](sys::Ops&, pid_t pid) -> Status {
    trace_at_hook = h.ops.trace().size();
    hook_pid = pid;
    return ok();
  };
  // The parent's side, queued ahead (SOCK_SEQPACKET keeps them in order): pid, then the go
  // that answers kHooks.
  ASSERT_TRUE(h.parent.send_pid(4321));
  ASSERT_TRUE(h.parent.send_go());
  pid_t host_pid = 0;
  auto exe = prepare_init(h.ops, h.cfg, h.child, &host_pid);
  ASSERT_TRUE(exe) << exe.error().message();
  EXPECT_EQ(*exe, "/bin/app");
  EXPECT_EQ(host_pid, 4321);
  EXPECT_EQ(hook_pid, 4321);
  auto msg = h.parent.receive();
  ASSERT_TRUE(msg) << msg.error().message();
  EXPECT_EQ(msg->kind, SyncKind::kHooks);
  // Tree built (rootfs bound on itself) before the hooks; pivot_root after them.
  std::size_t bind = h.find("move_mount(<tree:path:/bundle/rootfs>");
  std::size_t pivot = h.find("pivot_root(");
  ASSERT_LT(pivot, h.ops.trace().size());
  EXPECT_LT(bind, trace_at_hook);
  EXPECT_LE(trace_at_hook, pivot);
  EXPECT_EQ(h.find("fchdir("), trace_at_hook);  // the root switch starts right after the hooks
}

// Under open-tree-namespace the hook point comes after setns into the new namespace and the
// attached mounts (createRuntime hooks entering it see the rootfs at "/"), before chdir("/").
TEST(ProcessInitHooksTest, OpenTreeNamespaceHookPointIsAfterSetns) {
  InitHarness h;
  h.plan.strategy = {plan::Strategy::kOpenTreeNamespace, "test"};
  h.cfg.hook_point = true;
  // The in-init callback runs right after kGo: it marks where the hook point is in the trace
  // (choose_strategy never pairs real createContainer hooks with this strategy).
  std::size_t trace_at_hook = 0;
  h.cfg.create_container_hooks = [&](sys::Ops&, pid_t) -> Status {
    trace_at_hook = h.ops.trace().size();
    return ok();
  };
  ASSERT_TRUE(h.parent.send_go());
  auto exe = prepare_init(h.ops, h.cfg, h.child);
  ASSERT_TRUE(exe) << exe.error().message();
  auto msg = h.parent.receive();
  ASSERT_TRUE(msg);
  EXPECT_EQ(msg->kind, SyncKind::kHooks);
  EXPECT_LT(h.find("setns("), trace_at_hook);
  EXPECT_LT(h.find("mount_setattr(<path:/>"), trace_at_hook);
  EXPECT_EQ(h.find("chdir(\"/\")"), trace_at_hook);  // the switch follows the hook point
  EXPECT_EQ(h.ops.calls("pivot_root"), 0);
}

TEST(ProcessInitHooksTest, FailingCreateContainerHookStopsBeforeTheRootSwitch) {
  InitHarness h;
  h.cfg.create_container_hooks = [](sys::Ops&, pid_t) -> Status {
    return Error::plain(ECANCELED, "exit status 3").context("hooks.createContainer[0] \"/h\"");
  };
  auto exe = prepare_init(h.ops, h.cfg, h.child);
  ASSERT_FALSE(exe);
  EXPECT_EQ(exe.error().message(), "hooks.createContainer[0] \"/h\": exit status 3");
  EXPECT_EQ(h.ops.calls("pivot_root"), 0);
}

TEST(ProcessInitHooksTest, ParentClosingTheChannelAtTheHookPointFailsTheInit) {
  InitHarness h;
  h.cfg.hook_point = true;
  h.parent.close();  // the parent's createRuntime hook failed and it went away
  auto exe = prepare_init(h.ops, h.cfg, h.child);
  ASSERT_FALSE(exe);
  EXPECT_EQ(h.ops.calls("pivot_root"), 0);
}

TEST(ProcessInitHooksTest, NoHooksNoSyncTraffic) {
  InitHarness h;
  auto exe = prepare_init(h.ops, h.cfg, h.child);
  ASSERT_TRUE(exe) << exe.error().message();
  ASSERT_TRUE(h.child.send_ready());
  auto msg = h.parent.receive();
  ASSERT_TRUE(msg);
  EXPECT_EQ(msg->kind, SyncKind::kReady);  // nothing was sent before it
}

}  // namespace
}  // namespace grove::process
