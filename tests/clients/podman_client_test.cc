// podman (Debian 4.3, with conmon) driving grove as its OCI runtime, as root and rootless, each
// scenario compared with crun (root) or runc (rootless: crun refuses this hybrid host there) on
// the same machine in the same run. podman is configured only through a private containers.conf
// and storage.conf (CONTAINERS_CONF, CONTAINERS_STORAGE_CONF): grove is registered as runtime
// "grove" and listed in runtime_supports_json, so podman hands it --log-format=json.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>

#include "tests/clients/client_env.h"
#include "tests/support/files.h"

namespace grove::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

constexpr const char* kImage = "localhost/grove-busybox:test";

// One podman "installation": its config, storage and the imported busybox image, for root or for
// the rootless test user.
class PodmanSetup {
 public:
  PodmanSetup(const ClientEnv& env, std::optional<TestUser> user)
      : env_(env), user_(std::move(user)) {}

  std::string init() {
    std::string base = env_.dir() + (user_ ? "/podman-rootless" : "/podman");
    std::error_code ec;
    fs::create_directories(base, ec);
    conf_ = base + "/containers.conf";
    std::ofstream(conf_) << "[containers]\n"
                         << "default_ulimits = [\"nofile=1024:1024\", \"nproc=4096:4096\"]\n"
                         << "[engine]\n"
                         << "cgroup_manager = \"cgroupfs\"\n"
                         << "events_logger = \"file\"\n"
                         << "events_logfile_path = \"" << base << "/events.log\"\n"
                         << "tmp_dir = \"" << base << "/tmp\"\n"
                         << "static_dir = \"" << base << "/graph/libpod\"\n"
                         << "volume_path = \"" << base << "/graph/volumes\"\n"
                         << "runtime = \"grove\"\n"
                         << "runtime_supports_json = [\"crun\", \"runc\", \"grove\"]\n"
                         << "[engine.runtimes]\n"
                         << "grove = [\"" << env_.grove() << "\"]\n";
    storage_ = base + "/storage.conf";
    // Rootless podman ignores graphroot/runroot: its storage goes where rootless_storage_path
    // says (else ~/.local/share/containers), its runroot under $XDG_RUNTIME_DIR.
    std::ofstream(storage_) << "[storage]\ndriver = \"overlay\"\ngraphroot = \"" << base
                            << "/graph\"\nrunroot = \"" << base << "/run\"\n"
                            << "rootless_storage_path = \"" << base << "/graph\"\n";
    if (user_) {
      for (const auto& p : fs::recursive_directory_iterator(base)) {
        (void)::chown(p.path().c_str(), user_->uid, user_->gid);
      }
      (void)::chown(base.c_str(), user_->uid, user_->gid);
    }
    Ran imported = run("tar -C " + shq(env_.rootfs()) + " -c . | podman import - " + kImage);
    if (imported.code != 0) return "podman import failed: " + imported.err;
    return "";
  }

  ~PodmanSetup() {
    if (conf_.empty()) return;
    (void)run("podman rm -a -f -t 0");
    if (user_) kill_user_processes(*user_);
  }

  // `command` (a shell line using podman) with this installation's configuration.
  Ran run(const std::string& command) const {
    std::map<std::string, std::string> e = {{"CONTAINERS_CONF", conf_},
                                            {"CONTAINERS_STORAGE_CONF", storage_}};
    return user_ ? env_.sh_as(*user_, command, e) : env_.sh(command, e);
  }
  Ran run_tty(const std::string& command) const {
    return env_.sh_tty(command, {{"CONTAINERS_CONF", conf_}, {"CONTAINERS_STORAGE_CONF", storage_}});
  }
  // The same podman line with crun as the runtime, in crun's private mount namespace.
  Ran run_crun(const std::string& command) const {
    return env_.sh_crun(command, {{"CONTAINERS_CONF", conf_}, {"CONTAINERS_STORAGE_CONF", storage_}});
  }

 private:
  const ClientEnv& env_;
  std::optional<TestUser> user_;
  std::string conf_;
  std::string storage_;
};

