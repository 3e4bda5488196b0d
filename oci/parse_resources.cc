// config.json "linux.resources": the cgroup controllers (config-linux.md "Control groups").

#include <string>

#include "libcontainer/base/strings.h"
#include "oci/enums.h"
#include "oci/json_read.h"
#include "oci/parse_internal.h"

namespace oci {

grove::Status decode(const Json& v, const std::string& ptr, DeviceCgroup* out) {
  GROVE_ASSIGN_OR_RETURN(Fields f, Fields::of(v, ptr));
  GROVE_TRY(f.req("allow", &out->allow));
  GROVE_TRY(f.opt_enum("type", kDeviceCgroupTypes, "device cgroup type", &out->type));
  GROVE_TRY(f.opt("major", &out->major));
  GROVE_TRY(f.opt("minor", &out->minor));
  GROVE_TRY(f.opt("access", &out->access));
  // cgroup v1 devices.allow syntax: any combination of r (read), w (write), m (mknod).
  if (out->access.find_first_not_of("rwm") != std::string::npos) {
    return bad_field(f.at("access"), "invalid device access " + grove::q(out->access));
  }
  return grove::ok();
}

grove::Status decode(const Json& v, const std::string& ptr, Memory* out) {
  GROVE_ASSIGN_OR_RETURN(Fields f, Fields::of(v, ptr));
  GROVE_TRY(f.opt("limit", &out->limit));
  GROVE_TRY(f.opt("reservation", &out->reservation));
  GROVE_TRY(f.opt("swap", &out->swap));
  GROVE_TRY(f.opt("kernel", &out->kernel));
  GROVE_TRY(f.opt("kernelTCP", &out->kernel_tcp));
  GROVE_TRY(f.opt("swappiness", &out->swappiness));
  GROVE_TRY(f.opt("disableOOMKiller", &out->disable_oom_killer));
  GROVE_TRY(f.opt("useHierarchy", &out->use_hierarchy));
  return f.opt("checkBeforeUpdate", &out->check_before_update);
}

grove::Status decode(const Json& v, const std::string& ptr, Cpu* out) {
  GROVE_ASSIGN_OR_RETURN(Fields f, Fields::of(v, ptr));
  GROVE_TRY(f.opt("shares", &out->shares));
  GROVE_TRY(f.opt("quota", &out->quota));
  GROVE_TRY(f.opt("burst", &out->burst));
  GROVE_TRY(f.opt("period", &out->period));
  GROVE_TRY(f.opt("realtimeRuntime", &out->realtime_runtime));
  GROVE_TRY(f.opt("realtimePeriod", &out->realtime_period));
  GROVE_TRY(f.opt("cpus", &out->cpus));
  GROVE_TRY(f.opt("mems", &out->mems));
  return f.opt("idle", &out->idle);
}

grove::Status decode(const Json& v, const std::string& ptr, Pids* out) {
  GROVE_ASSIGN_OR_RETURN(Fields f, Fields::of(v, ptr));
  return f.opt("limit", &out->limit);
}

grove::Status decode(const Json& v, const std::string& ptr, WeightDevice* out) {
  GROVE_ASSIGN_OR_RETURN(Fields f, Fields::of(v, ptr));
  GROVE_TRY(f.req("major", &out->major));
  GROVE_TRY(f.req("minor", &out->minor));
  GROVE_TRY(f.opt("weight", &out->weight));
  return f.opt("leafWeight", &out->leaf_weight);
}

grove::Status decode(const Json& v, const std::string& ptr, ThrottleDevice* out) {
  GROVE_ASSIGN_OR_RETURN(Fields f, Fields::of(v, ptr));
  GROVE_TRY(f.req("major", &out->major));
  GROVE_TRY(f.req("minor", &out->minor));
  return f.req("rate", &out->rate);
}

grove::Status decode(const Json& v, const std::string& ptr, BlockIo* out) {
  GROVE_ASSIGN_OR_RETURN(Fields f, Fields::of(v, ptr));
  GROVE_TRY(f.opt("weight", &out->weight));
  GROVE_TRY(f.opt("leafWeight", &out->leaf_weight));
  GROVE_TRY(f.opt("weightDevice", &out->weight_device));
  GROVE_TRY(f.opt("throttleReadBpsDevice", &out->throttle_read_bps_device));
  GROVE_TRY(f.opt("throttleWriteBpsDevice", &out->throttle_write_bps_device));
  GROVE_TRY(f.opt("throttleReadIOPSDevice", &out->throttle_read_iops_device));
  return f.opt("throttleWriteIOPSDevice", &out->throttle_write_iops_device);
}

namespace {

// schema/config-linux.json: pageSize matches ^[1-9][0-9]*[KMG]B$ (the hugetlb.<size>.* file
// names: "2MB", "1GB", "64KB").
bool valid_page_size(std::string_view s) {
  if (s.size() < 3 || s[0] < '1' || s[0] > '9' || s.back() != 'B') return false;
  char unit = s[s.size() - 2];
  if (unit != 'K' && unit != 'M' && unit != 'G') return false;
  for (char c : s.substr(0, s.size() - 2)) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

grove::Status decode(const Json& v, const std::string& ptr, HugepageLimit* out) {
  GROVE_ASSIGN_OR_RETURN(Fields f, Fields::of(v, ptr));
  GROVE_TRY(f.req("pageSize", &out->page_size));
  if (!valid_page_size(out->page_size)) {
    return bad_field(f.at("pageSize"), "invalid page size " + grove::q(out->page_size));
  }
  return f.req("limit", &out->limit);
}

grove::Status decode(const Json& v, const std::string& ptr, InterfacePriority* out) {
  GROVE_ASSIGN_OR_RETURN(Fields f, Fields::of(v, ptr));
  GROVE_TRY(f.req("name", &out->name));
  return f.req("priority", &out->priority);
}

grove::Status decode(const Json& v, const std::string& ptr, Network* out) {
  GROVE_ASSIGN_OR_RETURN(Fields f, Fields::of(v, ptr));
  GROVE_TRY(f.opt("classID", &out->class_id));
  return f.opt("priorities", &out->priorities);
}

grove::Status decode(const Json& v, const std::string& ptr, Rdma* out) {
  GROVE_ASSIGN_OR_RETURN(Fields f, Fields::of(v, ptr));
  GROVE_TRY(f.opt("hcaHandles", &out->hca_handles));
  return f.opt("hcaObjects", &out->hca_objects);
}

grove::Status decode(const Json& v, const std::string& ptr, Resources* out) {
  GROVE_ASSIGN_OR_RETURN(Fields f, Fields::of(v, ptr));
  GROVE_TRY(f.opt("devices", &out->devices));
  GROVE_TRY(f.opt("memory", &out->memory));
  GROVE_TRY(f.opt("cpu", &out->cpu));
  GROVE_TRY(f.opt("pids", &out->pids));
  GROVE_TRY(f.opt("blockIO", &out->block_io));
  GROVE_TRY(f.opt("hugepageLimits", &out->hugepage_limits));
  GROVE_TRY(f.opt("network", &out->network));
  GROVE_TRY(f.opt("rdma", &out->rdma));
  return f.opt("unified", &out->unified);
}

}  // namespace oci
