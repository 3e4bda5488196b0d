#pragma once
// sys::probe(): what this kernel and process can do, as a sys::Features value (features.h).
// Every probe goes through the injected sys::Ops, so FakeOps can drive both sides of each
// fallback (SELinux included: libselinux's is_selinux_enabled() rule, through `ops`).
//
// Cost and side effects: the probe only makes syscalls designed to fail cheaply or to open and
// close an fd (no mount, no namespace, no process is created; see probe.cc for each trick), plus
// a handful of small /proc and /sys reads. Measured on the 6.18 dev VM: see
// tests/priv/sys_probe_priv_test.cc (printed, typically well under 1 ms). Thread-safe if `ops`
// is; call once per process and pass the value down.

#include <string>

#include "libcontainer/sys/features.h"
#include "libcontainer/sys/ops.h"

namespace grove::sys {

// Fills every field of Features. A false Probe always carries the reason (the failing call and
// errno, or the version/config that is missing). Never fails as a whole.
Features probe(Ops& ops);

// Cgroup layout from the filesystem types at /sys/fs/cgroup and /sys/fs/cgroup/unified:
// cgroup2 at the top -> kUnified; tmpfs at the top with cgroup2 at unified/ -> kHybrid; tmpfs
// without it -> kLegacy; nothing mounted -> kNone. `detail` (optional) describes where v2 lives.
CgroupLayout probe_cgroup_layout(Ops& ops, std::string* detail);

// The selinuxfs mount point and its statfs magic (SELINUX_MAGIC, <linux/magic.h>), the policy
// configuration libselinux requires, and the attribute setexeccon() writes.
inline constexpr const char* kSelinuxFs = "/sys/fs/selinux";
inline constexpr long kSelinuxMagic = 0xf97cff8c;
inline constexpr const char* kSelinuxConfig = "/etc/selinux/config";
inline constexpr const char* kSelinuxExecAttr = "/proc/thread-self/attr/exec";

// The pieces of the SELinux availability decision, gathered by probe_selinux() or by a test.
struct SelinuxProbeInputs {
  bool selinuxfs_mounted = false;  // statfs(kSelinuxFs): f_type kSelinuxMagic, not ST_RDONLY
  std::string selinuxfs_detail;    // why not (statfs error, the f_type found, read-only)
  bool config_exists = false;      // fstatat(kSelinuxConfig) succeeded
  std::string config_detail;       // why not (the fstatat error)
  bool exec_attr_exists = false;   // fstatat(kSelinuxExecAttr) succeeded
  std::string exec_attr_detail;    // why not (the fstatat error)
};

// Pure: SELinux counts as enabled only when all three hold (the first two are libselinux's
// is_selinux_enabled() rule). The false reason names the first missing piece
// ("/sys/fs/selinux not mounted: ...", "/etc/selinux/config missing: ...",
// "/proc/thread-self/attr/exec missing: ..."). Never fails.
Probe evaluate_selinux(const SelinuxProbeInputs& in);

// Gathers SelinuxProbeInputs through `ops` (one statfs and two fstatat; nothing is written),
// then evaluate_selinux(). Links no libselinux. Thread-safe if `ops` is.
Probe probe_selinux(sys::Ops& ops);

}  // namespace grove::sys
