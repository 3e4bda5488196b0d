#pragma once
// tmpcopyup (runc's EXT_COPYUP, crun's OPTION_TMPCOPYUP): the tree a new tmpfs is about to hide
// is copied into it first, so e.g. a read-only container (podman --read-only) gets a writable /run
// that still holds what the image put there.
//
// What is copied, recursively, from the source directory into the destination directory:
// - directories, regular files (contents), symlinks (their text, never followed);
// - fifos, sockets, character and block devices with mknodat(2) (runc copies them with mknod,
//   crun with mknodat): where mknod is not allowed (a device node in a user namespace without
//   CAP_MKNOD) the copy fails with EPERM naming the path, like runc and crun; nothing is dropped
//   silently;
// - for every entry its owner (uid/gid) and permission bits including setuid/setgid/sticky
//   (chown first, then chmod, because chown clears setuid/setgid);
// - not copied: timestamps, xattrs (the tmpfs's SELinux label comes from its context= option),
//   hard links (each link becomes its own file), like runc.
// Every source entry is opened relative to its parent's fd with O_NOFOLLOW, so nothing outside
// the source tree is ever read; a regular file is re-checked with fstat after opening
// (O_NONBLOCK: a file swapped for a fifo cannot block the copy). The destination is a detached
// mount nobody else can reach, so its entries cannot be swapped under us.

#include <string>
#include <vector>

#include "libcontainer/base/result.h"
#include "libcontainer/sys/ops.h"

namespace grove::mount {

// Whether the source directory's permission bits go onto the root of the tmpfs: yes unless the
// tmpfs's data options set "mode=" themselves. runc does the same for tmpfs mounts (it prepends
// mode=<mode of the existing target> to the data, so an explicit mode= wins); the root's owner
// stays the tmpfs's (root, or uid=/gid=), as in runc and crun.
bool copy_up_root_mode(const std::vector<std::string>& data);

// Copies the contents of directory `src_dir` (borrowed; O_PATH allowed) into directory `dst_root`
// (borrowed; O_PATH allowed, e.g. the fd fsmount(2) returned); with `root_mode` the permission
// bits of `src_dir` then go onto `dst_root`. `path` is the container path of `src_dir`, used in
// error frames (`copy "/run/lock/x"`). Errors: the failing syscall's errno framed with the path
// being copied (ENOSPC: tmpfs size= too small; EPERM: mknod or chown not allowed; EINVAL: an
// owner not mapped in the caller's user namespace; ELOOP: deeper than 256 levels). Needs the
// caller single-threaded with respect to `ops`. On error the destination is left half-filled
// (the caller discards the mount).
[[nodiscard]] Status copy_up(sys::Ops& ops, int src_dir, int dst_root, const std::string& path,
                             bool root_mode);

}  // namespace grove::mount
