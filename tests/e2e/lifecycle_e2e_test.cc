// L3: the real grove binary (GROVE_BIN) running busybox containers through create, start, run,
// state, kill, delete and list, on the shared E2eFixture (tests/support/e2e_fixture.h: a mkdtemp
// --root, the test process a child subreaper, and a TearDown that force-deletes, reaps and
// fails when state or a mount is left).

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/bundle.h"
#include "tests/support/e2e_fixture.h"
#include "tests/support/files.h"
#include "tests/support/priv.h"
#include "tests/support/run_binary.h"

namespace grove::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;
using Json = nlohmann::json;

class LifecycleE2ePrivTest : public E2eFixture {
 protected:
  LifecycleE2ePrivTest() : E2eFixture(GROVE_BIN) {}

  // Starts `grove --root <root> args...` with output in files named after `tag`; returns its pid.
  pid_t spawn(const std::vector<std::string>& args, const std::string& tag) {
    return cli_->spawn(args, tag);
  }
  Ran finish(pid_t pid, const std::string& tag) { return cli_->finish(pid, tag); }

  Json state(const std::string& id) { return cli_->state(id); }
  bool wait_status(const std::string& id, const std::string& want) {
    return cli_->wait_status(id, want);
  }

  void set_args(std::vector<std::string> args) {
    bundle_->spec().process->args = std::move(args);
    ASSERT_TRUE(bundle_->write_config());
  }

  const std::string& root() const { return cli_->root(); }
  const std::string& scratch() const { return cli_->scratch(); }
};

TEST_F(LifecycleE2ePrivTest, RunTrueExitsZeroAndDeletesTheContainer) {
  set_args({"true"});
  Ran r = grove({"run", "--bundle", bundle_->bundle(), "c-true"});
  EXPECT_EQ(r.code, 0) << r.err;
  Ran st = grove({"state", "c-true"});
  EXPECT_EQ(st.code, 1);
  EXPECT_THAT(st.err, HasSubstr("does not exist"));
}

TEST_F(LifecycleE2ePrivTest, RunReturnsTheProcessExitCode) {
  set_args({"sh", "-c", "echo hello from $(hostname); exit 3"});
  Ran r = grove({"run", "-b", bundle_->bundle(), "c-exit3"});
  EXPECT_EQ(r.code, 3) << r.err;
  EXPECT_EQ(r.out, "hello from " + bundle_->spec().hostname + "\n");
}

TEST_F(LifecycleE2ePrivTest, RunKilledBySignalExits128PlusN) {
  set_args({"sleep", "100"});
  pid_t run = spawn({"run", "--bundle", bundle_->bundle(), "c-sig"}, "run");
  ASSERT_TRUE(wait_status("c-sig", "running"));
  EXPECT_EQ(grove({"kill", "c-sig", "KILL"}).code, 0);
  Ran r = finish(run, "run");
  EXPECT_EQ(r.code, 128 + SIGKILL) << r.err;
}

