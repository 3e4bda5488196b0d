// Stats -> the JSON runc 1.3 prints as a "stats" event's data (runc types/events.go, filled by
// events.go convertLibcontainerStats). Go's encoding/json writes struct fields in declaration
// order, drops omitempty zero numbers/strings and empty slices/maps, but never drops a struct
// value (runc 1.3 predates `omitzero`), so ordered_json is built field by field.

#include <string>
#include <vector>

#include "libcontainer/cgroup/stats.h"

namespace grove::cgroup {
namespace {

using Json = nlohmann::ordered_json;

void put_nonzero(Json& j, const char* key, uint64_t v) {
  if (v != 0) j[key] = v;
}

template <typename T>
void put_nonempty(Json& j, const char* key, const std::vector<T>& v) {
  if (!v.empty()) j[key] = v;
}

Json cpu_json(const Cpu& c) {
  Json usage = Json::object();
  put_nonzero(usage, "total", c.usage.total);
  put_nonempty(usage, "percpu", c.usage.percpu);
  put_nonempty(usage, "percpu_kernel", c.usage.percpu_kernel);
  put_nonempty(usage, "percpu_user", c.usage.percpu_user);
  usage["kernel"] = c.usage.kernel;
  usage["user"] = c.usage.user;
  Json throttling = Json::object();
  put_nonzero(throttling, "periods", c.throttling.periods);
  put_nonzero(throttling, "throttledPeriods", c.throttling.throttled_periods);
  put_nonzero(throttling, "throttledTime", c.throttling.throttled_time);
  Json j = Json::object();
  j["usage"] = std::move(usage);
  j["throttling"] = std::move(throttling);
  return j;
}

Json cpuset_json(const CpuSet& c) {
  Json j = Json::object();
  put_nonempty(j, "cpus", c.cpus);
  j["cpu_exclusive"] = c.cpu_exclusive;
  put_nonempty(j, "mems", c.mems);
  j["mem_hardwall"] = c.mem_hardwall;
  j["mem_exclusive"] = c.mem_exclusive;
  j["memory_migrate"] = c.memory_migrate;
  j["memory_spread_page"] = c.memory_spread_page;
  j["memory_spread_slab"] = c.memory_spread_slab;
  j["memory_pressure"] = c.memory_pressure;
  j["sched_load_balance"] = c.sched_load_balance;
  j["sched_relax_domain_level"] = c.sched_relax_domain_level;
  return j;
}

Json memory_entry_json(const MemoryEntry& e) {
  Json j = Json::object();
  j["limit"] = e.limit;
  put_nonzero(j, "usage", e.usage);
  put_nonzero(j, "max", e.max);
  j["failcnt"] = e.failcnt;
  return j;
}

Json memory_json(const Memory& m) {
  Json j = Json::object();
  put_nonzero(j, "cache", m.cache);
  j["usage"] = memory_entry_json(m.usage);
  j["swap"] = memory_entry_json(m.swap);
  j["kernel"] = memory_entry_json(m.kernel);
  j["kernelTCP"] = memory_entry_json(m.kernel_tcp);
  if (!m.raw.empty()) {
    Json raw = Json::object();  // std::map order = Go's sorted map keys
    for (const auto& [k, v] : m.raw) raw[k] = v;
    j["raw"] = std::move(raw);
  }
  return j;
}

void put_blkio(Json& j, const char* key, const std::vector<BlkioEntry>& entries) {
  if (entries.empty()) return;
  Json list = Json::array();
  for (const auto& e : entries) {
    Json o = Json::object();
    put_nonzero(o, "major", e.major);
    put_nonzero(o, "minor", e.minor);
    if (!e.op.empty()) o["op"] = e.op;
    put_nonzero(o, "value", e.value);
    list.push_back(std::move(o));
  }
  j[key] = std::move(list);
}

Json blkio_json(const Blkio& b) {
  Json j = Json::object();
  put_blkio(j, "ioServiceBytesRecursive", b.io_service_bytes_recursive);
  put_blkio(j, "ioServicedRecursive", b.io_serviced_recursive);
  put_blkio(j, "ioQueueRecursive", b.io_queued_recursive);  // sic: runc's tag
  put_blkio(j, "ioServiceTimeRecursive", b.io_service_time_recursive);
  put_blkio(j, "ioWaitTimeRecursive", b.io_wait_time_recursive);
  put_blkio(j, "ioMergedRecursive", b.io_merged_recursive);
  put_blkio(j, "ioTimeRecursive", b.io_time_recursive);
  put_blkio(j, "sectorsRecursive", b.sectors_recursive);
  return j;
}

}  // namespace

nlohmann::ordered_json stats_to_json(const Stats& s) {
  Json j = Json::object();
  j["cpu"] = cpu_json(s.cpu);
  j["cpuset"] = cpuset_json(s.cpuset);
  j["memory"] = memory_json(s.memory);
  Json pids = Json::object();
  put_nonzero(pids, "current", s.pids.current);
  put_nonzero(pids, "limit", s.pids.limit);
  j["pids"] = std::move(pids);
  j["blkio"] = blkio_json(s.blkio);
  Json hugetlb = Json::object();  // runc always makes the map: {} rather than null
  for (const auto& [size, h] : s.hugetlb) {
    Json o = Json::object();
    put_nonzero(o, "usage", h.usage);
    put_nonzero(o, "max", h.max);
    o["failcnt"] = h.failcnt;
    hugetlb[size] = std::move(o);
  }
  j["hugetlb"] = std::move(hugetlb);
  j["intel_rdt"] = Json::object();    // no Intel RDT support: every member is omitempty
  j["network_interfaces"] = nullptr;  // runc fills it only for veth networks it configured
  return j;
}

std::string stats_json(const Stats& s) {
  return stats_to_json(s).dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace grove::cgroup
