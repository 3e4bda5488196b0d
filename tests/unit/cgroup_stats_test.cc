// L0: cgroup stats readers (stats.h) on file contents copied from this machine's v1 hierarchies
// (/sys/fs/cgroup/{memory,cpuacct,cpu,cpuset}) and the kernel's v2 formats, and runc's JSON.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cerrno>
#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "libcontainer/cgroup/stats.h"

namespace grove::cgroup {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();

// Files keyed "controller/file" (v1) or "file" (v2); others read as ENOENT. `fail` files
// return that errno instead. Records every read in `reads`.
struct FakeFiles {
  std::map<std::string, std::string> files;
  std::map<std::string, int> fail;
  std::vector<std::string> reads;

  FileReader reader() {
    return [this](Hierarchy h, const std::string& controller,
                  const std::string& file) -> Result<std::string> {
      std::string key = h == Hierarchy::kV1 ? controller + "/" + file : file;
      reads.push_back(key);
      if (auto f = fail.find(key); f != fail.end()) return Error::from_errno(f->second, "open");
      auto it = files.find(key);
      if (it == files.end()) return Error::from_errno(ENOENT, "open");
      return it->second;
    };
  }
};

// Real: /sys/fs/cgroup/memory/process_api/<id>/memory.stat on the build machine (first lines).
constexpr const char* kV1MemoryStat =
    "cache 822648832\nrss 2056192\nrss_huge 0\nshmem 0\nmapped_file 53248\ndirty 19914752\n"
    "writeback 0\nworkingset_refault_anon 0\nworkingset_refault_file 35552\nswap 0\n"
    "swapcached 0\npgpgin 4054934\npgpgout 3978827\npgfault 3841834\npgmajfault 94\n"
    "inactive_anon 2015232\nactive_anon 8192\ninactive_file 356442112\nactive_file 466206720\n"
    "unevictable 0\nhierarchical_memory_limit 9223372036854771712\n"
    "hierarchical_memsw_limit 9223372036854771712\ntotal_cache 822648832\n";

FakeFiles v1_machine() {
  FakeFiles f;
  f.files = {
      {"memory/memory.stat", kV1MemoryStat},
      {"memory/memory.usage_in_bytes", "846307328\n"},
      {"memory/memory.max_usage_in_bytes", "1740685312\n"},
      {"memory/memory.failcnt", "0\n"},
      {"memory/memory.limit_in_bytes", "9223372036854771712\n"},
      {"memory/memory.memsw.usage_in_bytes", "846417920\n"},
      {"memory/memory.memsw.max_usage_in_bytes", "1740685312\n"},
      {"memory/memory.memsw.failcnt", "0\n"},
      {"memory/memory.memsw.limit_in_bytes", "9223372036854771712\n"},
      {"memory/memory.kmem.usage_in_bytes", "21327872\n"},
      {"memory/memory.kmem.max_usage_in_bytes", "26062848\n"},
      {"memory/memory.kmem.failcnt", "0\n"},
      {"memory/memory.kmem.limit_in_bytes", "9223372036854771712\n"},
      {"memory/memory.kmem.tcp.usage_in_bytes", "0\n"},
      {"memory/memory.kmem.tcp.max_usage_in_bytes", "0\n"},
      {"memory/memory.kmem.tcp.failcnt", "0\n"},
      {"memory/memory.kmem.tcp.limit_in_bytes", "9223372036854771712\n"},
      {"cpuacct/cpuacct.stat", "user 3213768\nsystem 320845\n"},
      {"cpuacct/cpuacct.usage", "35346156432400\n"},
      {"cpuacct/cpuacct.usage_percpu", "17626746800551 17719417594352 \n"},
      {"cpuacct/cpuacct.usage_all",
       "cpu user system\n0 16084252100121 1521810673665\n1 16017978127875 1683098273005\n"},
      {"cpu/cpu.stat",
       "nr_periods 12\nnr_throttled 3\nthrottled_time 4500\nnr_bursts 0\nburst_time 0\n"},
      {"cpuset/cpuset.cpus", "0-1\n"},
      {"cpuset/cpuset.mems", "0\n"},
      {"cpuset/cpuset.cpu_exclusive", "1\n"},
      {"cpuset/cpuset.sched_load_balance", "1\n"},
      {"cpuset/cpuset.sched_relax_domain_level", "-1\n"},
      {"pids/pids.current", "3\n"},
      {"pids/pids.max", "max\n"},
  };
  return f;
}

TEST(CgroupStatsTest, V1FromMachineFiles) {
  FakeFiles f = v1_machine();
  auto st = read_stats_v1(f.reader());
  ASSERT_TRUE(st) << st.error().message();
  EXPECT_EQ(st->memory.cache, 822648832u);
  EXPECT_EQ(st->memory.raw.at("hierarchical_memory_limit"), 9223372036854771712u);
  EXPECT_EQ(st->memory.raw.size(), 23u);
  EXPECT_EQ(st->memory.usage.usage, 846307328u);
  EXPECT_EQ(st->memory.usage.max, 1740685312u);
  EXPECT_EQ(st->memory.usage.limit, 9223372036854771712u);
  EXPECT_EQ(st->memory.swap.usage, 846417920u);
  EXPECT_EQ(st->memory.kernel.usage, 21327872u);
  EXPECT_EQ(st->memory.kernel.max, 26062848u);
  EXPECT_EQ(st->memory.kernel_tcp.limit, 9223372036854771712u);
  // USER_HZ ticks -> ns.
  EXPECT_EQ(st->cpu.usage.user, 3213768ull * 10000000ull);
  EXPECT_EQ(st->cpu.usage.kernel, 320845ull * 10000000ull);
  EXPECT_EQ(st->cpu.usage.total, 35346156432400u);
  EXPECT_THAT(st->cpu.usage.percpu, ElementsAre(17626746800551u, 17719417594352u));
  EXPECT_THAT(st->cpu.usage.percpu_user, ElementsAre(16084252100121u, 16017978127875u));
  EXPECT_THAT(st->cpu.usage.percpu_kernel, ElementsAre(1521810673665u, 1683098273005u));
  EXPECT_EQ(st->cpu.throttling.periods, 12u);
  EXPECT_EQ(st->cpu.throttling.throttled_periods, 3u);
  EXPECT_EQ(st->cpu.throttling.throttled_time, 4500u);
  EXPECT_THAT(st->cpuset.cpus, ElementsAre(0, 1));
  EXPECT_THAT(st->cpuset.mems, ElementsAre(0));
  EXPECT_EQ(st->cpuset.cpu_exclusive, 1u);
  EXPECT_EQ(st->cpuset.sched_relax_domain_level, -1);
  EXPECT_EQ(st->pids.current, 3u);
  EXPECT_EQ(st->pids.limit, 0u);  // "max"
}

TEST(CgroupStatsTest, V1MissingControllersLeaveZeros) {
  FakeFiles f;
  auto st = read_stats_v1(f.reader(), {"2MB"});
  ASSERT_TRUE(st) << st.error().message();
  EXPECT_EQ(stats_json(*st), stats_json(Stats{}));
  // Optional counters: no swap accounting, no kmem.
  FakeFiles g = v1_machine();
  for (auto it = g.files.begin(); it != g.files.end();) {
    bool optional = it->first.find("memsw") != std::string::npos ||
                    it->first.find("kmem") != std::string::npos ||
                    it->first == "cpuacct/cpuacct.usage_all";
    it = optional ? g.files.erase(it) : std::next(it);
  }
  auto st2 = read_stats_v1(g.reader());
  ASSERT_TRUE(st2) << st2.error().message();
  EXPECT_EQ(st2->memory.swap.usage, 0u);
  EXPECT_EQ(st2->memory.kernel.limit, 0u);
  EXPECT_TRUE(st2->cpu.usage.percpu_user.empty());
  EXPECT_EQ(st2->memory.usage.usage, 846307328u);
}

TEST(CgroupStatsTest, V1ErrorsCarryTheFileName) {
  FakeFiles f = v1_machine();
  f.fail["memory/memory.failcnt"] = EACCES;
  auto st = read_stats_v1(f.reader());
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code(), EACCES);
  EXPECT_THAT(st.error().message(), HasSubstr("read \"memory.failcnt\""));
  // A required file missing after its controller's first file exists is an error, as in runc.
  FakeFiles g = v1_machine();
  g.files.erase("memory/memory.limit_in_bytes");
  auto st2 = read_stats_v1(g.reader());
  ASSERT_FALSE(st2);
  EXPECT_EQ(st2.error().code(), ENOENT);
  EXPECT_THAT(st2.error().message(), HasSubstr("memory.limit_in_bytes"));
  FakeFiles h = v1_machine();
  h.files["cpu/cpu.stat"] = "nr_periods x\n";
  auto st3 = read_stats_v1(h.reader());
  ASSERT_FALSE(st3);
  EXPECT_EQ(st3.error().code(), EINVAL);
  EXPECT_THAT(st3.error().message(), HasSubstr("cpu.stat: invalid number \"x\""));
  FakeFiles k = v1_machine();
  k.files["cpuacct/cpuacct.stat"] = "system 1\nuser 2\n";
  EXPECT_FALSE(read_stats_v1(k.reader()));
}

