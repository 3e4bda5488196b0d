#pragma once
// `grove exec`: a new process in an existing container, runc's semantics (exec.go):
//   - the process is --process FILE verbatim, or the container's config.json process with
//     args replaced and cwd/env/user/caps/... overridden from the flags (exec_process_from_args);
//   - what the process does not say is taken from the container: capabilities and rlimits
//     (runc's newInitConfig); no_new_privileges is always the process's own;
//   - running and created containers accept exec; stopped ones fail with runc's string
//     "cannot exec in a stopped container", paused ones unless ignore_paused.
// The caller must be single-threaded (exec clones).

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "libcontainer/base/result.h"
#include "libcontainer/cgroup/manager.h"
#include "libcontainer/container/state_store.h"
#include "libcontainer/container/status.h"
#include "libcontainer/sys/ops.h"
#include "oci/spec.h"

namespace grove::container {

// The flags of `grove exec` that edit the container's process (runc getProcess). Empty / unset
// fields leave the base value alone.
struct ProcessOverrides {
  std::vector<std::string> args;             // replaces process.args (the command after the id)
  std::string cwd;                           // --cwd
  std::vector<std::string> env;              // --env, appended (a later KEY= wins at lookup)
  std::string user;                          // --user "uid[:gid]"
  std::vector<std::string> additional_gids;  // --additional-gids, appended
  std::vector<std::string> caps;     // --cap, added to bounding/effective/permitted(/ambient)
  std::optional<bool> no_new_privs;  // --no-new-privs when given
  std::string process_label;         // --process-label
  std::string apparmor;              // --apparmor
  bool tty = false;                  // --tty: runc always sets terminal from this flag
};

// runc's getProcess for the flag path: `base` (config.json's process) with the overrides
// applied, then validate_exec_process. Pure. Errors: EINVAL `bad uid: "x"`, `bad gid: "x"`,
// `additional-gids must be a positive number "x"`, and validate_exec_process's.
[[nodiscard]] Result<oci::Process> exec_process_from_args(const oci::Process& base,
                                                          const ProcessOverrides& o);

// runc's validateProcessSpec: cwd non-empty and absolute, args non-empty. Pure. EINVAL
// "Cwd property must not be empty" / "Cwd must be an absolute path" / "args must not be empty".
[[nodiscard]] Status validate_exec_process(const oci::Process& p);

// Fills what an exec'd process leaves unsaid from the container's process: capabilities when
// absent, rlimits when empty (runc's newInitConfig). Pure.
void inherit_from_container(oci::Process& p, const oci::Process& container);

// runc's terminal rules for exec (utils_linux.go checkTerminal): EINVAL
// "cannot allocate tty if grove will detach without setting console socket" (detach + terminal
// without a socket), "cannot use console socket if grove will not detach or allocate tty" (a
// socket without both detach and terminal). Pure.
[[nodiscard]] Status check_exec_terminal(bool terminal, bool detach,
                                         const std::string& console_socket);

// The cgroup an exec'd process joins: the container's recorded one, or with `subs` (--cgroup
// entries "[<controller>[,<controller>]:]<path>", runc's form) the existing sub-cgroups they
// name, relative to it (every hierarchy without a controller; pure v2 ignores the names).
// Pure. Errors: EINVAL for an absolute/empty path or an unknown v1 controller; ENOTSUP for
// --cgroup on a container without a cgroup.
[[nodiscard]] Result<cgroup::Dirs> exec_cgroup(const ContainerRecord& rec,
                                               const std::vector<std::string>& subs);

// runc's status gate. EINVAL "cannot exec in a stopped container", "cannot exec in a paused
// container (use --ignore-paused to override)", "cannot exec in a creating container". Pure.
[[nodiscard]] Status check_execable(RunState state, bool ignore_paused);

struct ExecOptions {
  // --process FILE, parsed (oci::parse_process); nullopt: build it from config.json + overrides.
  std::optional<oci::Process> process;
  ProcessOverrides overrides;  // ignored with `process`, as runc ignores the flags then
  bool detach = false;
  std::string pid_file;        // "" = none; written atomically once the process exec'd
  std::string console_socket;  // see check_exec_terminal
  // Foreground exec with a terminal: a connected socket (borrowed) the pty master is sent to
  // (the CLI's socketpair, like run's). Used when console_socket is empty.
  int console_socket_fd = -1;
  // The caller's terminal size for a foreground exec -t: the new pty gets it before the process
  // runs (as process.consoleSize, unless the process sets one), so a process that asks at once
  // never sees 0x0 before the attach copies the size.
  std::optional<oci::ConsoleSize> initial_console_size;
  // --pidfd-socket (runc 1.2+): a unix socket path a pidfd of the exec'd process is sent to,
  // payload "setns" (process/pidfd_socket.h); connected before the process is started. "" = none.
  std::string pidfd_socket;
  int preserve_fds = 0;        // fds 3..3+n-1 reach the process
  bool ignore_paused = false;
  // --cgroup: "[<controller>[,<controller>]:]<path>" entries; the process joins that existing
  // sub-cgroup of the container's cgroup instead (all hierarchies without a controller).
  std::vector<std::string> cgroup;
};

// Starts the process in container `id` and returns its host pid once it has exec'd. Like
// runc's setns process it gets the container's linux.seccomp filter (same load order as the
// init), its own apparmor/SELinux/scheduler/ioPriority/oomScoreAdj settings and
// process.execCPUAffinity (initial, then final, set before it runs). With process.terminal
// its pty master is sent to console_socket (connected first) or console_socket_fd. The
// process is a child of the caller (waitpid it in the foreground; leave it when detached).
// The container's lock is held until the process exec'd, so a concurrent delete cannot run in
// between. Errors, under an `exec in container "x"` frame: ENOENT does not exist; the gates
// above; EINVAL bad process (config.json or --process), a terminal without a console socket;
// apparmorProfile without AppArmor; with an SCMP_ACT_NOTIFY filter, listenerPath's connect/
// sendmsg errno (the process's listener goes there as the init's did, with its own pid); the
// --pidfd-socket's; the process's own errors (e.g. ENOENT `exec: "x": executable file not found
// in $PATH` under "unable to start container process").
[[nodiscard]] Result<pid_t> exec(sys::Ops& ops, const std::string& root, std::string_view id,
                                 const ExecOptions& opts);

}  // namespace grove::container
