// containerd (Debian 1.6) driving grove: a containerd started by the test on a private socket,
// root and state directory, an OCI image archive (tests/clients/make_oci_archive.py) imported
// with `ctr image import`, and containers run with `ctr run --runc-binary <grove>` (the runc v2
// shim: create/start/exec/kill/delete/pause/resume/ps through grove's CLI, JSON log) and through
// containerd's own configuration (the v1 shim's `runtime` option names the binary). Results are
// compared with runc's under the same containerd and with crun's under a second containerd that
// runs in a private mount namespace (crun refuses this host's hybrid cgroups otherwise).

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "tests/clients/client_env.h"
#include "tests/support/files.h"

namespace grove::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

constexpr const char* kImage = "localhost/grove-busybox:test";

// One containerd daemon with its own socket, root, state and config under `dir`, the busybox
// image imported. `crun_ns`: the daemon (and so its shims and runtimes) runs in a private mount
// namespace without /sys/fs/cgroup/unified, where crun accepts this host's cgroups.
constexpr const char* kPause = "localhost/grove-pause:test";

class Daemon {
 public:
  Daemon(const ClientEnv& env, std::string dir) : env_(env), dir_(std::move(dir)) {}
  Daemon(const Daemon&) = delete;
  ~Daemon() { stop(); }

  // `cri_binary`: also configure the CRI plugin with a runtime handler "grove" whose
  // BinaryName is `cri_binary`, and import the images into the CRI's "k8s.io" namespace.
  std::string start(bool crun_ns, const std::string& cri_binary = "") {
    fs::create_directories(dir_);
    sock_ = dir_ + "/containerd.sock";
    std::ofstream(dir_ + "/config.toml")
        << "version = 2\nroot = \"" << dir_ << "/root\"\nstate = \"" << dir_ << "/state\"\n"
        << "[grpc]\n  address = \"" << sock_ << "\"\n"
        << "[ttrpc]\n  address = \"" << sock_ << ".ttrpc\"\n"
        << "[debug]\n  address = \"" << dir_ << "/debug.sock\"\n"
        << "[plugins.\"io.containerd.grpc.v1.cri\"]\n  disable_tcp_service = true\n"
        << cri_config(cri_binary)
        // The v1 shim takes the runtime binary from containerd's configuration.
        << "[plugins.\"io.containerd.runtime.v1.linux\"]\n  runtime = \"" << env_.grove()
        << "\"\n  runtime_root = \"" << dir_ << "/v1-root\"\n";
    std::string daemon = "containerd --config " + shq(dir_ + "/config.toml");
    if (crun_ns) {
      daemon = "unshare -m --propagation private /bin/sh -c " +
               shq("umount -l /sys/fs/cgroup/unified; exec " + daemon);
    }
    Ran started = env_.sh(daemon + " >" + shq(dir_ + "/containerd.log") + " 2>&1 & echo $!");
    pid_ = std::atoi(started.out.c_str());
    if (pid_ <= 0) return "could not start containerd";
    Ran up;
    for (int i = 0; i < 100; ++i) {
      up = ctr("version");
      if (up.code == 0) break;
      ::usleep(100 * 1000);
    }
    if (up.code != 0) return "containerd did not come up: " + read_text_file(dir_ + "/containerd.log");
    std::string archive = dir_ + "/image.tar";
    Ran made = env_.sh(std::string("python3 ") + GROVE_OCI_ARCHIVE_SCRIPT + " " +
                       shq(env_.rootfs()) + " " + shq(archive) + " " + kImage);
    if (made.code != 0) return "make_oci_archive.py: " + made.err;
    Ran imported = ctr("image import " + shq(archive));
    if (imported.code != 0 || cri_binary.empty()) {
      return imported.code == 0 ? "" : "ctr image import: " + imported.err;
    }
    // The pod's sandbox ("pause") container: the same busybox sleeping.
    std::string pause = dir_ + "/pause.tar";
    made = env_.sh(std::string("/usr/bin/python3 ") + GROVE_OCI_ARCHIVE_SCRIPT + " " +
                   shq(env_.rootfs()) + " " + shq(pause) + " " + kPause + " '[\"sleep\", \"1000000\"]'");
    if (made.code != 0) return "make_oci_archive.py: " + made.err;
    for (const std::string& a : {archive, pause}) {
      Ran k8s = env_.sh("ctr --address " + shq(sock_) + " -n k8s.io image import " + shq(a));
      if (k8s.code != 0) return "ctr -n k8s.io image import: " + k8s.err;
    }
    return "";
  }

