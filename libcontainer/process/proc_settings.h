#pragma once
// Process and linux settings beyond ids/caps/rlimits (#4): process.oomScoreAdj, scheduler,
// ioPriority, execCPUAffinity, apparmorProfile, selinuxLabel and linux.personality,
// memoryPolicy, sysctl, timeOffsets. plan_proc_settings() turns the spec into kernel values
// (pure: every bad value fails here, in the parent, before any process exists); the apply_*
// functions run in the container init (single-threaded, between clone and execve) in runc's
// order, see apply_init_settings().

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "libcontainer/base/result.h"
#include "libcontainer/sys/features.h"
#include "libcontainer/sys/ops.h"
#include "oci/spec.h"

namespace grove::process {

// set_mempolicy(2) arguments for linux.memoryPolicy.
struct MemPolicy {
  int mode = 0;                         // MPOL_* | MPOL_F_* flags
  std::vector<unsigned long> nodemask;  // bit words; empty for MPOL_DEFAULT/MPOL_LOCAL
  unsigned long maxnode = 0;            // bits the kernel reads (highest node + 1, at least 1)
  bool operator==(const MemPolicy&) const = default;
};

// One linux.sysctl entry: `key` as written in the spec, `path` relative to /proc/sys.
struct Sysctl {
  std::string key;
  std::string path;
  std::string value;
  bool operator==(const Sysctl&) const = default;
};

// Everything the init applies, planned by the parent. Empty/nullopt fields are not applied.
struct ProcSettings {
  std::optional<int> oom_score_adj;
  std::optional<sys::SchedAttr> scheduler;
  std::optional<int> ioprio;                 // IOPRIO_PRIO_VALUE(class, priority)
  std::optional<unsigned long> personality;  // persona for personality(2)
  std::optional<MemPolicy> memory_policy;
  std::vector<Sysctl> sysctls;   // in the spec's (sorted key) order
  std::string apparmor_profile;  // "exec <profile>" is written when non-empty
  std::string selinux_label;     // set only when SELinux is enabled
  std::string timens_offsets;    // /proc/self/timens_offsets text; "" = none
};

// Parses a cpu list ("0-3,7", whitespace around entries allowed) into sorted unique cpu numbers.
// Errors: EINVAL naming the bad entry (empty list, reversed range, cpu >= 8192).
[[nodiscard]] Result<std::vector<int>> parse_cpu_list(std::string_view list);

// The path under /proc/sys for a sysctl key, following sysctl(8) and runc: "net.ipv4.ip_forward"
// -> "net/ipv4/ip_forward"; a key whose first separator is '/' is already a path, and then '.'
// stays (interface names: "net/ipv4/conf/eth0.100/rp_filter"). Errors: EINVAL for an empty key,
// empty components, "." or ".." components.
[[nodiscard]] Result<std::string> sysctl_path(std::string_view key);

// The /proc/self/timens_offsets text for linux.timeOffsets ("monotonic 5 0\n..."), "" when none.
// Errors: EINVAL for an unknown clock or nanosecs >= 1e9.
[[nodiscard]] Result<std::string> timens_offsets_text(
    const std::map<std::string, oci::TimeOffset>& offsets);

// Maps and checks every field (runc's validator rules: nice in [-20,19] for OTHER/BATCH,
// priority only for FIFO/RR, runtime/deadline/period only for DEADLINE; ioprio priority 0..7;
// memory-policy node counts per mode). `features` decides apparmor/selinux: an apparmor profile
// on a host without AppArmor is ENOTSUP; an SELinux label with SELinux disabled is dropped (a
// no-op the caller may log). Errors name the field: `process.scheduler: ...`.
[[nodiscard]] Result<ProcSettings> plan_proc_settings(const oci::Spec& spec,
                                                      const sys::Features& features);

// Settings applied in the init after the rootfs and hostname, in runc's order (standard_init):
// apparmor exec profile, sysctls, scheduler, io priority, personality, memory policy. Errors:
// the failing call with a field frame (`linux.sysctl "net.ipv4.ip_forward"`).
[[nodiscard]] Status apply_init_settings(sys::Ops& ops, const ProcSettings& s);

// The SELinux exec label, set right before execve (runc: after `ready`, before the user change).
// No-op when s.selinux_label is empty. Errors: write errno with a `process.selinuxLabel` frame.
[[nodiscard]] Status apply_exec_label(sys::Ops& ops, const ProcSettings& s);

// Parent side, after clone: writes s.oom_score_adj to /proc/<pid>/oom_score_adj. runc writes
// it before the init enters its namespaces (nsexec stage 0) so a value below the runtime's own
// can be set even with a user namespace; the parent is the equivalent point here. No-op when
// unset. Errors: write errno with a `process.oomScoreAdj` frame.
[[nodiscard]] Status apply_oom_score_adj(sys::Ops& ops, pid_t pid, const ProcSettings& s);

// process.execCPUAffinity for a process started with `grove exec` (the runtime-spec: "not
// applicable to the container's init process"): sched_setaffinity(pid, cpus of `list`).
// No-op for an empty list. Errors: EINVAL for a bad list; sched_setaffinity errno.
[[nodiscard]] Status apply_cpu_affinity(sys::Ops& ops, pid_t pid, const std::string& list);

}  // namespace grove::process
