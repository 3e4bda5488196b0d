#pragma once
// A container's cgroup from its spec: which directories (cgroup/manager.h), which limit writes
// (cgroup/resources.h) and which device rules (cgroup/devices.h, v1 files or a v2 BPF program),
// planned before anything exists on the host and set up by create; pause/resume/update/stats
// act on the directories recorded in the state.

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "libcontainer/base/result.h"
#include "libcontainer/base/unique_fd.h"
#include "libcontainer/cgroup/cgroup.h"
#include "libcontainer/cgroup/devices.h"
#include "libcontainer/cgroup/manager.h"
#include "libcontainer/container/state_store.h"
#include "libcontainer/plan/cgroup_mount.h"
#include "libcontainer/rdt/intel_rdt.h"
#include "libcontainer/sys/ops.h"
#include "oci/spec.h"

namespace grove::container {

struct CgroupSetup {
  cgroup::Layout layout;                       // the host's hierarchies (from mountinfo)
  cgroup::Dirs dirs;                           // empty: run without a cgroup
  oci::Resources resources;                    // linux.resources (validated by plan_cgroup)
  std::vector<cgroup::DeviceRule> device_rules;  // v1 devices.allow/deny or the v2 program
  bool device_program = false;                 // attach a BPF device program to dirs.unified
  bool rootless = false;                       // not root: no permission is a warning
};

// The cgroup recorded in a container's state (empty Dirs: it has none). Pure.
cgroup::Dirs recorded_cgroup(const ContainerRecord& rec);

// The Intel RDT groups recorded in a container's state (empty dir: none). Pure.
rdt::Group record_rdt_group(const ContainerRecord& rec);
// Records `g` in the container's state (the inverse of record_rdt_group). Pure.
void set_record_rdt_group(ContainerRecord& rec, const rdt::Group& g);

// Plans the cgroup of container `id`: linux.cgroupsPath (layout.h rules), the host layout, the
// limit writes for v1 or v2 and the device rules. Pure apart from reading /proc/self/mountinfo
// and /proc/self/cgroup. Errors: EINVAL/ENOTSUP naming the linux.resources or linux.cgroupsPath
// field; ENOTSUP when limits are asked for and no hierarchy is mounted.
[[nodiscard]] Result<CgroupSetup> plan_cgroup(sys::Ops& ops, const oci::Spec& spec,
                                              std::string_view id, bool rootless);

// What a "cgroup" mount of the container shows (plan/cgroup_mount.h), from the host `layout`
// and the container's `dirs`: on a hybrid or legacy host, one entry per v1 hierarchy (named after
// the basename of its host mount point, with a link per controller of a co-mounted "cpu,cpuacct")
// and, on a hybrid host, the cgroup2 directory under the basename of the cgroup2 mount point
// ("unified"); no entries when `dirs` is empty (no cgroup). nullopt on a pure v2 host (or with no
// hierarchy): the mount stays a fresh cgroup2 instance. Names that cannot be one path component
// or repeat an earlier one are left out. Pure.
// PlanOptions::cgroup2_fallback for a pure v2 host (else ""): the container's cgroup2 directory
// when it has a cgroup namespace and a directory, else the host's cgroup2 mount point.
std::string cgroup2_fallback(const cgroup::Layout& layout, const cgroup::Dirs& dirs,
                             bool cgroupns);

std::optional<plan::CgroupView> cgroup_mount_view(const cgroup::Layout& layout,
                                                  const cgroup::Dirs& dirs);

// Creates the directories and applies the limits (planned again with what the new directories
// show, as runc probes: current memory limit, CFQ/BFQ weight files) and device rules. Rootless without permission
// (EACCES/EPERM/EROFS on mkdir): the container runs without a cgroup, `setup.dirs` is cleared and
// one line goes to `warnings` (may be null). Otherwise errors carry the failing write; the
// caller removes the directories (cgroup::destroy) on failure.
[[nodiscard]] Status setup_cgroup(sys::Ops& ops, CgroupSetup& setup,
                                  std::vector<std::string>* warnings);

// ENOTSUP when the container has no cgroup (`dirs` empty: rootless without a delegated cgroup),
// which pause/resume/update/stats refuse.
[[nodiscard]] Status need_cgroup(const cgroup::Dirs& dirs);

// Writes new limits into a live container's cgroup (`grove update`): only the fields set in
// `resources`; device rules given there replace the device program (v2, attach-then-detach,
// never a moment without a filter) or are written to devices.allow/deny (v1) after the default
// rules. With memory.checkBeforeUpdate a limit at or below memory.current (v2) /
// memory.usage_in_bytes (v1) is refused with EBUSY before anything is written, as runc does.
// Errors: ENOTSUP (need_cgroup), as plan_cgroup, plus the failing write.
[[nodiscard]] Status update_cgroup(sys::Ops& ops, const cgroup::Dirs& dirs,
                                   const oci::Resources& resources);

// Statistics of the container's cgroup (cgroup/stats.h): v1 when the record has v1 directories.
[[nodiscard]] Result<cgroup::Stats> cgroup_stats(sys::Ops& ops, const cgroup::Dirs& dirs);

}  // namespace grove::container
