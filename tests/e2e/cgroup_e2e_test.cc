// L3: cgroups through the grove binary: placement and removal, limits enforced by the kernel
// (a memory hog OOM-killed, a fork bomb stopped at pids.max, a device denied), pause/resume,
// update, events --stats, exec joining the cgroup. Runs on whatever this host has: v1
// controllers on a hybrid host (this project's CI machine), cgroup2 on a pure v2 kernel (the
// 7.1.5 VM). Every container's cgroup is /grove-test/<bundle> (BusyboxBundle::cgroup_path()).

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>

#include "libcontainer/cgroup/manager.h"
#include "libcontainer/sys/linux_ops.h"
#include "tests/support/e2e_fixture.h"

namespace grove::testing {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  std::string t = s.str();
  while (!t.empty() && t.back() == '\n') t.pop_back();
  return t;
}

class CgroupE2ePrivTest : public E2eFixture {
 protected:
  CgroupE2ePrivTest() : E2eFixture(GROVE_BIN) {}

  void SetUp() override {
    E2eFixture::SetUp();
    if (!bundle_) return;
    sys::LinuxOps ops;
    auto dirs = cgroup::detect_dirs(ops, bundle_->cgroup_path());
    if (!dirs) GTEST_SKIP() << "no cgroups here: " << dirs.error().message();
    dirs_ = *dirs;
    bundle_->spec().linux->resources.emplace();
  }

  bool v1() const { return !dirs_.v1.empty(); }
  // The directory holding `controller`'s files (v1 hierarchy or the cgroup2 directory).
  std::string dir(const std::string& controller) const {
    if (!v1()) return dirs_.unified;
    auto it = dirs_.v1.find(controller);
    return it == dirs_.v1.end() ? "" : it->second;
  }
  std::string file(const std::string& controller, const std::string& v1_name,
                   const std::string& v2_name) const {
    return dir(controller) + "/" + (v1() ? v1_name : v2_name);
  }

  void write(std::vector<std::string> args) {
    bundle_->spec().process->args = std::move(args);
    ASSERT_TRUE(bundle_->write_config());
  }
  void run_detached(const std::string& id) {
    Ran r = grove({"run", "-d", "--bundle", bundle_->bundle(), id});
    ASSERT_EQ(r.code, 0) << r.err;
  }
  pid_t init_pid(const std::string& id) { return cli_->state(id)["pid"].get<pid_t>(); }

  cgroup::Dirs dirs_;
};

TEST_F(CgroupE2ePrivTest, InitIsPlacedInEveryHierarchyAndDeleteRemovesTheCgroup) {
  write({"sleep", "100"});
  run_detached("cg-place");
  pid_t pid = init_pid("cg-place");
  for (const std::string& d : dirs_.all()) {
    EXPECT_THAT(read_text(d + "/cgroup.procs"), HasSubstr(std::to_string(pid))) << d;
  }
  // Inside, the cgroup namespace makes the container's cgroup its root.
  std::string own = read_text("/proc/" + std::to_string(pid) + "/cgroup");
  EXPECT_THAT(own, HasSubstr(bundle_->cgroup_path())) << own;
  Ran del = grove({"delete", "--force", "cg-place"});
  EXPECT_EQ(del.code, 0) << del.err;
  EXPECT_THAT(bundle_->leftover_cgroups(), ::testing::IsEmpty());
}

TEST_F(CgroupE2ePrivTest, MemoryHogIsOomKilled) {
  auto& mem = bundle_->spec().linux->resources->memory.emplace();
  mem.limit = 16 << 20;
  // The shell keeps all of /dev/urandom in one variable until the OOM killer ends it (busybox
  // drops NUL bytes, so /dev/zero would never grow it).
  write({"sh", "-c", "x=$(cat /dev/urandom); echo survived"});
  Ran r = grove({"run", "--bundle", bundle_->bundle(), "cg-oom"});
  EXPECT_EQ(r.code, 128 + SIGKILL) << r.out << r.err;
  EXPECT_THAT(r.out, ::testing::Not(HasSubstr("survived")));
}

