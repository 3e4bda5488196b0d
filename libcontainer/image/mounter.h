#pragma once
// Mounting one EROFS layer image: file-backed (Linux 6.12, no loop device) when the kernel has
// it, else through a loop device (LOOP_CONFIGURE with LO_FLAGS_AUTOCLEAR, so the device is
// released when the mount goes and nothing leaks on a failure path), optionally with page-cache
// sharing (`inode_share,domain_id=ID`, Linux 7.0). All syscalls go through sys::Ops.

#include <sys/stat.h>

#include <string>

#include "libcontainer/base/result.h"
#include "libcontainer/base/unique_fd.h"
#include "libcontainer/sys/features.h"
#include "libcontainer/sys/ops.h"

namespace grove::image {

struct LayerMountOptions {
  bool file_backed = true;  // try the file-backed mount first (Features::erofs_file_backed)
  std::string domain;       // "" = no inode_share; else inode_share,domain_id=<domain>
};

// The options for one container's layers: file-backed when the probe says so; the domain only
// when one was requested AND the kernel has EROFS page-cache sharing (else the mount goes without
// it: sharing is an optimisation, never a requirement). Pure.
LayerMountOptions layer_mount_options(const sys::Features& features, const std::string& domain);

// A layer image opened for mounting: `fd` is O_RDONLY on a regular file, `st` its fstat.
struct OpenedLayer {
  std::string path;
  UniqueFd fd;
  struct stat st {};
};

// Opens `path` (absolute; symlinks followed) O_RDONLY|O_NONBLOCK (a fifo must not block us),
// checks it is a regular file and checks its EROFS superblock (read_erofs_super). Errors: EINVAL
// "not a regular file" or a superblock error ("image truncated", "not an erofs image", ...)
// naming the path; ENOTSUP for an image needing extra devices; openat/fstat/pread errno
// (ENOENT, EACCES).
[[nodiscard]] Result<OpenedLayer> open_layer(sys::Ops& ops, const std::string& path);

// Mounts the EROFS image open on `image_fd` (borrowed; open_layer's fd) read-only and returns
// the detached mount (an fsmount fd, close-on-exec; closing it unmounts unless it was attached
// with move_mount). The source is /proc/self/fd/<image_fd>, so the file mounted is the one that
// was opened and checked, whatever happens to its path meanwhile. A file-backed mount failing
// with ENOTBLK (the image's filesystem lacks read_folio, e.g. tmpfs) is retried through a loop
// device. `how` (optional) receives "file" or "loop<N>". Errors: fsopen ENODEV (no erofs),
// fsconfig EINVAL (not an EROFS image, unknown option), loop-control errors (ENOENT: no
// /dev/loop-control), each with its frame.
[[nodiscard]] Result<UniqueFd> mount_layer(sys::Ops& ops, int image_fd,
                                           const LayerMountOptions& opts, std::string* how);

}  // namespace grove::image
