#pragma once
// Internal to the mount planner: planning of one `mounts[]` entry (spec_mount.cc).

#include <string>
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

// Appends the ops of a "cgroup" mount at `target` (clean) shown as options.cgroup_view
// (cgroup_mount.h): tmpfs, binds, symlinks, read-only last when `o` says ro, then propagation.
// Errors: EINVAL for a view entry with a bad name, link or host directory, or duplicate names.
[[nodiscard]] Status plan_cgroup_view(const std::string& target, const MountOptions& o,
                                      const SpecMountContext& ctx, std::vector<MountOp>* ops);

}  // namespace grove::plan