TEST(CgroupStatsTest, V1NegativeNumbersReadAsZero) {
  FakeFiles f = v1_machine();
  f.files["memory/memory.kmem.limit_in_bytes"] = "-1\n";
  auto st = read_stats_v1(f.reader());
  ASSERT_TRUE(st) << st.error().message();
  EXPECT_EQ(st->memory.kernel.limit, 0u);
}

// The format of blkio.throttle.io_service_bytes_recursive (runc's fs/blkio.go example).
constexpr const char* kBlkioBytes =
    "8:0 Read 1282048\n8:0 Write 2195456\n8:0 Sync 2195456\n8:0 Async 1282048\n"
    "8:0 Discard 0\n8:0 Total 3477504\nTotal 3477504\n";
constexpr const char* kBlkioIos =
    "8:0 Read 124\n8:0 Write 104\n8:0 Sync 104\n8:0 Async 124\n8:0 Discard 0\n8:0 Total 228\n"
    "Total 228\n";

TEST(CgroupStatsTest, V1BlkioFallsBackPastEmptyBfqFiles) {
  FakeFiles f;
  // As on this machine: the bfq files exist but hold only "Total 0".
  f.files["blkio/blkio.bfq.io_serviced_recursive"] = "Total 0\n";
  f.files["blkio/blkio.bfq.io_service_bytes_recursive"] = "Total 0\n";
  f.files["blkio/blkio.throttle.io_serviced_recursive"] = kBlkioIos;
  f.files["blkio/blkio.throttle.io_service_bytes_recursive"] = kBlkioBytes;
  auto st = read_stats_v1(f.reader());
  ASSERT_TRUE(st) << st.error().message();
  ASSERT_EQ(st->blkio.io_service_bytes_recursive.size(), 6u);
  const BlkioEntry& e = st->blkio.io_service_bytes_recursive[1];
  EXPECT_EQ(e.major, 8u);
  EXPECT_EQ(e.minor, 0u);
  EXPECT_EQ(e.op, "Write");
  EXPECT_EQ(e.value, 2195456u);
  EXPECT_EQ(st->blkio.io_serviced_recursive.size(), 6u);
  EXPECT_TRUE(st->blkio.sectors_recursive.empty());
}

