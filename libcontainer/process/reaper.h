#pragma once
// An init for the container (annotation run.grove.init = "reaper", what `grove sandbox` sets;
// docker's --init/tini idea without a second binary): after `start`, the container init forks;
// the child becomes the user process (PID 2) and the init stays PID 1 of the pid namespace as a
// small reaper. The kernel drops signals a PID 1 does not handle (pid_namespaces(7)), so a
// command such as `sleep` would otherwise ignore SIGINT/SIGTERM from the terminal or from
// grove; the reaper forwards the signals sent to it, reaps orphans, and exits with the
// process's status (128+N when signal N killed it, as a shell reports it, since a PID 1 cannot
// die of a signal from its own namespace).

#include <sys/types.h>

#include <string_view>

#include "libcontainer/sys/ops.h"
#include "oci/spec.h"

namespace grove::process {

// The annotation and its one accepted value.
inline constexpr std::string_view kInitAnnotation = "run.grove.init";
inline constexpr std::string_view kInitReaper = "reaper";

// With the reaper: annotation run.grove.kill-with-runtime = "true" makes the reaper die with
// the runtime process that started it (PR_SET_PDEATHSIG SIGKILL), taking the whole pid
// namespace along, so a foreground runtime killed with SIGKILL leaves no container running
// (`grove sandbox` sets it; `grove create` must not, as it exits while the container lives).
inline constexpr std::string_view kKillWithRuntimeAnnotation = "run.grove.kill-with-runtime";

// Whether the spec sets run.grove.kill-with-runtime to "true". Pure.
bool wants_kill_with_runtime(const oci::Spec& spec);

// Whether the spec asks for the reaper (annotation run.grove.init == "reaper") and the
// container has its own pid namespace (otherwise there is no PID 1 to stand in for). Pure.
bool wants_reaper(const oci::Spec& spec);

// The exit code the reaper reports for its child's wait status. Pure.
int reaper_exit_code(const sys::WaitStatus& ws);

// Runs in the init (PID 1) once `child` (the user process) is forked: closes every fd but
// stdio, becomes non-dumpable, blocks the forwarded signals (SIGHUP, SIGINT, SIGQUIT, SIGTERM,
// SIGUSR1/2, SIGWINCH, SIGCONT, ...) into a signalfd and forwards each one sent by a process
// (si_code <= 0; terminal-generated signals already reach the foreground process group) to
// `child`; reaps every child; _exit()s with reaper_exit_code() once `child` is gone. Never
// returns; on an internal error it kills `child` and exits 255.
[[noreturn]] void run_reaper(sys::Ops& ops, pid_t child);

}  // namespace grove::process