class PodmanRootTest : public ::testing::Test {
 protected:
  void SetUp() override {
    GROVE_CLIENT_SKIP_UNLESS_ROOT();
    std::string why = missing_programs({"podman", "conmon", "crun", "runc"});
    if (!why.empty()) GTEST_SKIP() << why;
    ASSERT_EQ(env_.init(GROVE_BIN), "");
    podman_.emplace(env_, std::nullopt);
    ASSERT_EQ(podman_->init(), "");
    opts_ = " --network none --cgroup-parent " + env_.cgroup_parent() + " ";
  }
  void TearDown() override {
    podman_.reset();
    EXPECT_THAT(env_.leftover_mounts(), ::testing::IsEmpty());
  }

  // `podman run --rm <flags> IMAGE <args>` with grove and with crun: both results.
  std::pair<Ran, Ran> both(const std::string& flags, const std::string& args) {
    std::string tail = " run --rm --pull never" + opts_ + flags + " " + kImage + " " + args;
    Ran grove = podman_->run("podman" + tail);
    Ran crun = podman_->run_crun("podman --runtime crun" + tail);
    return {grove, crun};
  }

  ClientEnv env_;
  std::optional<PodmanSetup> podman_;
  std::string opts_;
};

// The container's output and exit status, and the same with crun.
TEST_F(PodmanRootTest, RunPrintsAndReturnsTheExitCode) {
  auto [g, c] = both("", "sh -c 'echo hello from podman; exit 42'");
  EXPECT_EQ(g.code, 42) << g.err;
  EXPECT_EQ(g.out, "hello from podman\n");
  EXPECT_EQ(g.code, c.code) << c.err;
  EXPECT_EQ(g.out, c.out);
}

// A command that cannot be executed: podman reports grove's error (from its JSON log) and the
// shell's 127 like with crun.
TEST_F(PodmanRootTest, MissingExecutableFailsLikeCrun) {
  auto [g, c] = both("", "/no/such/binary");
  EXPECT_EQ(g.code, c.code) << "grove: " << g.err << "\ncrun: " << c.err;
  EXPECT_NE(g.code, 0);
  EXPECT_THAT(g.err, HasSubstr("/no/such/binary"));
}

// podman gave grove --log-format=json: the oci-log it reads after a failure holds JSON lines.
TEST_F(PodmanRootTest, UsesTheJsonLogFormat) {
  Ran r = podman_->run("podman run --pull never --name jsonlog" + opts_ + kImage + " /no/such/binary");
  EXPECT_NE(r.code, 0);
  Ran log = podman_->run("cat \"$(podman inspect jsonlog --format '{{.StaticDir}}')/oci-log\" || "
                         "find " + shq(env_.dir()) + " -name oci-log -exec cat {} +");
  EXPECT_THAT(log.out, HasSubstr("{\"level\":\"error\""));
  EXPECT_THAT(log.out, HasSubstr("/no/such/binary"));
}

TEST_F(PodmanRootTest, DetachedLifecycleExecPauseLogsStopRm) {
  Ran started = podman_->run("podman run --pull never -d --name life" + opts_ + kImage +
                             " sh -c 'echo started; trap \"exit 0\" TERM; while :; do sleep 0.1; done'");
  ASSERT_EQ(started.code, 0) << started.err;
  Ran inspect = podman_->run("podman inspect life --format '{{.OCIRuntime}} {{.State.Status}}'");
  EXPECT_EQ(inspect.out, "grove running\n") << inspect.err;
  Ran exec = podman_->run("podman exec life sh -c 'echo in exec; exit 3'");
  EXPECT_EQ(exec.code, 3) << exec.err;
  EXPECT_EQ(exec.out, "in exec\n");
  ASSERT_EQ(podman_->run("podman pause life").code, 0);
  EXPECT_EQ(podman_->run("podman inspect life --format '{{.State.Status}}'").out, "paused\n");
  ASSERT_EQ(podman_->run("podman unpause life").code, 0);
  EXPECT_EQ(podman_->run("podman inspect life --format '{{.State.Status}}'").out, "running\n");
  EXPECT_THAT(podman_->run("podman logs life").out, HasSubstr("started"));
  EXPECT_THAT(podman_->run("podman top life").out, HasSubstr("sh -c"));
  Ran stop = podman_->run("podman stop -t 5 life");
  EXPECT_EQ(stop.code, 0) << stop.err;
  EXPECT_EQ(podman_->run("podman inspect life --format '{{.State.Status}} {{.State.ExitCode}}'").out,
            "exited 0\n");
  EXPECT_EQ(podman_->run("podman rm life").code, 0);
  EXPECT_THAT(env_.leftover_cgroups(),
              ::testing::Each(::testing::Not(HasSubstr("libpod-"))));
}