TEST_F(CgroupE2ePrivTest, ForkBombStopsAtPidsMax) {
  bundle_->spec().linux->resources->pids = oci::Pids{8};
  // busybox sh exits when it cannot fork: the loop runs in a subshell, so the init stays and
  // the sleeps it started hold their slots.
  write({"sh", "-c",
         "(i=0; while [ $i -lt 30 ]; do sleep 30 & i=$((i+1)); done) 2>/dev/null; sleep 100"});
  run_detached("cg-pids");
  const std::string pids_dir = dir("pids");
  ASSERT_FALSE(pids_dir.empty());
  EXPECT_EQ(read_text(pids_dir + "/pids.max"), "8");
  // Wait until the loop has hit the limit: pids.events counts the refused forks, and the count
  // never goes past the limit.
  std::string events;
  for (int i = 0; i < 200 && events.empty(); ++i) {
    std::string e = read_text(pids_dir + "/pids.events");
    if (e != "max 0") events = e;
    EXPECT_LE(std::stoi(read_text(pids_dir + "/pids.current")), 8);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_THAT(events, ::testing::StartsWith("max "));
  EXPECT_LE(std::stoi(read_text(pids_dir + "/pids.current")), 8);
}

TEST_F(CgroupE2ePrivTest, DeviceRulesDenyAndAllow) {
  // Nodes made by the host in the rootfs: the container has no CAP_MKNOD, the cgroup decides.
  const std::string rootfs = bundle_->bundle() + "/rootfs";
  ASSERT_EQ(::mknod((rootfs + "/memnode").c_str(), S_IFCHR | 0666, makedev(1, 1)), 0);
  ASSERT_EQ(::mknod((rootfs + "/nullnode").c_str(), S_IFCHR | 0666, makedev(1, 3)), 0);
  auto& devices = bundle_->spec().linux->resources->devices;
  devices = {{false, "", std::nullopt, std::nullopt, "rwm"}};
  write({"sh", "-c", "echo ok > /nullnode && echo null-ok; cat /memnode; echo mem=$?"});
  Ran r = grove({"run", "--bundle", bundle_->bundle(), "cg-dev"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("null-ok"));  // c 1:3 is in runc's default allow list
  EXPECT_THAT(r.out, HasSubstr("mem=1"));
  EXPECT_THAT(r.out + r.err, HasSubstr("Operation not permitted"));
}

TEST_F(CgroupE2ePrivTest, PauseFreezesAndResumeThaws) {
  write({"sleep", "100"});
  run_detached("cg-pause");
  Ran p = grove({"pause", "cg-pause"});
  ASSERT_EQ(p.code, 0) << p.err;
  EXPECT_EQ(cli_->state("cg-pause")["status"], "paused");
  if (dirs_.v1.count("freezer")) {
    EXPECT_EQ(read_text(dirs_.v1.at("freezer") + "/freezer.state"), "FROZEN");
  } else {
    EXPECT_THAT(read_text(dirs_.unified + "/cgroup.events"), HasSubstr("frozen 1"));
  }
  Ran again = grove({"pause", "cg-pause"});
  EXPECT_EQ(again.code, 1);
  EXPECT_THAT(again.err, HasSubstr("container not running"));
  Ran r = grove({"resume", "cg-pause"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(cli_->state("cg-pause")["status"], "running");
  Ran r2 = grove({"resume", "cg-pause"});
  EXPECT_EQ(r2.code, 1);
  EXPECT_THAT(r2.err, HasSubstr("container not paused"));
  // A paused container deleted with --force is thawed and killed, its cgroup removed.
  ASSERT_EQ(grove({"pause", "cg-pause"}).code, 0);
  Ran del = grove({"delete", "--force", "cg-pause"});
  EXPECT_EQ(del.code, 0) << del.err;
  EXPECT_THAT(bundle_->leftover_cgroups(), ::testing::IsEmpty());
}

TEST_F(CgroupE2ePrivTest, UpdateChangesLiveLimits) {
  bundle_->spec().linux->resources->memory.emplace().limit = 64 << 20;
  write({"sleep", "100"});
  run_detached("cg-update");
  const std::string limit = file("memory", "memory.limit_in_bytes", "memory.max");
  EXPECT_EQ(read_text(limit), std::to_string(64 << 20));
  Ran u = grove({"update", "--memory", "32m", "--pids-limit", "50", "cg-update"});
  ASSERT_EQ(u.code, 0) << u.err;
  EXPECT_EQ(read_text(limit), std::to_string(32 << 20));
  EXPECT_EQ(read_text(dir("pids") + "/pids.max"), "50");
  // The JSON document engines send, on standard input.
  Ran s = run_shell("echo '{\"pids\":{\"limit\":42}}' | " + std::string(GROVE_BIN) + " --root " +
                        cli_->root() + " update -r - cg-update",
                    {cli_->scratch() + "/u.out", cli_->scratch() + "/u.err", "", -1});
  EXPECT_EQ(s.code, 0) << s.err;
  EXPECT_EQ(read_text(dir("pids") + "/pids.max"), "42");
  if (v1() && !dir("cpu").empty()) {
    // runc reads cpu.shares back: the kernel clamps 1 to 2, which is an error, not a silent change.
    Ran clamped = grove({"update", "--cpu-share", "1", "cg-update"});
    EXPECT_EQ(clamped.code, 1);
    EXPECT_THAT(clamped.err, HasSubstr("the minimum allowed cpu-shares is 2"));
  }
  Ran bad = grove({"update", "--memory", "lots", "cg-update"});
  EXPECT_EQ(bad.code, 1);
  EXPECT_THAT(bad.err, HasSubstr("--memory"));
}

// memory.checkBeforeUpdate: a limit at or below what the container already uses is refused
// before anything is written; without the flag (or above the usage) the update goes through.
TEST_F(CgroupE2ePrivTest, CheckBeforeUpdateRefusesALimitBelowUsage) {
  bundle_->spec().linux->resources->memory.emplace().limit = 64 << 20;
  // 8 MiB in the container's /dev/shm tmpfs: shmem is charged to the cgroup and, without swap,
  // cannot be reclaimed, so usage stays far above 1 MiB.
  write({"sh", "-c", "head -c 8388608 /dev/zero > /dev/shm/hold; sleep 100"});
  run_detached("cg-check");
  const std::string limit = file("memory", "memory.limit_in_bytes", "memory.max");
  const std::string usage = file("memory", "memory.usage_in_bytes", "memory.current");
  for (int i = 0; i < 500 && std::stoull(read_text(usage)) < (8u << 20); ++i) usleep(10000);
  ASSERT_GE(std::stoull(read_text(usage)), 8u << 20) << "the container never used 8 MiB";
  auto update = [&](const std::string& json) {
    return run_shell("echo '" + json + "' | " + std::string(GROVE_BIN) + " --root " +
                         cli_->root() + " update -r - cg-check",
                     {cli_->scratch() + "/c.out", cli_->scratch() + "/c.err", "", -1});
  };
  const std::string before = read_text(usage);
  Ran refused = update(R"({"memory":{"limit":1048576,"checkBeforeUpdate":true}})");
  EXPECT_EQ(refused.code, 1) << "usage before " << before << ", after " << read_text(usage);
  EXPECT_THAT(refused.err, HasSubstr("linux.resources.memory.limit: rejecting limit 1048576"));
  EXPECT_EQ(read_text(limit), std::to_string(64 << 20)) << "nothing may be written";
  Ran above = update(R"({"memory":{"limit":50331648,"checkBeforeUpdate":true}})");
  EXPECT_EQ(above.code, 0) << above.err;
  EXPECT_EQ(read_text(limit), std::to_string(48 << 20));
}

TEST_F(CgroupE2ePrivTest, EventsStatsReportsRuncShapedJson) {
  bundle_->spec().linux->resources->memory.emplace().limit = 64 << 20;
  bundle_->spec().linux->resources->pids = oci::Pids{100};
  write({"sleep", "100"});
  run_detached("cg-stats");
  Ran r = grove({"events", "--stats", "cg-stats"});
  ASSERT_EQ(r.code, 0) << r.err;
  Json ev = Json::parse(r.out);
  EXPECT_EQ(ev["type"], "stats");
  EXPECT_EQ(ev["id"], "cg-stats");
  EXPECT_EQ(ev["data"]["memory"]["usage"]["limit"], 64 << 20);
  EXPECT_GT(ev["data"]["memory"]["usage"]["usage"].get<uint64_t>(), 0u);
  EXPECT_EQ(ev["data"]["pids"]["current"], 1);
  EXPECT_EQ(ev["data"]["pids"]["limit"], 100);
  EXPECT_GT(ev["data"]["cpu"]["usage"]["total"].get<uint64_t>(), 0u);
  ASSERT_EQ(grove({"delete", "--force", "cg-stats"}).code, 0);
  Ran gone = grove({"events", "--stats", "cg-stats"});
  EXPECT_EQ(gone.code, 1);
  EXPECT_THAT(gone.err, HasSubstr("does not exist"));
}

TEST_F(CgroupE2ePrivTest, ExecedProcessJoinsTheCgroup) {
  write({"sleep", "100"});
  run_detached("cg-exec");
  std::string pid_file = cli_->scratch() + "/exec.pid";
  Ran e = grove({"exec", "-d", "--pid-file", pid_file, "cg-exec", "sleep", "50"});
  ASSERT_EQ(e.code, 0) << e.err;
  std::string pid = read_text(pid_file);
  ASSERT_FALSE(pid.empty());
  for (const std::string& d : dirs_.all()) {
    EXPECT_THAT(read_text(d + "/cgroup.procs"), HasSubstr(pid)) << d;
  }
  Ran del = grove({"delete", "--force", "cg-exec"});
  EXPECT_EQ(del.code, 0) << del.err;
  EXPECT_THAT(bundle_->leftover_cgroups(), ::testing::IsEmpty());
}

TEST_F(CgroupE2ePrivTest, KilledCreateLeavesNoCgroupAfterForcedDelete) {
  bundle_->spec().linux->resources->pids = oci::Pids{100};
  write({"sleep", "100"});
  // SIGKILL `grove create` at points spread over its run; `delete --force` must then remove
  // whatever it left (state, init, cgroup).
  for (int delay_us : {0, 200, 500, 1000, 2000, 4000, 8000, 16000, 32000}) {
    const std::string id = "cg-kill-" + std::to_string(delay_us);
    pid_t create = cli_->spawn({"create", "--bundle", bundle_->bundle(), id}, "create");
    std::this_thread::sleep_for(std::chrono::microseconds(delay_us));
    ::kill(create, SIGKILL);
    cli_->finish(create, "create");
    Ran del = grove({"delete", "--force", id});
    EXPECT_TRUE(del.code == 0 || del.err.find("does not exist") != std::string::npos)
        << delay_us << ": " << del.err;
    EXPECT_THAT(bundle_->leftover_cgroups(), ::testing::IsEmpty()) << "after " << delay_us;
  }
}

}  // namespace
}  // namespace grove::testing
