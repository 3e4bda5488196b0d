// L2 tests of the container lifecycle on the real kernel: a busybox rootfs in a mkdtemp bundle,
// state under a mkdtemp --root, the test process as subreaper (and direct parent of init).
// Every test reaps its init and removes its state; the init's mounts live in its own mount
// namespace and vanish with it.

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "libcontainer/container/container.h"
#include "libcontainer/sys/linux_ops.h"
#include "oci/default_spec.h"
#include "tests/support/priv.h"

namespace grove::container {
namespace {

using ::testing::HasSubstr;

class ContainerLifecyclePrivTest : public ::testing::Test {
 protected:
  void SetUp() override {
    GROVE_REQUIRE_ROOT();
    if (::access("/bin/busybox", X_OK) != 0) GTEST_SKIP() << "needs /bin/busybox (busybox-static)";
    char tmpl[] = "/tmp/grove-life-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    bundle_ = dir_ + "/bundle";
    root_ = dir_ + "/state";
    std::string rootfs = bundle_ + "/rootfs";
    ASSERT_EQ(std::system(("mkdir -p " + rootfs + "/bin " + rootfs + "/proc " + rootfs + "/dev " +
                           rootfs + "/tmp && cp /bin/busybox " + rootfs + "/bin/ && for a in sh " +
                           "sleep ls wc test true; do ln -s busybox " + rootfs + "/bin/$a; done")
                              .c_str()),
              0);
    ASSERT_TRUE(ops_.set_child_subreaper(true));
  }

  void TearDown() override {
    if (dir_.empty()) return;
    // Nothing may stay behind, also after a failed assertion: force-delete every container,
    // reap the inits (our children), then remove the tree.
    auto all = list(ops_, root_);
    if (all) {
      for (const ContainerInfo& c : *all) EXPECT_TRUE(remove(ops_, root_, c.record.id, true));
    }
    while (::waitpid(-1, nullptr, 0) > 0) {
    }
    std::system(("rm -rf '" + dir_ + "'").c_str());
  }

  CreateOptions options(const std::string& id, std::vector<std::string> args) {
    CreateOptions o;
    o.id = id;
    o.bundle = bundle_;
    o.spec = oci::default_spec(false);
    o.spec.process->args = std::move(args);
    o.spec.process->terminal = false;
    o.spec.process->env = {"PATH=/bin"};
    o.spec.root->path = "rootfs";
    o.spec.root->readonly = false;
    o.root = root_;
    o.pid_file = dir_ + "/pid";
    return o;
  }

  // Waits for the init (our child) and returns its wait status.
  int wait_init(pid_t pid) {
    int status = 0;
    EXPECT_EQ(::waitpid(pid, &status, 0), pid);
    return status;
  }

  RunState status_of(const std::string& id) {
    auto info = state(ops_, root_, id);
    EXPECT_TRUE(info) << info.error().message();
    return info ? info->state : RunState::kStopped;
  }

  sys::LinuxOps ops_;
  std::string dir_, bundle_, root_;
};

TEST_F(ContainerLifecyclePrivTest, CreateStartRunsToCompletion) {
  auto pid = create(ops_, options("c1", {"sh", "-c", "exit 3"}));
  ASSERT_TRUE(pid) << pid.error().message();
  std::ifstream pf(dir_ + "/pid");
  pid_t from_file = 0;
  pf >> from_file;
  EXPECT_EQ(from_file, *pid);
  EXPECT_EQ(status_of("c1"), RunState::kCreated);
  auto started = start(ops_, root_, "c1");
  ASSERT_TRUE(started) << started.error().message();
  int st = wait_init(*pid);
  ASSERT_TRUE(WIFEXITED(st));
  EXPECT_EQ(WEXITSTATUS(st), 3);
  EXPECT_EQ(status_of("c1"), RunState::kStopped);
  auto again = start(ops_, root_, "c1");
  ASSERT_FALSE(again);
  EXPECT_THAT(again.error().message(), HasSubstr("cannot start a container that has stopped"));
  auto killed = kill(ops_, root_, "c1", SIGTERM, false);
  ASSERT_FALSE(killed);
  EXPECT_THAT(killed.error().message(), HasSubstr("container not running"));
  ASSERT_TRUE(remove(ops_, root_, "c1", false));
  EXPECT_NE(::access((root_ + "/c1").c_str(), F_OK), 0);
  auto gone = state(ops_, root_, "c1");
  ASSERT_FALSE(gone);
  EXPECT_THAT(gone.error().message(), HasSubstr("does not exist"));
}

TEST_F(ContainerLifecyclePrivTest, RunningStateAndKillDeliversSignal) {
  // A signal sent before the trap exists is dropped by the pid-namespace init
  // (pid_namespaces(7)): wait for the marker the shell writes after installing it. On a slow
  // (TCG) VM the kill used to win that race and the test hung.
  auto pid = create(ops_, options("c2", {"sh", "-c",
                                         "trap 'exit 7' TERM; : > /tmp/trap-ready; "
                                         "while true; do sleep 0.05; done"}));
  ASSERT_TRUE(pid) << pid.error().message();
  ASSERT_TRUE(start(ops_, root_, "c2"));
  const std::string ready = bundle_ + "/rootfs/tmp/trap-ready";
  for (int i = 0; i < 1000 && ::access(ready.c_str(), F_OK) != 0; ++i) ::usleep(10000);
  ASSERT_EQ(::access(ready.c_str(), F_OK), 0) << "the shell never installed its trap";
  EXPECT_EQ(status_of("c2"), RunState::kRunning);
  auto again = start(ops_, root_, "c2");
  ASSERT_FALSE(again);
  EXPECT_THAT(again.error().message(), HasSubstr("cannot start an already running container"));
  ASSERT_TRUE(kill(ops_, root_, "c2", SIGTERM, false));
  int st = wait_init(*pid);
  ASSERT_TRUE(WIFEXITED(st));
  EXPECT_EQ(WEXITSTATUS(st), 7);
  ASSERT_TRUE(remove(ops_, root_, "c2", false));
}

TEST_F(ContainerLifecyclePrivTest, DeleteRunningNeedsForce) {
  auto pid = create(ops_, options("c3", {"sleep", "100"}));
  ASSERT_TRUE(pid) << pid.error().message();
  ASSERT_TRUE(start(ops_, root_, "c3"));
  auto r = remove(ops_, root_, "c3", false);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), EBUSY);
  EXPECT_THAT(r.error().message(),
              HasSubstr("cannot delete container c3 that is not stopped: running"));
  auto forced = remove(ops_, root_, "c3", true);
  ASSERT_TRUE(forced) << forced.error().message();
  int st = wait_init(*pid);
  ASSERT_TRUE(WIFSIGNALED(st));
  EXPECT_EQ(WTERMSIG(st), SIGKILL);
  EXPECT_NE(::access((root_ + "/c3").c_str(), F_OK), 0);
}

