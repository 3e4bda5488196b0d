// linux.resources -> cgroup2 file writes, after runc 1.3 (opencontainers/cgroups v0.0.4 fs2/).

#include <cerrno>
#include <string>
#include <vector>

#include "libcontainer/base/strings.h"
#include "libcontainer/cgroup/resources.h"
#include "libcontainer/cgroup/resources_internal.h"

namespace grove::cgroup {
namespace {

using internal::add;
constexpr Hierarchy kV2 = Hierarchy::kUnified;

// fs2/memory.go numToStr: 0 means "not set" (no write), -1 means "max".
std::string num_to_str(int64_t v) {
  if (v == 0) return "";
  if (v == -1) return "max";
  return std::to_string(v);
}

Status plan_memory(const oci::Memory& m, std::vector<Write>& out) {
  int64_t limit = m.limit.value_or(0);
  int64_t swap = m.swap.value_or(0);
  int64_t reservation = m.reservation.value_or(0);
  if (limit == 0 && swap == 0 && reservation == 0) return ok();
  GROVE_ASSIGN_OR_RETURN(int64_t swap_only, memory_swap_to_v2(swap, limit));
  std::string swap_str = num_to_str(swap_only);
  // swap == limit: no swap at all, written as "0" (never "", which the kernel reads as 0 too
  // but runc avoids).
  if (swap_str.empty() && swap_only == 0 && swap > 0) swap_str = "0";
  if (!swap_str.empty()) {
    // Without swap accounting the file is missing; runc ignores that only when the request is
    // "unlimited" or "none" (both true of a kernel without swap).
    std::vector<int> ignore;
    if (swap_str == "max" || swap_str == "0") ignore.push_back(ENOENT);
    add(out, kV2, "memory", "memory.swap.max", swap_str, std::move(ignore));
  }
  if (auto v = num_to_str(limit); !v.empty()) add(out, kV2, "memory", "memory.max", v);
  if (auto v = num_to_str(reservation); !v.empty()) add(out, kV2, "memory", "memory.low", v);
  return ok();
}

void plan_io(const oci::BlockIo& b, const V2Probe& probe, std::vector<Write>& out) {
  uint16_t weight = b.weight.value_or(0);
  if (weight != 0) {
    if (probe.io_bfq_weight) {
      add(out, kV2, "io", "io.bfq.weight", std::to_string(weight));
    } else {
      add(out, kV2, "io", "io.weight", std::to_string(blkio_weight_to_io_weight(weight)));
    }
  }
  // runc writes per-device weights only through BFQ; without it they are silently dropped.
  // Entries without a weight (leafWeight only) are skipped here: runc would write "maj:min 0",
  // which the kernel rejects.
  if (probe.io_bfq_weight && probe.io_bfq_device_weight) {
    for (const auto& wd : b.weight_device) {
      if (!wd.weight || *wd.weight == 0) continue;
      add(out, kV2, "io", "io.bfq.weight",
          internal::dev_value(wd.major, wd.minor, std::to_string(*wd.weight)));
    }
  }
  auto throttle = [&](const std::vector<oci::ThrottleDevice>& devs, const char* key) {
    for (const auto& td : devs) {
      add(out, kV2, "io", "io.max",
          internal::dev_value(td.major, td.minor,
                              std::string(key) + "=" + std::to_string(td.rate)));
    }
  };
  throttle(b.throttle_read_bps_device, "rbps");
  throttle(b.throttle_write_bps_device, "wbps");
  throttle(b.throttle_read_iops_device, "riops");
  throttle(b.throttle_write_iops_device, "wiops");
}

void plan_cpu(const oci::Cpu& c, std::vector<Write>& out) {
  int64_t quota = c.quota.value_or(0);
  uint64_t period = c.period.value_or(0);
  if (c.idle) add(out, kV2, "cpu", "cpu.idle", std::to_string(*c.idle));
  if (uint64_t w = cpu_shares_to_weight(c.shares.value_or(0)); w != 0) {
    add(out, kV2, "cpu", "cpu.weight", std::to_string(w));
  }
  bool max_written = quota != 0 || period != 0;
  if (c.burst) {
    // A burst above old_quota is EINVAL until the new quota is in place: runc retries it after
    // cpu.max, which only happens when a quota is being set.
    std::vector<int> ignore;
    if (quota != 0) ignore.push_back(EINVAL);
    add(out, kV2, "cpu", "cpu.max.burst", std::to_string(*c.burst), std::move(ignore));
  }
  if (max_written) {
    std::string v = quota > 0 ? std::to_string(quota) : std::string("max");
    // Kernel default period (Documentation/admin-guide/cgroup-v2.rst "cpu.max").
    v += " " + std::to_string(period == 0 ? 100000 : period);
    add(out, kV2, "cpu", "cpu.max", v);
    if (c.burst && quota != 0) add(out, kV2, "cpu", "cpu.max.burst", std::to_string(*c.burst));
  }
}

void plan_cpuset(const oci::Cpu& c, std::vector<Write>& out) {
  if (!c.cpus.empty()) add(out, kV2, "cpuset", "cpuset.cpus", c.cpus);
  if (!c.mems.empty()) add(out, kV2, "cpuset", "cpuset.mems", c.mems);
}

Status plan_unified(const std::map<std::string, std::string>& unified, std::vector<Write>& out) {
  for (const auto& [key, value] : unified) {
    // runc rejects only '/'; empty, "." and ".." are rejected too since they name no file.
    if (key.empty() || key == "." || key == ".." || key.find('/') != std::string::npos) {
      return Error::invalid("linux.resources.unified: " + q(key) +
                            " must be a cgroup file name (no slashes)");
    }
    // CONTROLLER.PARAMETER; "cgroup.*" files (and dot-less names) belong to no controller.
    std::string controller = key.substr(0, key.find('.'));
    if (controller == key || controller == "cgroup") controller.clear();
    add(out, kV2, controller, key, value);
  }
  return ok();
}

}  // namespace

Result<std::vector<Write>> plan_resources_v2(const oci::Resources& r, const V2Probe& probe) {
  std::vector<Write> out;
  // Order of fs2.Manager.Set: pids, memory, io, cpu, (devices), cpuset, hugetlb, rdma,
  // (freezer), unified.
  if (r.pids && r.pids->limit) {
    add(out, kV2, "pids", "pids.max", internal::pids_max_value(*r.pids->limit));
  }
  if (r.memory) GROVE_TRY(plan_memory(*r.memory, out));
  if (r.block_io) plan_io(*r.block_io, probe, out);
  if (r.cpu) plan_cpu(*r.cpu, out);
  if (r.cpu) plan_cpuset(*r.cpu, out);
  GROVE_TRY(internal::add_hugetlb(out, kV2, r.hugepage_limits, ".max"));
  internal::add_rdma(out, kV2, r.rdma);
  GROVE_TRY(plan_unified(r.unified, out));
  return out;
}

}  // namespace grove::cgroup