TEST_F(PodmanRootTest, KillReportsTheSignal) {
  ASSERT_EQ(podman_->run("podman run --pull never -d --name victim" + opts_ + kImage + " sleep 1000").code, 0);
  EXPECT_EQ(podman_->run("podman kill victim").code, 0);
  EXPECT_EQ(podman_->run("podman wait victim").out, "137\n");
}

TEST_F(PodmanRootTest, TerminalLikeCrun) {
  std::string tail = " run --rm --pull never -t" + opts_ + kImage + " sh -c 'tty; exit 5'";
  Ran g = podman_->run_tty("podman" + tail);
  EXPECT_EQ(g.code, 5) << g.err;
  EXPECT_THAT(g.out, HasSubstr("/dev/pts/0"));
  Ran c = podman_->run_crun("script -qec " + shq("podman --runtime crun" + tail) + " /dev/null");
  EXPECT_EQ(c.code, 5) << c.err;
  EXPECT_THAT(c.out, HasSubstr("/dev/pts/0"));
}

TEST_F(PodmanRootTest, MemoryAndPidsLimitsLikeCrun) {
  auto [g, c] = both("--memory 64m --pids-limit 50",
                     "cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max");
  EXPECT_EQ(g.code, 0) << g.err;
  EXPECT_EQ(g.out, "67108864\n50\n");
  EXPECT_EQ(g.out, c.out) << c.err;
}

TEST_F(PodmanRootTest, ReadOnlyRootWithWritableRunLikeCrun) {
  std::string script =
      "sh -c 'touch /x 2>&1; touch /run/y && echo run writable; cat /run/marker; "
      "grep \" /run \" /proc/self/mounts | cut -d\" \" -f3'";
  auto [g, c] = both("--read-only", script);
  EXPECT_EQ(g.code, 0) << g.err;
  EXPECT_THAT(g.out, HasSubstr("Read-only file system"));
  EXPECT_THAT(g.out, HasSubstr("run writable\nfrom the image\ntmpfs\n"));
  EXPECT_EQ(g.out, c.out) << c.err;
}

TEST_F(PodmanRootTest, CapabilitiesLikeCrun) {
  auto [g, c] = both("--cap-drop all --cap-add net_raw", "grep Cap /proc/self/status");
  EXPECT_EQ(g.code, 0) << g.err;
  EXPECT_THAT(g.out, HasSubstr("CapEff:\t0000000000002000"));
  EXPECT_EQ(g.out, c.out) << c.err;
}

TEST_F(PodmanRootTest, SeccompProfileLikeCrun) {
  std::string profile = env_.dir() + "/seccomp.json";
  std::ofstream(profile) << R"({"defaultAction":"SCMP_ACT_ALLOW","syscalls":[)"
                         << R"({"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO"}]})";
  auto [g, c] = both("--security-opt seccomp=" + profile,
                     "sh -c 'mkdir /d 2>&1; grep Seccomp: /proc/self/status'");
  EXPECT_THAT(g.out, HasSubstr("Operation not permitted"));
  EXPECT_THAT(g.out, HasSubstr("Seccomp:\t2"));
  EXPECT_EQ(g.out, c.out) << c.err;
  EXPECT_EQ(g.code, c.code);
}