TEST(CgroupStatsTest, V1BlkioCfqGroupAndEarlyStop) {
  FakeFiles f;
  f.files["blkio/blkio.sectors_recursive"] = "8:0 6792\n";
  f.files["blkio/blkio.io_service_time_recursive"] = "8:0 Read 5\nTotal 5\n";
  // The third file of the group is empty: runc stops there, keeping what it has.
  f.files["blkio/blkio.io_wait_time_recursive"] = "Total 0\n";
  f.files["blkio/blkio.throttle.io_serviced"] = kBlkioIos;
  auto st = read_stats_v1(f.reader());
  ASSERT_TRUE(st) << st.error().message();
  ASSERT_EQ(st->blkio.sectors_recursive.size(), 1u);
  EXPECT_EQ(st->blkio.sectors_recursive[0].op, "");
  EXPECT_EQ(st->blkio.sectors_recursive[0].value, 6792u);
  EXPECT_EQ(st->blkio.io_service_time_recursive.size(), 1u);
  EXPECT_TRUE(st->blkio.io_serviced_recursive.empty());
  FakeFiles bad;
  bad.files["blkio/blkio.throttle.io_serviced_recursive"] = "8:0\n";
  EXPECT_FALSE(read_stats_v1(bad.reader()));
}

TEST(CgroupStatsTest, V1Hugetlb) {
  FakeFiles f;
  f.files["hugetlb/hugetlb.2MB.usage_in_bytes"] = "4194304\n";
  f.files["hugetlb/hugetlb.2MB.max_usage_in_bytes"] = "8388608\n";
  f.files["hugetlb/hugetlb.2MB.failcnt"] = "2\n";
  f.files["hugetlb/hugetlb.1GB.usage_in_bytes"] = "0\n";
  f.files["hugetlb/hugetlb.1GB.max_usage_in_bytes"] = "0\n";
  f.files["hugetlb/hugetlb.1GB.failcnt"] = "0\n";
  auto st = read_stats_v1(f.reader(), {"2MB", "1GB"});
  ASSERT_TRUE(st) << st.error().message();
  EXPECT_EQ(st->hugetlb.at("2MB").usage, 4194304u);
  EXPECT_EQ(st->hugetlb.at("2MB").max, 8388608u);
  EXPECT_EQ(st->hugetlb.at("2MB").failcnt, 2u);
  EXPECT_EQ(st->hugetlb.count("1GB"), 1u);
  // rsvd files win when present.
  f.files["hugetlb/hugetlb.2MB.rsvd.usage_in_bytes"] = "1\n";
  f.files["hugetlb/hugetlb.2MB.rsvd.max_usage_in_bytes"] = "2\n";
  f.files["hugetlb/hugetlb.2MB.rsvd.failcnt"] = "3\n";
  auto st2 = read_stats_v1(f.reader(), {"2MB"});
  ASSERT_TRUE(st2);
  EXPECT_EQ(st2->hugetlb.at("2MB").usage, 1u);
  EXPECT_EQ(st2->hugetlb.at("2MB").failcnt, 3u);
}

