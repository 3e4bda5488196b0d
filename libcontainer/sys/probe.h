#pragma once
// sys::probe(): what this kernel and process can do, as a sys::Features value (features.h).
// Every probe goes through the injected sys::Ops, so FakeOps can drive both sides of each
// fallback; only SELinux asks libselinux directly (is_selinux_enabled()).
//
// Cost and side effects: the probe only makes syscalls designed to fail cheaply or to open and
// close an fd (no mount, no namespace, no process is created; see probe.cc for each trick), plus
// a handful of small /proc and /sys reads. Measured on the 6.18 dev VM: see
// tests/priv/sys_probe_priv_test.cc (printed, typically well under 1 ms). Thread-safe if `ops`
// is; call once per process and pass the value down.

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

}  // namespace grove::sys
