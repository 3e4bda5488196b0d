#pragma once
// BPF token delegation (Linux >= 6.9): a bpffs with delegate_* options at /sys/fs/bpf in the
// container, from which the workload can create a BPF token (BPF_TOKEN_CREATE) that grants the
// delegated bpf() commands, map, program and attach types inside its user namespace.
//
// Annotation (README "SELinux and BPF"):
//   run.grove.bpf.delegate = "<cmds>:<maps>:<progs>:<attachs>"
// Exactly four ':'-separated fields, in that order, for the bpffs options delegate_cmds,
// delegate_maps, delegate_progs and delegate_attachs. Each field is
//   - empty: that option is not set (nothing of that kind is delegated);
//   - "any": everything of that kind;
//   - a '|'-separated list of items, each [A-Za-z0-9_]+: a kernel enum name without its prefix,
//     case-insensitive, as the kernel's bpffs accepts it ("map_create|prog_load|btf_load" for
//     BPF_MAP_CREATE..., "ringbuf|hash", "socket_filter|xdp", "cgroup_inet_ingress"), or "any",
//     or a number (decimal or 0x hex mask).
// The '|' lists become the kernel's ':'-separated option values (a mount option string cannot
// carry ':' inside one of our fields, hence '|'). Names are checked by the kernel, not here: an
// unknown name fails the mount with EINVAL, and kernels before 6.9 ignore the options silently.
// At least one field must be non-empty. Example: "map_create|prog_load|btf_load::socket_filter:".

#include <map>
#include <optional>
#include <string>

#include "libcontainer/base/result.h"
#include "libcontainer/base/unique_fd.h"
#include "libcontainer/sys/ops.h"

namespace grove::security {

inline constexpr const char* kBpfDelegateAnnotation = "run.grove.bpf.delegate";
inline constexpr const char* kBpfFsTarget = "/sys/fs/bpf";

// The four bpffs delegate options in the kernel's syntax (':'-separated); "" = not set.
struct BpfDelegation {
  std::string cmds;
  std::string maps;
  std::string progs;
  std::string attachs;
  bool operator==(const BpfDelegation&) const = default;
};

// Pure: parses the annotation value (syntax above). Errors: EINVAL naming the annotation and,
// for a bad field, the field (`annotations "run.grove.bpf.delegate": progs: bad item "a b"`);
// wrong field count or nothing delegated is EINVAL naming the annotation.
[[nodiscard]] Result<BpfDelegation> parse_bpf_delegation(const std::string& value);

// Pure: the annotation of `annotations` parsed, nullopt when absent. Errors as above.
[[nodiscard]] Result<std::optional<BpfDelegation>> bpf_delegation_from_annotations(
    const std::map<std::string, std::string>& annotations);

// The (key, value) fsconfig strings for `d`, in the order cmds, maps, progs, attachs, omitting
// unset ones.
std::vector<std::pair<std::string, std::string>> bpffs_options(const BpfDelegation& d);

// Configures and creates the bpffs whose fs context is `fsfd` (borrowed; from fsopen("bpf") in
// the container's user namespace): fsconfig_set_string for each delegate option, "context" =
// `label` when non-empty (SELinux mount label), FSCONFIG_CMD_CREATE, fsmount. Returns the
// detached mount fd (close-on-exec). The kernel requires CAP_SYS_ADMIN in the initial user
// namespace for both a non-zero delegate mask (EPERM at fsconfig) and creating a bpffs owned by
// a non-initial user namespace (EPERM at create), so this must run in the privileged runtime,
// not in the container's init once it is inside its user namespace. Errors: the failing
// syscall's errno (EINVAL: an item the kernel does not know).
[[nodiscard]] Result<UniqueFd> configure_bpffs(sys::Ops& ops, int fsfd, const BpfDelegation& d,
                                               const std::string& label);

}  // namespace grove::security