// cgroup v2 formats (Documentation/admin-guide/cgroup-v2.rst); cpu.stat's first lines are real,
// from this machine's /sys/fs/cgroup/unified/cpu.stat.
FakeFiles v2_files() {
  FakeFiles f;
  f.files = {
      {"cpu.stat",
       "usage_usec 35307250743\nuser_usec 32102341796\nsystem_usec 3204908946\n"
       "nice_usec 3474639956\nnr_periods 7\nnr_throttled 2\nthrottled_usec 1500\n"
       "nr_bursts 0\nburst_usec 0\n"},
      {"memory.stat", "anon 2056192\nfile 822648832\nkernel 21327872\nsock 0\nshmem 0\n"},
      {"memory.current", "846307328\n"},
      {"memory.max", "1073741824\n"},
      {"memory.peak", "1040685312\n"},
      {"memory.swap.current", "4096\n"},
      {"memory.swap.max", "max\n"},
      {"pids.current", "5\n"},
      {"pids.max", "100\n"},
      {"io.stat",
       "8:16 rbytes=1459200 wbytes=314773504 rios=192 wios=353 dbytes=0 dios=0\n"
       "8:0 rbytes=90430464 wbytes=299008000 rios=8950 wios=1252 dbytes=50331648 dios=3021\n"},
      {"hugetlb.2MB.current", "2097152\n"},
      {"hugetlb.2MB.events", "max 4\n"},
  };
  return f;
}