TEST_F(PodmanRootTest, VolumesLikeCrun) {
  std::string ro = env_.dir() + "/vol-ro", rw = env_.dir() + "/vol-rw";
  fs::create_directories(ro);
  fs::create_directories(rw);
  std::ofstream(ro + "/f") << "volume file\n";
  auto [g, c] = both("-v " + ro + ":/ro:ro -v " + rw + ":/rw",
                     "sh -c 'cat /ro/f; touch /ro/g 2>&1; echo written > /rw/out'");
  EXPECT_EQ(g.code, 0) << g.err;
  EXPECT_THAT(g.out, HasSubstr("volume file\n"));
  EXPECT_THAT(g.out, HasSubstr("Read-only file system"));
  EXPECT_EQ(read_text_file(rw + "/out"), "written\n");
  EXPECT_EQ(g.out, c.out) << c.err;
}

// Rootless: podman runs grove as uid 0 of its own user namespace.
class PodmanRootlessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    GROVE_CLIENT_SKIP_UNLESS_ROOT();
    std::string why = missing_programs({"podman", "conmon", "runc", "newuidmap", "setpriv"});
    if (!why.empty()) GTEST_SKIP() << why;
    TestUser user;
    why = ensure_test_user(&user);
    if (!why.empty()) GTEST_SKIP() << why;
    user_ = user;
    ASSERT_EQ(env_.init(GROVE_BIN), "");
    podman_.emplace(env_, user_);
    ASSERT_EQ(podman_->init(), "");
  }
  void TearDown() override { podman_.reset(); }

  std::pair<Ran, Ran> both(const std::string& flags, const std::string& args) {
    std::string tail = " run --rm --pull never --network none " + flags + " " + kImage + " " + args;
    return {podman_->run("podman" + tail), podman_->run("podman --runtime runc" + tail)};
  }

  ClientEnv env_;
  TestUser user_;
  std::optional<PodmanSetup> podman_;
};

TEST_F(PodmanRootlessTest, RunsAsMappedRootLikeRunc) {
  auto [g, r] = both("", "sh -c 'id -u; cat /proc/self/uid_map; exit 9'");
  EXPECT_EQ(g.code, 9) << g.err;
  std::string want = "0\n         0       " + std::to_string(user_.uid);
  EXPECT_THAT(g.out, HasSubstr(want));
  EXPECT_THAT(g.out, HasSubstr(std::to_string(user_.subuid_start)));  // the subordinate range
  EXPECT_EQ(g.out, r.out) << r.err;
}

TEST_F(PodmanRootlessTest, KeepIdLikeRunc) {
  auto [g, r] = both("--userns=keep-id", "sh -c 'id -u; id -g'");
  EXPECT_EQ(g.code, 0) << g.err;
  EXPECT_EQ(g.out, std::to_string(user_.uid) + "\n" + std::to_string(user_.gid) + "\n");
  EXPECT_EQ(g.out, r.out) << r.err;
}

TEST_F(PodmanRootlessTest, DetachedExecStopRm) {
  ASSERT_EQ(podman_->run(std::string("podman run --pull never -d --network none --name rl ") + kImage +
                         " sh -c 'trap \"exit 0\" TERM; while :; do sleep 0.1; done'")
                .code,
            0);
  Ran exec = podman_->run("podman exec rl sh -c 'echo rootless exec; exit 4'");
  EXPECT_EQ(exec.code, 4) << exec.err;
  EXPECT_EQ(exec.out, "rootless exec\n");
  EXPECT_EQ(podman_->run("podman stop -t 5 rl").code, 0);
  EXPECT_EQ(podman_->run("podman inspect rl --format '{{.State.ExitCode}}'").out, "0\n");
  EXPECT_EQ(podman_->run("podman rm rl").code, 0);
}

TEST_F(PodmanRootlessTest, ReadOnlyAndVolumeLikeRunc) {
  std::string vol = env_.dir() + "/rl-vol";
  fs::create_directories(vol);
  (void)::chown(vol.c_str(), user_.uid, user_.gid);
  auto [g, r] = both("--read-only -v " + vol + ":/v",
                     "sh -c 'touch /x 2>&1; echo hi > /v/f && cat /v/f; cat /run/marker'");
  EXPECT_EQ(g.code, 0) << g.err;
  EXPECT_THAT(g.out, HasSubstr("Read-only file system"));
  EXPECT_THAT(g.out, HasSubstr("hi\nfrom the image\n"));
  EXPECT_EQ(g.out, r.out) << r.err;
}

}  // namespace
}  // namespace grove::testing
