// cgroup v1 stats, after runc 1.3 (opencontainers/cgroups v0.0.4 fs/{cpu,cpuacct,cpuset,memory,
// pids,hugetlb}.go GetStats). blkio lives in stats_v1_blkio.cc.

#include <cerrno>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "libcontainer/base/strings.h"
#include "libcontainer/cgroup/stats.h"
#include "libcontainer/cgroup/stats_internal.h"
#include "libcontainer/cgroup/stats_v1_internal.h"

namespace grove::cgroup {
namespace {

using internal::StatFile;

StatFile v1(const std::string& controller, const std::string& file) {
  return {Hierarchy::kV1, controller, file};
}

// cpuacct.stat counts USER_HZ ticks; runc hard-codes 100 (sysconf(_SC_CLK_TCK) is a constant on
// Linux) and converts to ns.
constexpr uint64_t kNsPerSec = 1000000000;
constexpr uint64_t kClockTicks = 100;

Result<std::vector<uint64_t>> uint_list(std::string_view contents, const std::string& file) {
  std::vector<uint64_t> out;
  for (std::string_view f : internal::fields_of(contents)) {
    GROVE_ASSIGN_OR_RETURN(uint64_t v, internal::parse_uint(f, file));
    out.push_back(v);
  }
  return out;
}

// cpuacct.usage_all: a header line, then "cpu user system" per CPU.
Status read_usage_all(const FileReader& read, CpuUsage& u) {
  GROVE_ASSIGN_OR_RETURN(auto all,
                         internal::read_optional(read, v1("cpuacct", "cpuacct.usage_all")));
  if (!all) return ok();
  auto lines = internal::lines_of(*all);
  for (size_t i = 1; i < lines.size(); ++i) {
    auto parts = split(lines[i], ' ');
    if (parts.size() != 3) continue;  // SplitN(" ", 3) with fewer than 3 pieces is skipped
    GROVE_ASSIGN_OR_RETURN(uint64_t user, internal::parse_uint(parts[1], "cpuacct.usage_all"));
    u.percpu_user.push_back(user);
    GROVE_ASSIGN_OR_RETURN(uint64_t sys, internal::parse_uint(parts[2], "cpuacct.usage_all"));
    u.percpu_kernel.push_back(sys);
  }
  return ok();
}

Status read_cpuacct(const FileReader& read, Stats& st) {
  GROVE_ASSIGN_OR_RETURN(auto stat, internal::read_optional(read, v1("cpuacct", "cpuacct.stat")));
  if (!stat) return ok();  // no cpuacct hierarchy
  auto f = internal::fields_of(*stat);
  if (f.size() < 4 || f[0] != "user" || f[2] != "system") {
    return internal::parse_error("cpuacct.stat", "malformed contents " + q(*stat));
  }
  GROVE_ASSIGN_OR_RETURN(uint64_t user, internal::parse_uint(f[1], "cpuacct.stat"));
  GROVE_ASSIGN_OR_RETURN(uint64_t system, internal::parse_uint(f[3], "cpuacct.stat"));
  CpuUsage u;
  GROVE_ASSIGN_OR_RETURN(std::string total,
                         internal::read_required(read, v1("cpuacct", "cpuacct.usage")));
  GROVE_ASSIGN_OR_RETURN(u.total, internal::param_uint(total, "cpuacct.usage"));
  GROVE_ASSIGN_OR_RETURN(std::string percpu,
                         internal::read_required(read, v1("cpuacct", "cpuacct.usage_percpu")));
  GROVE_ASSIGN_OR_RETURN(u.percpu, uint_list(percpu, "cpuacct.usage_percpu"));
  GROVE_TRY(read_usage_all(read, u));
  u.user = user * kNsPerSec / kClockTicks;
  u.kernel = system * kNsPerSec / kClockTicks;
  st.cpu.usage = std::move(u);
  return ok();
}

Status read_cpu(const FileReader& read, Stats& st) {
  GROVE_ASSIGN_OR_RETURN(auto contents, internal::read_optional(read, v1("cpu", "cpu.stat")));
  if (!contents) return ok();
  GROVE_ASSIGN_OR_RETURN(auto kvs, internal::key_values(*contents, "cpu.stat"));
  for (const auto& [k, v] : kvs) {
    if (k == "nr_periods")
      st.cpu.throttling.periods = v;
    else if (k == "nr_throttled")
      st.cpu.throttling.throttled_periods = v;
    else if (k == "throttled_time")
      st.cpu.throttling.throttled_time = v;  // already ns on v1
  }
  return ok();
}

// getMemoryData: <prefix>.usage_in_bytes, max_usage_in_bytes, failcnt, limit_in_bytes. A missing
// usage file means the optional counter (memsw, kmem, kmem.tcp) is absent: zeros; kmem's limit
// file is gone since 5.16 (zero limit).
Result<MemoryEntry> memory_data(const FileReader& read, const std::string& name) {
  MemoryEntry e;
  std::string prefix = name.empty() ? "memory" : "memory." + name;
  auto required = [&](const std::string& file) -> Result<uint64_t> {
    GROVE_ASSIGN_OR_RETURN(std::string c, internal::read_required(read, v1("memory", file)));
    return internal::param_uint(c, file);
  };
  GROVE_ASSIGN_OR_RETURN(auto usage,
                         internal::read_uint(read, v1("memory", prefix + ".usage_in_bytes")));
  if (!usage) {
    if (!name.empty()) return e;
    return Error::from_errno(ENOENT, "read " + q(prefix + ".usage_in_bytes"));
  }
  e.usage = *usage;
  GROVE_ASSIGN_OR_RETURN(e.max, required(prefix + ".max_usage_in_bytes"));
  GROVE_ASSIGN_OR_RETURN(e.failcnt, required(prefix + ".failcnt"));
  if (name == "kmem") {
    GROVE_ASSIGN_OR_RETURN(auto limit,
                           internal::read_uint(read, v1("memory", prefix + ".limit_in_bytes")));
    e.limit = limit.value_or(0);
  } else {
    GROVE_ASSIGN_OR_RETURN(e.limit, required(prefix + ".limit_in_bytes"));
  }
  return e;
}

Status read_memory(const FileReader& read, Stats& st) {
  GROVE_ASSIGN_OR_RETURN(auto contents, internal::read_optional(read, v1("memory", "memory.stat")));
  if (!contents) return ok();
  GROVE_ASSIGN_OR_RETURN(auto kvs, internal::key_values(*contents, "memory.stat"));
  for (const auto& [k, v] : kvs) st.memory.raw[k] = v;
  st.memory.cache = st.memory.raw["cache"];
  GROVE_ASSIGN_OR_RETURN(st.memory.usage, memory_data(read, ""));
  GROVE_ASSIGN_OR_RETURN(st.memory.swap, memory_data(read, "memsw"));
  GROVE_ASSIGN_OR_RETURN(st.memory.kernel, memory_data(read, "kmem"));
  GROVE_ASSIGN_OR_RETURN(st.memory.kernel_tcp, memory_data(read, "kmem.tcp"));
  return ok();
}

Status read_pids(const FileReader& read, Stats& st) {
  GROVE_ASSIGN_OR_RETURN(auto current, internal::read_uint(read, v1("pids", "pids.current")));
  if (!current) return ok();  // no pids hierarchy
  GROVE_ASSIGN_OR_RETURN(std::string max, internal::read_required(read, v1("pids", "pids.max")));
  GROVE_ASSIGN_OR_RETURN(uint64_t limit, internal::param_uint(max, "pids.max"));
  st.pids.current = *current;
  st.pids.limit = limit == std::numeric_limits<uint64_t>::max() ? 0 : limit;
  return ok();
}

Status read_hugetlb(const FileReader& read, const std::vector<std::string>& sizes, Stats& st) {
  std::string rsvd = ".rsvd";
  for (const auto& size : sizes) {
    std::string prefix = "hugetlb." + size + rsvd;
    GROVE_ASSIGN_OR_RETURN(auto usage,
                           internal::read_uint(read, v1("hugetlb", prefix + ".usage_in_bytes")));
    if (!usage && !rsvd.empty()) {
      rsvd.clear();  // no reservation accounting (< 5.7)
      prefix = "hugetlb." + size;
      GROVE_ASSIGN_OR_RETURN(usage,
                             internal::read_uint(read, v1("hugetlb", prefix + ".usage_in_bytes")));
    }
    if (!usage) return ok();  // no hugetlb hierarchy
    Hugetlb h;
    h.usage = *usage;
    for (auto [file, field] :
         {std::pair{".max_usage_in_bytes", &h.max}, std::pair{".failcnt", &h.failcnt}}) {
      GROVE_ASSIGN_OR_RETURN(std::string c,
                             internal::read_required(read, v1("hugetlb", prefix + file)));
      GROVE_ASSIGN_OR_RETURN(*field, internal::param_uint(c, prefix + file));
    }
    st.hugetlb[size] = h;
  }
  return ok();
}

}  // namespace

Result<Stats> read_stats_v1(const FileReader& read,
                            const std::vector<std::string>& hugepage_sizes) {
  Stats st;
  // fs.Manager.GetStats walks the subsystems in this order.
  GROVE_TRY(internal::read_cpuset_v1(read, st.cpuset));
  GROVE_TRY(read_memory(read, st));
  GROVE_TRY(read_cpu(read, st));
  GROVE_TRY(read_cpuacct(read, st));
  GROVE_TRY(read_pids(read, st));
  GROVE_TRY(internal::read_blkio_v1(read, st.blkio));
  GROVE_TRY(read_hugetlb(read, hugepage_sizes, st));
  return st;
}

}  // namespace grove::cgroup
