// containerd (Debian 1.6) driving grove: a containerd started by the test on a private socket,
// root and state directory, an OCI image archive (tests/clients/make_oci_archive.py) imported
// with `ctr image import`, and containers run with `ctr run --runc-binary <grove>` (the runc v2
// shim: create/start/exec/kill/delete/pause/resume/ps through grove's CLI, JSON log) and through
// containerd's own configuration (the v1 shim's `runtime` option names the binary). Results are
// compared with runc's under the same containerd (crun refuses this host's hybrid cgroups unless
// the whole daemon runs in a private mount namespace).

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "tests/clients/client_env.h"
#include "tests/support/files.h"

namespace grove::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

constexpr const char* kImage = "localhost/grove-busybox:test";

class ContainerdTest : public ::testing::Test {
 protected:
  void SetUp() override {
    GROVE_CLIENT_SKIP_UNLESS_ROOT();
    std::string why = missing_programs({"containerd", "ctr", "containerd-shim-runc-v2", "runc"});
    if (!why.empty()) GTEST_SKIP() << why;
    ASSERT_EQ(env_.init(GROVE_BIN), "");
    std::string d = env_.dir() + "/containerd";
    fs::create_directories(d);
    sock_ = d + "/containerd.sock";
    std::ofstream(d + "/config.toml")
        << "version = 2\nroot = \"" << d << "/root\"\nstate = \"" << d << "/state\"\n"
        << "[grpc]\n  address = \"" << sock_ << "\"\n"
        << "[ttrpc]\n  address = \"" << sock_ << ".ttrpc\"\n"
        << "[debug]\n  address = \"" << d << "/debug.sock\"\n"
        << "[plugins.\"io.containerd.grpc.v1.cri\"]\n  disable_tcp_service = true\n"
        // The v1 shim takes the runtime binary from containerd's configuration.
        << "[plugins.\"io.containerd.runtime.v1.linux\"]\n  runtime = \"" << env_.grove()
        << "\"\n  runtime_root = \"" << d << "/v1-root\"\n";
    Ran started = env_.sh("containerd --config " + shq(d + "/config.toml") + " >" +
                          shq(d + "/containerd.log") + " 2>&1 & echo $!");
    daemon_ = std::stoi(started.out.empty() ? "0" : started.out);
    ASSERT_GT(daemon_, 0);
    Ran up;
    for (int i = 0; i < 100; ++i) {
      up = ctr("version");
      if (up.code == 0) break;
      ::usleep(100 * 1000);
    }
    ASSERT_EQ(up.code, 0) << up.err << read_text_file(d + "/containerd.log");
    std::string archive = env_.dir() + "/image.tar";
    Ran made = env_.sh(std::string("python3 ") + GROVE_OCI_ARCHIVE_SCRIPT + " " +
                       shq(env_.rootfs()) + " " + shq(archive) + " " + kImage);
    ASSERT_EQ(made.code, 0) << made.err;
    Ran imported = ctr("image import " + shq(archive));
    ASSERT_EQ(imported.code, 0) << imported.err;
    grove_run_ = " --runc-binary " + env_.grove() + " ";
  }

  void TearDown() override {
    if (daemon_ <= 0) return;
    Ran tasks = ctr("task ls -q");
    std::istringstream ids(tasks.out);
    for (std::string id; std::getline(ids, id);) {
      (void)ctr("task kill -s SIGKILL " + id);
      (void)ctr("task delete -f " + id);
    }
    Ran containers = ctr("container ls -q");
    std::istringstream cids(containers.out);
    for (std::string id; std::getline(cids, id);) (void)ctr("container delete " + id);
    ::kill(daemon_, SIGTERM);
    for (int i = 0; i < 100 && ::kill(daemon_, 0) == 0; ++i) ::usleep(50 * 1000);
    // The shims outlive a stopped containerd by design; ours go with the test.
    (void)env_.sh("pkill -KILL -f " + shq("containerd-shim.*" + env_.dir()));
  }

  Ran ctr(const std::string& args) const {
    return env_.sh("ctr --address " + shq(sock_) + " -n grove-test " + args);
  }
  // `ctr run --rm` of `args` with grove and with runc.
  std::pair<Ran, Ran> both(const std::string& name, const std::string& args) {
    std::string cg = " --cgroup " + env_.cgroup_parent() + "/";
    Ran g = ctr("run --rm" + grove_run_ + cg + name + " " + kImage + " " + name + " " + args);
    Ran r = ctr("run --rm --runc-binary runc" + cg + name + "-runc " + kImage + " " + name +
                "-runc " + args);
    return {g, r};
  }

