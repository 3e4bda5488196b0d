// Cross-field checks on a parsed spec (oci::validate). Where the spec is silent we follow
// runc's libcontainer/configs/validate/validator.go so configs fail the same way under grove.

#include <optional>
#include <set>
#include <string>

#include "libcontainer/base/strings.h"
#include "oci/json_read.h"
#include "oci/parse.h"

namespace oci {
namespace {

grove::Status check_namespaces(const Linux& linux) {
  // config-linux.md: duplicated namespace types MUST generate an error.
  std::set<NamespaceType> seen;
  for (size_t i = 0; i < linux.namespaces.size(); ++i) {
    NamespaceType type = linux.namespaces[i].type;
    if (!seen.insert(type).second) {
      return bad_field(ptr_index("/linux/namespaces", i),
                       "duplicate namespace type " + grove::q(to_string(type)));
    }
  }
  return grove::ok();
}

grove::Status check_user_ns(const Spec& spec) {
  const Linux& linux = *spec.linux;
  // runc: "user namespace mappings specified, but user namespace isn't enabled in the config".
  if (!has_namespace(spec, NamespaceType::kUser)) {
    if (!linux.uid_mappings.empty()) {
      return bad_field("/linux/uidMappings", "mappings given without a user namespace");
    }
    if (!linux.gid_mappings.empty()) {
      return bad_field("/linux/gidMappings", "mappings given without a user namespace");
    }
  }
  return grove::ok();
}

grove::Status check_uts(const Spec& spec) {
  // runc: "unable to set hostname without a private UTS namespace" (joined ones count).
  if (has_namespace(spec, NamespaceType::kUts)) return grove::ok();
  if (!spec.hostname.empty()) return bad_field("/hostname", "requires a uts namespace");
  if (!spec.domainname.empty()) return bad_field("/domainname", "requires a uts namespace");
  return grove::ok();
}

grove::Status check_time_ns(const Spec& spec) {
  // Offsets can only be written before the first process enters a new time namespace.
  if (spec.linux->time_offsets.empty()) return grove::ok();
  const Namespace* ns = find_namespace(spec, NamespaceType::kTime);
  if (ns == nullptr || !ns->path.empty()) {
    return bad_field("/linux/timeOffsets", "requires a new time namespace");
  }
  return grove::ok();
}

// Which namespace owns a sysctl; runc's validator.go sysctl() table. Empty: not namespaced.
// `key` is in dotted form.
std::optional<NamespaceType> sysctl_namespace(std::string_view key) {
  static constexpr std::string_view kIpc[] = {
      "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
      "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced"};
  for (std::string_view k : kIpc) {
    if (key == k) return NamespaceType::kIpc;
  }
  if (grove::starts_with(key, "fs.mqueue.")) return NamespaceType::kIpc;
  if (grove::starts_with(key, "net.")) return NamespaceType::kNetwork;
  if (key == "kernel.domainname") return NamespaceType::kUts;
  // runc: ucounts (user.max_*) only inside a user namespace, where they are per-namespace.
  if (grove::starts_with(key, "user.")) return NamespaceType::kUser;
  return std::nullopt;
}

// sysctl(8)/runc: a key whose first separator is '/' is a path; swap '.' and '/' to get the
// dotted form ("net/ipv4/conf/eth0.100/rp_filter" -> "net.ipv4.conf.eth0/100.rp_filter").
std::string sysctl_dotted(std::string key) {
  std::size_t first = key.find_first_of("./");
  if (first == std::string::npos || key[first] == '.') return key;
  for (char& c : key) c = c == '/' ? '.' : (c == '.' ? '/' : c);
  return key;
}

grove::Status check_sysctl(const Spec& spec) {
  for (const auto& entry : spec.linux->sysctl) {
    // Not a structured binding: clang before 16 cannot capture one in the lambda below, and the
    // fuzzers (tests/fuzz) are built with Debian 12's clang 14.
    const std::string& raw_key = entry.first;
    std::string key = sysctl_dotted(raw_key);
    auto bad = [&](const std::string& why) {
      return grove::Error::invalid("linux.sysctl " + grove::q(raw_key) + ": " + why);
    };
    if (key == "kernel.hostname") {
      return bad("not allowed as it conflicts with the OCI \"hostname\" field");
    }
    std::optional<NamespaceType> ns = sysctl_namespace(key);
    if (!ns) return bad("sysctl is not in a separate kernel namespace");
    // A joined namespace counts (runc), except that runc also refuses a net namespace path that
    // is the runtime's own; that needs a stat and is left to the runtime. TODO(procfields) #4
    if (!has_namespace(spec, *ns)) {
      return bad("not allowed without a " + std::string(to_string(*ns)) + " namespace");
    }
  }
  return grove::ok();
}

grove::Status check_rlimits(const Process& process, const std::string& base) {
  // config.md: duplicated rlimit types MUST generate an error.
  std::set<std::string> seen;
  for (size_t i = 0; i < process.rlimits.size(); ++i) {
    if (!seen.insert(process.rlimits[i].type).second) {
      return bad_field(ptr_index(base + "/rlimits", i),
                       "duplicate rlimit type " + grove::q(process.rlimits[i].type));
    }
    // setrlimit(2) refuses it with EINVAL, but only once the process starts: say so at create.
    if (process.rlimits[i].soft > process.rlimits[i].hard) {
      return bad_field(ptr_index(base + "/rlimits", i) + "/soft",
                       "soft limit " + std::to_string(process.rlimits[i].soft) +
                           " exceeds the hard limit " + std::to_string(process.rlimits[i].hard));
    }
  }
  return grove::ok();
}

// (uid_t)-1 is "leave unchanged" to setresuid(2)/setresgid(2)/chown(2): a process "running as
// 4294967295" would keep the runtime's ids (root). More than NGROUPS_MAX (65536) supplementary
// groups make setgroups(2) fail only at start.
grove::Status check_user(const User& u, const std::string& base) {
  constexpr uint32_t kNoId = static_cast<uint32_t>(-1);
  constexpr size_t kNgroupsMax = 65536;
  if (u.uid == kNoId) return bad_field(base + "/user/uid", "4294967295 ((uid_t)-1) is not an id");
  if (u.gid == kNoId) return bad_field(base + "/user/gid", "4294967295 ((gid_t)-1) is not an id");
  for (size_t i = 0; i < u.additional_gids.size(); ++i) {
    if (u.additional_gids[i] == kNoId) {
      return bad_field(ptr_index(base + "/user/additionalGids", i),
                       "4294967295 ((gid_t)-1) is not an id");
    }
  }
  if (u.additional_gids.size() > kNgroupsMax) {
    return bad_field(base + "/user/additionalGids", std::to_string(u.additional_gids.size()) +
                                                        " groups, more than NGROUPS_MAX (65536)");
  }
  return grove::ok();
}

}  // namespace

// Defined in validate_more.cc.
grove::Status check_mounts(const Spec& spec);
grove::Status check_seccomp(const Seccomp& seccomp);
grove::Status check_resources(const Resources& resources);

grove::Status validate(const Spec& spec) {
  GROVE_TRY(check_uts(spec));
  if (spec.process) GROVE_TRY(check_rlimits(*spec.process, "/process"));
  if (spec.process) GROVE_TRY(check_user(spec.process->user, "/process"));
  GROVE_TRY(check_mounts(spec));
  if (!spec.linux) return grove::ok();
  GROVE_TRY(check_namespaces(*spec.linux));
  GROVE_TRY(check_user_ns(spec));
  GROVE_TRY(check_time_ns(spec));
  GROVE_TRY(check_sysctl(spec));
  if (spec.linux->seccomp) GROVE_TRY(check_seccomp(*spec.linux->seccomp));
  if (spec.linux->resources) GROVE_TRY(check_resources(*spec.linux->resources));
  return grove::ok();
}

}  // namespace oci
