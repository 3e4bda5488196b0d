// The layer mount cache (mount_cache.h).

#include "libcontainer/image/mount_cache.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/mount.h>

#include <algorithm>

#include "libcontainer/base/strings.h"
#include "libcontainer/security/sha256.h"
#include "libcontainer/sys/uapi.h"

namespace grove::image {
namespace {

constexpr std::size_t kKeyHexDigits = 32;


Status ignore(Status st, int tolerated) {
  if (!st && st.error().code() == tolerated) return ok();
  return st;
}

// mkdir -p for the cache directory (its parent /run/grove may not exist yet).
Status make_dirs(sys::Ops& ops, const std::string& path) {
  for (std::size_t pos = 1; pos <= path.size(); ++pos) {
    if (pos != path.size() && path[pos] != '/') continue;
    GROVE_TRY(ignore(ops.mkdirat(AT_FDCWD, path.substr(0, pos), 0700), EEXIST));
  }
  return ok();
}

}  // namespace

std::string layer_key(const struct stat& st, const LayerMountOptions& opts) {
  std::string id = std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino) + ":" +
                   std::to_string(st.st_size) + ":" + std::to_string(st.st_mtim.tv_sec) + "." +
                   std::to_string(st.st_mtim.tv_nsec) + ":" + std::to_string(st.st_ctim.tv_sec) +
                   "." + std::to_string(st.st_ctim.tv_nsec) + "|domain=" + opts.domain;
  return security::sha256_hex(id).substr(0, kKeyHexDigits);
}

std::string holder_name(const std::string& state_dir) {
  return security::sha256_hex(state_dir).substr(0, kKeyHexDigits);
}

std::string MountCache::mount_point(const std::string& key) const {
  return dir_ + "/" + key + "/mnt";
}

Result<UniqueFd> MountCache::lock() {
  GROVE_TRY(make_dirs(ops_, dir_));
  GROVE_ASSIGN_OR_RETURN(UniqueFd fd,
                         ops_.openat(AT_FDCWD, dir_ + "/lock", O_RDWR | O_CREAT, 0600));
  GROVE_TRY(ops_.flock(fd.get(), LOCK_EX));
  return fd;
}

// The mount point shows EROFS only while the layer is mounted on it (the directory itself
// lives on /run's tmpfs).
Result<bool> MountCache::mounted(const std::string& key) {
  auto fs = ops_.statfs(mount_point(key));
  if (!fs) {
    if (fs.error().code() == ENOENT) return false;
    return std::move(fs).error();
  }
  return static_cast<unsigned long>(fs->f_type) == EROFS_SUPER_MAGIC_V1;
}

Result<std::vector<std::string>> MountCache::holders(const std::string& key) {
  auto names = ops_.list_dir(AT_FDCWD, dir_ + "/" + key + "/holders");
  if (!names) {
    if (names.error().code() == ENOENT) return std::vector<std::string>();
    return std::move(names).error();
  }
  std::sort(names->begin(), names->end());
  return std::move(*names);
}

Status MountCache::mount_locked(const OpenedLayer& layer, const std::string& key,
                                const LayerMountOptions& opts) {
  GROVE_ASSIGN_OR_RETURN(bool is_mounted, mounted(key));
  if (is_mounted) return ok();
  GROVE_TRY(ignore(ops_.mkdirat(AT_FDCWD, mount_point(key), 0755), EEXIST));
  GROVE_ASSIGN_OR_RETURN(UniqueFd mnt, mount_layer(ops_, layer.fd.get(), opts, nullptr));
  return ops_.move_mount(mnt.get(), "", AT_FDCWD, mount_point(key), MOVE_MOUNT_F_EMPTY_PATH);
}

// Whether a holder's container is gone without releasing (its state directory, the holder
// file's content, was removed by hand): such holders would pin the layer forever. Anything
// unreadable counts as live.
static bool stale_holder(sys::Ops& ops, const std::string& file) {
  auto note = ops.read_file_at(AT_FDCWD, file);
  if (!note || note->empty() || (*note)[0] != '/') return false;
  std::string state_dir = note->substr(0, note->find('\n'));
  auto st = ops.fstatat(AT_FDCWD, state_dir, 0);
  return !st && st.error().code() == ENOENT;
}

Status MountCache::drop_locked(const std::string& key, const std::string& holder) {
  const std::string entry = dir_ + "/" + key;
  GROVE_TRY(ignore(ops_.unlinkat(AT_FDCWD, entry + "/holders/" + holder, 0), ENOENT));
  GROVE_ASSIGN_OR_RETURN(auto left, holders(key));
  std::size_t live = left.size();
  for (const std::string& h : left) {
    const std::string file = entry + "/holders/" + h;
    if (stale_holder(ops_, file) && ops_.unlinkat(AT_FDCWD, file, 0)) --live;
  }
  if (live != 0) return ok();
  GROVE_ASSIGN_OR_RETURN(bool is_mounted, mounted(key));
  if (is_mounted) GROVE_TRY(ops_.umount2(mount_point(key), MNT_DETACH));
  GROVE_TRY(ignore(ops_.unlinkat(AT_FDCWD, mount_point(key), AT_REMOVEDIR), ENOENT));
  GROVE_TRY(ignore(ops_.unlinkat(AT_FDCWD, entry + "/holders", AT_REMOVEDIR), ENOENT));
  return ignore(ops_.unlinkat(AT_FDCWD, entry, AT_REMOVEDIR), ENOENT);
}

Result<std::string> MountCache::acquire(const OpenedLayer& layer, const std::string& key,
                                        const LayerMountOptions& opts, const std::string& holder,
                                        const std::string& note) {
  GROVE_ASSIGN_OR_RETURN(UniqueFd held, lock());
  const std::string entry = dir_ + "/" + key;
  GROVE_TRY(ignore(ops_.mkdirat(AT_FDCWD, entry, 0700), EEXIST));
  GROVE_TRY(ignore(ops_.mkdirat(AT_FDCWD, entry + "/holders", 0700), EEXIST));
  // The holder first: a process killed after the mount can never leave a mount nobody holds.
  auto hold = [&]() -> Status {
    GROVE_ASSIGN_OR_RETURN(UniqueFd f, ops_.openat(AT_FDCWD, entry + "/holders/" + holder,
                                                   O_WRONLY | O_CREAT | O_TRUNC, 0600));
    return ops_.write(f.get(), note + "\n");
  };
  Status st = hold();
  if (st) st = mount_locked(layer, key, opts).context([&] { return "image " + q(layer.path); });
  if (!st) {
    (void)drop_locked(key, holder);
    return std::move(st).error();
  }
  return mount_point(key);
}

Status MountCache::release(const std::string& key, const std::string& holder) {
  // Nothing was ever acquired here (the cache does not exist): do not create it to find out.
  if (auto st = ops_.fstatat(AT_FDCWD, dir_, 0); !st && st.error().code() == ENOENT) return ok();
  GROVE_ASSIGN_OR_RETURN(UniqueFd held, lock());
  return drop_locked(key, holder).context([&] { return "release layer " + q(key); });
}

}  // namespace grove::image
