#pragma once
// The layer mount cache: N containers of one image mount each of its layers once.
//
// Layout (on /run, outside every container's root; one cache per host, shared by every --root):
//   <dir>/lock                   flock(LOCK_EX) held by every acquire/release (short: one mount)
//   <dir>/<key>/mnt              the layer's EROFS mount (attached, read-only)
//   <dir>/<key>/holders/<holder> one file per container using it (content: who, for humans)
// The reference count is the set of holder files, not a counter: acquire/release are idempotent
// per (key, holder), so a create killed half-way and its `delete --force` (which releases what
// the container's state says it may hold) converge. The last release unmounts and removes
// <dir>/<key>. A holder whose state directory (its content) no longer exists is dropped as stale
// at the next release of that key. Key = layer_key() of the opened file, so a replaced image file gets a new mount.
// Not thread-safe per object; safe across processes (the flock). Requires CAP_SYS_ADMIN.

#include <sys/stat.h>

#include <string>
#include <vector>

#include "libcontainer/base/result.h"
#include "libcontainer/image/mounter.h"
#include "libcontainer/sys/ops.h"

namespace grove::image {

// Beside the default state root, not in it: a container id ".images" would otherwise clash.
inline constexpr const char* kDefaultMountCacheDir = "/run/grove-images";

// The cache key of an opened layer: 32 hex digits of SHA-256 over the file's identity (st_dev,
// st_ino, size, mtime, ctime) and the mount options that change what the mount is (the
// inode_share domain). Pure.
std::string layer_key(const struct stat& st, const LayerMountOptions& opts);

// A holder name for one container: 32 hex digits of SHA-256 over its state directory (unique
// per --root and id). Pure.
std::string holder_name(const std::string& state_dir);

class MountCache {
 public:
  // `dir` is created (0700, with parents) on the first acquire.
  MountCache(sys::Ops& ops, std::string dir) : ops_(ops), dir_(std::move(dir)) {}

  const std::string& dir() const noexcept { return dir_; }
  // <dir>/<key>/mnt: where the layer is mounted while it has holders.
  std::string mount_point(const std::string& key) const;

  // Records `holder` (`note`: the file's content) for `key` and mounts `layer` there unless it
  // is mounted already (statfs says EROFS). Returns mount_point(key). On failure the holder is
  // removed again and an unused entry is cleaned up. Errors: mkdir/open/flock errno; mount_layer's
  // errors with `image "path"` context; move_mount errno.
  [[nodiscard]] Result<std::string> acquire(const OpenedLayer& layer, const std::string& key,
                                            const LayerMountOptions& opts,
                                            const std::string& holder, const std::string& note);

  // Drops `holder` from `key` (absent: fine) and, when no holder is left, unmounts (MNT_DETACH:
  // a mount still in use somewhere goes once unused) and removes the entry. A missing cache or
  // entry is success. Errors: flock/unlink/umount2/rmdir errno.
  [[nodiscard]] Status release(const std::string& key, const std::string& holder);

  // The holders of `key` (file names), sorted; empty when there is no such entry.
  [[nodiscard]] Result<std::vector<std::string>> holders(const std::string& key);

 private:
  [[nodiscard]] Result<UniqueFd> lock();
  [[nodiscard]] Result<bool> mounted(const std::string& key);
  [[nodiscard]] Status mount_locked(const OpenedLayer& layer, const std::string& key,
                                    const LayerMountOptions& opts);
  [[nodiscard]] Status drop_locked(const std::string& key, const std::string& holder);

  sys::Ops& ops_;
  std::string dir_;
};

}  // namespace grove::image
