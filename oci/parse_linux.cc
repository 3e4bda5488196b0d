// config.json "linux": namespaces, id mappings, devices, paths, and the small Linux-only
// objects (intelRdt, memoryPolicy, personality, timeOffsets). Resources and seccomp have their
// own files.

#include <string>

#include "libcontainer/base/strings.h"
#include "oci/enums.h"
#include "oci/json_read.h"
#include "oci/parse_internal.h"

namespace oci {

grove::Status decode(const Json& v, const std::string& ptr, Namespace* out) {
  GROVE_ASSIGN_OR_RETURN(Fields f, Fields::of(v, ptr));
  std::string type;
  GROVE_TRY(f.req("type", &type));
  std::optional<NamespaceType> t = namespace_type_from_string(type);
  if (!t) return bad_field(f.at("type"), "unknown namespace type " + grove::q(type));
  out->type = *t;
  // config-linux.md: "This value MUST be an absolute path in the runtime mount namespace."
  return f.opt_abs_path("path", &out->path);
}

grove::Status decode(const Json& v, const std::string& ptr, TimeOffset* out) {
  GROVE_ASSIGN_OR_RETURN(Fields f, Fields::of(v, ptr));
  GROVE_TRY(f.opt("secs", &out->secs));
  return f.opt("nanosecs", &out->nanosecs);
}

grove::Status decode(const Json& v, const std::string& ptr, Device* out) {
  GROVE_ASSIGN_OR_RETURN(Fields f, Fields::of(v, ptr));
  GROVE_TRY(f.req_abs_path("path", &out->path));
  GROVE_TRY(f.req_enum("type", kDeviceTypes, "device type", &out->type));
  // "major, minor (int64, REQUIRED unless type is p)".
  if (out->type == "p") {
    GROVE_TRY(f.opt("major", &out->major));
    GROVE_TRY(f.opt("minor", &out->minor));
  } else {
    GROVE_TRY(f.req("major", &out->major));
    GROVE_TRY(f.req("minor", &out->minor));
  }
  GROVE_TRY(f.opt("fileMode", &out->file_mode));
  GROVE_TRY(f.opt("uid", &out->uid));
  return f.opt("gid", &out->gid);
}

grove::Status decode(const Json& v, const std::string& ptr, NetDevice* out) {
  GROVE_ASSIGN_OR_RETURN(Fields f, Fields::of(v, ptr));
  return f.opt("name", &out->name);
}

grove::Status decode(const Json& v, const std::string& ptr, IntelRdt* out) {
  GROVE_ASSIGN_OR_RETURN(Fields f, Fields::of(v, ptr));
  GROVE_TRY(f.opt("closID", &out->clos_id));
  GROVE_TRY(f.opt("schemata", &out->schemata));
  GROVE_TRY(f.opt("l3CacheSchema", &out->l3_cache_schema));
  GROVE_TRY(f.opt("memBwSchema", &out->mem_bw_schema));
  GROVE_TRY(f.opt("enableMonitoring", &out->enable_monitoring));
  // config-linux.md: memBwSchema "MUST start with MB: and MUST NOT contain newlines"; schemata
  // lines "MUST NOT contain newlines" (each one is written as one line of the schemata file).
  if (!out->mem_bw_schema.empty() && out->mem_bw_schema.rfind("MB:", 0) != 0) {
    return bad_field(f.at("memBwSchema"), "must start with \"MB:\"");
  }
  if (out->mem_bw_schema.find('\n') != std::string::npos) {
    return bad_field(f.at("memBwSchema"), "must not contain newlines");
  }
  if (out->l3_cache_schema.find('\n') != std::string::npos) {
    return bad_field(f.at("l3CacheSchema"), "must not contain newlines");
  }
  for (size_t i = 0; i < out->schemata.size(); ++i) {
    if (out->schemata[i].find('\n') != std::string::npos) {
      return bad_field(ptr_index(f.at("schemata"), i), "must not contain newlines");
    }
  }
  return grove::ok();
}

grove::Status decode(const Json& v, const std::string& ptr, MemoryPolicy* out) {
  GROVE_ASSIGN_OR_RETURN(Fields f, Fields::of(v, ptr));
  GROVE_TRY(f.req_enum("mode", kMemoryPolicyModes, "memory policy mode", &out->mode));
  GROVE_TRY(f.opt("nodes", &out->nodes));
  return f.opt_enum_list("flags", kMemoryPolicyFlags, "memory policy flag", &out->flags);
}

grove::Status decode(const Json& v, const std::string& ptr, Personality* out) {
  GROVE_ASSIGN_OR_RETURN(Fields f, Fields::of(v, ptr));
  GROVE_TRY(f.req_enum("domain", kPersonalityDomains, "personality domain", &out->domain));
  return f.opt("flags", &out->flags);
}

namespace {

// maskedPaths / readonlyPaths: "The values MUST be absolute paths in the container namespace."
grove::Status decode_abs_list(const Fields& f, std::string_view key,
                              std::vector<std::string>* out) {
  GROVE_TRY(f.opt(key, out));
  for (size_t i = 0; i < out->size(); ++i) {
    if ((*out)[i].empty() || (*out)[i][0] != '/') {
      return bad_field(ptr_index(f.at(key), i), "must be absolute");
    }
  }
  return grove::ok();
}

grove::Status decode_time_offsets(const Fields& f, std::map<std::string, TimeOffset>* out) {
  GROVE_TRY(f.opt("timeOffsets", out));
  for (const auto& [clock, offset] : *out) {
    GROVE_TRY(check_enum(ptr_join(f.at("timeOffsets"), clock), clock, kTimeOffsetClocks,
                         "time namespace clock"));
  }
  return grove::ok();
}

}  // namespace

grove::Status decode(const Json& v, const std::string& ptr, Linux* out) {
  GROVE_ASSIGN_OR_RETURN(Fields f, Fields::of(v, ptr));
  GROVE_TRY(f.opt("uidMappings", &out->uid_mappings));
  GROVE_TRY(f.opt("gidMappings", &out->gid_mappings));
  GROVE_TRY(f.opt("sysctl", &out->sysctl));
  GROVE_TRY(f.opt("resources", &out->resources));
  GROVE_TRY(f.opt("cgroupsPath", &out->cgroups_path));
  GROVE_TRY(f.opt("namespaces", &out->namespaces));
  GROVE_TRY(f.opt("devices", &out->devices));
  GROVE_TRY(f.opt("netDevices", &out->net_devices));
  GROVE_TRY(f.opt("seccomp", &out->seccomp));
  GROVE_TRY(f.opt_enum("rootfsPropagation", kRootfsPropagations, "rootfs propagation",
                       &out->rootfs_propagation));
  GROVE_TRY(decode_abs_list(f, "maskedPaths", &out->masked_paths));
  GROVE_TRY(decode_abs_list(f, "readonlyPaths", &out->readonly_paths));
  GROVE_TRY(f.opt("mountLabel", &out->mount_label));
  GROVE_TRY(f.opt("intelRdt", &out->intel_rdt));
  GROVE_TRY(f.opt("memoryPolicy", &out->memory_policy));
  GROVE_TRY(f.opt("personality", &out->personality));
  return decode_time_offsets(f, &out->time_offsets);
}

}  // namespace oci
