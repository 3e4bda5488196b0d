#pragma once
// `grove sandbox`: the pure half. The OCI spec of a rootless developer sandbox built from the
// caller's options and what was found on the host (ids, /etc/subuid ranges, terminal), plus the
// parsers and checks feeding it. No syscalls here: the environment is read by sandbox.h.
//
// The sandbox (see grove-sandbox(8)):
//   root       the host's "/" read-only as a whole (root.readonly + the writable host mounts
//              below it re-bound "rro", like `bwrap --ro-bind / /`), or --rootfs DIR read-write
//   user ns    container 0 -> the caller; with subordinate ranges also 1..N -> the range
//   mounts     /proc, a minimal /dev (tmpfs + null zero full random urandom tty, devpts, shm),
//              a tmpfs /tmp, the read-only host submounts, the current directory at its own
//              path, then each -v SRC:DST[:ro] (":ro" is recursive: "rro")
//   ns         user, mount, pid, ipc, uts (hostname kept), and net unless --net=host
//   process    the command as uid 0 with runc's default capabilities, no_new_privileges, the
//              sandbox seccomp profile, the caller's environment, cwd = the current directory
//   no cgroup  (rootless: linux.cgroupsPath and resources are left out)

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "libcontainer/base/result.h"
#include "oci/spec.h"

namespace grove::container {

// One line of /etc/subuid or /etc/subgid that applies to the caller.
struct SubIdRange {
  uint32_t start = 0;
  uint32_t count = 0;
  bool operator==(const SubIdRange&) const = default;
};

// The ranges of `text` (the content of /etc/subuid or /etc/subgid, "name:start:count" lines)
// whose first field is `user` or the decimal `id`, in file order. Blank lines, '#' comments
// and malformed lines (wrong field count, non-numeric or zero count, overflow) are skipped, as
// shadow's subordinateio does. Pure.
std::vector<SubIdRange> parse_subid(std::string_view text, std::string_view user, uint32_t id);

// -v SRC:DST[:ro|:rw]
struct Volume {
  std::string source;       // absolute (made so against the cwd by parse_volume)
  std::string destination;  // absolute
  bool readonly = false;
  bool operator==(const Volume&) const = default;
};

// Parses one -v value; a relative SRC is taken relative to `cwd`. Errors: EINVAL
// `invalid volume "x": <why>` (empty part, relative DST, unknown option, NUL byte). Pure.
[[nodiscard]] Result<Volume> parse_volume(std::string_view spec, std::string_view cwd);

enum class SandboxNet { kNone, kHost };

// --net=none|host. Errors: EINVAL naming the value. Pure.
[[nodiscard]] Result<SandboxNet> parse_sandbox_net(std::string_view value);

// How ids are mapped: --map=auto|root|subids.
enum class SandboxMap {
  kAuto,    // subordinate ranges when the caller has them and newuidmap exists, else root only
  kRoot,    // only container 0 -> the caller (like `unshare -r`)
  kSubids,  // the subordinate ranges are required (an error when missing)
};

// Errors: EINVAL naming the value. Pure.
[[nodiscard]] Result<SandboxMap> parse_sandbox_map(std::string_view value);

struct SandboxSpecOptions {
  std::string rootfs;  // "" = the host's "/" read-only; else this absolute directory, writable
  std::vector<Volume> volumes;
  SandboxNet net = SandboxNet::kNone;
  std::string cwd;   // absolute; bound at the same path (not when "/") and the process's cwd
  uint32_t uid = 0;  // the caller's euid/egid
  uint32_t gid = 0;
  std::vector<SubIdRange> subuids;  // empty: map only the caller
  std::vector<SubIdRange> subgids;
  std::vector<std::string> command;  // process.args, non-empty
  std::vector<std::string> env;      // "K=V", the caller's environment
  bool terminal = false;             // stdin is a terminal: process.terminal
  // Host-root mode only: writable host mounts below "/" to bind read-only onto themselves, so
  // the whole host tree is read-only as with `bwrap --ro-bind / /` (root.readonly alone covers
  // only the root mount). From sandbox_readonly_submounts().
  std::vector<std::string> readonly_submounts;
};

// The mount points of `mountinfo` (the text of /proc/self/mountinfo) mounted read-write, with
// its octal escapes (\040 ...) decoded, in file order. Malformed lines are skipped. Pure.
std::vector<std::string> writable_mount_points(std::string_view mountinfo);

// Of `writable` mount points, those the host-root sandbox must re-bind read-only: not "/" (the
// root, made read-only by root.readonly), not under /proc, /dev or /tmp (replaced by the
// sandbox's own mounts) and not nested in another one kept (the binds are recursive). Sorted,
// without duplicates. Pure.
std::vector<std::string> sandbox_readonly_submounts(const std::vector<std::string>& writable);

// The sandbox's spec (see the file comment). Deterministic. Errors: EINVAL for an empty
// command, a relative cwd or rootfs, and for subordinate ranges given for only one of uid/gid.
[[nodiscard]] Result<oci::Spec> sandbox_spec(const SandboxSpecOptions& o);

// The id mappings: container 0 -> `id`, then container 1.. -> each range in turn (ranges that
// would overflow the 32-bit container ids are cut). Pure.
std::vector<oci::IdMapping> sandbox_id_mappings(uint32_t id, const std::vector<SubIdRange>& ranges);

// The syscalls the sandbox's seccomp profile refuses with EPERM (everything else is allowed):
// kernel keyring, module and kexec loading, bpf, perf, userfaultfd, open_by_handle_at, ... See
// grove-sandbox(8) for the list and why each is there.
const std::vector<std::string>& sandbox_denied_syscalls();

// The seccomp profile: default SCMP_ACT_ALLOW, sandbox_denied_syscalls() -> SCMP_ACT_ERRNO
// (EPERM). Pure.
oci::Seccomp sandbox_seccomp();

// Why unprivileged user namespaces are unusable, from the sysctl files' contents (nullopt =
// file absent): /proc/sys/user/max_user_namespaces == 0, kernel.unprivileged_userns_clone == 0
// (Debian/Ubuntu kernels), kernel.apparmor_restrict_unprivileged_userns == 1 (Ubuntu). The
// message names the sysctl and the command that changes it; "" when nothing is in the way. Pure.
std::string userns_disabled_reason(std::optional<std::string_view> max_user_namespaces,
                                   std::optional<std::string_view> unprivileged_userns_clone,
                                   std::optional<std::string_view> apparmor_restrict);

// "sandbox-<pid>-<8 hex digits of random>". Pure.
std::string sandbox_id(pid_t pid, uint32_t random);

}  // namespace grove::container

