#pragma once
// Syscalls the lifecycle code needs that sys::Ops does not offer yet. Last resort (style.md §2.4
// keeps raw syscalls in libcontainer/sys/): each one should move into sys::Ops.
// TODO(lifecycle): move join_session_keyring into sys::Ops (keyctl). #4

#include "libcontainer/base/result.h"

namespace grove::process::sys_extra {

// keyctl(KEYCTL_JOIN_SESSION_KEYRING, NULL): a fresh anonymous session keyring, so containers do
// not share the runtime's keys (runc does the same unless --no-new-keyring). ENOSYS (keyrings
// not built) is success, like runc. Async-signal-safe except for the error path.
[[nodiscard]] Status join_session_keyring();

}  // namespace grove::process::sys_extra