TEST(CgroupStatsTest, V2) {
  FakeFiles f = v2_files();
  auto st = read_stats_v2(f.reader(), {"2MB"});
  ASSERT_TRUE(st) << st.error().message();
  EXPECT_EQ(st->cpu.usage.total, 35307250743000u);
  EXPECT_EQ(st->cpu.usage.user, 32102341796000u);
  EXPECT_EQ(st->cpu.usage.kernel, 3204908946000u);
  EXPECT_EQ(st->cpu.throttling.periods, 7u);
  EXPECT_EQ(st->cpu.throttling.throttled_periods, 2u);
  EXPECT_EQ(st->cpu.throttling.throttled_time, 1500000u);
  EXPECT_EQ(st->memory.cache, 822648832u);
  EXPECT_EQ(st->memory.raw.at("anon"), 2056192u);
  EXPECT_EQ(st->memory.usage.usage, 846307328u);
  EXPECT_EQ(st->memory.usage.limit, 1073741824u);
  EXPECT_EQ(st->memory.usage.max, 1040685312u);
  EXPECT_EQ(st->memory.usage.failcnt, 0u);
  // Swap as memory+swap; an unlimited swap stays unlimited; no combined peak.
  EXPECT_EQ(st->memory.swap.usage, 846307328u + 4096u);
  EXPECT_EQ(st->memory.swap.limit, kMax);
  EXPECT_EQ(st->memory.swap.max, 0u);
  EXPECT_EQ(st->pids.current, 5u);
  EXPECT_EQ(st->pids.limit, 100u);
  ASSERT_EQ(st->blkio.io_service_bytes_recursive.size(), 4u);
  EXPECT_EQ(st->blkio.io_service_bytes_recursive[0].minor, 16u);
  EXPECT_EQ(st->blkio.io_service_bytes_recursive[0].op, "Read");
  EXPECT_EQ(st->blkio.io_service_bytes_recursive[3].op, "Write");
  EXPECT_EQ(st->blkio.io_service_bytes_recursive[3].value, 299008000u);
  ASSERT_EQ(st->blkio.io_serviced_recursive.size(), 4u);
  EXPECT_EQ(st->blkio.io_serviced_recursive[2].value, 8950u);
  EXPECT_EQ(st->hugetlb.at("2MB").usage, 2097152u);
  EXPECT_EQ(st->hugetlb.at("2MB").failcnt, 4u);
  // The unified reads name their controller.
  EXPECT_THAT(f.reads, ::testing::Contains("hugetlb.2MB.rsvd.current"));
}

TEST(CgroupStatsTest, V2SwapLimitAddsMemoryLimit) {
  FakeFiles f = v2_files();
  f.files["memory.swap.max"] = "1000\n";
  f.files.erase("memory.peak");  // before 5.19
  auto st = read_stats_v2(f.reader());
  ASSERT_TRUE(st) << st.error().message();
  EXPECT_EQ(st->memory.swap.limit, 1073741824u + 1000u);
  EXPECT_EQ(st->memory.usage.max, 0u);
}

TEST(CgroupStatsTest, V2PidsWithoutControllerCountsProcs) {
  FakeFiles f;
  f.files["cgroup.procs"] = "1\n42\n43\n";
  auto st = read_stats_v2(f.reader());
  ASSERT_TRUE(st) << st.error().message();
  EXPECT_EQ(st->pids.current, 3u);
  EXPECT_EQ(st->pids.limit, 0u);
  FakeFiles threaded;
  threaded.fail["cgroup.procs"] = ENOTSUP;
  threaded.files["cgroup.threads"] = "7\n8\n";
  auto st2 = read_stats_v2(threaded.reader());
  ASSERT_TRUE(st2) << st2.error().message();
  EXPECT_EQ(st2->pids.current, 2u);
  FakeFiles gone;  // not even cgroup.procs: the cgroup is gone
  EXPECT_FALSE(read_stats_v2(gone.reader()));
}

TEST(CgroupStatsTest, V2ErrorsAndMalformedFiles) {
  FakeFiles f = v2_files();
  f.fail["io.stat"] = EIO;
  auto st = read_stats_v2(f.reader());
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code(), EIO);
  EXPECT_THAT(st.error().message(), HasSubstr("read \"io.stat\""));
  FakeFiles g = v2_files();
  g.files["memory.stat"] = "anon\n";
  auto st2 = read_stats_v2(g.reader());
  ASSERT_FALSE(st2);
  EXPECT_EQ(st2.error().code(), EINVAL);
  EXPECT_THAT(st2.error().message(), HasSubstr("memory.stat: line \"anon\" is not in"));
}

