#pragma once
// What of the runtime-spec grove applies today. One place answers it for both `grove features`
// (which must advertise only what is real) and `create` (which must refuse, never silently
// skip, a config field it cannot honour). Flip a flag in the change that implements the feature.

#include "libcontainer/base/result.h"
#include "libcontainer/sys/features.h"
#include "oci/spec.h"

namespace grove::container {

inline constexpr bool kImplementsHooks = true;      // container/hooks.h
inline constexpr bool kImplementsSeccomp = true;    // linux.seccomp (security/seccomp.h) #4

// Fails with ENOTSUP naming the first config field that is set but not applied yet
// (`linux.seccomp: not implemented yet`). Fields that are no-ops by the spec's own rules pass:
// linux.resources.devices (grove's /dev holds only the default and listed devices, and the
// default capability set has no CAP_MKNOD; the device cgroup itself comes with #6). The
// process.* and linux settings applied by process/proc_settings.h pass here; their value checks
// (and the AppArmor/SELinux availability rules, hence `features`) are in plan_proc_settings().
[[nodiscard]] Status check_implemented(const oci::Spec& spec, const sys::Features& features);

}  // namespace grove::container
