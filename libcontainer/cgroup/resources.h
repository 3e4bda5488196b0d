#pragma once
// linux.resources -> cgroup file writes, for cgroup v2 (unified) and v1 hierarchies. Pure:
// no syscalls; the facts runc probes while applying are passed in (V2Probe/V1Probe). Only the
// fields that are set produce writes, so `grove update` uses the same planners with a partial
// Resources. linux.resources.devices is not handled here (see the devices planner).
//
// The mapping, write order and value formats follow runc 1.3.x (opencontainers/cgroups v0.0.4,
// fs2/*.go and fs/*.go, libcontainer/specconv). Where grove deviates it is said below.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "libcontainer/base/result.h"
#include "libcontainer/cgroup/cgroup.h"
#include "oci/spec.h"

namespace grove::cgroup {

// What runc reads from the container's v2 directory before writing io weights.
struct V2Probe {
  // io.bfq.weight exists (BFQ is the disk scheduler): blockIO.weight is written there
  // unconverted; otherwise to io.weight, converted by blkio_weight_to_io_weight().
  bool io_bfq_weight = false;
  // io.bfq.weight reads back as "default N\n..." rather than a bare number (kernel >= 5.4, commit
  // 795fe54c2a8): blockIO.weightDevice entries go to io.bfq.weight. Without it runc drops them.
  bool io_bfq_device_weight = false;
};

// What runc reads from the container's v1 directories before writing.
struct V1Probe {
  // memory.limit_in_bytes now; nullopt for a fresh cgroup (unlimited). Decides whether
  // memory.memsw.limit_in_bytes is written before or after memory.limit_in_bytes.
  std::optional<uint64_t> memory_limit;
  // blkio.weight exists (CFQ, kernels < 5.0): weights go to blkio.weight{,_device}; otherwise to
  // blkio.bfq.weight{,_device}.
  bool blkio_cfq_weight = false;
};

// Writes for the container's cgroup2 directory, in runc's order: pids, memory, io, cpu, cpuset,
// hugetlb, rdma, then `unified` (sorted by key; they override typed fields, as in runc).
//   pids.limit: > 0 the number, <= 0 "max" (runtime-spec: <= 0 is unlimited; runc 1.3 writes
//     nothing for 0 and the raw number for other negatives; grove follows the spec text).
//   memory: memory.swap.max (swap - limit, see memory_swap_to_v2; ENOENT tolerated for
//     "max"/"0"), memory.max, memory.low (reservation); 0 = unset, -1 = "max". swappiness,
//     disableOOMKiller, kernel, kernelTCP, useHierarchy and checkBeforeUpdate produce no writes
//     (runc ignores them on v2; checkBeforeUpdate is the caller's read of memory.current).
//   cpu: cpu.idle, cpu.weight (cpu_shares_to_weight), cpu.max.burst, cpu.max "quota period" /
//     "max period" (period defaults to 100000). realtime* produce nothing (as runc).
//   blockIO: io.bfq.weight or io.weight, per-device weights (see V2Probe), io.max
//     "maj:min rbps=N" / wbps / riops / wiops. leafWeight ignored (as runc).
//   hugepageLimits: hugetlb.<size>.max then hugetlb.<size>.rsvd.max (ENOENT tolerated).
//   rdma: rdma.max "<dev> hca_handle=N hca_object=M" (devices sorted by name).
//   network: ignored (no net_cls/net_prio on v2, as runc).
// Errors (EINVAL, message names the field): swap without limit, swap < limit, a negative limit
// other than -1 with swap set, a bad hugepage size, a bad unified key (empty, ".", "..", or
// containing '/').
Result<std::vector<Write>> plan_resources_v2(const oci::Resources& r, const V2Probe& probe = {});

// Writes for the container's v1 directories, `controller` naming the hierarchy ("memory", "cpu",
// "cpuset", "pids", "blkio", "hugetlb", "net_cls", "net_prio", "rdma"), in runc's subsystem
// order: cpuset, memory, cpu, pids, blkio, hugetlb, net_cls, net_prio, rdma.
//   memory: memory.limit_in_bytes and memory.memsw.limit_in_bytes (swap) in runc's order: memsw
//     first when swap is -1 or the current limit (V1Probe) is below the new swap, else the limit
//     first; limit -1 with swap unset also writes memsw -1 (ENOENT tolerated: no swap
//     accounting). Then memory.soft_limit_in_bytes (reservation), memory.oom_control "1"
//     (disableOOMKiller true), memory.swappiness (0..100; UINT64_MAX i.e. -1 means unset).
//     kernel/kernelTCP ignored (as runc).
//   cpu: cpu.shares, cpu.cfs_period_us, cpu.cfs_burst_us, cpu.cfs_quota_us, cpu.idle,
//     cpu.rt_period_us, cpu.rt_runtime_us; when the quota (runtime) is set too, the period and
//     burst (rt period) are written again after it and their first write tolerates EINVAL, which
//     is runc's retry. cpu.cfs_burst_us tolerates ENOENT. runc's read-back check of cpu.shares
//     (kernel clamping) is the executor's business.
//   pids.limit: as on v2. blockIO: weight, leaf weight, weight_device / leaf_weight_device
//     ("maj:min w", entries with that weight set), blkio.throttle.{read,write}_{bps,iops}_device
//     ("maj:min rate"). hugetlb.<size>.limit_in_bytes (+ .rsvd., ENOENT tolerated),
//     net_cls.classid, net_prio.ifpriomap ("name prio"), rdma.max.
// Errors: EINVAL for a non-empty `unified` ("cannot use unified on cgroup v1", as runc), a
// swappiness above 100, a bad hugepage size.
Result<std::vector<Write>> plan_resources_v1(const oci::Resources& r, const V1Probe& probe = {});

// runc 1.3.2+ (cgroups v0.0.3+, ConvertCPUSharesToCgroupV2Value): maps shares [2, 262144] onto
// weight [1, 10000] with a quadratic in log2(shares) through (2,1), (1024,100), (262144,10000):
// 10^((l^2 + 125 l) / 612 - 7/34) rounded up. 0 stays 0 (unset); <= 2 -> 1; >= 262144 -> 10000.
// (runc <= 1.3.1 used the linear 1 + (shares - 2) * 9999 / 262142.)
uint64_t cpu_shares_to_weight(uint64_t shares);

// runc's ConvertBlkIOToIOWeightValue: [10, 1000] -> [1, 10000] linearly; 0 stays 0.
uint64_t blkio_weight_to_io_weight(uint16_t weight);

// runc's ConvertMemorySwapToCgroupV2Value: the OCI swap (memory+swap) as cgroup v2's swap-only
// value. -1 = unlimited, 0 = unset. Limit -1 with swap unset -> -1. EINVAL when swap is set
// but the limit is not, when the limit is negative (other than -1), or when swap < limit.
Result<int64_t> memory_swap_to_v2(int64_t swap, int64_t limit);

// memory.checkBeforeUpdate (runtime-spec 1.2+): when set, a new memory limit or memory+swap limit
// at or below the cgroup's current memory usage is refused, as runc's CheckMemoryUsage does (it
// compares both with memory.current). `usage` is memory.current (v2) or memory.usage_in_bytes
// (v1); nullopt means it could not be read, which passes (runc: a best-effort check). Limits <= 0
// (unset or -1) are never refused. Errors: EBUSY naming the field and both numbers.
Status check_memory_usage(const oci::Memory& m, std::optional<uint64_t> usage);

// Checks a hugepage size as the kernel names it in hugetlb.<size>.* files: a power of two with
// a KB/MB/GB unit, in the kernel's canonical form ("2MB", "1GB", "64KB"; not "2048KB").
// EINVAL naming `field` otherwise.
Status validate_hugepage_size(std::string_view size, std::string_view field);

// "hugepages-2048kB" (a /sys/kernel/mm/hugepages entry) -> "2MB", as runc's HugePageSizes();
// nullopt for other names. Callers build the page-size list the stats readers take.
std::optional<std::string> hugepage_size_from_dirname(std::string_view name);

}  // namespace grove::cgroup