TEST(CgroupStatsTest, JsonOfEmptyStatsMatchesRunc) {
  // What runc 1.3 prints for a container without readable controllers: structs stay (Go's
  // omitempty does not drop them), zero omitempty numbers go, hugetlb is {} and
  // network_interfaces null.
  EXPECT_EQ(stats_json(Stats{}),
            R"({"cpu":{"usage":{"kernel":0,"user":0},"throttling":{}},)"
            R"("cpuset":{"cpu_exclusive":0,"mem_hardwall":0,"mem_exclusive":0,"memory_migrate":0,)"
            R"("memory_spread_page":0,"memory_spread_slab":0,"memory_pressure":0,)"
            R"("sched_load_balance":0,"sched_relax_domain_level":0},)"
            R"("memory":{"usage":{"limit":0,"failcnt":0},"swap":{"limit":0,"failcnt":0},)"
            R"("kernel":{"limit":0,"failcnt":0},"kernelTCP":{"limit":0,"failcnt":0}},)"
            R"("pids":{},"blkio":{},"hugetlb":{},"intel_rdt":{},"network_interfaces":null})");
}

TEST(CgroupStatsTest, JsonFieldNamesAndOrder) {
  Stats s;
  s.cpu.usage = {100, {60, 40}, {10, 20}, {50, 20}, 30, 70};
  s.cpu.throttling = {5, 0, 9};
  s.cpuset.cpus = {0, 1};
  s.cpuset.sched_relax_domain_level = -1;
  s.memory.cache = 7;
  s.memory.usage = {1024, 512, 0, 1};
  s.memory.raw = {{"rss", 2}, {"cache", 7}};
  s.pids = {3, 0};
  s.blkio.io_service_bytes_recursive = {{8, 0, "Read", 10}, {8, 0, "Total", 0}};
  s.blkio.io_queued_recursive = {{0, 0, "", 1}};
  s.hugetlb["2MB"] = {0, 0, 0};
  s.hugetlb["1GB"] = {4, 5, 6};
  nlohmann::ordered_json j = stats_to_json(s);
  EXPECT_EQ(j["cpu"].dump(), R"({"usage":{"total":100,"percpu":[60,40],"percpu_kernel":[10,20],)"
                             R"("percpu_user":[50,20],"kernel":30,"user":70},)"
                             R"("throttling":{"periods":5,"throttledTime":9}})");
  EXPECT_EQ(j["cpuset"]["cpus"].dump(), "[0,1]");
  EXPECT_EQ(j["cpuset"]["sched_relax_domain_level"].dump(), "-1");
  EXPECT_EQ(j["memory"].dump(),
            R"({"cache":7,"usage":{"limit":1024,"usage":512,"failcnt":1},)"
            R"("swap":{"limit":0,"failcnt":0},"kernel":{"limit":0,"failcnt":0},)"
            R"("kernelTCP":{"limit":0,"failcnt":0},"raw":{"cache":7,"rss":2}})");
  EXPECT_EQ(j["pids"].dump(), R"({"current":3})");
  EXPECT_EQ(j["blkio"].dump(), R"({"ioServiceBytesRecursive":[{"major":8,"op":"Read","value":10},)"
                               R"({"major":8,"op":"Total"}],"ioQueueRecursive":[{"value":1}]})");
  EXPECT_EQ(j["hugetlb"].dump(), R"({"1GB":{"usage":4,"max":5,"failcnt":6},"2MB":{"failcnt":0}})");
}

TEST(CgroupStatsTest, JsonOfMachineV1Stats) {
  FakeFiles f = v1_machine();
  auto st = read_stats_v1(f.reader());
  ASSERT_TRUE(st) << st.error().message();
  std::string json = stats_json(*st);
  EXPECT_THAT(json, HasSubstr(R"("usage":{"limit":9223372036854771712,"usage":846307328,)"
                              R"("max":1740685312,"failcnt":0})"));
  EXPECT_THAT(json, HasSubstr(R"("pids":{"current":3},)"));
  EXPECT_THAT(json, HasSubstr(R"("kernel":3208450000000,"user":32137680000000})"));
  EXPECT_EQ(nlohmann::json::parse(json)["memory"]["raw"]["total_cache"], 822648832u);
}

}  // namespace
}  // namespace grove::cgroup
