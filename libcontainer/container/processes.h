#pragma once
// The processes of a container, for `grove ps`: its cgroup's cgroup.procs, as runc lists them.
// Without a cgroup (rootless without delegation) the container is:
//   - its own pid namespace: every process whose /proc/<pid>/ns/pid is the init's;
//   - a shared pid namespace: the init and its descendants (ppid chains in /proc/<pid>/stat).
// Exec'd processes of a shared-pid-namespace container are children of the runtime that
// started them, not of the init, so they are missing from that second list.
// Pure selection over a /proc snapshot (tests pass values) plus one provider that reads /proc.

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

#include "libcontainer/base/result.h"
#include "libcontainer/sys/ops.h"

namespace grove::container {

// One /proc entry: its pid, parent pid and pid-namespace link ("pid:[4026531836]"; "" when it
// could not be read).
struct ProcEntry {
  pid_t pid = 0;
  pid_t ppid = 0;
  std::string pid_ns;
};

// Field 4 (ppid) of a /proc/<pid>/stat line; comm may hold spaces and ')' so parsing starts
// after the last ')'. Errors: EINVAL "malformed /proc/<pid>/stat".
[[nodiscard]] Result<pid_t> parse_stat_ppid(std::string_view text);

// The container's pids among `procs`, ascending (see the header comment for the rule). An init
// missing from `procs` (exited) gives an empty list. Pure.
std::vector<pid_t> select_container_pids(pid_t init, bool own_pid_ns,
                                         const std::vector<ProcEntry>& procs);

// Reads every numeric /proc entry's stat and ns/pid through `ops`; processes that vanish while
// reading are skipped. Errors: listing /proc.
[[nodiscard]] Result<std::vector<ProcEntry>> read_proc_entries(sys::Ops& ops);

// The pids of container `id`, ascending; empty when it is stopped. Errors, under a
// `ps container "x"` frame: ENOENT does not exist; cgroup.procs read errors; read_proc_entries's.
[[nodiscard]] Result<std::vector<pid_t>> processes(sys::Ops& ops, const std::string& root,
                                                   std::string_view id);

// runc's `ps --format json`: a JSON array of pids and a newline ("[1,2]\n"; Go's encoder);
// "null\n" when empty (a nil Go slice, as runc prints for a stopped container).
std::string pids_json(const std::vector<pid_t>& pids);

// runc's table mode: the header line of `ps` output is kept, every other non-empty line is kept
// when the number in the PID column is one of `pids`. Errors: EINVAL "couldn't find PID field
// in ps output", "unable to parse pid: "x"" (runc's strings).
[[nodiscard]] Result<std::string> filter_ps_output(std::string_view output,
                                                   const std::vector<pid_t>& pids);

}  // namespace grove::container
