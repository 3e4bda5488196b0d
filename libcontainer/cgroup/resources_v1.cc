// linux.resources -> cgroup v1 file writes, after runc 1.3 (opencontainers/cgroups v0.0.4 fs/).

#include <cerrno>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "libcontainer/cgroup/resources.h"
#include "libcontainer/cgroup/resources_internal.h"

namespace grove::cgroup {
namespace {

using internal::add;
constexpr Hierarchy kV1 = Hierarchy::kV1;

void plan_memory_and_swap(int64_t limit, int64_t swap, const V1Probe& probe,
                          std::vector<Write>& out) {
  std::vector<int> swap_ignore;
  // fs/memory.go setMemoryAndSwap: "unlimited memory" also lifts swap, but only where the kernel
  // accounts swap (runc checks that memory.memsw.limit_in_bytes exists; we tolerate ENOENT).
  if (limit == -1 && swap == 0) {
    swap = -1;
    swap_ignore.push_back(ENOENT);
  }
  auto write_limit = [&] {
    if (limit != 0) add(out, kV1, "memory", "memory.limit_in_bytes", std::to_string(limit));
  };
  auto write_swap = [&] {
    if (swap != 0) {
      add(out, kV1, "memory", "memory.memsw.limit_in_bytes", std::to_string(swap), swap_ignore);
    }
  };
  // The kernel keeps limit <= memsw at every step. Raising both needs memsw first, lowering
  // needs the limit first; runc decides with the current limit (a fresh cgroup is unlimited,
  // so creation writes the limit first).
  if (limit != 0 && swap != 0) {
    uint64_t current = probe.memory_limit.value_or(std::numeric_limits<uint64_t>::max());
    if (swap == -1 || current < static_cast<uint64_t>(swap)) {
      write_swap();
      write_limit();
      return;
    }
  }
  write_limit();
  write_swap();
}

Status plan_memory(const oci::Memory& m, const V1Probe& probe, std::vector<Write>& out) {
  plan_memory_and_swap(m.limit.value_or(0), m.swap.value_or(0), probe, out);
  // kernel and kernelTCP are ignored, as runc does since 1.2 (kmem limits are deprecated).
  if (int64_t r = m.reservation.value_or(0); r != 0) {
    add(out, kV1, "memory", "memory.soft_limit_in_bytes", std::to_string(r));
  }
  if (m.disable_oom_killer.value_or(false)) add(out, kV1, "memory", "memory.oom_control", "1");
  // runc treats a swappiness of -1 (UINT64_MAX once in the spec's uint64) as unset.
  if (m.swappiness && *m.swappiness != std::numeric_limits<uint64_t>::max()) {
    if (*m.swappiness > 100) {
      return Error::invalid("linux.resources.memory.swappiness: invalid value " +
                            std::to_string(*m.swappiness) + " (valid range is 0-100)");
    }
    add(out, kV1, "memory", "memory.swappiness", std::to_string(*m.swappiness));
  }
  return ok();
}

void plan_rt(const oci::Cpu& c, std::vector<Write>& out) {
  uint64_t period = c.realtime_period.value_or(0);
  int64_t runtime = c.realtime_runtime.value_or(0);
  // SetRtSched: a period the kernel rejects (EINVAL) is retried after the runtime.
  if (period != 0) {
    std::vector<int> ignore;
    if (runtime != 0) ignore.push_back(EINVAL);
    add(out, kV1, "cpu", "cpu.rt_period_us", std::to_string(period), std::move(ignore));
  }
  if (runtime != 0) {
    add(out, kV1, "cpu", "cpu.rt_runtime_us", std::to_string(runtime));
    if (period != 0) add(out, kV1, "cpu", "cpu.rt_period_us", std::to_string(period));
  }
}

void plan_cpu(const oci::Cpu& c, std::vector<Write>& out) {
  int64_t quota = c.quota.value_or(0);
  uint64_t period = c.period.value_or(0);
  if (uint64_t s = c.shares.value_or(0); s != 0) {
    add(out, kV1, "cpu", "cpu.shares", std::to_string(s));
    out.back().read_back = true;  // fs/cpu.go: the kernel clamps; runc reports the bound
  }
  // fs/cpu.go Set: a period smaller than the current one can be EINVAL (old_quota/new_period
  // above the parent's); runc retries it after the quota, if a quota is being set.
  if (period != 0) {
    std::vector<int> ignore;
    if (quota != 0) ignore.push_back(EINVAL);
    add(out, kV1, "cpu", "cpu.cfs_period_us", std::to_string(period), std::move(ignore));
  }
  if (c.burst) {
    // cpu.cfs_burst_us is missing before 5.14: runc skips it. EINVAL: retried after the quota.
    std::vector<int> ignore{ENOENT};
    if (quota != 0) ignore.push_back(EINVAL);
    add(out, kV1, "cpu", "cpu.cfs_burst_us", std::to_string(*c.burst), std::move(ignore));
  }
  if (quota != 0) {
    add(out, kV1, "cpu", "cpu.cfs_quota_us", std::to_string(quota));
    if (period != 0) add(out, kV1, "cpu", "cpu.cfs_period_us", std::to_string(period));
    if (c.burst) add(out, kV1, "cpu", "cpu.cfs_burst_us", std::to_string(*c.burst), {ENOENT});
  }
  if (c.idle) add(out, kV1, "cpu", "cpu.idle", std::to_string(*c.idle));
  plan_rt(c, out);
}

void plan_blkio(const oci::BlockIo& b, const V1Probe& probe, std::vector<Write>& out) {
  // detectWeightFilenames: CFQ's files when present, else BFQ's.
  const std::string weight_file = probe.blkio_cfq_weight ? "blkio.weight" : "blkio.bfq.weight";
  const std::string weight_device_file =
      probe.blkio_cfq_weight ? "blkio.weight_device" : "blkio.bfq.weight_device";
  if (uint16_t w = b.weight.value_or(0); w != 0) {
    add(out, kV1, "blkio", weight_file, std::to_string(w));
  }
  if (uint16_t w = b.leaf_weight.value_or(0); w != 0) {
    add(out, kV1, "blkio", "blkio.leaf_weight", std::to_string(w));
  }
  for (const auto& wd : b.weight_device) {
    if (uint16_t w = wd.weight.value_or(0); w != 0) {
      add(out, kV1, "blkio", weight_device_file,
          internal::dev_value(wd.major, wd.minor, std::to_string(w)));
    }
    if (uint16_t w = wd.leaf_weight.value_or(0); w != 0) {
      add(out, kV1, "blkio", "blkio.leaf_weight_device",
          internal::dev_value(wd.major, wd.minor, std::to_string(w)));
    }
  }
  auto throttle = [&](const std::vector<oci::ThrottleDevice>& devs, const char* file) {
    for (const auto& td : devs) {
      add(out, kV1, "blkio", file,
          internal::dev_value(td.major, td.minor, std::to_string(td.rate)));
    }
  };
  throttle(b.throttle_read_bps_device, "blkio.throttle.read_bps_device");
  throttle(b.throttle_write_bps_device, "blkio.throttle.write_bps_device");
  throttle(b.throttle_read_iops_device, "blkio.throttle.read_iops_device");
  throttle(b.throttle_write_iops_device, "blkio.throttle.write_iops_device");
}

void plan_network(const oci::Network& n, std::vector<Write>& out) {
  if (uint32_t id = n.class_id.value_or(0); id != 0) {
    add(out, kV1, "net_cls", "net_cls.classid", std::to_string(id));
  }
  for (const auto& p : n.priorities) {
    add(out, kV1, "net_prio", "net_prio.ifpriomap", p.name + " " + std::to_string(p.priority));
  }
}

}  // namespace

Result<std::vector<Write>> plan_resources_v1(const oci::Resources& r, const V1Probe& probe) {
  // runc's validator (configs/validate cgroupsCheck, cgroups.ErrV1NoUnified).
  if (!r.unified.empty()) {
    return Error::invalid(
        "linux.resources.unified: invalid configuration: cannot use unified on "
        "cgroup v1");
  }
  std::vector<Write> out;
  // Order of fs/fs.go subsystems: cpuset, (devices), memory, cpu, cpuacct, pids, blkio,
  // hugetlb, net_cls, net_prio, perf_event, (freezer), rdma.
  if (r.cpu) {
    if (!r.cpu->cpus.empty()) add(out, kV1, "cpuset", "cpuset.cpus", r.cpu->cpus);
    if (!r.cpu->mems.empty()) add(out, kV1, "cpuset", "cpuset.mems", r.cpu->mems);
  }
  if (r.memory) GROVE_TRY(plan_memory(*r.memory, probe, out));
  if (r.cpu) plan_cpu(*r.cpu, out);
  if (r.pids && r.pids->limit) {
    add(out, kV1, "pids", "pids.max", internal::pids_max_value(*r.pids->limit));
  }
  if (r.block_io) plan_blkio(*r.block_io, probe, out);
  GROVE_TRY(internal::add_hugetlb(out, kV1, r.hugepage_limits, ".limit_in_bytes"));
  if (r.network) plan_network(*r.network, out);
  internal::add_rdma(out, kV1, r.rdma);
  return out;
}

}  // namespace grove::cgroup
