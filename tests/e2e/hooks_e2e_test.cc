// L3: OCI hooks through the grove binary on busybox bundles. Every hook is a small /bin/sh
// script that saves its stdin (the state) as <kind>.json and appends its kind to a shared log,
// in a host directory bind-mounted at /hooklog so the in-container startContainer hook (the
// container's busybox sh) writes to the same log. Checks the order of all six kinds, the state
// each receives, that a failing createRuntime hook leaves nothing behind, that a failing
// poststart hook is a warning, and that poststop runs at delete even without the bundle.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/support/e2e_fixture.h"
#include "tests/support/files.h"

namespace grove::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using Json = nlohmann::json;

// Saves stdin as $DIR/<kind>.json and logs <kind>; $0 is the kind (sh -c SCRIPT KIND).
constexpr const char* kRecord = "cat > \"$DIR/$0.json\"; echo \"$0\" >> \"$DIR/log\"";

class HooksE2ePrivTest : public E2eFixture {
 protected:
  HooksE2ePrivTest() : E2eFixture(GROVE_BIN) {}

  void SetUp() override {
    E2eFixture::SetUp();
    if (!bundle_) return;
    shared_ = cli_->scratch() + "/shared";
    std::filesystem::create_directories(shared_);
    bundle_->spec().mounts.push_back({"/hooklog", "bind", shared_, {"rbind", "rw"}, {}, {}});
  }

  // A runtime-namespace hook (host /bin/sh) running `script` with $0 = kind.
  oci::Hook host_hook(const std::string& kind, const std::string& script = kRecord) {
    return oci::Hook{"/bin/sh", {"sh", "-c", script, kind}, {"DIR=" + shared_, "PATH=/bin:/usr/bin"},
                     10};
  }

  Json hook_state(const std::string& kind) {
    return Json::parse(read_text_file(shared_ + "/" + kind + ".json"), nullptr, false);
  }
  std::string log() { return read_text_file(shared_ + "/log"); }

  std::string shared_;
};

TEST_F(HooksE2ePrivTest, AllKindsRunInOrderWithTheirState) {
  oci::Hooks& h = bundle_->spec().hooks;
  h.prestart = {host_hook("prestart")};
  h.create_runtime = {host_hook("createRuntime")};
  h.create_container = {host_hook("createContainer")};
  // Runs inside the container: the container's busybox sh, the log through /hooklog.
  h.start_container = {oci::Hook{"/bin/sh", {"sh", "-c", kRecord, "startContainer"},
                                 {"DIR=/hooklog", "PATH=/bin"}, 10}};
  h.poststart = {host_hook("poststart")};
  h.poststop = {host_hook("poststop")};
  ASSERT_TRUE(bundle_->write_config());

  Ran c = grove({"create", "--bundle", bundle_->bundle(), "c-hooks"});
  ASSERT_EQ(c.code, 0) << c.err;
  EXPECT_EQ(log(), "prestart\ncreateRuntime\ncreateContainer\n");
  Json st = cli_->state("c-hooks");
  ASSERT_TRUE(st.is_object());
  int pid = st["pid"];
  for (const char* kind : {"prestart", "createRuntime", "createContainer"}) {
    Json hs = hook_state(kind);
    ASSERT_TRUE(hs.is_object()) << kind;
    EXPECT_EQ(hs["status"], "creating") << kind;
    EXPECT_EQ(hs["pid"], pid) << kind;  // the init as the runtime sees it, even from inside
    EXPECT_EQ(hs["id"], "c-hooks") << kind;
    EXPECT_EQ(hs["bundle"], bundle_->bundle()) << kind;
  }

  Ran s = grove({"start", "c-hooks"});
  ASSERT_EQ(s.code, 0) << s.err;
  EXPECT_EQ(log(), "prestart\ncreateRuntime\ncreateContainer\nstartContainer\npoststart\n");
  EXPECT_EQ(hook_state("startContainer")["pid"], pid);
  EXPECT_EQ(hook_state("poststart")["status"], "running");
  ASSERT_TRUE(cli_->wait_status("c-hooks", "stopped"));

  // poststop comes from the state record: the bundle's config may be gone by delete time.
  std::filesystem::remove(bundle_->bundle() + "/config.json");
  Ran d = grove({"delete", "c-hooks"});
  ASSERT_EQ(d.code, 0) << d.err;
  EXPECT_EQ(log(),
            "prestart\ncreateRuntime\ncreateContainer\nstartContainer\npoststart\npoststop\n");
  EXPECT_EQ(hook_state("poststop")["status"], "stopped");
}