TEST_F(LifecycleE2ePrivTest, RunForwardsSignalsToTheInit) {
  // A pid-namespace init only receives signals it handles, hence the trap; a signal sent before
  // the trap exists is dropped (pid_namespaces(7)), so wait for the shell's marker file.
  set_args({"sh", "-c", "trap 'exit 42' TERM; : > /trap-ready; while :; do sleep 0.05; done"});
  pid_t run = spawn({"run", "--bundle", bundle_->bundle(), "c-fwd"}, "run");
  ASSERT_TRUE(wait_status("c-fwd", "running"));
  const std::string ready = bundle_->bundle() + "/rootfs/trap-ready";
  for (int i = 0; i < 500 && ::access(ready.c_str(), F_OK) != 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(::access(ready.c_str(), F_OK), 0) << "the shell never installed its trap";
  ASSERT_EQ(::kill(run, SIGTERM), 0);
  Ran r = finish(run, "run");
  EXPECT_EQ(r.code, 42) << r.err;
}

TEST_F(LifecycleE2ePrivTest, RunExits255WhenTheInitFailsAfterStart) {
  // execve fails (ENOEXEC) after start: the init reports it on the exec fifo and exits 255, and a
  // foreground run exits with that code, as runc does (its init's os.Exit(255), runc >= 1.2).
  const std::string bad = bundle_->bundle() + "/rootfs/bin/bad";
  {
    std::ofstream f(bad, std::ios::binary);
    f << std::string("garbage\0\1\2", 10);
    ASSERT_TRUE(f.good());
  }
  ASSERT_EQ(::chmod(bad.c_str(), 0755), 0);
  set_args({"/bin/bad"});
  Ran r = grove({"run", "--bundle", bundle_->bundle(), "c-enoexec"});
  EXPECT_EQ(r.code, 255) << r.err;
  EXPECT_THAT(r.err, HasSubstr("/bin/bad"));
  EXPECT_EQ(grove({"state", "c-enoexec"}).code, 1);
  // A missing executable is found at create, before any process runs: 1, as runc 1.1.5's
  // "runc run failed: unable to start container process: exec: ...: no such file" (checked).
  set_args({"/bin/nope"});
  Ran missing = grove({"run", "--bundle", bundle_->bundle(), "c-missing"});
  EXPECT_EQ(missing.code, 1);
  EXPECT_THAT(missing.err, HasSubstr("/bin/nope"));
  EXPECT_EQ(grove({"state", "c-missing"}).code, 1);
}

TEST_F(LifecycleE2ePrivTest, CreateStartKillDelete) {
  set_args({"sleep", "100"});
  std::string pid_file = scratch() + "/init.pid";
  Ran c = grove({"create", "--bundle", bundle_->bundle(), "--pid-file", pid_file, "c-life"});
  ASSERT_EQ(c.code, 0) << c.err;
  Json s = state("c-life");
  ASSERT_TRUE(s.is_object());
  EXPECT_EQ(s["status"], "created");
  EXPECT_EQ(s["id"], "c-life");
  EXPECT_EQ(s["bundle"], bundle_->bundle());
  EXPECT_EQ(std::to_string(s["pid"].get<int>()), read_text_file(pid_file));
  EXPECT_EQ(grove({"start", "c-life"}).code, 0);
  EXPECT_EQ(state("c-life")["status"], "running");
  Ran again = grove({"start", "c-life"});
  EXPECT_EQ(again.code, 1);
  EXPECT_THAT(again.err, HasSubstr("cannot start an already running container"));
  EXPECT_EQ(grove({"kill", "c-life", "SIGKILL"}).code, 0);
  EXPECT_TRUE(wait_status("c-life", "stopped"));
  EXPECT_EQ(state("c-life")["pid"], 0);
  Ran k = grove({"kill", "c-life"});
  EXPECT_EQ(k.code, 1);
  EXPECT_THAT(k.err, HasSubstr("container not running"));
  EXPECT_EQ(grove({"delete", "c-life"}).code, 0);
  Ran gone = grove({"state", "c-life"});
  EXPECT_EQ(gone.code, 1);
  EXPECT_THAT(gone.err, HasSubstr("container \\\"c-life\\\" does not exist"));
}

TEST_F(LifecycleE2ePrivTest, DeleteRunningNeedsForce) {
  set_args({"sleep", "100"});
  ASSERT_EQ(grove({"run", "-d", "--bundle", bundle_->bundle(), "c-busy"}).code, 0);
  Ran d = grove({"delete", "c-busy"});
  EXPECT_EQ(d.code, 1);
  EXPECT_THAT(d.err, HasSubstr("cannot delete container c-busy that is not stopped: running"));
  EXPECT_EQ(grove({"delete", "-f", "c-busy"}).code, 0);
  EXPECT_EQ(grove({"state", "c-busy"}).code, 1);
}

TEST_F(LifecycleE2ePrivTest, MissingContainersFailLikeRunc) {
  for (const char* verb : {"start", "state", "kill", "delete"}) {
    Ran r = grove({verb, "nope"});
    EXPECT_EQ(r.code, 1) << verb;
    EXPECT_THAT(r.err, HasSubstr("does not exist")) << verb;
  }
  EXPECT_EQ(grove({"delete", "--force", "nope"}).code, 0);  // runc 1.1.5 does the same
  Ran bad = grove({"kill", "nope", "SIGNOPE"});
  EXPECT_EQ(bad.code, 1);
  EXPECT_THAT(bad.err, HasSubstr("invalid signal"));
}

TEST_F(LifecycleE2ePrivTest, ListTableAndJson) {
  Ran empty = grove({"list", "--format", "json"});
  EXPECT_EQ(empty.code, 0) << empty.err;
  EXPECT_EQ(empty.out, "null\n");  // runc's nil slice
  set_args({"sleep", "100"});
  ASSERT_EQ(grove({"create", "--bundle", bundle_->bundle(), "c-b"}).code, 0);
  ASSERT_EQ(grove({"create", "--bundle", bundle_->bundle(), "c-a"}).code, 0);
  ASSERT_EQ(grove({"start", "c-b"}).code, 0);
  Ran j = grove({"list", "-f", "json"});
  ASSERT_EQ(j.code, 0) << j.err;
  Json list = Json::parse(j.out, nullptr, false);
  ASSERT_TRUE(list.is_array()) << j.out;
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0]["id"], "c-a");
  EXPECT_EQ(list[0]["status"], "created");
  EXPECT_EQ(list[1]["id"], "c-b");
  EXPECT_EQ(list[1]["status"], "running");
  EXPECT_EQ(list[1]["owner"], "root");
  EXPECT_EQ(list[1]["rootfs"], bundle_->bundle() + "/rootfs");
  EXPECT_EQ(grove({"list", "-q"}).out, "c-a\nc-b\n");
  Ran t = grove({"list"});
  EXPECT_THAT(t.out, StartsWith("ID          PID         STATUS      BUNDLE"));
  EXPECT_THAT(t.out, HasSubstr("\nc-a   "));
  Ran bad = grove({"list", "--format", "yaml"});
  EXPECT_EQ(bad.code, 1);
  EXPECT_THAT(bad.err, HasSubstr("invalid format option"));
}

