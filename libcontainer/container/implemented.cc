#include "libcontainer/container/implemented.h"

#include <string>

namespace grove::container {
namespace {

Status missing(const std::string& field) {
  return Error::not_supported(field + ": not implemented yet");
}

bool any_hooks(const oci::Hooks& h) {
  return !h.prestart.empty() || !h.create_runtime.empty() || !h.create_container.empty() ||
         !h.start_container.empty() || !h.poststart.empty() || !h.poststop.empty();
}

// Resource limits need the cgroup managers (#6); device rules are handled as documented above.
Status check_resources(const oci::Resources& r) {
  if (r.memory) return missing("linux.resources.memory");
  if (r.cpu) return missing("linux.resources.cpu");
  if (r.pids) return missing("linux.resources.pids");
  if (r.block_io) return missing("linux.resources.blockIO");
  if (!r.hugepage_limits.empty()) return missing("linux.resources.hugepageLimits");
  if (r.network) return missing("linux.resources.network");
  if (!r.rdma.empty()) return missing("linux.resources.rdma");
  if (!r.unified.empty()) return missing("linux.resources.unified");
  return ok();
}

Status check_process(const oci::Process& p, const sys::Features& features) {
  if (!p.apparmor_profile.empty()) return missing("process.apparmorProfile");
  if (!p.selinux_label.empty() && features.selinux) return missing("process.selinuxLabel");
  if (p.oom_score_adj) return missing("process.oomScoreAdj");
  if (p.scheduler) return missing("process.scheduler");
  if (p.io_priority) return missing("process.ioPriority");
  if (p.exec_cpu_affinity) return missing("process.execCPUAffinity");
  return ok();
}

Status check_linux(const oci::Linux& l) {
  if (!l.sysctl.empty()) return missing("linux.sysctl");
  if (!l.time_offsets.empty()) return missing("linux.timeOffsets");
  if (l.intel_rdt) return missing("linux.intelRdt");
  if (!l.net_devices.empty()) return missing("linux.netDevices");
  if (l.memory_policy) return missing("linux.memoryPolicy");
  if (l.personality) return missing("linux.personality");
  if (l.resources && !kImplementsCgroups) return check_resources(*l.resources);
  return ok();
}

}  // namespace

Status check_implemented(const oci::Spec& spec, const sys::Features& features) {
  if (any_hooks(spec.hooks) && !kImplementsHooks) return missing("hooks");
  if (spec.process) GROVE_TRY(check_process(*spec.process, features));
  if (spec.linux) GROVE_TRY(check_linux(*spec.linux));
  return ok();
}

}  // namespace grove::container
