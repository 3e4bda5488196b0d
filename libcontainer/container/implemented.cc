#include "libcontainer/container/implemented.h"

#include <string>

namespace grove::container {
namespace {

Status missing(const std::string& field) {
  return Error::not_supported(field + ": not implemented yet");
}

// linux.sysctl, timeOffsets, personality and memoryPolicy are applied by process/proc_settings.h,
// linux.netDevices by net/net_devices.h.
Status check_linux(const oci::Linux& l) {
  if (l.seccomp && !kImplementsSeccomp) return missing("linux.seccomp");
  return ok();
}

// Without its own mount namespace the container's root, mounts, masked and read-only paths
// would all be made in the host's mount table (runc does that and leaves the rootfs mounted on
// the host); grove refuses instead of running the process in the host's root.
Status check_mount_namespace(const oci::Spec& spec) {
  if (oci::has_namespace(spec, oci::NamespaceType::kMount)) return ok();
  return Error::not_supported(
      "linux.namespaces: a container without its own mount namespace is not supported (its "
      "root and mounts would change the host's mount table); add {\"type\": \"mount\"}");
}

}  // namespace

Status check_implemented(const oci::Spec& spec, const sys::Features& /*features*/) {
  // Every hook kind and every process.* field is applied (container/hooks.h,
  // process/proc_settings.h). apparmorProfile on a host without AppArmor is refused by
  // process::plan_proc_settings; selinuxLabel with SELinux off is a no-op.
  if (spec.linux) GROVE_TRY(check_linux(*spec.linux));
  if (spec.linux) GROVE_TRY(check_mount_namespace(spec));
  return ok();
}

}  // namespace grove::container
