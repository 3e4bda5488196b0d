// cgroup v2 stats, after runc 1.3 (opencontainers/cgroups v0.0.4 fs2/{cpu,memory,pids,io,
// hugetlb}.go statXxx functions).

#include <cerrno>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "libcontainer/cgroup/stats.h"
#include "libcontainer/cgroup/stats_internal.h"

namespace grove::cgroup {
namespace {

using internal::StatFile;
constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();

StatFile v2(const std::string& file) {
  std::string controller = file.substr(0, file.find('.'));
  if (controller == "cgroup") controller.clear();
  return {Hierarchy::kUnified, controller, file};
}

Status read_cpu(const FileReader& read, Stats& st) {
  GROVE_ASSIGN_OR_RETURN(auto contents, internal::read_optional(read, v2("cpu.stat")));
  if (!contents) return ok();
  GROVE_ASSIGN_OR_RETURN(auto kvs, internal::key_values(*contents, "cpu.stat"));
  for (const auto& [k, v] : kvs) {
    if (k == "usage_usec")
      st.cpu.usage.total = v * 1000;
    else if (k == "user_usec")
      st.cpu.usage.user = v * 1000;
    else if (k == "system_usec")
      st.cpu.usage.kernel = v * 1000;
    else if (k == "nr_periods")
      st.cpu.throttling.periods = v;
    else if (k == "nr_throttled")
      st.cpu.throttling.throttled_periods = v;
    else if (k == "throttled_usec")
      st.cpu.throttling.throttled_time = v * 1000;
  }
  return ok();
}

// getMemoryDataV2: <prefix>.current, .max, .peak (peak since 5.19, swap.peak since 6.5).
// nullopt when a required file is missing (the caller stops, as runc's IsNotExist check does).
Result<std::optional<MemoryEntry>> memory_data(const FileReader& read, const std::string& prefix) {
  MemoryEntry e;
  GROVE_ASSIGN_OR_RETURN(auto usage, internal::read_uint(read, v2(prefix + ".current")));
  if (!usage) return std::optional<MemoryEntry>();
  e.usage = *usage;
  GROVE_ASSIGN_OR_RETURN(auto limit, internal::read_uint(read, v2(prefix + ".max")));
  if (!limit) return std::optional<MemoryEntry>();
  e.limit = *limit;
  GROVE_ASSIGN_OR_RETURN(auto peak, internal::read_uint(read, v2(prefix + ".peak")));
  e.max = peak.value_or(0);
  return std::optional<MemoryEntry>(e);
}

Status read_memory(const FileReader& read, Stats& st) {
  GROVE_ASSIGN_OR_RETURN(auto contents, internal::read_optional(read, v2("memory.stat")));
  if (!contents) return ok();
  GROVE_ASSIGN_OR_RETURN(auto kvs, internal::key_values(*contents, "memory.stat"));
  for (const auto& [k, v] : kvs) st.memory.raw[k] = v;
  st.memory.cache = st.memory.raw["file"];
  GROVE_ASSIGN_OR_RETURN(auto usage, memory_data(read, "memory"));
  if (!usage) return ok();
  st.memory.usage = *usage;
  // No swap accounting (CONFIG_MEMCG_SWAP off or swapaccount=0): swap stays zero.
  GROVE_ASSIGN_OR_RETURN(auto swap_only, memory_data(read, "memory.swap"));
  MemoryEntry swap = swap_only.value_or(MemoryEntry{});
  // v1 reports swap as memory+swap; v2 counts swap alone, so runc adds memory back. The peak
  // of the sum is unknowable from the two peaks: 0.
  swap.usage += usage->usage;
  if (swap.limit != kMax) swap.limit += usage->limit;
  swap.max = 0;
  st.memory.swap = swap;
  return ok();
}

Status read_pids(const FileReader& read, Stats& st) {
  GROVE_ASSIGN_OR_RETURN(auto current, internal::read_uint(read, v2("pids.current")));
  if (!current) {
    // The pids controller is not enabled here: count the processes instead (cgroup.threads in
    // a threaded cgroup, where cgroup.procs reads ENOTSUP).
    auto procs = read(Hierarchy::kUnified, "", "cgroup.procs");
    if (!procs && procs.error().code() == ENOTSUP)
      procs = read(Hierarchy::kUnified, "", "cgroup.threads");
    if (!procs) return std::move(procs).error().context("read \"cgroup.procs\"");
    uint64_t n = 0;
    for (char c : *procs) n += c == '\n';
    st.pids.current = n;
    st.pids.limit = 0;
    return ok();
  }
  GROVE_ASSIGN_OR_RETURN(std::string max, internal::read_required(read, v2("pids.max")));
  GROVE_ASSIGN_OR_RETURN(uint64_t limit, internal::param_uint(max, "pids.max"));
  st.pids.current = *current;
  st.pids.limit = limit == kMax ? 0 : limit;  // "max" is reported as 0, as runc always has
  return ok();
}

// One io.stat line: "8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0".
Status parse_io_line(std::string_view line, Blkio& out) {
  auto fields = internal::fields_of(line);
  if (fields.size() < 2) return ok();
  std::string_view dev = fields[0];
  size_t colon = dev.find(':');
  if (colon == std::string_view::npos || dev.find(':', colon + 1) != std::string_view::npos) {
    return ok();
  }
  GROVE_ASSIGN_OR_RETURN(uint64_t major, internal::parse_uint(dev.substr(0, colon), "io.stat"));
  GROVE_ASSIGN_OR_RETURN(uint64_t minor, internal::parse_uint(dev.substr(colon + 1), "io.stat"));
  for (size_t i = 1; i < fields.size(); ++i) {
    std::string_view item = fields[i];
    size_t eq = item.find('=');
    if (eq == std::string_view::npos || item.find('=', eq + 1) != std::string_view::npos) continue;
    std::string_view op = item.substr(0, eq);
    std::vector<BlkioEntry>* table = nullptr;
    const char* name = nullptr;
    // Mapped onto v1's names and tables; other keys (dbytes, cost.*) are not reported.
    if (op == "rbytes")
      table = &out.io_service_bytes_recursive, name = "Read";
    else if (op == "wbytes")
      table = &out.io_service_bytes_recursive, name = "Write";
    else if (op == "rios")
      table = &out.io_serviced_recursive, name = "Read";
    else if (op == "wios")
      table = &out.io_serviced_recursive, name = "Write";
    else
      continue;
    GROVE_ASSIGN_OR_RETURN(uint64_t v, internal::parse_uint(item.substr(eq + 1), "io.stat"));
    table->push_back({major, minor, name, v});
  }
  return ok();
}

Status read_io(const FileReader& read, Stats& st) {
  GROVE_ASSIGN_OR_RETURN(auto contents, internal::read_optional(read, v2("io.stat")));
  if (!contents) return ok();
  Blkio parsed;
  // runc goes through a Go map (random device order); grove keeps the file's order.
  for (std::string_view line : internal::lines_of(*contents))
    GROVE_TRY(parse_io_line(line, parsed));
  st.blkio = std::move(parsed);
  return ok();
}

Status read_hugetlb(const FileReader& read, const std::vector<std::string>& sizes, Stats& st) {
  std::string rsvd = ".rsvd";
  for (const auto& size : sizes) {
    std::string prefix = "hugetlb." + size;
    Hugetlb h;
    GROVE_ASSIGN_OR_RETURN(auto usage, internal::read_uint(read, v2(prefix + rsvd + ".current")));
    if (!usage && !rsvd.empty()) {
      rsvd.clear();  // no reservation accounting (< 5.7): plain usage from now on
      GROVE_ASSIGN_OR_RETURN(usage, internal::read_uint(read, v2(prefix + ".current")));
    }
    if (!usage) return ok();  // no hugetlb controller here
    h.usage = *usage;
    GROVE_ASSIGN_OR_RETURN(auto events, internal::read_optional(read, v2(prefix + ".events")));
    if (!events) return ok();
    GROVE_ASSIGN_OR_RETURN(h.failcnt, internal::value_by_key(*events, "max", prefix + ".events"));
    st.hugetlb[size] = h;
  }
  return ok();
}

}  // namespace

Result<Stats> read_stats_v2(const FileReader& read,
                            const std::vector<std::string>& hugepage_sizes) {
  Stats st;
  // fs2.Manager.Stats order: pids, memory, io, cpu, hugetlb.
  GROVE_TRY(read_pids(read, st));
  GROVE_TRY(read_memory(read, st));
  GROVE_TRY(read_io(read, st));
  GROVE_TRY(read_cpu(read, st));
  GROVE_TRY(read_hugetlb(read, hugepage_sizes, st));
  return st;
}

}  // namespace grove::cgroup
