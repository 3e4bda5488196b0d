#pragma once
// Vocabulary shared by the cgroup package (libcontainer/cgroup): the file writes a resource plan
// is made of, the hierarchy kinds, and the stats `events --stats` reports. Pure values.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "libcontainer/base/result.h"

namespace grove::cgroup {

// Which hierarchy a write goes to. kUnified is the cgroup2 directory of the container (on a
// pure v2 host, and on a hybrid host for the core files: cgroup.procs/kill/freeze); kV1 is the
// container's directory in the v1 hierarchy holding `controller`.
enum class Hierarchy { kUnified, kV1 };

// One cgroup file write: `value` written to `<container dir>/<file>`. `controller` names the
// controller the file belongs to ("memory", "cpu", "pids", ... ; "" for core cgroup files);
// on v1 it selects the hierarchy. Plans are ordered: apply in vector order.
struct Write {
  Hierarchy hierarchy = Hierarchy::kUnified;
  std::string controller;
  std::string file;
  std::string value;
  // Errnos the executor tolerates for this write, skipping it (empty: every error fails the
  // plan). runc tolerates ENOENT for knobs an older or differently configured kernel lacks
  // (memory.swap.max when writing "max"/"0", hugetlb.*.rsvd.*, cpu.cfs_burst_us) and EINVAL on
  // the first of two writes of an order-dependent pair that the plan repeats after its partner
  // (cpu.cfs_period_us / cpu.max.burst before the quota, cpu.rt_period_us before the runtime).
  std::vector<int> ignore_errnos;
  // Read the file back after writing and fail when the kernel stored another number: runc's
  // check of v1 cpu.shares, which the kernel clamps to [2, 262144] ("the maximum allowed
  // cpu-shares is N" / "the minimum ...").
  bool read_back = false;
  bool operator==(const Write&) const = default;
};

// One line per write for --debug output, error frames and golden tests:
// `v2 memory.max=1048576`, `v1 memory/memory.limit_in_bytes=1048576`.
std::string describe(const Write& w);

// Reads `<container dir>/<file>` in the hierarchy of `controller` (v1) or the unified dir (v2).
// Stats collection goes through it so its parsers are pure (tests pass strings).
using FileReader = std::function<Result<std::string>(Hierarchy, const std::string& controller,
                                                     const std::string& file)>;

// `events --stats` data, modelled on runc's libcontainer/cgroups Stats as its JSON
// (types.Stats in runc/events) so containerd's and podman's decoders read it unchanged.
// Absent controllers leave their members at zero/empty, as runc does.
struct CpuUsage {
  uint64_t total = 0;  // ns
  std::vector<uint64_t> percpu;
  std::vector<uint64_t> percpu_kernel;  // v1 cpuacct.usage_all, ns
  std::vector<uint64_t> percpu_user;    // v1 cpuacct.usage_all, ns
  uint64_t kernel = 0;                  // ns
  uint64_t user = 0;                    // ns
};
struct Throttling {
  uint64_t periods = 0;
  uint64_t throttled_periods = 0;
  uint64_t throttled_time = 0;  // ns
};
struct Cpu {
  CpuUsage usage;
  Throttling throttling;
};
struct MemoryEntry {  // usage/swap/kernel/kernelTCP
  uint64_t limit = 0;
  uint64_t usage = 0;
  uint64_t max = 0;
  uint64_t failcnt = 0;
};
struct Memory {
  uint64_t cache = 0;
  MemoryEntry usage;
  MemoryEntry swap;
  MemoryEntry kernel;
  MemoryEntry kernel_tcp;
  std::map<std::string, uint64_t> raw;  // memory.stat verbatim
  // Processes the kernel OOM-killed in the cgroup ("oom_kill" of v1 memory.oom_control / v2
  // memory.events); not in runc's JSON: `events` turns increases into "oom" lines.
  uint64_t oom_kills = 0;
};
struct Pids {
  uint64_t current = 0;
  uint64_t limit = 0;  // 0 = max
};
struct BlkioEntry {
  uint64_t major = 0;
  uint64_t minor = 0;
  std::string op;  // "Read", "Write", "Sync", "Async", "Discard", "Total"
  uint64_t value = 0;
};
struct Blkio {
  std::vector<BlkioEntry> io_service_bytes_recursive;
  std::vector<BlkioEntry> io_serviced_recursive;
  // v1 only, from the bfq debug / cfq files when the kernel has them (runc's fallback order).
  std::vector<BlkioEntry> io_queued_recursive;
  std::vector<BlkioEntry> io_service_time_recursive;
  std::vector<BlkioEntry> io_wait_time_recursive;
  std::vector<BlkioEntry> io_merged_recursive;
  std::vector<BlkioEntry> io_time_recursive;
  std::vector<BlkioEntry> sectors_recursive;
};
struct Hugetlb {
  uint64_t usage = 0;
  uint64_t max = 0;  // peak usage (v1 max_usage_in_bytes; 0 on v2)
  uint64_t failcnt = 0;
};
struct CpuSet {  // v1 cpuset.* files (runc reads none on v2)
  std::vector<uint16_t> cpus;
  uint64_t cpu_exclusive = 0;
  std::vector<uint16_t> mems;
  uint64_t mem_hardwall = 0;
  uint64_t mem_exclusive = 0;
  uint64_t memory_migrate = 0;
  uint64_t memory_spread_page = 0;
  uint64_t memory_spread_slab = 0;
  uint64_t memory_pressure = 0;
  uint64_t sched_load_balance = 0;
  int64_t sched_relax_domain_level = 0;
};
struct Stats {
  Cpu cpu;
  CpuSet cpuset;
  Memory memory;
  Pids pids;
  Blkio blkio;
  std::map<std::string, Hugetlb> hugetlb;  // page size ("2MB") -> usage
};

}  // namespace grove::cgroup
