#pragma once
// The runtime-spec v1.3.0 `features` document (features.md, features-linux.md), printed by
// `grove features`. This file is the type and its serializer only; the values come from
// sys::probe() and the runtime's tables (another layer fills them in).
// Every optional that is unset, and every empty list/map, is omitted from the output, as in
// specs-go/features (omitempty): "absent" means "unknown", which differs from false.

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace oci {

struct FeaturesCgroup {
  std::optional<bool> v1;
  std::optional<bool> v2;
  std::optional<bool> systemd;
  std::optional<bool> systemd_user;  // "systemdUser"
  std::optional<bool> rdma;
  bool operator==(const FeaturesCgroup&) const = default;
};

struct FeaturesSeccomp {
  std::optional<bool> enabled;
  std::vector<std::string> actions;          // SCMP_ACT_*
  std::vector<std::string> operators;        // SCMP_CMP_*
  std::vector<std::string> archs;            // SCMP_ARCH_*
  std::vector<std::string> known_flags;      // SECCOMP_FILTER_FLAG_* grove knows
  std::vector<std::string> supported_flags;  // ... that this kernel + libseccomp support
  bool operator==(const FeaturesSeccomp&) const = default;
};

struct FeaturesEnabled {  // apparmor, selinux, mountExtensions.idmap, netDevices
  std::optional<bool> enabled;
  bool operator==(const FeaturesEnabled&) const = default;
};

struct FeaturesIntelRdt {
  std::optional<bool> enabled;
  std::optional<bool> schemata;
  std::optional<bool> monitoring;
  bool operator==(const FeaturesIntelRdt&) const = default;
};

struct FeaturesMemoryPolicy {
  std::vector<std::string> modes;  // MPOL_*
  std::vector<std::string> flags;  // MPOL_F_*
  bool operator==(const FeaturesMemoryPolicy&) const = default;
};

struct FeaturesMountExtensions {
  std::optional<FeaturesEnabled> idmap;
  bool operator==(const FeaturesMountExtensions&) const = default;
};

struct FeaturesLinux {
  std::vector<std::string> namespaces;    // "pid", "network", ...
  std::vector<std::string> capabilities;  // "CAP_*"
  std::optional<FeaturesCgroup> cgroup;
  std::optional<FeaturesSeccomp> seccomp;
  std::optional<FeaturesEnabled> apparmor;
  std::optional<FeaturesEnabled> selinux;
  std::optional<FeaturesIntelRdt> intel_rdt;  // "intelRdt"
  std::optional<FeaturesMemoryPolicy> memory_policy;
  std::optional<FeaturesMountExtensions> mount_extensions;
  std::optional<FeaturesEnabled> net_devices;
  bool operator==(const FeaturesLinux&) const = default;
};

struct Features {
  std::string oci_version_min;             // "ociVersionMin", e.g. "1.0.0"
  std::string oci_version_max;             // "ociVersionMax", e.g. "1.3.0"
  std::vector<std::string> hooks;          // kHookNames spelling
  std::vector<std::string> mount_options;  // every option string the runtime recognizes
  std::optional<FeaturesLinux> linux;
  std::map<std::string, std::string> annotations;  // e.g. "run.oci.*" / "io.github.*" info
  std::vector<std::string> potentially_unsafe_config_annotations;
  bool operator==(const Features&) const = default;
};

// The features document as JSON (keys sorted; unset/empty members omitted).
nlohmann::json to_json(const Features& features);
// to_json() with 2-space indentation and a trailing newline (runc prints it indented too).
// Pure; never fails.
std::string to_json_string(const Features& features);

}  // namespace oci
