// L0: linux.resources -> cgroup file writes (resources.h), golden lines per field for v2 and v1.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cerrno>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "libcontainer/cgroup/resources.h"

namespace grove::cgroup {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// One line per write, printed here (describe(Write) belongs to cgroup.cc):
// "v1 memory/memory.limit_in_bytes=1024", "v2 memory.max=1024", tolerated errnos as " ?ENOENT".
std::vector<std::string> lines(const std::vector<Write>& writes) {
  std::vector<std::string> out;
  for (const auto& w : writes) {
    std::string s = w.hierarchy == Hierarchy::kUnified ? "v2 " : "v1 " + w.controller + "/";
    s += w.file + "=" + w.value;
    for (int e : w.ignore_errnos) s += e == ENOENT ? " ?ENOENT" : e == EINVAL ? " ?EINVAL" : " ?";
    out.push_back(s);
  }
  return out;
}

std::vector<std::string> v2(const oci::Resources& r, const V2Probe& p = {}) {
  auto w = plan_resources_v2(r, p);
  EXPECT_TRUE(w) << w.error().message();
  return w ? lines(*w) : std::vector<std::string>{};
}

std::vector<std::string> v1(const oci::Resources& r, const V1Probe& p = {}) {
  auto w = plan_resources_v1(r, p);
  EXPECT_TRUE(w) << w.error().message();
  return w ? lines(*w) : std::vector<std::string>{};
}

oci::Resources memory(std::optional<int64_t> limit, std::optional<int64_t> swap = std::nullopt,
                      std::optional<int64_t> reservation = std::nullopt) {
  oci::Resources r;
  r.memory.emplace();
  r.memory->limit = limit;
  r.memory->swap = swap;
  r.memory->reservation = reservation;
  return r;
}

TEST(CgroupResourcesTest, EmptyResourcesWriteNothing) {
  EXPECT_THAT(v2({}), IsEmpty());
  EXPECT_THAT(v1({}), IsEmpty());
  oci::Resources r;
  r.memory.emplace();
  r.cpu.emplace();
  r.pids.emplace();
  r.block_io.emplace();
  r.network.emplace();
  EXPECT_THAT(v2(r), IsEmpty());
  EXPECT_THAT(v1(r), IsEmpty());
}

TEST(CgroupResourcesTest, CpuSharesToWeightIsRunc13Quadratic) {
  EXPECT_EQ(cpu_shares_to_weight(0), 0u);
  EXPECT_EQ(cpu_shares_to_weight(1), 1u);
  EXPECT_EQ(cpu_shares_to_weight(2), 1u);
  EXPECT_EQ(cpu_shares_to_weight(3), 2u);
  EXPECT_EQ(cpu_shares_to_weight(512), 59u);
  EXPECT_EQ(cpu_shares_to_weight(1024), 100u);    // v1 default -> v2 default
  EXPECT_EQ(cpu_shares_to_weight(2000), 170u);    // runc #4896
  EXPECT_EQ(cpu_shares_to_weight(22000), 1204u);  // youki #3274
  EXPECT_EQ(cpu_shares_to_weight(262143), 10000u);
  EXPECT_EQ(cpu_shares_to_weight(1u << 20), 10000u);
}

TEST(CgroupResourcesTest, BlkioWeightToIoWeight) {
  EXPECT_EQ(blkio_weight_to_io_weight(0), 0u);
  EXPECT_EQ(blkio_weight_to_io_weight(10), 1u);
  EXPECT_EQ(blkio_weight_to_io_weight(500), 4950u);
  EXPECT_EQ(blkio_weight_to_io_weight(1000), 10000u);
}

TEST(CgroupResourcesTest, CheckMemoryUsageRefusesLimitsAtOrBelowUsage) {
  oci::Memory m;
  m.limit = 1000;
  EXPECT_TRUE(check_memory_usage(m, 5000)) << "checkBeforeUpdate unset: no check";
  m.check_before_update = true;
  Status below = check_memory_usage(m, 5000);
  ASSERT_FALSE(below);
  EXPECT_EQ(below.error().code(), EBUSY);
  EXPECT_THAT(below.error().message(),
              HasSubstr("linux.resources.memory.limit: rejecting limit 1000 <= current usage 5000"));
  EXPECT_FALSE(check_memory_usage(m, 1000)) << "equal to the usage is refused too (runc: <=)";
  EXPECT_TRUE(check_memory_usage(m, 999));
  EXPECT_TRUE(check_memory_usage(m, std::nullopt)) << "unreadable usage: best effort, passes";
  m.limit = -1;
  EXPECT_TRUE(check_memory_usage(m, 5000)) << "unlimited is never refused";
  m.swap = 4000;
  Status swap = check_memory_usage(m, 5000);
  ASSERT_FALSE(swap);
  EXPECT_THAT(swap.error().message(), HasSubstr("linux.resources.memory.swap: rejecting"));
}

TEST(CgroupResourcesTest, MemorySwapToV2) {
  EXPECT_EQ(*memory_swap_to_v2(0, -1), -1);
  EXPECT_EQ(*memory_swap_to_v2(-1, 100), -1);
  EXPECT_EQ(*memory_swap_to_v2(0, 100), 0);
  EXPECT_EQ(*memory_swap_to_v2(500, -1), 500);
  EXPECT_EQ(*memory_swap_to_v2(300, 100), 200);
  EXPECT_EQ(*memory_swap_to_v2(100, 100), 0);
  auto no_limit = memory_swap_to_v2(100, 0);
  ASSERT_FALSE(no_limit);
  EXPECT_EQ(no_limit.error().code(), EINVAL);
  EXPECT_THAT(no_limit.error().message(), HasSubstr("linux.resources.memory.swap"));
  auto below = memory_swap_to_v2(100, 200);
  ASSERT_FALSE(below);
  EXPECT_EQ(below.error().message(),
            "linux.resources.memory.swap: must be >= memory.limit (100 < 200)");
  EXPECT_FALSE(memory_swap_to_v2(100, -5));
}

TEST(CgroupResourcesTest, V2Memory) {
  EXPECT_THAT(v2(memory(1048576)), ElementsAre("v2 memory.max=1048576"));
  EXPECT_THAT(
      v2(memory(1048576, 3145728, 524288)),
      ElementsAre("v2 memory.swap.max=2097152", "v2 memory.max=1048576", "v2 memory.low=524288"));
  // swap == limit: swap disabled, "0" (tolerating a kernel without swap accounting).
  EXPECT_THAT(v2(memory(1048576, 1048576)),
              ElementsAre("v2 memory.swap.max=0 ?ENOENT", "v2 memory.max=1048576"));
  // -1 limit: both unlimited.
  EXPECT_THAT(v2(memory(-1)), ElementsAre("v2 memory.swap.max=max ?ENOENT", "v2 memory.max=max"));
  EXPECT_THAT(v2(memory(1048576, -1)),
              ElementsAre("v2 memory.swap.max=max ?ENOENT", "v2 memory.max=1048576"));
  EXPECT_THAT(v2(memory(std::nullopt, std::nullopt, 4096)), ElementsAre("v2 memory.low=4096"));
  // Ignored on v2, as runc.
  oci::Resources r;
  r.memory.emplace();
  r.memory->swappiness = 10;
  r.memory->disable_oom_killer = true;
  r.memory->kernel = 1 << 20;
  r.memory->kernel_tcp = 1 << 20;
  EXPECT_THAT(v2(r), IsEmpty());
}

TEST(CgroupResourcesTest, V2MemorySwapErrors) {
  auto below = plan_resources_v2(memory(2048, 1024));
  ASSERT_FALSE(below);
  EXPECT_EQ(below.error().code(), EINVAL);
  EXPECT_THAT(below.error().message(), HasSubstr("memory.swap: must be >= memory.limit"));
  auto alone = plan_resources_v2(memory(std::nullopt, 1024));
  ASSERT_FALSE(alone);
  EXPECT_THAT(alone.error().message(), HasSubstr("cannot be set without memory.limit"));
}

TEST(CgroupResourcesTest, V2Cpu) {
  oci::Resources r;
  r.cpu.emplace();
  r.cpu->shares = 1024;
  r.cpu->quota = 50000;
  r.cpu->period = 200000;
  r.cpu->idle = 0;
  EXPECT_THAT(v2(r), ElementsAre("v2 cpu.idle=0", "v2 cpu.weight=100", "v2 cpu.max=50000 200000"));
  r.cpu->burst = 1000;
  EXPECT_THAT(v2(r),
              ElementsAre("v2 cpu.idle=0", "v2 cpu.weight=100", "v2 cpu.max.burst=1000 ?EINVAL",
                          "v2 cpu.max=50000 200000", "v2 cpu.max.burst=1000"));
  oci::Resources q;
  q.cpu.emplace();
  q.cpu->quota = 20000;
  EXPECT_THAT(v2(q), ElementsAre("v2 cpu.max=20000 100000"));
  q.cpu->quota = -1;
  EXPECT_THAT(v2(q), ElementsAre("v2 cpu.max=max 100000"));
  q.cpu->quota.reset();
  q.cpu->period = 50000;
  EXPECT_THAT(v2(q), ElementsAre("v2 cpu.max=max 50000"));
  oci::Resources b;
  b.cpu.emplace();
  b.cpu->burst = 0;
  EXPECT_THAT(v2(b), ElementsAre("v2 cpu.max.burst=0"));
  // Realtime settings have no v2 file (runc ignores them).
  oci::Resources rt;
  rt.cpu.emplace();
  rt.cpu->realtime_period = 1000000;
  rt.cpu->realtime_runtime = 950000;
  EXPECT_THAT(v2(rt), IsEmpty());
}

TEST(CgroupResourcesTest, V2CpusetAndPids) {
  oci::Resources r;
  r.cpu.emplace();
  r.cpu->cpus = "0-3,7";
  r.cpu->mems = "0";
  r.pids.emplace();
  r.pids->limit = 128;
  EXPECT_THAT(v2(r), ElementsAre("v2 pids.max=128", "v2 cpuset.cpus=0-3,7", "v2 cpuset.mems=0"));
  r.pids->limit = 0;
  r.cpu.reset();
  EXPECT_THAT(v2(r), ElementsAre("v2 pids.max=max"));
  r.pids->limit = -1;
  EXPECT_THAT(v2(r), ElementsAre("v2 pids.max=max"));
}

oci::BlockIo block_io() {
  oci::BlockIo b;
  b.weight = 500;
  b.leaf_weight = 300;
  b.weight_device = {{8, 0, 600, 700}, {8, 16, std::nullopt, 200}};
  b.throttle_read_bps_device = {{8, 0, 1048576}};
  b.throttle_write_bps_device = {{8, 0, 2097152}};
  b.throttle_read_iops_device = {{8, 16, 100}};
  b.throttle_write_iops_device = {{8, 16, 200}};
  return b;
}

TEST(CgroupResourcesTest, V2IoWithoutBfq) {
  oci::Resources r;
  r.block_io = block_io();
  EXPECT_THAT(v2(r), ElementsAre("v2 io.weight=4950", "v2 io.max=8:0 rbps=1048576",
                                 "v2 io.max=8:0 wbps=2097152", "v2 io.max=8:16 riops=100",
                                 "v2 io.max=8:16 wiops=200"));
}

TEST(CgroupResourcesTest, V2IoWithBfq) {
  oci::Resources r;
  r.block_io = block_io();
  r.block_io->throttle_read_bps_device.clear();
  r.block_io->throttle_write_bps_device.clear();
  r.block_io->throttle_read_iops_device.clear();
  r.block_io->throttle_write_iops_device.clear();
  EXPECT_THAT(v2(r, {.io_bfq_weight = true}), ElementsAre("v2 io.bfq.weight=500"));
  EXPECT_THAT(v2(r, {.io_bfq_weight = true, .io_bfq_device_weight = true}),
              ElementsAre("v2 io.bfq.weight=500", "v2 io.bfq.weight=8:0 600"));
}

TEST(CgroupResourcesTest, V2HugetlbRdmaUnified) {
  oci::Resources r;
  r.hugepage_limits = {{"2MB", 4194304}, {"1GB", 0}};
  r.rdma["mlx5_1"] = {std::nullopt, 2000};
  r.rdma["mlx4_0"] = {3, 100};
  r.unified["memory.high"] = "1073741824";
  r.unified["cgroup.freeze"] = "0";
  r.unified["io.latency"] = "8:0 target=100";
  auto w = plan_resources_v2(r);
  ASSERT_TRUE(w) << w.error().message();
  EXPECT_THAT(lines(*w),
              ElementsAre("v2 hugetlb.2MB.max=4194304", "v2 hugetlb.2MB.rsvd.max=4194304 ?ENOENT",
                          "v2 hugetlb.1GB.max=0", "v2 hugetlb.1GB.rsvd.max=0 ?ENOENT",
                          "v2 rdma.max=mlx4_0 hca_handle=3 hca_object=100",
                          "v2 rdma.max=mlx5_1 hca_object=2000", "v2 cgroup.freeze=0",
                          "v2 io.latency=8:0 target=100", "v2 memory.high=1073741824"));
  EXPECT_EQ((*w)[0].controller, "hugetlb");
  EXPECT_EQ((*w)[4].controller, "rdma");
  EXPECT_EQ((*w)[6].controller, "");  // cgroup.* core file
  EXPECT_EQ((*w)[7].controller, "io");
  EXPECT_EQ((*w)[8].controller, "memory");
}

TEST(CgroupResourcesTest, V2UnifiedComesLastAndOverrides) {
  oci::Resources r = memory(1048576);
  r.unified["memory.max"] = "2097152";
  EXPECT_THAT(v2(r), ElementsAre("v2 memory.max=1048576", "v2 memory.max=2097152"));
}

TEST(CgroupResourcesTest, V2UnifiedKeyValidation) {
  for (const char* key : {"", ".", "..", "../memory.max", "a/b"}) {
    oci::Resources r;
    r.unified[key] = "1";
    auto w = plan_resources_v2(r);
    ASSERT_FALSE(w) << key;
    EXPECT_EQ(w.error().code(), EINVAL);
    EXPECT_THAT(w.error().message(), HasSubstr("linux.resources.unified: "));
  }
}

TEST(CgroupResourcesTest, HugepageSizeValidation) {
  for (const char* good : {"64KB", "2MB", "32MB", "512MB", "1GB", "16GB"}) {
    EXPECT_TRUE(validate_hugepage_size(good, "f")) << good;
  }
  for (const char* bad : {"", "MB", "2mb", "2M", "3MB", "2048KB", "1024MB", "02MB", "-2MB", "+2MB",
                          "2 MB", "2MiB", "0GB", "2TB"}) {
    auto s = validate_hugepage_size(bad, "f");
    EXPECT_FALSE(s) << bad;
    if (!s) {
      EXPECT_EQ(s.error().code(), EINVAL);
    }
  }
  oci::Resources r;
  r.hugepage_limits = {{"2MB", 1}, {"3MB", 1}};
  auto w = plan_resources_v2(r);
  ASSERT_FALSE(w);
  EXPECT_EQ(w.error().message(),
            "linux.resources.hugepageLimits[1].pageSize: invalid hugepage size \"3MB\" (want e.g. "
            "\"2MB\" or \"1GB\")");
  EXPECT_FALSE(plan_resources_v1(r));
}

TEST(CgroupResourcesTest, HugepageSizeFromDirname) {
  EXPECT_EQ(hugepage_size_from_dirname("hugepages-2048kB"), "2MB");
  EXPECT_EQ(hugepage_size_from_dirname("hugepages-1048576kB"), "1GB");
  EXPECT_EQ(hugepage_size_from_dirname("hugepages-64kB"), "64KB");
  EXPECT_EQ(hugepage_size_from_dirname("hugepages-2048"), std::nullopt);
  EXPECT_EQ(hugepage_size_from_dirname("foo-2048kB"), std::nullopt);
  EXPECT_EQ(hugepage_size_from_dirname("hugepages-xkB"), std::nullopt);
}

TEST(CgroupResourcesTest, V2NetworkIgnored) {
  oci::Resources r;
  r.network.emplace();
  r.network->class_id = 0x100001;
  r.network->priorities = {{"eth0", 5}};
  EXPECT_THAT(v2(r), IsEmpty());
}

TEST(CgroupResourcesTest, V1MemoryFreshCgroupWritesLimitFirst) {
  EXPECT_THAT(v1(memory(1048576)), ElementsAre("v1 memory/memory.limit_in_bytes=1048576"));
  EXPECT_THAT(v1(memory(1048576, 2097152, 524288)),
              ElementsAre("v1 memory/memory.limit_in_bytes=1048576",
                          "v1 memory/memory.memsw.limit_in_bytes=2097152",
                          "v1 memory/memory.soft_limit_in_bytes=524288"));
  // Swap -1: memsw first (it only grows).
  EXPECT_THAT(v1(memory(1048576, -1)), ElementsAre("v1 memory/memory.memsw.limit_in_bytes=-1",
                                                   "v1 memory/memory.limit_in_bytes=1048576"));
  // Unlimited memory lifts swap too where the kernel accounts it.
  EXPECT_THAT(v1(memory(-1)), ElementsAre("v1 memory/memory.memsw.limit_in_bytes=-1 ?ENOENT",
                                          "v1 memory/memory.limit_in_bytes=-1"));
  EXPECT_THAT(v1(memory(std::nullopt, 4096)),
              ElementsAre("v1 memory/memory.memsw.limit_in_bytes=4096"));
}

TEST(CgroupResourcesTest, V1MemoryUpdateOrderFollowsCurrentLimit) {
  // Raising 100M/200M to 300M/400M: memsw first, or the limit would exceed the old memsw.
  EXPECT_THAT(v1(memory(300 << 20, 400 << 20), {.memory_limit = 100 << 20}),
              ElementsAre("v1 memory/memory.memsw.limit_in_bytes=419430400",
                          "v1 memory/memory.limit_in_bytes=314572800"));
  // Lowering 300M/400M to 100M/200M: the limit first.
  EXPECT_THAT(v1(memory(100 << 20, 200 << 20), {.memory_limit = 300 << 20}),
              ElementsAre("v1 memory/memory.limit_in_bytes=104857600",
                          "v1 memory/memory.memsw.limit_in_bytes=209715200"));
}

TEST(CgroupResourcesTest, V1MemoryOtherFields) {
  oci::Resources r;
  r.memory.emplace();
  r.memory->disable_oom_killer = true;
  r.memory->swappiness = 0;
  r.memory->kernel = 1 << 20;      // ignored, as runc
  r.memory->kernel_tcp = 1 << 20;  // ignored, as runc
  EXPECT_THAT(v1(r),
              ElementsAre("v1 memory/memory.oom_control=1", "v1 memory/memory.swappiness=0"));
  r.memory->disable_oom_killer = false;
  r.memory->swappiness = std::numeric_limits<uint64_t>::max();  // -1: unset
  EXPECT_THAT(v1(r), IsEmpty());
  r.memory->swappiness = 101;
  auto w = plan_resources_v1(r);
  ASSERT_FALSE(w);
  EXPECT_EQ(w.error().code(), EINVAL);
  EXPECT_EQ(w.error().message(),
            "linux.resources.memory.swappiness: invalid value 101 (valid range is 0-100)");
}

TEST(CgroupResourcesTest, V1Cpu) {
  oci::Resources r;
  r.cpu.emplace();
  r.cpu->shares = 512;
  r.cpu->idle = 1;
  EXPECT_THAT(v1(r), ElementsAre("v1 cpu/cpu.shares=512", "v1 cpu/cpu.idle=1"));
  r.cpu->idle.reset();
  r.cpu->quota = 50000;
  r.cpu->period = 100000;
  r.cpu->burst = 10000;
  EXPECT_THAT(v1(r), ElementsAre("v1 cpu/cpu.shares=512", "v1 cpu/cpu.cfs_period_us=100000 ?EINVAL",
                                 "v1 cpu/cpu.cfs_burst_us=10000 ?ENOENT ?EINVAL",
                                 "v1 cpu/cpu.cfs_quota_us=50000", "v1 cpu/cpu.cfs_period_us=100000",
                                 "v1 cpu/cpu.cfs_burst_us=10000 ?ENOENT"));
  oci::Resources p;
  p.cpu.emplace();
  p.cpu->period = 100000;
  p.cpu->burst = 0;
  EXPECT_THAT(v1(p),
              ElementsAre("v1 cpu/cpu.cfs_period_us=100000", "v1 cpu/cpu.cfs_burst_us=0 ?ENOENT"));
  oci::Resources q;
  q.cpu.emplace();
  q.cpu->quota = -1;
  EXPECT_THAT(v1(q), ElementsAre("v1 cpu/cpu.cfs_quota_us=-1"));
}

TEST(CgroupResourcesTest, V1CpuRealtime) {
  oci::Resources r;
  r.cpu.emplace();
  r.cpu->realtime_period = 1000000;
  r.cpu->realtime_runtime = 950000;
  EXPECT_THAT(v1(r),
              ElementsAre("v1 cpu/cpu.rt_period_us=1000000 ?EINVAL",
                          "v1 cpu/cpu.rt_runtime_us=950000", "v1 cpu/cpu.rt_period_us=1000000"));
  r.cpu->realtime_runtime.reset();
  EXPECT_THAT(v1(r), ElementsAre("v1 cpu/cpu.rt_period_us=1000000"));
}

TEST(CgroupResourcesTest, V1OrderAcrossControllers) {
  oci::Resources r = memory(1048576);
  r.cpu.emplace();
  r.cpu->cpus = "0-1";
  r.cpu->mems = "0";
  r.cpu->shares = 100;
  r.pids.emplace();
  r.pids->limit = 64;
  r.network.emplace();
  r.network->class_id = 0x100001;
  r.network->priorities = {{"eth0", 5}, {"lo", 2}};
  r.hugepage_limits = {{"2MB", 0}};
  r.rdma["mlx4_0"] = {3, std::nullopt};
  EXPECT_THAT(
      v1(r),
      ElementsAre("v1 cpuset/cpuset.cpus=0-1", "v1 cpuset/cpuset.mems=0",
                  "v1 memory/memory.limit_in_bytes=1048576", "v1 cpu/cpu.shares=100",
                  "v1 pids/pids.max=64", "v1 hugetlb/hugetlb.2MB.limit_in_bytes=0",
                  "v1 hugetlb/hugetlb.2MB.rsvd.limit_in_bytes=0 ?ENOENT",
                  "v1 net_cls/net_cls.classid=1048577", "v1 net_prio/net_prio.ifpriomap=eth0 5",
                  "v1 net_prio/net_prio.ifpriomap=lo 2", "v1 rdma/rdma.max=mlx4_0 hca_handle=3"));
  auto w = plan_resources_v1(r);
  ASSERT_TRUE(w);
  for (const auto& one : *w) EXPECT_EQ(one.hierarchy, Hierarchy::kV1);
}

TEST(CgroupResourcesTest, V1Pids) {
  oci::Resources r;
  r.pids.emplace();
  r.pids->limit = 0;
  EXPECT_THAT(v1(r), ElementsAre("v1 pids/pids.max=max"));
  r.pids->limit = -1;
  EXPECT_THAT(v1(r), ElementsAre("v1 pids/pids.max=max"));
  r.pids->limit.reset();
  EXPECT_THAT(v1(r), IsEmpty());
}

TEST(CgroupResourcesTest, V1BlkioBfqNames) {
  oci::Resources r;
  r.block_io = block_io();
  EXPECT_THAT(v1(r), ElementsAre("v1 blkio/blkio.bfq.weight=500", "v1 blkio/blkio.leaf_weight=300",
                                 "v1 blkio/blkio.bfq.weight_device=8:0 600",
                                 "v1 blkio/blkio.leaf_weight_device=8:0 700",
                                 "v1 blkio/blkio.leaf_weight_device=8:16 200",
                                 "v1 blkio/blkio.throttle.read_bps_device=8:0 1048576",
                                 "v1 blkio/blkio.throttle.write_bps_device=8:0 2097152",
                                 "v1 blkio/blkio.throttle.read_iops_device=8:16 100",
                                 "v1 blkio/blkio.throttle.write_iops_device=8:16 200"));
}

TEST(CgroupResourcesTest, V1BlkioCfqNames) {
  oci::Resources r;
  r.block_io.emplace();
  r.block_io->weight = 100;
  r.block_io->weight_device = {{8, 0, 600, std::nullopt}};
  EXPECT_THAT(v1(r, {.blkio_cfq_weight = true}),
              ElementsAre("v1 blkio/blkio.weight=100", "v1 blkio/blkio.weight_device=8:0 600"));
}

TEST(CgroupResourcesTest, V1UnifiedIsEinval) {
  oci::Resources r;
  r.unified["memory.high"] = "1";
  auto w = plan_resources_v1(r);
  ASSERT_FALSE(w);
  EXPECT_EQ(w.error().code(), EINVAL);
  EXPECT_THAT(w.error().message(), HasSubstr("cannot use unified on cgroup v1"));
}

}  // namespace
}  // namespace grove::cgroup
