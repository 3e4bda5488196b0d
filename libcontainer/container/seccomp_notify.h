#pragma once
// Delivering a seccomp notify listener fd to linux.seccomp.listenerPath with the runtime-spec
// "container process state" (config-linux.md), for the container init (create) and for an
// exec'd process (exec), as runc does for both (sendContainerProcessState).

#include <sys/types.h>

#include "libcontainer/base/result.h"
#include "libcontainer/container/state_store.h"
#include "libcontainer/sys/ops.h"
#include "oci/spec.h"
#include "oci/state.h"

namespace grove::container {

// Sends `fd` (borrowed), the listener of process `pid` (host pid: the init, or the exec'd
// process), to seccomp.listener_path with the process state: top-level pid `pid`, the
// listenerMetadata, and the container's state (rec's id, bundle, annotations, ociVersion;
// `status`; state pid `init_pid`). Errors: security::send_to_seccomp_listener's.
[[nodiscard]] Status send_seccomp_listener(sys::Ops& ops, const oci::Seccomp& seccomp,
                                           const ContainerRecord& rec, oci::ContainerStatus status,
                                           pid_t init_pid, pid_t pid, int fd);

}  // namespace grove::container
