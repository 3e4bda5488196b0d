// Builds the runtime-spec features document from probed kernel features and grove's own tables.

#include "libcontainer/container/features.h"

#include <seccomp.h>

#include <algorithm>
#include <cctype>
#include <string>
#include <utility>
#include <vector>

#include "grove/version.h"
#include "libcontainer/container/implemented.h"
#include "libcontainer/plan/mount_options.h"
#include "libcontainer/plan/mount_plan.h"
#include "oci/default_spec.h"
#include "oci/enums.h"
#include "oci/spec.h"

namespace grove::container {
namespace {

// Every probe, under the name it has in the annotations. Keep in step with sys::Features.
constexpr std::pair<std::string_view, sys::Probe sys::Features::*> kProbes[] = {
    {"new-mount-api", &sys::Features::new_mount_api},
    {"mount-setattr", &sys::Features::mount_setattr},
    {"open-tree-namespace", &sys::Features::open_tree_namespace},
    {"fsmount-namespace", &sys::Features::fsmount_namespace},
    {"nullfs-root", &sys::Features::nullfs_root},
    {"statmount", &sys::Features::statmount},
    {"idmapped-mounts", &sys::Features::idmapped_mounts},
    {"openat2", &sys::Features::openat2},
    {"clone3", &sys::Features::clone3},
    {"clone-into-cgroup", &sys::Features::clone_into_cgroup},
    {"pidfd", &sys::Features::pidfd},
    {"time-ns", &sys::Features::time_ns},
    {"user-ns", &sys::Features::user_ns},
    {"overlay", &sys::Features::overlay},
    {"erofs", &sys::Features::erofs},
    {"erofs-file-backed", &sys::Features::erofs_file_backed},
    {"erofs-inode-share", &sys::Features::erofs_inode_share},
    {"selinux", &sys::Features::selinux},
    {"apparmor", &sys::Features::apparmor},
    {"seccomp", &sys::Features::seccomp},
    {"seccomp-notify", &sys::Features::seccomp_notify},
    {"landlock", &sys::Features::landlock},
};

std::string probe_value(const sys::Probe& p) {
  if (p.ok) return "true";
  return "false: " + (p.reason.empty() ? std::string("no reason recorded") : p.reason);
}

std::vector<std::string> mount_options(const sys::Features& f) {
  std::vector<std::string> out;
  for (std::string_view name : plan::known_mount_option_names()) {
    const plan::MountOptionDef* def = plan::find_mount_option(name);
    if (def == nullptr) continue;
    // Recursive attributes need mount_setattr(AT_RECURSIVE); idmap needs MOUNT_ATTR_IDMAP.
    if (def->kind == plan::OptionKind::kRecAttr && !f.mount_setattr) continue;
    if (def->kind == plan::OptionKind::kIdmap && !f.idmapped_mounts) continue;
    out.emplace_back(name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> namespaces(const sys::Features& f) {
  std::vector<std::string> out = {"cgroup", "ipc", "mount", "network", "pid", "uts"};
  if (f.user_ns) out.emplace_back("user");
  if (f.time_ns) out.emplace_back("time");
  std::sort(out.begin(), out.end());
  return out;
}

oci::FeaturesCgroup cgroup(const sys::Features& f) {
  oci::FeaturesCgroup c;
  // On a hybrid host the v2 hierarchy has no controllers: grove manages resources through v1.
  c.v1 = f.cgroup_layout == sys::CgroupLayout::kHybrid ||
         f.cgroup_layout == sys::CgroupLayout::kLegacy;
  c.v2 = f.cgroup_layout == sys::CgroupLayout::kUnified;
  c.systemd = false;  // no systemd cgroup driver yet
  c.systemd_user = false;
  c.rdma = false;
  return c;
}

// SCMP_ARCH_X86_64 -> "x86_64", the name seccomp_arch_resolve_name() takes.
bool libseccomp_knows_arch(std::string_view scmp_name) {
  std::string name(scmp_name.substr(std::string_view("SCMP_ARCH_").size()));
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return seccomp_arch_resolve_name(name.c_str()) != 0;
}

oci::FeaturesSeccomp seccomp(const sys::Features& f) {
  oci::FeaturesSeccomp s;
  s.enabled = f.seccomp.ok && kImplementsSeccomp;
  if (!f.seccomp) return s;
  // The probe has no per-action bits; a kernel with user notification (5.0) also has
  // KILL_PROCESS and LOG (4.14), so those three follow seccomp_notify.
  for (std::string_view a : oci::kSeccompActions) {
    bool needs_new_kernel =
        a == "SCMP_ACT_NOTIFY" || a == "SCMP_ACT_KILL_PROCESS" || a == "SCMP_ACT_LOG";
    if (needs_new_kernel && !f.seccomp_notify) continue;
    s.actions.emplace_back(a);
  }
  for (std::string_view op : oci::kSeccompOperators) s.operators.emplace_back(op);
  for (std::string_view arch : oci::kSeccompArchs) {
    if (libseccomp_knows_arch(arch)) s.archs.emplace_back(arch);
  }
  for (std::string_view flag : oci::kSeccompFlags) s.known_flags.emplace_back(flag);
  // TSYNC (3.17), LOG (4.14) and SPEC_ALLOW (4.17) all predate seccomp_notify (5.0).
  // WAIT_KILLABLE_RECV: grove passes it to seccomp(2) itself (no libseccomp 2.6 needed), but it
  // needs Linux 5.19, which is not probed yet: known, not advertised as supported.
  if (f.seccomp_notify) {
    s.supported_flags = {"SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
                         "SECCOMP_FILTER_FLAG_TSYNC"};
  }
  std::sort(s.actions.begin(), s.actions.end());
  std::sort(s.operators.begin(), s.operators.end());
  std::sort(s.archs.begin(), s.archs.end());
  return s;
}

std::map<std::string, std::string> annotations(const sys::Features& f) {
  std::map<std::string, std::string> a;
  for (const auto& [name, member] : kProbes)
    a["run.grove.probe." + std::string(name)] = probe_value(f.*member);
  a["run.grove.probe.cgroup-layout"] = sys::to_string(f.cgroup_layout);
  a["run.grove.mount-strategy"] = std::string(default_mount_strategy(f));
  // Image roots (image/root_spec.h): what this host would do with the three annotations.
  if (!f.erofs || !f.overlay) {
    a["run.grove.rootfs.images"] = "unsupported: " + (f.erofs ? f.overlay.reason : f.erofs.reason);
  } else {
    a["run.grove.rootfs.images"] = f.erofs_file_backed ? "file-backed" : "loop";
  }
  a["run.grove.rootfs.upper"] = "tmpfs|none|DIR";
  a["run.grove.image.domain"] =
      f.erofs_inode_share ? "inode_share" : "ignored: " + f.erofs_inode_share.reason;
  a["run.grove.version"] = kVersion;
  a["run.grove.commit"] = kCommit;
  const scmp_version* v = seccomp_version();
  if (v != nullptr) {
    a["io.github.seccomp.libseccomp.version"] =
        std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->micro);
  }
  return a;
}

oci::FeaturesLinux linux_section(const sys::Features& f,
                                  const std::optional<rdt::Resctrl>& resctrl) {
  oci::FeaturesLinux l;
  l.namespaces = namespaces(f);
  for (std::string_view cap : oci::kCapabilities) l.capabilities.emplace_back(cap);
  l.cgroup = cgroup(f);
  l.seccomp = seccomp(f);
  l.apparmor = oci::FeaturesEnabled{f.apparmor.ok};
  l.selinux = oci::FeaturesEnabled{f.selinux.ok};
  // Enabled as found on this host, like apparmor and selinux above (runc reports its support).
  if (resctrl) {
    l.intel_rdt = oci::FeaturesIntelRdt{true, true, resctrl->monitoring};
  } else {
    l.intel_rdt = oci::FeaturesIntelRdt{false, std::nullopt, std::nullopt};
  }
  l.mount_extensions = oci::FeaturesMountExtensions{oci::FeaturesEnabled{f.idmapped_mounts.ok}};
  l.net_devices = oci::FeaturesEnabled{true};  // net/net_devices.h
  oci::FeaturesMemoryPolicy mpol;  // applied by set_mempolicy in the init (process/proc_settings)
  for (std::string_view m : oci::kMemoryPolicyModes) mpol.modes.emplace_back(m);
  for (std::string_view f : oci::kMemoryPolicyFlags) mpol.flags.emplace_back(f);
  l.memory_policy = std::move(mpol);
  return l;
}

}  // namespace

std::string_view default_mount_strategy(const sys::Features& features) {
  // The planner's own rule, applied to the default spec, so the two can never disagree.
  auto choice = plan::choose_strategy(oci::default_spec(false), features, plan::PlanOptions{});
  return plan::to_string(choice ? choice->strategy : plan::Strategy::kPivot);
}

oci::Features features_document(const sys::Features& features,
                                const std::optional<rdt::Resctrl>& resctrl) {
  oci::Features doc;
  doc.oci_version_min = "1.0.0";
  doc.oci_version_max = std::string(oci::kSpecVersion);
  if (kImplementsHooks) {
    for (std::string_view hook : oci::kHookNames) doc.hooks.emplace_back(hook);
  }
  doc.mount_options = mount_options(features);
  doc.linux = linux_section(features, resctrl);
  doc.annotations = annotations(features);
  doc.potentially_unsafe_config_annotations = {"run.grove."};
  return doc;
}

}  // namespace grove::container
