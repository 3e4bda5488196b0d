// config.json serialization of the "linux" object: namespaces, devices, resources, seccomp and
// the other Linux-only sections.

#include "oci/json_write.h"

namespace oci {

Json encode(const Namespace& ns) {
  Json j = {{"type", std::string(to_string(ns.type))}};
  put(j, "path", ns.path);
  return j;
}

Json encode(const TimeOffset& t) {
  Json j = Json::object();
  put_nonzero(j, "secs", t.secs);
  put_nonzero(j, "nanosecs", t.nanosecs);
  return j;
}

Json encode(const Device& d) {
  Json j = {{"path", d.path}, {"type", d.type}};
  // Pipes have no device numbers ("REQUIRED unless type is p"): leave them out when unset.
  if (d.type != "p" || d.major != 0 || d.minor != 0) {
    j["major"] = d.major;
    j["minor"] = d.minor;
  }
  put(j, "fileMode", d.file_mode);
  put(j, "uid", d.uid);
  put(j, "gid", d.gid);
  return j;
}

Json encode(const NetDevice& d) {
  Json j = Json::object();
  put(j, "name", d.name);
  return j;
}

Json encode(const DeviceCgroup& d) {
  Json j = {{"allow", d.allow}};
  put(j, "type", d.type);
  put(j, "major", d.major);
  put(j, "minor", d.minor);
  put(j, "access", d.access);
  return j;
}

Json encode(const Memory& m) {
  Json j = Json::object();
  put(j, "limit", m.limit);
  put(j, "reservation", m.reservation);
  put(j, "swap", m.swap);
  put(j, "kernel", m.kernel);
  put(j, "kernelTCP", m.kernel_tcp);
  put(j, "swappiness", m.swappiness);
  put(j, "disableOOMKiller", m.disable_oom_killer);
  put(j, "useHierarchy", m.use_hierarchy);
  put(j, "checkBeforeUpdate", m.check_before_update);
  return j;
}

Json encode(const Cpu& c) {
  Json j = Json::object();
  put(j, "shares", c.shares);
  put(j, "quota", c.quota);
  put(j, "burst", c.burst);
  put(j, "period", c.period);
  put(j, "realtimeRuntime", c.realtime_runtime);
  put(j, "realtimePeriod", c.realtime_period);
  put(j, "cpus", c.cpus);
  put(j, "mems", c.mems);
  put(j, "idle", c.idle);
  return j;
}

Json encode(const Pids& p) {
  Json j = Json::object();
  put(j, "limit", p.limit);
  return j;
}

Json encode(const WeightDevice& d) {
  Json j = {{"major", d.major}, {"minor", d.minor}};
  put(j, "weight", d.weight);
  put(j, "leafWeight", d.leaf_weight);
  return j;
}

Json encode(const ThrottleDevice& d) {
  return Json{{"major", d.major}, {"minor", d.minor}, {"rate", d.rate}};
}

Json encode(const BlockIo& b) {
  Json j = Json::object();
  put(j, "weight", b.weight);
  put(j, "leafWeight", b.leaf_weight);
  put(j, "weightDevice", b.weight_device);
  put(j, "throttleReadBpsDevice", b.throttle_read_bps_device);
  put(j, "throttleWriteBpsDevice", b.throttle_write_bps_device);
  put(j, "throttleReadIOPSDevice", b.throttle_read_iops_device);
  put(j, "throttleWriteIOPSDevice", b.throttle_write_iops_device);
  return j;
}

Json encode(const HugepageLimit& h) { return Json{{"pageSize", h.page_size}, {"limit", h.limit}}; }

Json encode(const InterfacePriority& p) { return Json{{"name", p.name}, {"priority", p.priority}}; }

Json encode(const Network& n) {
  Json j = Json::object();
  put(j, "classID", n.class_id);
  put(j, "priorities", n.priorities);
  return j;
}

Json encode(const Rdma& r) {
  Json j = Json::object();
  put(j, "hcaHandles", r.hca_handles);
  put(j, "hcaObjects", r.hca_objects);
  return j;
}

Json encode(const Resources& r) {
  Json j = Json::object();
  put(j, "devices", r.devices);
  put(j, "memory", r.memory);
  put(j, "cpu", r.cpu);
  put(j, "pids", r.pids);
  put(j, "blockIO", r.block_io);
  put(j, "hugepageLimits", r.hugepage_limits);
  put(j, "network", r.network);
  put(j, "rdma", r.rdma);
  put(j, "unified", r.unified);
  return j;
}

Json encode(const SeccompArg& a) {
  Json j = {{"index", a.index}, {"value", a.value}, {"op", a.op}};
  put_nonzero(j, "valueTwo", a.value_two);
  return j;
}

Json encode(const Syscall& s) {
  Json j = {{"names", encode(s.names)}, {"action", s.action}};
  put(j, "errnoRet", s.errno_ret);
  put(j, "args", s.args);
  return j;
}

Json encode(const Seccomp& s) {
  Json j = {{"defaultAction", s.default_action}};
  put(j, "defaultErrnoRet", s.default_errno_ret);
  put(j, "architectures", s.architectures);
  put(j, "flags", s.flags);
  put(j, "listenerPath", s.listener_path);
  put(j, "listenerMetadata", s.listener_metadata);
  put(j, "syscalls", s.syscalls);
  return j;
}

Json encode(const IntelRdt& r) {
  Json j = Json::object();
  put(j, "closID", r.clos_id);
  put(j, "schemata", r.schemata);
  put(j, "l3CacheSchema", r.l3_cache_schema);
  put(j, "memBwSchema", r.mem_bw_schema);
  put(j, "enableMonitoring", r.enable_monitoring);
  return j;
}

Json encode(const MemoryPolicy& m) {
  // "nodes" has no omitempty in specs-go, so it is always written.
  Json j = {{"mode", m.mode}, {"nodes", m.nodes}};
  put(j, "flags", m.flags);
  return j;
}

Json encode(const Personality& p) {
  Json j = {{"domain", p.domain}};
  put(j, "flags", p.flags);
  return j;
}

Json encode(const Linux& l) {
  Json j = Json::object();
  put(j, "uidMappings", l.uid_mappings);
  put(j, "gidMappings", l.gid_mappings);
  put(j, "sysctl", l.sysctl);
  put(j, "resources", l.resources);
  put(j, "cgroupsPath", l.cgroups_path);
  put(j, "namespaces", l.namespaces);
  put(j, "devices", l.devices);
  put(j, "netDevices", l.net_devices);
  put(j, "seccomp", l.seccomp);
  put(j, "rootfsPropagation", l.rootfs_propagation);
  put(j, "maskedPaths", l.masked_paths);
  put(j, "readonlyPaths", l.readonly_paths);
  put(j, "mountLabel", l.mount_label);
  put(j, "intelRdt", l.intel_rdt);
  put(j, "memoryPolicy", l.memory_policy);
  put(j, "personality", l.personality);
  put(j, "timeOffsets", l.time_offsets);
  return j;
}

}  // namespace oci
