// One EROFS layer: file-backed or loop-backed mount (mounter.h).

#include "libcontainer/image/mounter.h"

#include <fcntl.h>
#include <linux/loop.h>
#include <sys/mount.h>

#include "libcontainer/base/strings.h"
#include "libcontainer/image/erofs_super.h"
#include "libcontainer/sys/uapi.h"

namespace grove::image {
namespace {

// LOOP_CTL_GET_FREE then LOOP_CONFIGURE races with other loop users (losetup, another grove):
// the device can be taken in between (EBUSY). util-linux retries the same way.
constexpr int kLoopAttempts = 16;

std::string fd_path(int fd) { return "/proc/self/fd/" + std::to_string(fd); }

// fsopen("erofs") + options + the source + CMD_CREATE + fsmount(RDONLY).
Result<UniqueFd> erofs_mount(sys::Ops& ops, const std::string& source,
                             const LayerMountOptions& opts) {
  GROVE_ASSIGN_OR_RETURN(UniqueFd fs, ops.fsopen("erofs", FSOPEN_CLOEXEC));
  // A read-only superblock: without it a block source (the loop fallback, bound read-only) is
  // opened for writing and refused with EACCES.
  GROVE_TRY(ops.fsconfig_set_flag(fs.get(), "ro"));
  if (!opts.domain.empty()) {
    // 7.0: inode_share requires domain_id (EINVAL otherwise); an image without fingerprint
    // xattrs mounts anyway with sharing turned off (the kernel logs it).
    GROVE_TRY(ops.fsconfig_set_flag(fs.get(), "inode_share"));
    GROVE_TRY(ops.fsconfig_set_string(fs.get(), "domain_id", opts.domain));
  }
  GROVE_TRY(ops.fsconfig_set_string(fs.get(), "source", source));
  GROVE_TRY(ops.fsconfig_create(fs.get()));
  return ops.fsmount(fs.get(), FSMOUNT_CLOEXEC, MOUNT_ATTR_RDONLY);
}

// A free loop device bound read-only to `image_fd` with autoclear: the returned fd keeps it
// bound until the mount holds it; closing the fd without a mount frees it.
Result<std::pair<UniqueFd, int>> bind_loop(sys::Ops& ops, int image_fd) {
  GROVE_ASSIGN_OR_RETURN(UniqueFd ctl, ops.openat(AT_FDCWD, "/dev/loop-control", O_RDWR, 0));
  for (int attempt = 1;; ++attempt) {
    GROVE_ASSIGN_OR_RETURN(int n, ops.ioctl_loop_ctl_get_free(ctl.get()));
    std::string dev = "/dev/loop" + std::to_string(n);
    GROVE_ASSIGN_OR_RETURN(UniqueFd loop, ops.openat(AT_FDCWD, dev, O_RDONLY, 0));
    Status st = ops.ioctl_loop_configure(loop.get(), image_fd,
                                         LO_FLAGS_READ_ONLY | LO_FLAGS_AUTOCLEAR);
    if (st) return std::make_pair(std::move(loop), n);
    if (st.error().code() != EBUSY || attempt == kLoopAttempts) return std::move(st).error();
  }
}

Result<UniqueFd> loop_mount(sys::Ops& ops, int image_fd, const LayerMountOptions& opts,
                            std::string* how) {
  GROVE_ASSIGN_OR_RETURN(auto bound, bind_loop(ops, image_fd));
  // The loop fd is closed on return either way: on success the superblock holds the device,
  // on failure autoclear unbinds it.
  std::string dev = "/dev/loop" + std::to_string(bound.second);
  GROVE_ASSIGN_OR_RETURN(UniqueFd mnt, erofs_mount(ops, dev, opts).context("via " + q(dev)));
  if (how != nullptr) *how = "loop" + std::to_string(bound.second);
  return mnt;
}

}  // namespace

LayerMountOptions layer_mount_options(const sys::Features& features, const std::string& domain) {
  LayerMountOptions o;
  o.file_backed = bool(features.erofs_file_backed);
  if (!domain.empty() && features.erofs_inode_share) o.domain = domain;
  return o;
}

Result<OpenedLayer> open_layer(sys::Ops& ops, const std::string& path) {
  OpenedLayer layer;
  layer.path = path;
  GROVE_ASSIGN_OR_RETURN(layer.fd,
                         ops.openat(AT_FDCWD, path, O_RDONLY | O_NONBLOCK | O_NOCTTY, 0));
  GROVE_ASSIGN_OR_RETURN(layer.st, ops.fstat(layer.fd.get()));
  if (!S_ISREG(layer.st.st_mode)) {
    return Error::invalid("image " + q(path) + " is not a regular file");
  }
  // Refuse what the kernel would refuse with a bare EINVAL (or mount and fail reading later),
  // naming the file: the reason would otherwise be in dmesg only.
  GROVE_TRY(read_erofs_super(ops, layer.fd.get(), static_cast<uint64_t>(layer.st.st_size))
                .context([&] { return "image " + q(path); }));
  return layer;
}

Result<UniqueFd> mount_layer(sys::Ops& ops, int image_fd, const LayerMountOptions& opts,
                             std::string* how) {
  if (opts.file_backed) {
    auto mnt = erofs_mount(ops, fd_path(image_fd), opts);
    if (mnt) {
      if (how != nullptr) *how = "file";
      return mnt;
    }
    // ENOTBLK: the image's filesystem has no read_folio (tmpfs) or is stacked (overlay): a loop
    // device reads through the page cache of any filesystem.
    if (mnt.error().code() != ENOTBLK) return std::move(mnt).error();
  }
  return loop_mount(ops, image_fd, opts, how);
}

}  // namespace grove::image
