#pragma once
// Writing a new user namespace's uid_map/gid_map from the parent (user_namespaces(7)).
//
// Root writes the maps directly. An unprivileged process may write only a single line mapping
// its own euid (uid_map) or egid (gid_map, after writing "deny" to setgroups); anything else,
// e.g. container 0 -> caller plus 1..N -> the caller's /etc/subuid range, needs the setuid
// helpers newuidmap(1)/newgidmap(1) from shadow's `uidmap` package, which check the ranges
// against /etc/subuid and /etc/subgid. Podman and rootlesskit do the same.

#include <sys/types.h>

#include <string>
#include <vector>

#include "libcontainer/base/result.h"
#include "libcontainer/base/unique_fd.h"
#include "libcontainer/sys/ops.h"
#include "oci/spec.h"

namespace grove::process {

// How one map gets written.
enum class IdMapWriter {
  kNone,    // no mappings: nothing to write
  kDirect,  // write /proc/<pid>/{uid,gid}_map ourselves
  kHelper,  // exec newuidmap/newgidmap
};

// The writer for `mappings` when the caller's effective id is `caller_euid` (uid maps) or the
// caller runs with effective ids `caller_euid`/`caller_id` (gid maps: pass the egid as
// `caller_id`). Root (caller_euid == 0) always writes directly; an unprivileged caller writes
// directly only a single mapping of size 1 whose host id is `caller_id`. Pure.
IdMapWriter choose_id_map_writer(const std::vector<oci::IdMapping>& mappings, uid_t caller_euid,
                                 uint32_t caller_id);

// The argv of newuidmap/newgidmap for `pid`: {binary, pid, c1, h1, n1, c2, h2, n2, ...}. Pure.
std::vector<std::string> id_map_helper_argv(const std::string& binary, pid_t pid,
                                            const std::vector<oci::IdMapping>& mappings);

// Where the helpers are looked for, in order (no $PATH: grove may run with a user's PATH).
inline constexpr const char* kIdMapHelperDirs[] = {"/usr/bin", "/bin", "/usr/sbin", "/sbin"};

// Writes the uid and gid maps of `pid` (a child blocked until its maps exist) from
// `linux.uid_mappings`/`gid_mappings`, choosing the writer with choose_id_map_writer(geteuid,
// getegid). Errors: the write errno with a `write "/proc/<pid>/uid_map"` frame; for the helpers
// ENOENT `newuidmap not found in /usr/bin, /bin, ... (install the "uidmap" package)`, or EPERM
// `newuidmap 123 0 1000 1 1 100000 65536: exit status 1, output: "..."` with the helper's
// stderr.
[[nodiscard]] Status write_id_maps(sys::Ops& ops, pid_t pid, const oci::Linux& linux);

// Runs `argv` (argv[0] is looked up in kIdMapHelperDirs unless absolute) to completion with its
// stdout and stderr captured. Errors: ENOENT when no such binary; EPERM when it exits non-zero
// or is killed, the frame quoting the command and its output; clone/pipe/wait errno.
[[nodiscard]] Status run_id_map_helper(sys::Ops& ops, const std::vector<std::string>& argv);

// run_id_map_helper in two halves, so newuidmap and newgidmap run concurrently: start returns
// once the child is cloned (ENOENT when the binary is missing), finish drains its output, reaps
// it and returns run_id_map_helper's result. Every started helper must be finished.
struct RunningHelper {
  std::vector<std::string> argv;
  pid_t pid = 0;
  UniqueFd output;  // read end of the helper's stdout+stderr
};
[[nodiscard]] Result<RunningHelper> start_id_map_helper(sys::Ops& ops,
                                                        const std::vector<std::string>& argv);
[[nodiscard]] Status finish_id_map_helper(sys::Ops& ops, RunningHelper helper);

}  // namespace grove::process