TEST_F(LifecycleE2ePrivTest, MalformedConfigIsOneClearLine) {
  ASSERT_TRUE(bundle_->write_raw_config(
      R"({"ociVersion": "1.2.0", "root": {"path": "rootfs"}, "process": {"cwd": "/", )"
      R"("user": {"uid": 0, "gid": 0}, "args": "sh"}})"));
  Ran r = grove({"create", "--bundle", bundle_->bundle(), "c-bad"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr(bundle_->bundle() + "/config.json"));
  EXPECT_THAT(r.err, HasSubstr("/process/args"));
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_FALSE(std::filesystem::exists(root() + "/c-bad"));
  Ran run = grove({"run", "--bundle", scratch() + "/no-such-bundle", "c-none"});
  EXPECT_EQ(run.code, 1);
  EXPECT_THAT(run.err, HasSubstr("no-such-bundle/config.json"));
  EXPECT_FALSE(std::filesystem::exists(root() + "/c-none"));
}

TEST_F(LifecycleE2ePrivTest, DuplicateAndInvalidIds) {
  set_args({"sleep", "100"});
  ASSERT_EQ(grove({"create", "--bundle", bundle_->bundle(), "c-dup"}).code, 0);
  Ran dup = grove({"create", "--bundle", bundle_->bundle(), "c-dup"});
  EXPECT_EQ(dup.code, 1);
  EXPECT_THAT(dup.err, HasSubstr("container with given ID already exists"));
  Ran bad = grove({"create", "--bundle", bundle_->bundle(), "bad/id"});
  EXPECT_EQ(bad.code, 1);
  EXPECT_THAT(bad.err, HasSubstr("invalid container ID format"));
  // A created container is killed by delete without --force, as runc does.
  EXPECT_EQ(grove({"delete", "c-dup"}).code, 0);
}

TEST_F(LifecycleE2ePrivTest, TerminalAndConsoleSocketRules) {
  // runc's checks (with grove's name), made before anything is created.
  bundle_->spec().process->terminal = true;
  ASSERT_TRUE(bundle_->write_config());
  Ran c = grove({"create", "--bundle", bundle_->bundle(), "c-tty"});
  EXPECT_EQ(c.code, 1);
  EXPECT_THAT(c.err, HasSubstr("cannot allocate tty if grove will detach without setting console "
                               "socket"));
  Ran r = grove({"run", "--detach", "--bundle", bundle_->bundle(), "c-tty"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("cannot allocate tty if grove will detach without setting console "
                               "socket"));
  bundle_->spec().process->terminal = false;
  ASSERT_TRUE(bundle_->write_config());
  std::string sock = scratch() + "/console.sock";
  Ran s = grove({"create", "--console-socket", sock, "--bundle", bundle_->bundle(), "c-tty"});
  EXPECT_EQ(s.code, 1);
  EXPECT_THAT(s.err, HasSubstr("cannot use console socket if grove will not detach or allocate "
                               "tty"));
  EXPECT_FALSE(std::filesystem::exists(root() + "/c-tty"));
}

}  // namespace
}  // namespace grove::testing
