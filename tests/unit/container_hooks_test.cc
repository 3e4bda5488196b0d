// L1: the OCI hook runner (container/hooks.h) with real processes (/bin/sh; any user): argv,
// env, the state on stdin, exit status and output, signals, timeout kill, a missing binary,
// the `hooks.<kind>[i]` frame, warnings that do not stop the other hooks.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "libcontainer/container/hooks.h"
#include "libcontainer/sys/linux_ops.h"
#include "tests/support/files.h"

namespace grove::container {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class ContainerHooksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/grove-hooks-test.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // A hook running `script` with /bin/sh; DIR is the test's temp dir.
  oci::Hook sh(const std::string& script, std::optional<int32_t> timeout = std::nullopt) {
    return oci::Hook{"/bin/sh", {"sh", "-c", script}, {"DIR=" + dir_}, timeout};
  }
  std::string file(const std::string& name) { return testing::read_text_file(dir_ + "/" + name); }

  sys::LinuxOps ops_;
  std::string dir_;
  const std::string state_ = hook_state_json("1.3.0", "c1", oci::ContainerStatus::kCreating, 42,
                                             "/b", {{"k", "v"}});
};

TEST_F(ContainerHooksTest, StateJsonHasTheOciFields) {
  EXPECT_EQ(state_,
            R"({"ociVersion":"1.3.0","id":"c1","status":"creating","pid":42,"bundle":"/b",)"
            R"("annotations":{"k":"v"}})");
}

TEST_F(ContainerHooksTest, ArgsEnvAndStdinAreTheHooks) {
  oci::Hook h{"/bin/sh",
              {"my-hook", "-c",
               "printf '%s|%s|%s' \"$0\" \"$1\" \"$FOO\" > \"$DIR/args\"; cat > \"$DIR/stdin\"; "
               "env > \"$DIR/env\"; cat /proc/$$/cmdline > \"$DIR/cmdline\"",
               "zero", "one"},
              {"FOO=bar baz", "DIR=" + dir_},
              std::nullopt};
  Status st = run_hook(ops_, h, state_);
  ASSERT_TRUE(st) << st.error().message();
  EXPECT_EQ(file("args"), "zero|one|bar baz");
  // argv[0] is args[0], not the path (execv semantics).
  EXPECT_EQ(file("cmdline").substr(0, 11), std::string("my-hook\0-c\0", 11));
  EXPECT_EQ(file("stdin"), state_);
  std::string env = file("env");
  EXPECT_THAT(env, HasSubstr("FOO=bar baz"));
  // Exactly the hook's env: nothing of the runtime's environment leaks in.
  EXPECT_THAT(env, Not(HasSubstr("HOME=")));
}

TEST_F(ContainerHooksTest, NoArgsMeansArgvIsThePath) {
  Status st = run_hook(ops_, oci::Hook{"/bin/true", {}, {}, std::nullopt}, state_);
  EXPECT_TRUE(st) << st.error().message();
}

TEST_F(ContainerHooksTest, ExitStatusAndOutputAreReported) {
  Status st = run_hook(ops_, sh("echo oops >&2; exit 3"), state_);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code(), ECANCELED);
  EXPECT_EQ(st.error().message(), "exit status 3, output: \"oops\"");
}

TEST_F(ContainerHooksTest, DeathBySignalIsReported) {
  Status st = run_hook(ops_, sh("kill -9 $$"), state_);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().message(), "killed by signal SIGKILL");
}

TEST_F(ContainerHooksTest, TimeoutKillsTheHook) {
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  Status st = run_hook(ops_, sh("echo $$ > \"$DIR/pid\"; exec sleep 30", 1), state_);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code(), ETIMEDOUT);
  EXPECT_EQ(st.error().message(), "timed out after 1s");
  EXPECT_LT(t1.tv_sec - t0.tv_sec, 10);
  // The hook was killed and reaped: its pid is gone.
  std::string pid = file("pid");
  ASSERT_FALSE(pid.empty());
  EXPECT_NE(::access(("/proc/" + std::to_string(std::stoi(pid))).c_str(), F_OK), 0);
}

TEST_F(ContainerHooksTest, MissingBinaryNamesExecveAndEnoent) {
  Status st = run_hook(ops_, oci::Hook{"/nonexistent/hook", {}, {}, std::nullopt}, state_);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code(), ENOENT);
  EXPECT_THAT(st.error().message(), HasSubstr("execve(\"/nonexistent/hook\""));
}

TEST_F(ContainerHooksTest, RunHooksStopsAtTheFirstFailureWithItsFrame) {
  oci::Hooks hooks;
  hooks.create_runtime = {sh("echo 0 >> \"$DIR/ran\""), sh("exit 3"),
                          sh("echo 2 >> \"$DIR/ran\"")};
  Status st = run_hooks(ops_, hooks, HookKind::kCreateRuntime, state_);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().message(), "hooks.createRuntime[1] \"/bin/sh\": exit status 3");
  EXPECT_EQ(file("ran"), "0\n");
}

TEST_F(ContainerHooksTest, WarningsDoNotStopTheOtherHooks) {
  oci::Hooks hooks;
  hooks.poststop = {sh("exit 4"), sh("echo 1 >> \"$DIR/ran\"")};
  std::vector<std::string> warnings;
  run_hooks_warn(ops_, hooks, HookKind::kPoststop, state_, &warnings);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0], "hooks.poststop[0] \"/bin/sh\": exit status 4");
  EXPECT_EQ(file("ran"), "1\n");
}

TEST_F(ContainerHooksTest, KindNamesAreTheConfigNames) {
  EXPECT_STREQ(to_string(HookKind::kPrestart), "prestart");
  EXPECT_STREQ(to_string(HookKind::kCreateRuntime), "createRuntime");
  EXPECT_STREQ(to_string(HookKind::kCreateContainer), "createContainer");
  EXPECT_STREQ(to_string(HookKind::kStartContainer), "startContainer");
  EXPECT_STREQ(to_string(HookKind::kPoststart), "poststart");
  EXPECT_STREQ(to_string(HookKind::kPoststop), "poststop");
  oci::Hooks h;
  EXPECT_FALSE(has_hooks(h));
  h.poststart.push_back(oci::Hook{"/x", {}, {}, std::nullopt});
  EXPECT_TRUE(has_hooks(h));
  EXPECT_EQ(&hooks_of(h, HookKind::kPoststart), &h.poststart);
}

}  // namespace
}  // namespace grove::container
