#pragma once
// Cgroup statistics for `grove events --stats`: readers for cgroup v2 and v1 that go through a
// FileReader (so their parsers are pure and unit-tested on real file contents), and the JSON
// runc prints in the event's "data". Behaviour follows runc 1.3.x (opencontainers/cgroups v0.0.4
// fs2/*.go, fs/*.go; runc events.go convertLibcontainerStats and types/events.go).

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "libcontainer/base/result.h"
#include "libcontainer/cgroup/cgroup.h"

namespace grove::cgroup {

// Reads the container's cgroup2 directory (every read is Hierarchy::kUnified; `controller` is
// the file's prefix, "" for cgroup.procs/threads):
//   cpu.stat (usage/user/system_usec -> ns, nr_periods, nr_throttled, throttled_usec -> ns);
//   memory.stat (raw; cache = "file"), memory.current/max/peak -> usage, memory.swap.current/
//     max/peak -> swap reported as memory+swap like v1 (usage + memory usage, limit + memory
//     limit unless unlimited, max 0); failcnt stays 0 (runc reads no memory.events);
//   pids.current/max ("max" -> limit 0), or the line count of cgroup.procs without pids.current;
//   io.stat rbytes/wbytes -> ioServiceBytesRecursive Read/Write, rios/wios -> ioServicedRecursive;
//   per `hugepage_sizes` entry ("2MB"): hugetlb.<size>.rsvd.current (or .current) -> usage,
//     hugetlb.<size>.events "max" -> failcnt.
// A missing file (the reader's ENOENT) leaves that controller's remaining values at zero, as
// runc does; any other read error, and malformed contents, fail with the file name as a frame.
// Values "max" read as UINT64_MAX and negative numbers as 0 (runc's fscommon.ParseUint).
Result<Stats> read_stats_v2(const FileReader& read,
                            const std::vector<std::string>& hugepage_sizes = {});

// Reads the container's v1 directories (Hierarchy::kV1, `controller` = the hierarchy):
//   cpuacct: cpuacct.stat (user/system in USER_HZ=100 ticks -> ns), cpuacct.usage,
//     cpuacct.usage_percpu, cpuacct.usage_all (percpu user/kernel, optional);
//   cpu: cpu.stat (nr_periods, nr_throttled, throttled_time);
//   cpuset: cpuset.cpus/mems lists and the flag files (each optional);
//   memory: memory.stat (raw; cache = "cache"), memory.{,memsw.,kmem.,kmem.tcp.}usage_in_bytes,
//     max_usage_in_bytes, failcnt, limit_in_bytes (memsw/kmem/kmem.tcp optional);
//   pids: pids.current, pids.max; blkio: runc's file groups in order (bfq debug, bfq, cfq,
//     throttle recursive, throttle), the first group whose first file has entries;
//   hugetlb per `hugepage_sizes`: hugetlb.<size>[.rsvd].usage_in_bytes, max_usage_in_bytes,
//     failcnt.
// A controller whose first file is missing (ENOENT) is skipped with zeros; errors as for v2.
Result<Stats> read_stats_v1(const FileReader& read,
                            const std::vector<std::string>& hugepage_sizes = {});

// runc 1.3's types.Stats for `Stats` (the "data" of a "stats" event), with its field order and
// omitempty rules: zero numbers tagged omitempty and empty lists/maps are left out, nested
// structs always appear (Go's omitempty does not drop structs), "intel_rdt" is {} and
// "network_interfaces" null. PSI is not reported.
nlohmann::ordered_json stats_to_json(const Stats& s);

// stats_to_json(s) serialized compactly, as Go's json.Marshal (invalid UTF-8 replaced).
std::string stats_json(const Stats& s);

}  // namespace grove::cgroup
