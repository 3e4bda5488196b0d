#pragma once
// linux.intelRdt over the kernel's resctrl filesystem, as runc does (libcontainer/intelrdt):
//   - resctrl is found in /proc/self/mountinfo (fstype "resctrl"); its info/ directory says what
//     the CPU and kernel offer: info/L3 (or L3CODE/L3DATA with CDP) = CAT (l3CacheSchema),
//     info/MB = MBA (memBwSchema), info/L3_MON = monitoring (enableMonitoring);
//   - the container's CLOS group is <resctrl>/<closID>, or <resctrl>/<container id> without a
//     closID; an existing group is reused (a closID names a group shared with others);
//   - the schemata file gets l3CacheSchema, memBwSchema, then each schemata[] line, in one
//     write; the init's pid goes to the group's tasks file (its children inherit the group);
//   - enableMonitoring (runtime-spec 1.3): a monitoring group <group>/mon_groups/<container id>
//     that the pid then moves into;
//   - delete removes the monitoring group and the CLOS group when grove created it (a
//     pre-existing group, e.g. one named by closID and managed by someone else, stays).
// Refusals use runc's strings (validator.go intelrdtCheck). The resctrl root is injectable
// (probe_root) so the logic runs against a fake tree in tests.

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "libcontainer/base/result.h"
#include "libcontainer/sys/ops.h"
#include "oci/spec.h"

namespace grove::rdt {

// What resctrl offers on this host.
struct Resctrl {
  std::string root;         // the resctrl mount point
  bool cat = false;         // L3 cache allocation (info/L3, info/L3CODE or info/L3DATA)
  bool mba = false;         // memory bandwidth allocation (info/MB)
  bool monitoring = false;  // monitoring groups (info/L3_MON)
};

// runc's refusal when resctrl is missing (engines and tests match it).
inline constexpr const char* kNotEnabled =
    "intelRdt is specified in config, but Intel RDT is not supported or enabled";

// The mount point of the first resctrl mount in `mountinfo` (/proc/self/mountinfo text; octal
// escapes such as \040 decoded); nullopt when there is none. Pure.
std::optional<std::string> find_resctrl_mount(std::string_view mountinfo);

// What the resctrl tree at `root` offers (fstatat of its info/ entries; missing = not offered).
// Never fails: an unreadable tree offers nothing.
Resctrl probe_root(sys::Ops& ops, const std::string& root);

// The host's resctrl: /proc/self/mountinfo, then probe_root. nullopt when resctrl is not
// mounted. Errors: reading mountinfo.
[[nodiscard]] Result<std::optional<Resctrl>> probe(sys::Ops& ops);

// runc's validation of linux.intelRdt against the host (nullopt: no resctrl). Pure. Errors
// (EINVAL): kNotEnabled; `invalid intelRdt.ClosID "x"` ("." "..", or a "/" in it);
// "intelRdt.l3CacheSchema is specified in config, but Intel RDT/CAT is not enabled",
// "intelRdt.memBwSchema is specified in config, but Intel RDT/MBA is not enabled",
// "intelRdt.enableMonitoring is specified in config, but Intel RDT monitoring is not enabled".
[[nodiscard]] Status check(const oci::IntelRdt& rdt, const std::optional<Resctrl>& host);

// The schemata file content: l3CacheSchema, memBwSchema, then schemata[], non-empty lines
// joined with '\n' ("" = nothing to write). Pure.
std::string schemata_text(const std::string& l3_cache_schema, const std::string& mem_bw_schema,
                          const std::vector<std::string>& schemata);

// The container's groups, as recorded in its state.
struct Group {
  std::string dir;         // <resctrl>/<closID or id>; "" = no intelRdt
  bool created = false;    // grove made `dir` (so delete removes it)
  std::string mon_dir;     // <dir>/mon_groups/<id> with enableMonitoring, else ""
};

// The groups `setup` will use, as recorded in the state before anything is made (so a create
// killed half-way leaves `delete --force` what to remove): dir, mon_dir with enableMonitoring,
// and created = true for the container's own group (named by its id: nobody else's) when it
// does not exist yet. A closID group is marked created only by `apply`, after its mkdir: a
// create killed in between leaves it behind, as runc always leaves closID groups. Pure apart
// from one fstatat.
Group plan_group(sys::Ops& ops, const oci::IntelRdt& rdt, const Resctrl& host,
                 std::string_view id);

// Makes (or reuses) the planned groups, writes the schemata and moves `pid` into them;
// `group.created` ends true exactly when this call made `dir` (a group found already there, e.g.
// made by a racing create, is not). On failure whatever this call made is removed. Errors: as
// setup.
[[nodiscard]] Status apply(sys::Ops& ops, const oci::IntelRdt& rdt, Group& group, pid_t pid);

// plan_group + apply: makes (or reuses) the CLOS group, writes the schemata, makes the
// monitoring group and moves `pid` into them. A closID group with nothing to write must exist
// already (runc: "clos dir not accessible (must be pre-created when l3CacheSchema and
// memBwSchema are empty)"). On failure whatever this call created is removed. Errors:
// mkdir/write errno with a `linux.intelRdt` frame naming the file (the kernel's EINVAL for a bad
// schema comes back so).
[[nodiscard]] Result<Group> setup(sys::Ops& ops, const oci::IntelRdt& rdt, const Resctrl& host,
                                  std::string_view id, pid_t pid);

// Moves `pid` into the groups (exec'd processes, runc's setns process): tasks of dir, then of
// mon_dir. Nothing for an empty group. Errors: the write errno.
[[nodiscard]] Status join(sys::Ops& ops, const Group& group, pid_t pid);

// `update --l3-cache-schema/--mem-bw-schema`: writes schemata_text(l3, mb, {}) to the group.
// Errors: EINVAL when the container has no group; the write errno.
[[nodiscard]] Status update_schemata(sys::Ops& ops, const Group& group, const std::string& l3,
                                     const std::string& mb);

// Removes the monitoring group and, when created, the CLOS group (rmdir; ENOENT ignored). The
// kernel moves any remaining tasks to the parent group. Errors: rmdir errno.
[[nodiscard]] Status remove(sys::Ops& ops, const Group& group);

}  // namespace grove::rdt