  // The CRI plugin's part of config.toml: a handler "grove" running `binary` (Kubernetes'
  // way to pick a runtime), state under dir_, no CNI (the test pods use the host network), and
  // oom_score_adj kept at containerd's (root lacks CAP_SYS_RESOURCE on the test machines).
  std::string cri_config(const std::string& binary) const {
    if (binary.empty()) return "";
    const std::string cri = "[plugins.\"io.containerd.grpc.v1.cri\"";  // a table name's start
    std::ostringstream c;
    c << "  sandbox_image = \"" << kPause << "\"\n  restrict_oom_score_adj = true\n"
      << cri << ".cni]\n  bin_dir = \"" << dir_ << "/cni-bin\"\n  conf_dir = \"" << dir_
      << "/cni-conf\"\n"
      << cri << ".containerd]\n  default_runtime_name = \"grove\"\n"
      << cri << ".containerd.runtimes.grove]\n  runtime_type = \"io.containerd.runc.v2\"\n"
      << cri << ".containerd.runtimes.grove.options]\n  BinaryName = \"" << binary
      << "\"\n  Root = \"" << dir_ << "/runc-root\"\n";
    return c.str();
  }

  void stop() {
    if (pid_ <= 0) return;
    std::istringstream ids(ctr("task ls -q").out);
    for (std::string id; std::getline(ids, id);) {
      (void)ctr("task kill -s SIGKILL " + id);
      (void)ctr("task delete -f " + id);
    }
    std::istringstream cids(ctr("container ls -q").out);
    for (std::string id; std::getline(cids, id);) (void)ctr("container delete " + id);
    ::kill(pid_, SIGTERM);
    for (int i = 0; i < 100 && ::kill(pid_, 0) == 0; ++i) ::usleep(50 * 1000);
    // The shims outlive a stopped containerd by design; ours go with the test.
    (void)env_.sh("pkill -KILL -f " + shq("containerd-shim.*" + dir_));
    pid_ = 0;
  }

  Ran ctr(const std::string& args) const {
    return env_.sh("ctr --address " + shq(sock_) + " -n grove-test " + args);
  }
  const std::string& sock() const { return sock_; }
  const std::string& dir() const { return dir_; }

 private:
  const ClientEnv& env_;
  std::string dir_;
  std::string sock_;
  pid_t pid_ = 0;
};

// What grove, runc and crun did with the same `ctr run`.
struct Three {
  Ran grove, runc, crun;
};

class ContainerdTest : public ::testing::Test {
 protected:
  void SetUp() override {
    GROVE_CLIENT_SKIP_UNLESS_ROOT();
    std::string why =
        missing_programs({"containerd", "ctr", "containerd-shim-runc-v2", "runc", "crun"});
    if (!why.empty()) GTEST_SKIP() << why;
    ASSERT_EQ(env_.init(GROVE_BIN), "");
    daemon_.emplace(env_, env_.dir() + "/containerd");
    ASSERT_EQ(daemon_->start(false), "");
    grove_run_ = " --runc-binary " + env_.grove() + " ";
  }

  void TearDown() override {
    crun_daemon_.reset();
    daemon_.reset();
  }

  Ran ctr(const std::string& args) const { return daemon_->ctr(args); }

  // `ctr run --rm` of `args` with grove and runc under the test's containerd, and with crun
  // under a second containerd in crun's private mount namespace.
  Three all(const std::string& name, const std::string& args) {
    if (!crun_daemon_) {
      crun_daemon_.emplace(env_, env_.dir() + "/containerd-crun");
      std::string why = crun_daemon_->start(true);
      EXPECT_EQ(why, "");
    }
    std::string cg = " --cgroup " + env_.cgroup_parent() + "/";
    auto line = [&](const std::string& binary, const std::string& id) {
      return "run --rm --runc-binary " + binary + cg + id + " " + kImage + " " + id + " " + args;
    };
    return {ctr(line(env_.grove(), name)), ctr(line("runc", name + "-runc")),
            crun_daemon_->ctr(line("crun", name + "-crun"))};
  }

