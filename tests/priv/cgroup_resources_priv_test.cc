// L2: plan_resources_v1 writes applied to real v1 memory and pids cgroups (created under
// <hierarchy>/grove-test/<unique>, removed in TearDown), the kernel's values read back, and
// read_stats_v1 on the same directories. Never touches any other cgroup of the host.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/magic.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <string>
#include <vector>

#include "libcontainer/base/strings.h"
#include "libcontainer/cgroup/resources.h"
#include "libcontainer/cgroup/stats.h"
#include "libcontainer/sys/linux_ops.h"
#include "tests/support/priv.h"

namespace grove::cgroup {
namespace {

constexpr const char* kRoot = "/sys/fs/cgroup";

// "" when <kRoot>/<controller> is a cgroup v1 hierarchy, else why not.
std::string missing_v1(sys::Ops& ops, const std::string& controller) {
  std::string dir = std::string(kRoot) + "/" + controller;
  auto st = ops.statfs(dir);
  if (!st || static_cast<uint64_t>(st->f_type) != CGROUP_SUPER_MAGIC) {
    return "no cgroup v1 " + controller + " hierarchy at " + dir + " (host is not v1/hybrid)";
  }
  return "";
}

class CgroupResourcesPrivTest : public ::testing::Test {
 protected:
  void SetUp() override {
    GROVE_REQUIRE_ROOT();
    GROVE_REQUIRE(missing_v1(ops_, "memory"));
    GROVE_REQUIRE(missing_v1(ops_, "pids"));
    std::string name = "res-" + std::to_string(::getpid()) + "-" +
                       ::testing::UnitTest::GetInstance()->current_test_info()->name();
    for (const char* c : {"memory", "pids"}) {
      std::string parent = std::string(kRoot) + "/" + c + "/grove-test";
      Status p = ops_.mkdirat(AT_FDCWD, parent, 0755);
      ASSERT_TRUE(p || p.error().code() == EEXIST) << p.error().message();
      std::string dir = parent + "/" + name;
      Status d = ops_.mkdirat(AT_FDCWD, dir, 0755);
      ASSERT_TRUE(d) << d.error().message();
      dirs_.push_back(dir);
    }
  }

  void TearDown() override {
    // No process ever joins these cgroups, so they are empty and rmdir succeeds.
    for (const auto& dir : dirs_) {
      Status s = ops_.unlinkat(AT_FDCWD, dir, AT_REMOVEDIR);
      EXPECT_TRUE(s) << s.error().message();
      // The shared parent goes too unless another test still uses it (EBUSY/ENOTEMPTY).
      (void)ops_.unlinkat(AT_FDCWD, dir.substr(0, dir.rfind('/')), AT_REMOVEDIR);
    }
  }

  std::string dir_of(const std::string& controller) {
    for (const auto& d : dirs_) {
      if (d.find(std::string(kRoot) + "/" + controller + "/") == 0) return d;
    }
    return "";
  }

  // The executor the lead will write, in miniature: each write to its controller's directory,
  // tolerated errnos skipped.
  Status apply(const std::vector<Write>& writes) {
    for (const auto& w : writes) {
      std::string dir = dir_of(w.controller);
      if (dir.empty()) return Error::invalid("no test cgroup for controller " + q(w.controller));
      Status s = ops_.write_file_at(AT_FDCWD, dir + "/" + w.file, w.value);
      if (s) continue;
      const auto& ok_errnos = w.ignore_errnos;
      if (std::find(ok_errnos.begin(), ok_errnos.end(), s.error().code()) != ok_errnos.end()) {
        continue;
      }
      return std::move(s).error().context(w.controller + "/" + w.file + "=" + w.value);
    }
    return ok();
  }

  std::string read(const std::string& controller, const std::string& file) {
    auto r = ops_.read_file_at(AT_FDCWD, dir_of(controller) + "/" + file);
    EXPECT_TRUE(r) << r.error().message();
    return r ? std::string(*r) : "";
  }

  FileReader reader() {
    return [this](Hierarchy, const std::string& controller,
                  const std::string& file) -> Result<std::string> {
      std::string dir = dir_of(controller);
      if (dir.empty()) return Error::from_errno(ENOENT, "no test cgroup for " + q(controller));
      return ops_.read_file_at(AT_FDCWD, dir + "/" + file);
    };
  }

