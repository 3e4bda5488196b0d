#pragma once
// Whether the runtime runs "rootless": without the real root user of the initial user namespace.
// That decides the state root default, whether cgroup permission errors are fatal and whether
// devices are created with mknod or bound from the host. runc's rule (utils_linux.go
// shouldUseRootlessCgroupManager): a non-zero euid, or euid 0 inside a user namespace that is not
// the initial one (rootless podman runs the runtime as uid 0 of its own user namespace).

#include <string_view>

#include "libcontainer/base/result.h"
#include "libcontainer/sys/ops.h"

namespace grove::container {

// True when /proc/self/uid_map text is the initial user namespace's identity map
// ("0 0 4294967295"). Pure.
bool is_initial_uid_map(std::string_view uid_map);

// True when this process is in a user namespace other than the initial one. An unreadable
// uid_map (no /proc) counts as the initial namespace.
bool in_user_namespace(sys::Ops& ops);

// --rootless auto|true|false: "true"/"false" force it; "auto" (or "") is euid != 0 or
// in_user_namespace().
bool is_rootless(sys::Ops& ops, std::string_view flag);

}  // namespace grove::container
