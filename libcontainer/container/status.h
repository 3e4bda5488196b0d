#pragma once
// Container status derivation: what `grove state` reports, computed from the stored record and
// the live init process (/proc/<pid>/stat), never trusted from disk alone. Pure functions plus
// one provider (read_proc_stat) so tests feed strings.

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string_view>

#include "libcontainer/base/result.h"
#include "libcontainer/container/state_store.h"
#include "libcontainer/sys/ops.h"

namespace grove::container {

// The OCI statuses (podman rejects anything else).
enum class RunState { kCreating, kCreated, kRunning, kStopped, kPaused };

// "creating", "created", "running", "stopped", "paused".
const char* to_string(RunState state) noexcept;

// The two fields of /proc/<pid>/stat grove needs.
struct ProcStat {
  char state = '?';         // field 3: R S D Z X T t ...
  uint64_t start_time = 0;  // field 22: clock ticks after boot; identifies the process
  uint64_t flags = 0;       // field 9: the thread-group leader's PF_* task flags
};

// PF_EXITING (include/linux/sched.h): the task is inside do_exit and never runs user code again.
inline constexpr uint64_t kPfExiting = 0x4;

// Parses one /proc/<pid>/stat line. comm (field 2) may contain spaces and ')' so parsing starts
// after the last ')'. Errors: EINVAL "malformed /proc/<pid>/stat" on anything else.
Result<ProcStat> parse_proc_stat(std::string_view text);

// The status for `record` given the live process (nullopt: no such pid). A missing, zombie or
// dead ('Z', 'X') init, or one whose start time differs from the recorded one (pid reused),
// is stopped: on this kind of host PID 1 may reap orphans only seconds later.
RunState derive_state(const ContainerRecord& record, const std::optional<ProcStat>& live);

// Reads /proc/<pid>/stat through `ops`. nullopt when the process does not exist (ENOENT/ESRCH).
// Errors: other read errors; EINVAL when malformed.
Result<std::optional<ProcStat>> read_proc_stat(sys::Ops& ops, pid_t pid);

// read_proc_stat + derive_state. A record without a pid is creating (or stopped if its phase
// says it already ran).
Result<RunState> current_state(sys::Ops& ops, const ContainerRecord& record);

}  // namespace grove::container