  sys::LinuxOps ops_;
  std::vector<std::string> dirs_;
};

oci::Resources resources(int64_t limit, int64_t swap) {
  oci::Resources r;
  r.memory.emplace();
  r.memory->limit = limit;
  r.memory->swap = swap;
  return r;
}

TEST_F(CgroupResourcesPrivTest, MemoryAndPidsLimitsReachTheKernel) {
  oci::Resources r = resources(64 << 20, 128 << 20);
  r.memory->reservation = 32 << 20;
  r.memory->swappiness = 10;
  r.pids.emplace();
  r.pids->limit = 42;
  auto plan = plan_resources_v1(r);
  ASSERT_TRUE(plan) << plan.error().message();
  Status s = apply(*plan);
  ASSERT_TRUE(s) << s.error().message();
  EXPECT_EQ(read("memory", "memory.limit_in_bytes"), "67108864\n");
  EXPECT_EQ(read("memory", "memory.soft_limit_in_bytes"), "33554432\n");
  EXPECT_EQ(read("memory", "memory.swappiness"), "10\n");
  EXPECT_EQ(read("pids", "pids.max"), "42\n");
  auto memsw = ops_.read_file_at(AT_FDCWD, dir_of("memory") + "/memory.memsw.limit_in_bytes");
  if (memsw) {  // only with swap accounting
    EXPECT_EQ(*memsw, "134217728\n");
  }

  auto st = read_stats_v1(reader());
  ASSERT_TRUE(st) << st.error().message();
  EXPECT_EQ(st->memory.usage.limit, 64u << 20);
  EXPECT_EQ(st->memory.usage.failcnt, 0u);
  EXPECT_EQ(st->pids.limit, 42u);
  EXPECT_EQ(st->pids.current, 0u);
  EXPECT_EQ(st->memory.raw.count("hierarchical_memory_limit"), 1u);
  EXPECT_NE(stats_json(*st).find(R"("pids":{"limit":42})"), std::string::npos) << stats_json(*st);
}

TEST_F(CgroupResourcesPrivTest, UnlimitedPidsReadsBackAsZeroLimit) {
  oci::Resources r;
  r.pids.emplace();
  r.pids->limit = 0;
  auto plan = plan_resources_v1(r);
  ASSERT_TRUE(plan) << plan.error().message();
  ASSERT_TRUE(apply(*plan));
  EXPECT_EQ(read("pids", "pids.max"), "max\n");
  auto st = read_stats_v1(reader());
  ASSERT_TRUE(st) << st.error().message();
  EXPECT_EQ(st->pids.limit, 0u);
}

TEST_F(CgroupResourcesPrivTest, UpdateOrderRaisesAndLowersMemoryAndSwap) {
  if (!ops_.read_file_at(AT_FDCWD, dir_of("memory") + "/memory.memsw.limit_in_bytes")) {
    GTEST_SKIP() << "kernel has no swap accounting (memory.memsw.limit_in_bytes missing)";
  }
  auto step = [&](int64_t limit, int64_t swap) -> Status {
    V1Probe probe;
    GROVE_ASSIGN_OR_RETURN(
        std::string cur, ops_.read_file_at(AT_FDCWD, dir_of("memory") + "/memory.limit_in_bytes"));
    probe.memory_limit = std::stoull(cur);
    GROVE_ASSIGN_OR_RETURN(auto plan, plan_resources_v1(resources(limit, swap), probe));
    return apply(plan);
  };
  Status s = step(64 << 20, 128 << 20);
  ASSERT_TRUE(s) << s.error().message();
  // Raising both past the old memsw needs memsw first; lowering both needs the limit first.
  s = step(256 << 20, 512 << 20);
  ASSERT_TRUE(s) << s.error().message();
  EXPECT_EQ(read("memory", "memory.memsw.limit_in_bytes"), "536870912\n");
  EXPECT_EQ(read("memory", "memory.limit_in_bytes"), "268435456\n");
  s = step(16 << 20, 32 << 20);
  ASSERT_TRUE(s) << s.error().message();
  EXPECT_EQ(read("memory", "memory.memsw.limit_in_bytes"), "33554432\n");
  EXPECT_EQ(read("memory", "memory.limit_in_bytes"), "16777216\n");
  // The wrong order is what the kernel refuses: a limit above the current memsw.
  Status wrong = ops_.write_file_at(AT_FDCWD, dir_of("memory") + "/memory.limit_in_bytes",
                                    std::to_string(64 << 20));
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code(), EINVAL);
}

}  // namespace
}  // namespace grove::cgroup
