// L3: `grove exec` and `grove ps` on busybox containers (the real binary, state under a mkdtemp
// --root). The test process is a child subreaper, so inits and detached exec'd processes
// orphaned by grove are reparented to it and reaped here. TearDown force-deletes every
// container, reaps and checks the state root is empty.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
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

#include "libcontainer/base/strings.h"
#include "tests/support/bundle.h"
#include "tests/support/files.h"
#include "tests/support/priv.h"
#include "tests/support/run_binary.h"

namespace grove::testing {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using Json = nlohmann::json;

class ExecE2ePrivTest : public ::testing::Test {
 protected:
  void SetUp() override {
    GROVE_REQUIRE_ROOT();
    GROVE_REQUIRE(missing_busybox());
    ASSERT_EQ(::prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
    root_ = tmp_.path() + "/state";
    auto b = BusyboxBundle::make({"sleep", "100"});
    ASSERT_TRUE(b) << b.error().message();
    bundle_.emplace(std::move(*b));
    // Applets the exec tests use beyond the bundle's default set.
    for (const char* applet : {"pwd", "env"}) {
      std::filesystem::create_symlink("busybox", bundle_->bundle() + "/rootfs/bin/" + applet);
    }
    ASSERT_TRUE(bundle_->write_config());
  }

  void TearDown() override {
    if (!bundle_) return;
    Ran ids = grove({"list", "-q"});
    std::istringstream lines(ids.out);
    for (std::string id; std::getline(lines, id);) {
      EXPECT_EQ(grove({"delete", "--force", id}).code, 0) << id;
    }
    reap_all();
    std::error_code ec;
    bool clean = !std::filesystem::exists(root_, ec) || std::filesystem::is_empty(root_, ec);
    EXPECT_TRUE(clean) << "state left under " << root_;
  }

  static void reap_all() {
    for (int i = 0; i < 200; ++i) {
      pid_t p = ::waitpid(-1, nullptr, WNOHANG);
      if (p < 0) return;  // ECHILD: nothing left
      if (p == 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }

  Ran grove(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {GROVE_BIN, "--root", root_};
    argv.insert(argv.end(), args.begin(), args.end());
    RunOptions o{.out_path = tmp_.path() + "/grove.out", .err_path = tmp_.path() + "/grove.err"};
    return run_binary(argv, o);
  }

  // A running `sleep 100` container named `id`.
  void run_detached(const std::string& id) {
    Ran r = grove({"run", "-d", "--bundle", bundle_->bundle(), id});
    ASSERT_EQ(r.code, 0) << r.err;
  }

  Json state(const std::string& id) {
    Ran r = grove({"state", id});
    if (r.code != 0) return Json();
    return Json::parse(r.out, nullptr, false);
  }

  bool wait_status(const std::string& id, const std::string& want) {
    for (int i = 0; i < 250; ++i) {
      Json s = state(id);
      if (s.is_object() && s["status"] == want) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

  TempDir tmp_;
  std::string root_;
  std::optional<BusyboxBundle> bundle_;
};

TEST_F(ExecE2ePrivTest, OutputAndExitCodes) {
  run_detached("x-codes");
  Ran hi = grove({"exec", "x-codes", "echo", "hi"});
  EXPECT_EQ(hi.code, 0) << hi.err;
  EXPECT_EQ(hi.out, "hi\n");
  // Flags end at the id: "-c" belongs to sh.
  Ran seven = grove({"exec", "x-codes", "sh", "-c", "exit 7"});
  EXPECT_EQ(seven.code, 7) << seven.err;
  Ran killed = grove({"exec", "x-codes", "sh", "-c", "kill -TERM $$"});
  EXPECT_EQ(killed.code, 128 + SIGTERM) << killed.err;
}

TEST_F(ExecE2ePrivTest, SeesTheContainersHostnameAndPidNamespace) {
  run_detached("x-ns");
  Ran host = grove({"exec", "x-ns", "hostname"});
  EXPECT_EQ(host.code, 0) << host.err;
  EXPECT_EQ(host.out, bundle_->spec().hostname + "\n");
  Ran pid = grove({"exec", "x-ns", "sh", "-c", "echo $$"});
  ASSERT_EQ(pid.code, 0) << pid.err;
  long long n = 0;
  ASSERT_TRUE(parse_int64(pid.out.substr(0, pid.out.size() - 1), &n)) << pid.out;
  EXPECT_GT(n, 1);
  EXPECT_LT(n, 100) << "not in the container's pid namespace";
  Ran init = grove({"exec", "x-ns", "cat", "/proc/1/cmdline"});
  EXPECT_EQ(init.code, 0) << init.err;
  EXPECT_EQ(init.out, std::string("sleep\0" "100\0", 10));
}

TEST_F(ExecE2ePrivTest, EnvCwdAndUserFlagsTakeEffect) {
  run_detached("x-flags");
  Ran r = grove({"exec", "--env", "FOO=bar", "-e", "PATH=/bin", "--cwd", "/bin", "-u", "1000:1001",
                 "--additional-gids", "1002", "x-flags", "sh", "-c",
                 "echo $FOO; pwd; id -u; id -g; id -G"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "bar\n/bin\n1000\n1001\n1001 1002\n");
  Ran env = grove({"exec", "-e", "ONLY=here", "x-flags", "env"});
  EXPECT_EQ(env.code, 0) << env.err;
  EXPECT_THAT(env.out, HasSubstr("ONLY=here\n"));
}

TEST_F(ExecE2ePrivTest, ProcessFileIsUsedVerbatim) {
  run_detached("x-file");
  std::string file = tmp_.path() + "/process.json";
  std::ofstream(file) << R"({"args": ["sh", "-c", "echo from-file $X; pwd"], "cwd": "/bin",
                            "env": ["X=1", "PATH=/bin"], "user": {"uid": 0, "gid": 0}})";
  // The trailing command is ignored with --process, as in runc.
  Ran r = grove({"exec", "--process", file, "x-file"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "from-file 1\n/bin\n");
}

TEST_F(ExecE2ePrivTest, OnlyStdioReachesTheProcess) {
  run_detached("x-fds");
  // ls opens /proc/self/fd itself (fd 3); nothing else of the runtime may be there.
  Ran r = grove({"exec", "x-fds", "ls", "/proc/self/fd"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "0\n1\n2\n3\n");
}

TEST_F(ExecE2ePrivTest, PreserveFdsPassesExactlyTheExtraFds) {
  run_detached("x-preserve");
  // fd 3 (and 5, not preserved) are open in grove; only 3 may reach the process, where ls's own
  // directory fd then is 4.
  std::string cmd = std::string(GROVE_BIN) + " --root " + root_ +
                    " exec --preserve-fds 1 x-preserve ls /proc/self/fd 3</dev/null 5</dev/null";
  RunOptions o{.out_path = tmp_.path() + "/sh.out", .err_path = tmp_.path() + "/sh.err"};
  Ran r = run_shell(cmd, o);
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "0\n1\n2\n3\n4\n");
}

TEST_F(ExecE2ePrivTest, DetachWritesThePidFileAndPsListsTheProcess) {
  run_detached("x-detach");
  std::string pid_file = tmp_.path() + "/exec.pid";
  Ran r = grove({"exec", "--detach", "--pid-file", pid_file, "x-detach", "sleep", "50"});
  ASSERT_EQ(r.code, 0) << r.err;
  long long pid = 0;
  ASSERT_TRUE(parse_int64(read_text_file(pid_file), &pid)) << read_text_file(pid_file);
  EXPECT_EQ(::kill(static_cast<pid_t>(pid), 0), 0) << "exec'd process not alive";
  Ran ps = grove({"ps", "--format", "json", "x-detach"});
  ASSERT_EQ(ps.code, 0) << ps.err;
  Json pids = Json::parse(ps.out, nullptr, false);
  ASSERT_TRUE(pids.is_array()) << ps.out;
  EXPECT_THAT(pids.get<std::vector<long long>>(), Contains(pid));
  EXPECT_THAT(pids.get<std::vector<long long>>(),
              Contains(state("x-detach")["pid"].get<long long>()));
  EXPECT_EQ(pids.size(), 2u) << ps.out;
  Ran table = grove({"ps", "x-detach"});
  ASSERT_EQ(table.code, 0) << table.err;
  EXPECT_THAT(table.out, HasSubstr("PID"));
  EXPECT_THAT(table.out, HasSubstr("sleep 50"));
  EXPECT_THAT(table.out, HasSubstr("sleep 100"));
  Ran cols = grove({"ps", "x-detach", "-o", "pid,comm"});
  ASSERT_EQ(cols.code, 0) << cols.err;
  EXPECT_EQ(std::count(cols.out.begin(), cols.out.end(), '\n'), 3) << cols.out;
  // The detached process is ours now (subreaper). A pid-namespace init killed by delete only
  // exits once every process of its namespace is reaped, so reap it here first.
  ASSERT_EQ(::kill(static_cast<pid_t>(pid), SIGKILL), 0);
  EXPECT_EQ(::waitpid(static_cast<pid_t>(pid), nullptr, 0), pid);
}

TEST_F(ExecE2ePrivTest, MissingExecutableFailsLikeRunc) {
  run_detached("x-nope");
  Ran r = grove({"exec", "x-nope", "nope"});
  EXPECT_EQ(r.code, 255);
  EXPECT_THAT(r.err, HasSubstr("exec failed: "));
  EXPECT_THAT(r.err, HasSubstr("unable to start container process: exec: \\\"nope\\\": "
                               "executable file not found in $PATH"));
  Ran cwd = grove({"exec", "--cwd", "/no/such/dir", "x-nope", "true"});
  EXPECT_EQ(cwd.code, 255);
  EXPECT_THAT(cwd.err, HasSubstr("ENOENT"));
  // The container is untouched by the failures.
  EXPECT_EQ(state("x-nope")["status"], "running");
}

TEST_F(ExecE2ePrivTest, CreatedContainersAcceptExecStoppedOnesRefuse) {
  Ran c = grove({"create", "--bundle", bundle_->bundle(), "x-created"});
  ASSERT_EQ(c.code, 0) << c.err;
  Ran hi = grove({"exec", "x-created", "echo", "early"});
  EXPECT_EQ(hi.code, 0) << hi.err;
  EXPECT_EQ(hi.out, "early\n");
  EXPECT_EQ(state("x-created")["status"], "created");
  EXPECT_EQ(grove({"start", "x-created"}).code, 0);
  EXPECT_EQ(grove({"kill", "x-created", "KILL"}).code, 0);
  ASSERT_TRUE(wait_status("x-created", "stopped"));
  Ran stopped = grove({"exec", "x-created", "true"});
  EXPECT_EQ(stopped.code, 255);
  EXPECT_THAT(stopped.err, HasSubstr("cannot exec in a stopped container"));
  Ran ps = grove({"ps", "--format", "json", "x-created"});
  EXPECT_EQ(ps.code, 0) << ps.err;
  EXPECT_EQ(ps.out, "null\n");  // runc 1.1.5 prints the same
}

TEST_F(ExecE2ePrivTest, TtyIsRefusedAsNotImplemented) {
  run_detached("x-tty");
  Ran r = grove({"exec", "--tty", "x-tty", "true"});
  EXPECT_EQ(r.code, 255);
  EXPECT_THAT(r.err, HasSubstr("exec --tty: not implemented yet"));
}

}  // namespace
}  // namespace grove::testing
