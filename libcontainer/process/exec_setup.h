#pragma once
// The last steps of the container init before execve(2): fds, identity, capabilities, rlimits,
// umask, no_new_privs, executable lookup. Each is a separate function so the order (which
// matters: bounding set before setuid, keepcaps around it) is visible in finalize_process().
// All functions run in the single-threaded container init between clone and execve; they
// allocate (std::string/vector) but take no locks another thread could hold.

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

#include "libcontainer/base/result.h"
#include "libcontainer/security/seccomp.h"
#include "libcontainer/sys/ops.h"
#include "oci/spec.h"

namespace grove::process {

// Closes every fd except those in `keep` (any order, duplicates allowed) with close_range(2)
// over the gaps. This is what keeps runtime fds (CVE-2024-21626) out of the container.
// Errors: close_range errno (ENOSYS on kernels < 5.9).
[[nodiscard]] Status close_fds_except(sys::Ops& ops, std::vector<int> keep);

// The fds a container process keeps: 0-2, then 3..3+preserve_fds-1 (--preserve-fds; runc also
// adds LISTEN_FDS from the environment of the runtime, which the caller folds in).
std::vector<int> inherited_fds(int preserve_fds);

// The value of LISTEN_FDS in `env` ("KEY=value" list) when LISTEN_PID... is not checked, like
// runc: 0 when absent or not a small non-negative number.
int listen_fds(const std::vector<std::string>& env);

// Looks `file` up like execvp and runc: a name with '/' is used as is; otherwise each
// directory of PATH from `env` (default "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:
// /bin") is tried for a regular file with an execute bit. Resolution happens in the caller's
// root (call it after pivot_root). Errors: ENOENT `exec: "x": executable file not found in
// $PATH` (runc's wording); EACCES for a found but non-executable file.
[[nodiscard]] Result<std::string> find_executable(sys::Ops& ops, const std::string& file,
                                                  const std::vector<std::string>& env);

// RLIMIT_* name -> resource number. EINVAL for an unknown name.
[[nodiscard]] Result<int> rlimit_resource(std::string_view name);
// setrlimit(2) for each entry, in order. Errors: EINVAL unknown name; setrlimit errno with a
// `rlimits[i] "RLIMIT_X"` frame.
[[nodiscard]] Status apply_rlimits(const std::vector<oci::Rlimit>& rlimits);

// "CAP_SYS_ADMIN" -> its number. EINVAL for an unknown name (runc: "unknown capability").
[[nodiscard]] Result<int> capability_number(std::string_view name);

// Drops from the bounding set every capability not in `caps.bounding` (needs CAP_SETPCAP: call
// before changing uid). Errors: EINVAL unknown name; prctl errno.
[[nodiscard]] Status apply_bounding_set(const oci::Capabilities& caps);
// Sets effective/permitted/inheritable with cap_set_proc and raises the ambient set (after the
// uid change). Errors: EINVAL unknown name; EPERM when asking for more than permitted.
[[nodiscard]] Status apply_capability_sets(const oci::Capabilities& caps);

// setgroups(additionalGids), setresgid(gid), setresuid(uid). With `keep_caps`, PR_SET_KEEPCAPS
// is held around the uid change so the permitted set survives it for apply_capability_sets.
// Errors: the failing call's errno.
[[nodiscard]] Status apply_user(sys::Ops& ops, const oci::User& user, bool keep_caps);

// chdir(cwd) and then checks that getcwd() is reachable inside the container's root, so a cwd
// through a leaked fd (/proc/self/fd/N, CVE-2024-21626) fails. Errors: chdir errno; ENOENT
// "cwd is outside the container root".
[[nodiscard]] Status enter_cwd(sys::Ops& ops, const std::string& cwd);

// Everything after `start` in runc's order: HOME added to the env when absent (user_home.h),
// cwd, rlimits, bounding set, user (keepcaps), capability sets + ambient, umask, no_new_privs,
// then execve(exe, args, env). `keep` are the fds
// the process inherits (0-2 + preserved; close-on-exec fds such as the exec fifo may be kept
// too and vanish at execve). `seccomp` (nullptr: none) is loaded like runc does: with
// noNewPrivileges right before execve, so the profile need not allow the runtime's own
// syscalls; without it before the bounding set, ids and capabilities are dropped (loading then
// needs CAP_SYS_ADMIN). `exec_marker_fd` (the init's exec fifo; -1: none) receives
// kExecMarker after the rlimits, before any seccomp filter, ids and capabilities: `start` takes
// the marker followed by EOF as the exec, and EOF alone as an init that died before it.
// Returns only on failure.
[[nodiscard]] Status finalize_and_exec(sys::Ops& ops, const oci::Process& process,
                                       const std::string& exe, std::vector<int> keep,
                                       const security::SeccompProgram* seccomp = nullptr,
                                       int exec_marker_fd = -1);

// The byte the init writes to the exec fifo just before the last steps of finalize_and_exec
// (runc writes the same "0"). No sync message starts with it (SyncKind values are < 0x30).
inline constexpr char kExecMarker = '0';

}  // namespace grove::process
