// validate() checks on mounts, seccomp and resources (see validate.cc for the namespaced ones).

#include <filesystem>
#include <string>
#include <string_view>

#include "libcontainer/base/strings.h"
#include "oci/enums.h"
#include "oci/json_read.h"
#include "oci/parse.h"

namespace oci {

grove::Status check_mounts(const Spec& spec);
grove::Status check_seccomp(const Seccomp& seccomp);
grove::Status check_resources(const Resources& resources);

namespace {

bool has_option(const Mount& m, std::string_view option) {
  for (const std::string& o : m.options) {
    if (o == option) return true;
  }
  return false;
}

grove::Status check_errno_action(const std::string& ptr, const std::string& action,
                                 const std::optional<uint32_t>& errno_ret) {
  // config-linux.md: "When the action doesn't support an errno, the runtime MUST print and
  // error and fail."
  if (errno_ret && !is_one_of(kSeccompErrnoActions, action)) {
    return bad_field(ptr, "errno return only applies to SCMP_ACT_ERRNO and SCMP_ACT_TRACE, not " +
                              grove::q(action));
  }
  return grove::ok();
}

// runc's checkProcMount (CVE-2019-16884, CVE-2019-19921): a mount over /proc or inside it could
// shadow the files the runtime writes (LSM labels, sysctls) or hide masked ones. Only a procfs
// may sit on /proc itself (type "proc", or a bind of the host's /proc), and inside it only the
// files lxcfs emulates.
constexpr std::string_view kLxcfsProcFiles[] = {"/proc/cpuinfo", "/proc/diskstats",
                                                "/proc/meminfo", "/proc/stat",
                                                "/proc/swaps",   "/proc/uptime",
                                                "/proc/loadavg", "/proc/slabinfo",
                                                "/proc/net/dev", "/proc/sys/kernel/ns_last_pid"};

grove::Status check_proc_mount(const Mount& m, const std::string& ptr) {
  std::string dest = std::filesystem::path(m.destination).lexically_normal().string();
  while (dest.size() > 1 && dest.back() == '/') dest.pop_back();
  if (dest == "/proc") {
    bool bind = m.type == "bind" || has_option(m, "bind") || has_option(m, "rbind");
    if (!bind && m.type == "proc") return grove::ok();
    if (bind && std::filesystem::path(m.source).lexically_normal() == "/proc") return grove::ok();
    return bad_field(ptr + "/destination", "only a procfs may be mounted on /proc");
  }
  if (!dest.starts_with("/proc/")) return grove::ok();
  for (std::string_view ok : kLxcfsProcFiles) {
    if (dest == ok) return grove::ok();
  }
  return bad_field(ptr + "/destination", grove::q(m.destination) + " is inside /proc");
}

}  // namespace

grove::Status check_mounts(const Spec& spec) {
  bool user_ns = has_namespace(spec, NamespaceType::kUser);
  for (size_t i = 0; i < spec.mounts.size(); ++i) {
    const Mount& m = spec.mounts[i];
    std::string ptr = ptr_index("/mounts", i);
    GROVE_TRY(check_proc_mount(m, ptr));
    // config.md: uidMappings "MUST be specified along with gidMappings" and vice versa.
    if (m.uid_mappings.empty() != m.gid_mappings.empty()) {
      return bad_field(ptr, "uidMappings and gidMappings must be given together");
    }
    // config.md (idmap/ridmap): with no mappings and no user namespace an error MUST be
    // returned.
    bool idmap = has_option(m, "idmap") || has_option(m, "ridmap");
    if (idmap && m.uid_mappings.empty() && !user_ns) {
      return bad_field(ptr + "/options", "idmap needs uidMappings/gidMappings or a user namespace");
    }
  }
  return grove::ok();
}

grove::Status check_seccomp(const Seccomp& seccomp) {
  const std::string base = "/linux/seccomp";
  GROVE_TRY(check_errno_action(base + "/defaultErrnoRet", seccomp.default_action,
                               seccomp.default_errno_ret));
  // config-linux.md: listenerMetadata "MUST NOT be set if listenerPath is not set".
  if (!seccomp.listener_metadata.empty() && seccomp.listener_path.empty()) {
    return bad_field(base + "/listenerMetadata", "requires listenerPath");
  }
  bool notify = seccomp.default_action == "SCMP_ACT_NOTIFY";
  for (size_t i = 0; i < seccomp.syscalls.size(); ++i) {
    const Syscall& s = seccomp.syscalls[i];
    std::string ptr = ptr_index(base + "/syscalls", i);
    GROVE_TRY(check_errno_action(ptr + "/errnoRet", s.action, s.errno_ret));
    notify = notify || s.action == "SCMP_ACT_NOTIFY";
  }
  // Without a listener nobody could receive the notify fd; runc errors the same way.
  if (notify && seccomp.listener_path.empty()) {
    return bad_field(base + "/listenerPath", "required when SCMP_ACT_NOTIFY is used");
  }
  return grove::ok();
}

grove::Status check_resources(const Resources& resources) {
  const std::string base = "/linux/resources";
  if (resources.block_io) {
    const auto& devices = resources.block_io->weight_device;
    for (size_t i = 0; i < devices.size(); ++i) {
      // config-linux.md: "You MUST specify at least one of weight or leafWeight".
      if (!devices[i].weight && !devices[i].leaf_weight) {
        return bad_field(ptr_index(base + "/blockIO/weightDevice", i),
                         "needs weight or leafWeight");
      }
    }
  }
  for (const auto& [name, rdma] : resources.rdma) {
    if (!rdma.hca_handles && !rdma.hca_objects) {
      return bad_field(ptr_join(base + "/rdma", name), "needs hcaHandles or hcaObjects");
    }
  }
  // config-linux.md: a positive quota "MUST be no smaller than burst".
  if (resources.cpu && resources.cpu->burst && resources.cpu->quota && *resources.cpu->quota > 0 &&
      *resources.cpu->burst > static_cast<uint64_t>(*resources.cpu->quota)) {
    return bad_field(base + "/cpu/burst", "must not exceed quota");
  }
  return grove::ok();
}

}  // namespace oci
