#pragma once
// Internal to the mount planner: planning of one `mounts[]` entry (spec_mount.cc).

#include <vector>

#include "libcontainer/base/result.h"
#include "libcontainer/plan/mount_plan.h"

namespace grove::plan {

// What planning one spec mount needs besides the mount itself.
struct SpecMountContext {
  const sys::Features& features;
  const PlanOptions& options;
  const oci::Spec& spec;  // linux.uidMappings/gidMappings (idmap defaults), linux.mountLabel
};

// Appends the ops for one OCI mount (the mount, then its propagation). Errors: EINVAL for a bad
// destination, type or option (tmpcopyup on anything but tmpfs); ENOTSUP for idmap without
// kernel support.
[[nodiscard]] Status plan_spec_mount(const oci::Mount& m, const SpecMountContext& ctx,
                                     std::vector<MountOp>* ops);

}  // namespace grove::plan
