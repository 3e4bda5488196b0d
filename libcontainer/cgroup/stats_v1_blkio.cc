// cgroup v1 blkio and cpuset stats, after runc 1.3 (opencontainers/cgroups v0.0.4 fs/blkio.go,
// fs/cpuset.go).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "libcontainer/base/strings.h"
#include "libcontainer/cgroup/stats_internal.h"
#include "libcontainer/cgroup/stats_v1_internal.h"

namespace grove::cgroup::internal {
namespace {

StatFile blkio(const std::string& file) { return {Hierarchy::kV1, "blkio", file}; }
StatFile cpuset(const std::string& file) { return {Hierarchy::kV1, "cpuset", file}; }

// strings.FieldsFunc on ' ' and ':'.
std::vector<std::string_view> blkio_fields(std::string_view line) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == ':')) ++i;
    size_t b = i;
    while (i < line.size() && line[i] != ' ' && line[i] != ':') ++i;
    if (i > b) out.push_back(line.substr(b, i - b));
  }
  return out;
}

// getBlkioStat: "8:0 Read 1282048" lines (or "8:0 6792" without an op); "Total N" skipped.
// nullopt when the file is missing.
Result<std::optional<std::vector<BlkioEntry>>> blkio_stat(const FileReader& read,
                                                          const std::string& file) {
  GROVE_ASSIGN_OR_RETURN(auto contents, read_optional(read, blkio(file)));
  if (!contents) return std::optional<std::vector<BlkioEntry>>();
  std::vector<BlkioEntry> out;
  for (std::string_view line : lines_of(*contents)) {
    auto f = blkio_fields(line);
    if (f.size() < 3) {
      if (f.size() == 2 && f[0] == "Total") continue;
      return parse_error(file, "malformed line " + q(line));
    }
    BlkioEntry e;
    GROVE_ASSIGN_OR_RETURN(e.major, parse_uint(f[0], file));
    GROVE_ASSIGN_OR_RETURN(e.minor, parse_uint(f[1], file));
    size_t value_field = 2;
    if (f.size() == 4) {
      e.op = std::string(f[2]);
      value_field = 3;
    }
    GROVE_ASSIGN_OR_RETURN(e.value, parse_uint(f[value_field], file));
    out.push_back(std::move(e));
  }
  return std::optional<std::vector<BlkioEntry>>(std::move(out));
}

struct BlkioFile {
  const char* file;
  std::vector<BlkioEntry> Blkio::*table;
};

// The bfq-debug and cfq groups: six debug tables, then serviced and service bytes last.
#define GROVE_BLKIO_GROUP(p)                                                  \
  {                                                                           \
    {p "sectors_recursive", &Blkio::sectors_recursive},                       \
        {p "io_service_time_recursive", &Blkio::io_service_time_recursive},   \
        {p "io_wait_time_recursive", &Blkio::io_wait_time_recursive},         \
        {p "io_merged_recursive", &Blkio::io_merged_recursive},               \
        {p "io_queued_recursive", &Blkio::io_queued_recursive},               \
        {p "time_recursive", &Blkio::io_time_recursive},                      \
        {p "io_serviced_recursive", &Blkio::io_serviced_recursive},           \
        {p "io_service_bytes_recursive", &Blkio::io_service_bytes_recursive}, \
  }

const std::vector<std::vector<BlkioFile>>& blkio_groups() {
  static const std::vector<std::vector<BlkioFile>> groups = {
      GROVE_BLKIO_GROUP("blkio.bfq."),  // bfq with CONFIG_BFQ_CGROUP_DEBUG
      {{"blkio.bfq.io_serviced_recursive", &Blkio::io_serviced_recursive},
       {"blkio.bfq.io_service_bytes_recursive", &Blkio::io_service_bytes_recursive}},
      GROVE_BLKIO_GROUP("blkio."),  // cfq (kernels < 5.0)
      {{"blkio.throttle.io_serviced_recursive", &Blkio::io_serviced_recursive},
       {"blkio.throttle.io_service_bytes_recursive", &Blkio::io_service_bytes_recursive}},
      {{"blkio.throttle.io_serviced", &Blkio::io_serviced_recursive},
       {"blkio.throttle.io_service_bytes", &Blkio::io_service_bytes_recursive}},
  };
  return groups;
}
#undef GROVE_BLKIO_GROUP

