#pragma once
// Starting a process inside a running (or created) container: `grove exec`. Like runc's setns
// process and crun's exec, the runtime forks a child that joins the container init's
// namespaces, and that child forks again so the final process is also *in* the pid and time
// namespaces (setns(CLONE_NEWPID/CLONE_NEWTIME) only changes the namespace of later children).
// The second fork uses CLONE_PARENT, so the process is a child of the runtime (which can wait
// for it) and not of the short-lived intermediate.
//
//   runtime ──clone3──▶ joiner: close fds, non-dumpable, setns(init pidfd, CLONE_NEW* mask)
//      │                 │        (fallback: setns each /proc/<pid>/ns/<x>, user first)
//      │                 └─clone3(CLONE_PARENT)──▶ process: waits for `go`, then the same
//      │◀── kPid (host pid of process) ── joiner exits             finalize_and_exec as the init
//      │   (oomScoreAdj, execCPUAffinity set on the pid)           (console, cwd, settings,
//      │── kGo ──────────────────────────────────────────────────▶ rlimits, caps, ids, umask,
//      │◀── kConsole + pty master fd (process.terminal only) ─────  nnp, seccomp, execve)
//      │◀── kSeccompFd + notify listener fd (notify filter only) ──
//      │◀── EOF (execve closed the cloexec sync fd) or kError ────
//
// Errors from either child cross the sync socket ({code, frames}, sync.h) and come back with an
// "unable to start container process" frame (runc's words). The caller must be
// single-threaded (style.md §2.8).

#include <sys/types.h>

#include <map>
#include <functional>
#include <string>
#include <vector>

#include "libcontainer/base/result.h"
#include "libcontainer/base/unique_fd.h"
#include "libcontainer/process/proc_settings.h"
#include "libcontainer/process/sync.h"
#include "libcontainer/security/seccomp.h"
#include "libcontainer/sys/ops.h"
#include "oci/spec.h"

namespace grove::process {

// The namespaces of a process as /proc/<pid>/ns/<name> link targets ("pid:[4026531836]"),
// keyed by name ("user", "mnt", "pid", "net", "ipc", "uts", "cgroup", "time"). A name missing
// from the map (kernel without that namespace type) is never joined.
using NamespaceLinks = std::map<std::string, std::string>;

// The names above, user first (the order setns of /proc fds must use).
const std::vector<std::string>& namespace_names();

// CLONE_NEW* bit for a namespace_names() entry; 0 for anything else.
int namespace_flag(const std::string& name);

// The CLONE_NEW* mask of namespaces to join: those whose link differs between `self` and
// `init` (both present). Joining one's own user namespace is EINVAL, so equal ones are skipped;
// runc likewise joins only the namespaces the container has. Pure.
int namespaces_to_join(const NamespaceLinks& self, const NamespaceLinks& init);

// Reads /proc/<pid>/ns/* links through `ops` (pid 0 = "self"). Entries that cannot be read
// (ENOENT: namespace type not built) are left out. Errors: other readlink errors.
[[nodiscard]] Result<NamespaceLinks> read_namespace_links(sys::Ops& ops, pid_t pid);

// What the exec'd process needs; prepared by the caller, only read by the children.
struct SetnsExecConfig {
  const oci::Process* process = nullptr;  // borrowed; args non-empty, cwd absolute
  pid_t init_pid = 0;                     // the container init (for the /proc fallback)
  int init_pidfd = -1;                    // borrowed pidfd of the init (identity checked)
  int nstypes = 0;                        // namespaces_to_join() mask
  // fds the process keeps: 0-2 and --preserve-fds (inherited_fds()). Everything else of the
  // runtime is closed in the joiner before any setns (CVE-2024-21626).
  std::vector<int> inherit;
  // The container's linux.seccomp program (nullptr: none), loaded like the init's
  // (finalize_and_exec). A notify filter (SCMP_ACT_NOTIFY) is loaded like the init's too: in the
  // process before its finalisation, its listener fd sent to the parent (kSeccompFd), which
  // hands it to `on_seccomp_fd` (required then) with the process's host pid.
  const security::SeccompProgram* seccomp = nullptr;
  std::function<Status(pid_t, UniqueFd)> on_seccomp_fd;
  // The process's own settings (plan_proc_settings of the process alone): apparmor profile,
  // scheduler, io priority and SELinux label in the process; oomScoreAdj from the parent.
  const ProcSettings* settings = nullptr;
  // process.execCPUAffinity lists ("" = none), set by the parent on the process before `go`:
  // initial, then the cgroup move (join_cgroup), then final, as runc does (the cgroup's cpuset
  // may reset the mask).
  std::string cpu_affinity_initial;
  std::string cpu_affinity_final;
  // Moves the process into the container's cgroup (empty: none); an error fails the exec.
  std::function<Status(pid_t)> join_cgroup;
};

// What spawn_setns_process started.
struct SetnsSpawned {
  pid_t pid = 0;     // host pid of the exec'd process
  UniqueFd console;  // its pty master when process.terminal, else empty
};

// Joins the init's namespaces in the calling (single-threaded, unshared-fs) process:
// setns(pidfd, mask) (Linux 5.8), or on EINVAL (older kernels reject a pidfd) each
// /proc/<pid>/ns/<name> in namespace_names() order. Errors: setns/open errno with a
// `join namespaces` (pidfd) or `join namespace "mnt"` (fallback) frame.
[[nodiscard]] Status join_namespaces(sys::Ops& ops, const SetnsExecConfig& cfg);

// Starts the process and returns its host pid once it has exec'd (its execve closed the sync
// socket). With process.terminal the process allocates a pty from the container's devpts after
// joining (setup_console, no /dev/console bind, as runc's setns init) and the master comes back
// in `console`. The process is a child of the caller: the caller must waitpid() it (foreground) or
// may leave it (detach). The intermediate child is reaped here. Errors: the children's errors
// (code = their errno; e.g. ENOENT `exec: "x": executable file not found in $PATH`) under an
// "unable to start container process" frame; clone3/socketpair errno.
[[nodiscard]] Result<SetnsSpawned> spawn_setns_process(sys::Ops& ops, const SetnsExecConfig& cfg);

}  // namespace grove::process