namespace grove::container {

// The subordinate ranges a sandbox maps, from --map, what /etc/subuid and /etc/subgid hold for
// the caller and whether newuidmap/newgidmap were found. `note` says why no ranges are used in
// auto mode ("" when they are). Errors (kSubids only): ENOENT `no subordinate uids for "u" in
// /etc/subuid: ... usermod --add-subuids 100000-165535 --add-subgids 100000-165535 u`, ENOENT
// when the helpers are missing (install the "uidmap" package). Pure.
struct SandboxMapping {
  std::vector<SubIdRange> subuids;
  std::vector<SubIdRange> subgids;
  std::string note;
};
[[nodiscard]] Result<SandboxMapping> decide_sandbox_mapping(SandboxMap mode, std::string_view user,
                                                            std::vector<SubIdRange> subuids,
                                                            std::vector<SubIdRange> subgids,
                                                            bool helpers_found);

// Where sandbox state lives: `global_root` (--root) for root and for users with
// $XDG_RUNTIME_DIR (the CLI's default is then $XDG_RUNTIME_DIR/grove); a user without
// XDG_RUNTIME_DIR, whose default /run/grove is not writable, gets /tmp/grove-<uid> unless
// --root named something else. Pure.
std::string sandbox_state_root(std::string_view global_root, bool xdg_runtime_dir_set, uid_t euid);

}  // namespace grove::container