Result<std::vector<uint16_t>> cpu_list(std::string_view contents, const std::string& file) {
  auto parse16 = [&](std::string_view s) -> Result<uint16_t> {
    long long v = 0;
    if (s.empty() || s[0] == '-' || s[0] == '+' || !parse_int64(s, &v) || v > 65535) {
      return parse_error(file, "invalid number " + q(s));
    }
    return static_cast<uint16_t>(v);
  };
  std::vector<uint16_t> out;
  for (const std::string& part : split(contents, ',')) {
    size_t dash = part.find('-');
    if (dash == std::string::npos) {
      GROVE_ASSIGN_OR_RETURN(uint16_t v, parse16(part));
      out.push_back(v);
      continue;
    }
    GROVE_ASSIGN_OR_RETURN(uint16_t from, parse16(std::string_view(part).substr(0, dash)));
    GROVE_ASSIGN_OR_RETURN(uint16_t to, parse16(std::string_view(part).substr(dash + 1)));
    if (from > to) return parse_error(file, "invalid values, from > to");
    for (uint32_t i = from; i <= to; ++i) out.push_back(static_cast<uint16_t>(i));
  }
  return out;
}

Status read_cpuset_list(const FileReader& read, const std::string& file,
                        std::vector<uint16_t>& out) {
  GROVE_ASSIGN_OR_RETURN(auto contents, read_optional(read, cpuset(file)));
  if (!contents) return ok();
  std::string_view t = *contents;
  while (!t.empty() && (t.back() == '\n' || t.back() == ' ')) t.remove_suffix(1);
  if (t.empty()) return parse_error(file, "empty file");
  GROVE_ASSIGN_OR_RETURN(out, cpu_list(t, file));
  return ok();
}

}  // namespace

Status read_blkio_v1(const FileReader& read, Blkio& out) {
  for (const auto& group : blkio_groups()) {
    for (size_t i = 0; i < group.size(); ++i) {
      GROVE_ASSIGN_OR_RETURN(auto entries, blkio_stat(read, group[i].file));
      // runc tests `blkioStats == nil`: a missing file and one without entries look alike. On the
      // first file that moves to the next group; later it ends the collection.
      if (!entries || entries->empty()) {
        if (i == 0) break;
        return ok();
      }
      out.*(group[i].table) = std::move(*entries);
      if (i == group.size() - 1) return ok();
    }
  }
  return ok();
}

Status read_cpuset_v1(const FileReader& read, CpuSet& out) {
  GROVE_TRY(read_cpuset_list(read, "cpuset.cpus", out.cpus));
  GROVE_TRY(read_cpuset_list(read, "cpuset.mems", out.mems));
  const std::pair<const char*, uint64_t CpuSet::*> flags[] = {
      {"cpuset.cpu_exclusive", &CpuSet::cpu_exclusive},
      {"cpuset.mem_hardwall", &CpuSet::mem_hardwall},
      {"cpuset.mem_exclusive", &CpuSet::mem_exclusive},
      {"cpuset.memory_migrate", &CpuSet::memory_migrate},
      {"cpuset.memory_spread_page", &CpuSet::memory_spread_page},
      {"cpuset.memory_spread_slab", &CpuSet::memory_spread_slab},
      {"cpuset.memory_pressure", &CpuSet::memory_pressure},
      {"cpuset.sched_load_balance", &CpuSet::sched_load_balance},
  };
  for (const auto& [file, field] : flags) {
    GROVE_ASSIGN_OR_RETURN(auto v, read_uint(read, cpuset(file)));
    if (v) out.*field = *v;
  }
  GROVE_ASSIGN_OR_RETURN(auto level,
                         read_optional(read, cpuset("cpuset.sched_relax_domain_level")));
  if (level) {
    std::string_view t = *level;
    while (!t.empty() && (t.back() == '\n' || t.back() == ' ')) t.remove_suffix(1);
    long long v = 0;
    if (!parse_int64(t, &v)) {
      return parse_error("cpuset.sched_relax_domain_level", "invalid number " + q(t));
    }
    out.sched_relax_domain_level = v;
  }
  return ok();
}

}  // namespace grove::cgroup::internal
