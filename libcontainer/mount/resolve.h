#pragma once
// Path resolution inside a container rootfs, relative to a rootfs fd: every "/" and ".." of the
// path (and of symlinks met on the way) stays inside the root, and magic links (/proc/self/fd/N,
// /proc/N/root) are never followed. This is what defeats the runtime CVE class of symlink and
// TOCTOU races during rootfs setup (CVE-2021-30465, CVE-2025-31133, CVE-2026-41579...).
//
// Two implementations with the same results:
// - kOpenat2: openat2(RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS) (Linux >= 5.6);
// - kWalk: one openat(O_PATH|O_NOFOLLOW) per component from the root fd, symlinks expanded by
//   reading their text and restarting from the root (absolute) or the current dir (relative);
//   used when the kernel lacks openat2, and when openat2 reports ENOSYS (seccomp'd runtimes).
// All functions take a borrowed `root_fd` (an O_PATH directory fd); returned fds are owned and
// close-on-exec. Not thread-safe with respect to the Ops object (Ops is not).

#include <sys/types.h>

#include <string>

#include "libcontainer/base/result.h"
#include "libcontainer/base/unique_fd.h"
#include "libcontainer/sys/ops.h"

namespace grove::mount {

enum class ResolveMode { kOpenat2, kWalk };

// Opens `path` (absolute or relative, taken relative to the root) with open(2) `flags` (O_PATH,
// O_DIRECTORY, O_NOFOLLOW for "do not follow the last component"...). Errors: the errno of the
// failing step (ENOENT, ENOTDIR, ELOOP after 40 symlinks or on a magic link, EXDEV).
[[nodiscard]] Result<UniqueFd> open_in_root(sys::Ops& ops, int root_fd, const std::string& path,
                                            int flags, ResolveMode mode);

// mkdir -p inside the root: each missing component is created with mkdirat(parent, name, mode)
// in the already-resolved parent and reopened O_NOFOLLOW, so a component swapped for a symlink
// fails (ELOOP/ENOTDIR) instead of escaping. Returns an O_PATH|O_DIRECTORY fd of `path`.
// Errors: as open_in_root, plus mkdirat's (EROFS, EACCES...).
[[nodiscard]] Result<UniqueFd> mkdir_all_in_root(sys::Ops& ops, int root_fd,
                                                 const std::string& path, mode_t mode,
                                                 ResolveMode mode_of_resolution);

// The parent directory of `path` (created like mkdir_all_in_root, mode 0755) and the last
// component. `path` must not be "/" (EINVAL).
struct ParentAndName {
  UniqueFd parent;
  std::string name;
};
[[nodiscard]] Result<ParentAndName> open_parent_in_root(sys::Ops& ops, int root_fd,
                                                        const std::string& path,
                                                        ResolveMode mode);

}  // namespace grove::mount