TEST_F(ContainerLifecyclePrivTest, DeleteCreatedKillsInit) {
  auto pid = create(ops_, options("c4", {"true"}));
  ASSERT_TRUE(pid) << pid.error().message();
  ASSERT_TRUE(remove(ops_, root_, "c4", false));
  int st = wait_init(*pid);
  EXPECT_TRUE(WIFSIGNALED(st));
  EXPECT_NE(::access((root_ + "/c4").c_str(), F_OK), 0);
}

TEST_F(ContainerLifecyclePrivTest, InitErrorIsReportedAndNothingLeft) {
  auto pid = create(ops_, options("c5", {"/bin/nonexistent"}));
  ASSERT_FALSE(pid);
  EXPECT_EQ(pid.error().code(), ENOENT);
  EXPECT_THAT(pid.error().message(), HasSubstr("create container \"c5\": container init: "));
  EXPECT_THAT(pid.error().message(), HasSubstr("/bin/nonexistent"));
  EXPECT_NE(::access((root_ + "/c5").c_str(), F_OK), 0);
  errno = 0;
  EXPECT_EQ(::waitpid(-1, nullptr, WNOHANG), -1);  // init already reaped
  EXPECT_EQ(errno, ECHILD);
  auto dup = create(ops_, options("bad/id", {"true"}));
  ASSERT_FALSE(dup);
  EXPECT_THAT(dup.error().message(), HasSubstr("invalid container ID format"));
}

TEST_F(ContainerLifecyclePrivTest, NoRuntimeFdReachesTheProcess) {
  // A runtime fd that is not close-on-exec must still not leak (CVE-2024-21626 class).
  int leaky = ::open("/", O_RDONLY | O_DIRECTORY);
  ASSERT_GE(leaky, 3);
  // ls in $(...) sees 0, 1 (the pipe), 2 and its own directory fd: exactly 4 entries.
  auto pid = create(ops_, options("c6", {"sh", "-c", "test $(ls /proc/self/fd | wc -l) -eq 4"}));
  ::close(leaky);
  ASSERT_TRUE(pid) << pid.error().message();
  ASSERT_TRUE(start(ops_, root_, "c6"));
  int st = wait_init(*pid);
  ASSERT_TRUE(WIFEXITED(st));
  EXPECT_EQ(WEXITSTATUS(st), 0);
  ASSERT_TRUE(remove(ops_, root_, "c6", false));
}

TEST_F(ContainerLifecyclePrivTest, DuplicateIdAndListing) {
  auto pid = create(ops_, options("c7", {"true"}));
  ASSERT_TRUE(pid) << pid.error().message();
  auto dup = create(ops_, options("c7", {"true"}));
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code(), EEXIST);
  auto all = list(ops_, root_);
  ASSERT_TRUE(all) << all.error().message();
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].record.id, "c7");
  EXPECT_EQ((*all)[0].state, RunState::kCreated);
  ASSERT_TRUE(remove(ops_, root_, "c7", false));
  wait_init(*pid);
}

}  // namespace
}  // namespace grove::container
