#pragma once
// linux.sysctl in the container init: each key is written under /proc/sys of a private procfs
// instance, resolved fd-relative (never a host path, never through a symlink). Which keys a
// container may set (only namespaced ones, per runc's validator) is checked by oci::validate.

#include <vector>

#include "libcontainer/base/result.h"
#include "libcontainer/process/proc_settings.h"
#include "libcontainer/sys/ops.h"

namespace grove::process {

// Writes every entry of `sysctls` in order. Like runc (OpenUnsafeProcRoot), the writes go
// through a fresh detached procfs mount (fsopen/fsmount), so readonlyPaths' "/proc/sys" and
// masked paths in the container's /proc do not get in the way; /proc/sys entries resolve to the
// writer's namespaces, so this is the container's view. When the kernel refuses a new procfs
// instance, the container's own /proc is used after checking it is a procfs. Runs in the init
// after the rootfs is set up. Errors: the open/write errno with a `linux.sysctl "key"` frame
// (ENOENT: no such sysctl; EROFS: the fallback /proc/sys is read-only).
[[nodiscard]] Status apply_sysctls(sys::Ops& ops, const std::vector<Sysctl>& sysctls);

}  // namespace grove::process
