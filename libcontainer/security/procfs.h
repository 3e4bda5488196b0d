#pragma once
// Safe writes to procfs (CVE-2019-16884, CVE-2023-28642, CVE-2025-52881): every file grove
// writes under /proc (LSM attributes, keycreate, id maps, setgroups, oom_score_adj,
// timens_offsets) must be a file of a real procfs, reached without following a symlink out of
// /proc or crossing a mount inside it. A container's /proc can be shadowed by a volume (a tmpfs,
// a bind mount of an image directory) or be a symlink in the image, and a shared mount can be
// raced over /proc/self/attr: a plain open("/proc/...") would then write the label or the
// setting into a fake file (the process silently runs unconfined) or into another procfs file.

#include <string>

#include "libcontainer/base/result.h"
#include "libcontainer/base/unique_fd.h"
#include "libcontainer/sys/ops.h"

namespace grove::security {

// Opens "/proc" of the caller's mount namespace (O_PATH|O_DIRECTORY|O_NOFOLLOW, so a /proc that
// is a symlink is refused with ELOOP/ENOTDIR) and checks with fstatfs that it is a procfs.
// Errors: the open errno; EXDEV "/proc is not a procfs (f_type 0x...)". Fork-safe.
[[nodiscard]] Result<UniqueFd> open_proc_root(sys::Ops& ops);

// Writes `data` to `path` ("/proc/<rest>", absolute) in one write, through open_proc_root() and
// openat2(RESOLVE_BENEATH|RESOLVE_NO_XDEV|RESOLVE_NO_MAGICLINKS) of <rest> (symlinks inside
// procfs such as "self" and "thread-self" resolve; a mount over any component is EXDEV). Without
// openat2 (ENOSYS) it falls back to openat(O_NOFOLLOW). Either way the opened file itself must be
// on a procfs (fstatfs). Errors: EINVAL for a path not under "/proc/"; EXDEV when /proc or the
// file is not procfs or a mount is crossed; otherwise the open/write errno (ENOENT for a missing
// attribute, which callers may treat as "not supported"). Fork-safe.
[[nodiscard]] Status write_proc_file(sys::Ops& ops, const std::string& path,
                                     const std::string& data);

}  // namespace grove::security
