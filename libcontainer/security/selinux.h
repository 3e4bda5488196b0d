#pragma once
// SELinux labelling done by grove itself (README "SELinux and BPF"): the keyring label (runc's
// SetKeyLabel). The availability probe is sys::probe_selinux (sys/probe.h). The process exec
// label is process::apply_exec_label (proc_settings.h); mount labels are planned as
// NewFsMount::label / MaskPath::label (plan/mount_ops.h) and applied as fsconfig "context" by
// libcontainer/mount/. With SELinux disabled every function here is a no-op, never an error
// (architecture.md).

#include <string>

#include "libcontainer/base/result.h"
#include "libcontainer/sys/ops.h"

namespace grove::security {

// Where the kernel takes the label of the next keyring this thread group creates.
inline constexpr const char* kKeyCreateAttr = "/proc/self/attr/keycreate";
// go-selinux SetKeyLabel: writes `label` to kKeyCreateAttr ("" resets it to the default, the
// creating task's label). ENOENT (no such attribute: no LSM providing it) is success; for the
// reset, EPERM/EACCES are success too, like go-selinux. Other errors: the write errno, framed
// `keyring label "<label>"`. Must run in the thread-group leader (the kernel refuses keycreate
// writes from other threads with EINVAL). Fork-safe (no allocation beyond the error path).
[[nodiscard]] Status set_key_label(sys::Ops& ops, const std::string& label);

// The init's keyring step, in runc's order (standard_init_linux.go): when `key_label` is
// non-empty, set_key_label(key_label); keyctl(KEYCTL_JOIN_SESSION_KEYRING, name or NULL); when
// `key_label` was set, set_key_label("") whose errors are ignored (runc's deferred reset), so
// later keyrings created by the container do not silently inherit a label meant for the session
// keyring. ENOSYS from keyctl (keyrings not built) is success, like runc. Errors: the keycreate
// write or keyctl errno, framed "session keyring".
[[nodiscard]] Status join_session_keyring(sys::Ops& ops, const std::string& name,
                                          const std::string& key_label);

}  // namespace grove::security