TEST_F(HooksE2ePrivTest, FailingCreateRuntimeHookLeavesNothingBehind) {
  oci::Hooks& h = bundle_->spec().hooks;
  h.create_runtime = {host_hook("createRuntime", "exit 3")};
  h.create_container = {host_hook("createContainer")};
  h.poststop = {host_hook("poststop")};
  ASSERT_TRUE(bundle_->write_config());
  Ran c = grove({"create", "--bundle", bundle_->bundle(), "c-fail"});
  EXPECT_EQ(c.code, 1);
  EXPECT_THAT(c.err, HasSubstr("hooks.createRuntime[0]"));
  EXPECT_THAT(c.err, HasSubstr("exit status 3"));
  // The createContainer hook never ran; the lifecycle went on to poststop (runtime.md).
  EXPECT_EQ(log(), "poststop\n");
  EXPECT_FALSE(std::filesystem::exists(cli_->root() + "/c-fail"));
  EXPECT_EQ(grove({"list", "-q"}).out, "");
  // No mount of the rootfs is left in our (the host's) mount namespace.
  EXPECT_THAT(read_text_file("/proc/self/mountinfo"), Not(HasSubstr(bundle_->bundle())));
}

TEST_F(HooksE2ePrivTest, FailingPoststartHookIsAWarning) {
  bundle_->spec().hooks.poststart = {host_hook("poststart", "exit 5")};
  ASSERT_TRUE(bundle_->write_config());
  ASSERT_EQ(grove({"create", "--bundle", bundle_->bundle(), "c-warn"}).code, 0);
  Ran s = grove({"start", "c-warn"});
  EXPECT_EQ(s.code, 0) << s.err;
  EXPECT_THAT(s.err, HasSubstr("level=warning"));
  EXPECT_THAT(s.err, HasSubstr("hooks.poststart[0]"));
  EXPECT_THAT(s.err, HasSubstr("exit status 5"));
}

TEST_F(HooksE2ePrivTest, FailingStartContainerHookFailsStart) {
  bundle_->spec().hooks.start_container = {
      oci::Hook{"/bin/sh", {"sh", "-c", "exit 7"}, {"PATH=/bin"}, 10}};
  ASSERT_TRUE(bundle_->write_config());
  ASSERT_EQ(grove({"create", "--bundle", bundle_->bundle(), "c-start"}).code, 0);
  Ran s = grove({"start", "c-start"});
  EXPECT_EQ(s.code, 1);
  EXPECT_THAT(s.err, HasSubstr("hooks.startContainer[0]"));
  EXPECT_THAT(s.err, HasSubstr("exit status 7"));
  EXPECT_TRUE(cli_->wait_status("c-start", "stopped"));
}

TEST_F(HooksE2ePrivTest, HookTimeoutFailsCreate) {
  oci::Hook slow = host_hook("createRuntime", "exec sleep 30");
  slow.timeout = 1;
  bundle_->spec().hooks.create_runtime = {slow};
  ASSERT_TRUE(bundle_->write_config());
  auto t0 = std::chrono::steady_clock::now();
  Ran c = grove({"create", "--bundle", bundle_->bundle(), "c-slow"});
  EXPECT_EQ(c.code, 1);
  EXPECT_THAT(c.err, HasSubstr("timed out after 1s"));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(10));
  EXPECT_FALSE(std::filesystem::exists(cli_->root() + "/c-slow"));
}

}  // namespace
}  // namespace grove::testing
