// Serializer of the runtime-spec features document (specs-go/features, omitempty everywhere).

#include "oci/features.h"

#include "oci/json_write.h"

namespace oci {

Json encode(const FeaturesCgroup& c) {
  Json j = Json::object();
  put(j, "v1", c.v1);
  put(j, "v2", c.v2);
  put(j, "systemd", c.systemd);
  put(j, "systemdUser", c.systemd_user);
  put(j, "rdma", c.rdma);
  return j;
}

Json encode(const FeaturesSeccomp& s) {
  Json j = Json::object();
  put(j, "enabled", s.enabled);
  put(j, "actions", s.actions);
  put(j, "operators", s.operators);
  put(j, "archs", s.archs);
  put(j, "knownFlags", s.known_flags);
  put(j, "supportedFlags", s.supported_flags);
  return j;
}

Json encode(const FeaturesEnabled& e) {
  Json j = Json::object();
  put(j, "enabled", e.enabled);
  return j;
}

Json encode(const FeaturesIntelRdt& r) {
  Json j = Json::object();
  put(j, "enabled", r.enabled);
  put(j, "schemata", r.schemata);
  put(j, "monitoring", r.monitoring);
  return j;
}

Json encode(const FeaturesMemoryPolicy& m) {
  Json j = Json::object();
  put(j, "modes", m.modes);
  put(j, "flags", m.flags);
  return j;
}

Json encode(const FeaturesMountExtensions& m) {
  Json j = Json::object();
  put(j, "idmap", m.idmap);
  return j;
}

Json encode(const FeaturesLinux& l) {
  Json j = Json::object();
  put(j, "namespaces", l.namespaces);
  put(j, "capabilities", l.capabilities);
  put(j, "cgroup", l.cgroup);
  put(j, "seccomp", l.seccomp);
  put(j, "apparmor", l.apparmor);
  put(j, "selinux", l.selinux);
  put(j, "intelRdt", l.intel_rdt);
  put(j, "memoryPolicy", l.memory_policy);
  put(j, "mountExtensions", l.mount_extensions);
  put(j, "netDevices", l.net_devices);
  return j;
}

nlohmann::json to_json(const Features& f) {
  Json j = Json::object();
  put(j, "ociVersionMin", f.oci_version_min);
  put(j, "ociVersionMax", f.oci_version_max);
  put(j, "hooks", f.hooks);
  put(j, "mountOptions", f.mount_options);
  put(j, "linux", f.linux);
  put(j, "annotations", f.annotations);
  put(j, "potentiallyUnsafeConfigAnnotations", f.potentially_unsafe_config_annotations);
  return j;
}

std::string to_json_string(const Features& features) {
  return to_json(features).dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace oci