  ClientEnv env_;
  std::optional<Daemon> daemon_;
  std::optional<Daemon> crun_daemon_;
  std::string grove_run_;
};

TEST_F(ContainerdTest, RunPrintsAndReturnsTheExitCodeLikeRuncAndCrun) {
  Three r = all("hello", "sh -c 'echo hello from ctr; id -u; grep -c . /proc/self/mountinfo "
                         ">/dev/null && echo mounts ok; exit 7'");
  EXPECT_EQ(r.grove.code, 7) << r.grove.err;
  EXPECT_EQ(r.grove.out, "hello from ctr\n0\nmounts ok\n");
  EXPECT_EQ(r.grove.code, r.runc.code) << r.runc.err;
  EXPECT_EQ(r.grove.out, r.runc.out);
  EXPECT_EQ(r.grove.code, r.crun.code) << r.crun.err;
  EXPECT_EQ(r.grove.out, r.crun.out);
}

TEST_F(ContainerdTest, FailedStartIsReportedLikeRuncAndCrun) {
  Three r = all("bad", "/no/such/binary");
  EXPECT_NE(r.grove.code, 0);
  // The shim surfaces the last "error" line of grove's JSON log.
  EXPECT_THAT(r.grove.err, HasSubstr("/no/such/binary"));
  EXPECT_EQ(r.grove.code, r.runc.code) << r.runc.err;
  EXPECT_EQ(r.grove.code, r.crun.code) << r.crun.err;
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
  std::string base = "ctr --address " + shq(daemon_->sock()) + " -n grove-test run --rm -t";
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

// Kubernetes' path: the CRI plugin with a runtime handler whose BinaryName is grove (the
// containerd configuration option), driven by tests/clients/cri_client.py (a minimal CRI client:
// Debian 12 has no crictl): a host-network pod, a container, ExecSync, stop, remove. The same
// with runc as BinaryName must give the same results.
TEST_F(ContainerdTest, CriRuntimeHandlerWithBinaryNameLikeRunc) {
  std::string why = missing_programs({"python3"});
  if (!why.empty()) GTEST_SKIP() << why;
  if (env_.sh("/usr/bin/python3 -c 'import grpc'").code != 0) {
    GTEST_SKIP() << "needs python3-grpcio (scripts/test installs it)";
  }
  auto pod = [&](const std::string& name, const std::string& binary) {
    Daemon d(env_, env_.dir() + "/" + name);
    std::string started = d.start(false, binary);
    EXPECT_EQ(started, "");
    std::string logs = d.dir() + "/pod-logs";
    fs::create_directories(logs);
    Ran r = env_.sh(std::string("/usr/bin/python3 ") + GROVE_CRI_CLIENT_SCRIPT + " " +
                    shq(d.sock()) + " grove " + kImage + " " + env_.cgroup_parent() + "/" + name +
                    " " + shq(logs) + " " + binary + " " + shq(d.dir() + "/runc-root/k8s.io"));
    EXPECT_EQ(r.code, 0) << r.err;
    return r.out;
  };
  std::string g = pod("cri-grove", env_.grove());
  std::string r = pod("cri-runc", "/usr/sbin/runc");
  EXPECT_THAT(g, HasSubstr("\"grove_state\": \"running\""));
  EXPECT_THAT(g, HasSubstr("\"exec_stdout\": \"exec-ok\\n\", \"exec_exit\": 3"));
  EXPECT_THAT(g, HasSubstr("\"state\": 2, \"exit_code\": 0"));  // CONTAINER_EXITED after stop
  EXPECT_THAT(g, HasSubstr("stdout F cri-out"));
  // Identical apart from the log's timestamp.
  auto strip = [](std::string s) { return s.substr(0, s.find("\"log\"")); };
  EXPECT_EQ(strip(g), strip(r));
}

}  // namespace
}  // namespace grove::testing
