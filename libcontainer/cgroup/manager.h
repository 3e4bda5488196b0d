#pragma once
// The cgroupfs manager: a container's cgroup directories and everything done to them (create,
// place a process, write limits, freeze/thaw, signal everything, list, stats, remove). One code
// path for the three host layouts (layout.h): the directories a container has are recorded as a
// `Dirs` value in its state, so later verbs act on exactly what create made.
//
// Thread/fork safety: plain syscalls through sys::Ops, no globals; callable between clone and
// exec only for enter() (it allocates).

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

#include "libcontainer/base/result.h"
#include "libcontainer/base/unique_fd.h"
#include "libcontainer/cgroup/cgroup.h"
#include "libcontainer/cgroup/layout.h"
#include "libcontainer/sys/ops.h"

namespace grove::cgroup {

// A container's cgroup. `unified`: its cgroup2 directory ("" = none). `v1`: controller ->
// directory in the hierarchy carrying it (co-mounted controllers share one directory; named
// hierarchies appear as "name=systemd"). Limits go to v1 whenever `v1` is non-empty.
struct Dirs {
  std::string path;  // the cgroup path inside each hierarchy (container_path()), for messages
  std::string unified;
  std::map<std::string, std::string> v1;
  bool empty() const { return unified.empty() && v1.empty(); }
  bool operator==(const Dirs&) const = default;
  // Every distinct directory, unified first.
  std::vector<std::string> all() const;
};

// The directories of `path` (container_path()) on a host laid out as `layout`, where this
// process's own cgroups are `own` (parse_proc_cgroup(); used for relative paths). Pure.
// Errors: ENOTSUP "no cgroup hierarchy is mounted" for Mode::kNone.
[[nodiscard]] Result<Dirs> plan_dirs(const Layout& layout,
                                     const std::map<std::string, std::string>& own,
                                     const std::string& path);

// Reads /proc/self/mountinfo and /proc/self/cgroup and plans the directories of `path`.
[[nodiscard]] Result<Dirs> detect_dirs(sys::Ops& ops, const std::string& path);

// The host's hierarchies from /proc/self/mountinfo (parse_layout). Errors: read errno, EINVAL.
[[nodiscard]] Result<Layout> detect_layout(sys::Ops& ops);
// detect_dirs on an already read `layout` (/proc/self/cgroup is read for relative paths only).
[[nodiscard]] Result<Dirs> detect_dirs(sys::Ops& ops, const Layout& layout,
                                       const std::string& path);

// Creates every directory with its missing parents (mode 0755). On a pure v2 host the
// controllers available at the root are enabled in each ancestor's cgroup.subtree_control (runc's
// fs2 CreateCgroupPath); in a v1 cpuset hierarchy each new level inherits its parent's
// cpuset.cpus/mems (a v1 cpuset cgroup with empty sets refuses tasks). Existing directories are
// reused. Errors: mkdir/write errno with the directory in a frame.
[[nodiscard]] Status create(sys::Ops& ops, const Dirs& dirs);

// An fd of the cgroup2 directory for clone3(CLONE_INTO_CGROUP) (O_DIRECTORY|O_CLOEXEC); an
// empty fd when there is none.
[[nodiscard]] Result<UniqueFd> open_unified(sys::Ops& ops, const Dirs& dirs);

// Moves `pid` into every directory (writes cgroup.procs), the unified one unless
// `skip_unified` (already there through CLONE_INTO_CGROUP). Errors: write errno with a frame.
[[nodiscard]] Status enter(sys::Ops& ops, const Dirs& dirs, pid_t pid, bool skip_unified);

// Writes a plan (resources.h / devices.h) in order. A write for a v1 controller with no
// mounted hierarchy fails with ENOTSUP naming the controller; a missing file (ENOENT: the
// kernel lacks the knob) fails naming the file. Errors carry describe(write).
[[nodiscard]] Status apply(sys::Ops& ops, const Dirs& dirs, const std::vector<Write>& writes);

// Freezes (true) or thaws every process: v1 freezer when mounted, else cgroup.freeze, waiting
// until the kernel reports the new state. A freeze that does not complete in ~2 s is undone
// (thawed) and fails with EBUSY: no error path leaves the cgroup frozen.
[[nodiscard]] Status freeze(sys::Ops& ops, const Dirs& dirs, bool frozen);
// Whether the cgroup is frozen (freezer.state FROZEN/FREEZING or cgroup.freeze 1).
[[nodiscard]] Result<bool> is_frozen(sys::Ops& ops, const Dirs& dirs);

// The pids in the cgroup (host pid namespace view), from cgroup.procs. ENOENT when removed.
[[nodiscard]] Result<std::vector<pid_t>> pids(sys::Ops& ops, const Dirs& dirs);

// Sends `sig` to every process in the cgroup: SIGKILL through cgroup.kill when the kernel has it
// (5.14); otherwise freeze, signal each pid, thaw, so no process forks past the signal.
[[nodiscard]] Status kill_all(sys::Ops& ops, const Dirs& dirs, int sig);

// Removes every directory (rmdir; ENOENT is success), retrying EBUSY for ~1 s while exiting
// processes leave. Errors: EBUSY with the directory when processes remain.
[[nodiscard]] Status destroy(sys::Ops& ops, const Dirs& dirs);

// A FileReader over the container's directories (stats.h).
FileReader reader(sys::Ops& ops, const Dirs& dirs);

// Dirs <-> the state record's map {"": unified dir, "<controller>": v1 dir}; the path is
// recorded beside it.
std::map<std::string, std::string> to_record(const Dirs& dirs);
Dirs from_record(const std::string& path, const std::map<std::string, std::string>& rec);

}  // namespace grove::cgroup