  ClientEnv env_;
  std::string sock_;
  pid_t daemon_ = 0;
  std::string grove_run_;
};

TEST_F(ContainerdTest, RunPrintsAndReturnsTheExitCodeLikeRunc) {
  auto [g, r] = both("hello", "sh -c 'echo hello from ctr; id -u; exit 7'");
  EXPECT_EQ(g.code, 7) << g.err;
  EXPECT_EQ(g.out, "hello from ctr\n0\n");
  EXPECT_EQ(g.code, r.code) << r.err;
  EXPECT_EQ(g.out, r.out);
}

TEST_F(ContainerdTest, TaskLifecycleExecPauseKillDelete) {
  Ran run = ctr("run -d" + grove_run_ + "--cgroup " + env_.cgroup_parent() + "/life " + kImage +
                " life sleep 1000");
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_THAT(ctr("task ls").out, HasSubstr("RUNNING"));
  Ran exec = ctr("task exec --exec-id e1 life sh -c 'echo exec out; exit 5'");
  EXPECT_EQ(exec.code, 5) << exec.err;
  EXPECT_EQ(exec.out, "exec out\n");
  ASSERT_EQ(ctr("task pause life").code, 0);
  EXPECT_THAT(ctr("task ls").out, HasSubstr("PAUSED"));
  ASSERT_EQ(ctr("task resume life").code, 0);
  EXPECT_THAT(ctr("task ls").out, HasSubstr("RUNNING"));
  Ran ps = ctr("task ps life");
  EXPECT_EQ(ps.code, 0) << ps.err;
  ASSERT_EQ(ctr("task kill -s SIGKILL life").code, 0);
  Ran stopped;
  for (int i = 0; i < 50; ++i) {
    stopped = ctr("task ls");
    if (stopped.out.find("STOPPED") != std::string::npos) break;
    ::usleep(100 * 1000);
  }
  EXPECT_THAT(stopped.out, HasSubstr("STOPPED"));
  EXPECT_EQ(ctr("task delete life").code, 0);
  EXPECT_EQ(ctr("container delete life").code, 0);
  EXPECT_THAT(env_.leftover_cgroups(), ::testing::Each(::testing::Not(HasSubstr("/life"))));
}

TEST_F(ContainerdTest, TerminalLikeRunc) {
  std::string cg = " --cgroup " + env_.cgroup_parent() + "/";
  std::string base = "ctr --address " + shq(sock_) + " -n grove-test run --rm -t";
  Ran g = env_.sh_tty(base + grove_run_ + cg + "tty " + kImage + " tty sh -c 'tty; exit 4'");
  EXPECT_EQ(g.code, 4) << g.err;
  EXPECT_THAT(g.out, HasSubstr("/dev/pts/0"));
  Ran r = env_.sh_tty(base + " --runc-binary runc" + cg + "tty-runc " + kImage +
                      " tty-runc sh -c 'tty; exit 4'");
  EXPECT_EQ(r.code, 4) << r.err;
  EXPECT_THAT(r.out, HasSubstr("/dev/pts/0"));
}

TEST_F(ContainerdTest, ConfiguredRuntimeBinary) {
  // No --runc-binary: the binary comes from containerd's config.toml (v1 shim `runtime`).
  Ran g = ctr("run --rm --runtime io.containerd.runtime.v1.linux --cgroup " +
              env_.cgroup_parent() + "/v1 " + kImage + " v1 sh -c 'echo via config; exit 6'");
  EXPECT_EQ(g.code, 6) << g.err;
  EXPECT_EQ(g.out, "via config\n");
  // It is grove: grove's own `state` finds the running container under the configured root.
  Ran d = ctr("run -d --runtime io.containerd.runtime.v1.linux --cgroup " +
              env_.cgroup_parent() + "/v1d " + kImage + " v1d sleep 1000");
  ASSERT_EQ(d.code, 0) << d.err;
  Ran state = env_.sh(env_.grove() + " --root " + env_.dir() + "/containerd/v1-root/grove-test " +
                      "state v1d");
  EXPECT_EQ(state.code, 0) << state.err;
  EXPECT_THAT(state.out, HasSubstr("\"status\": \"running\""));
}

}  // namespace
}  // namespace grove::testing
