// Image roots: annotations -> opened layers -> cache -> stack -> the container (image_root.h).

#include "libcontainer/container/image_root.h"

#include <fcntl.h>
#include <unistd.h>

#include "libcontainer/base/strings.h"
#include "libcontainer/image/stack.h"

namespace grove::container {
namespace {

Status check_kernel(const sys::Features& f) {
  if (!f.erofs) return Error::plain(ENODEV, "kernel cannot mount EROFS: " + f.erofs.reason);
  if (!f.overlay) return Error::plain(ENODEV, "kernel has no overlayfs: " + f.overlay.reason);
  return ok();
}

Status tolerate(Status st, int code) {
  if (!st && st.error().code() == code) return ok();
  return st;
}

}  // namespace

Result<std::optional<ImageRoot>> prepare_image_root(sys::Ops& ops, const oci::Spec& spec,
                                                    const std::string& bundle,
                                                    const sys::Features& features,
                                                    bool rootless) {
  GROVE_ASSIGN_OR_RETURN(auto parsed, image::parse_image_root(spec.annotations, bundle));
  if (!parsed) return std::optional<ImageRoot>();
  const std::string where = "annotations " + q(image::kImagesAnnotation);
  // The kernel has no FS_USERNS_MOUNT for erofs: say so before anything is created.
  if (rootless || ::geteuid() != 0) {
    return Error::plain(EPERM, where + ": EROFS images need real root (the kernel does not let "
                               "a user namespace mount EROFS); unpack the image into a "
                               "directory for a rootless container");
  }
  GROVE_TRY(check_kernel(features).context(where));
  ImageRoot root;
  root.spec = std::move(*parsed);
  root.options = image::layer_mount_options(features, root.spec.domain);
  for (std::size_t i = 0; i < root.spec.layers.size(); ++i) {
    GROVE_ASSIGN_OR_RETURN(image::OpenedLayer layer,
                           image::open_layer(ops, root.spec.layers[i]).context([&] {
                             return where + " layer " + std::to_string(i);
                           }));
    root.keys.push_back(image::layer_key(layer.st, root.options));
    root.layers.push_back(std::move(layer));
  }
  return std::optional<ImageRoot>(std::move(root));
}

std::string image_rootfs_dir(const std::string& state_dir) { return state_dir + "/rootfs"; }
std::string image_scratch_dir(const std::string& state_dir) { return state_dir + "/upper"; }

void record_image_root(const ImageRoot& root, ContainerRecord& rec) {
  rec.image_cache = root.cache_dir;
  rec.image_layers = root.keys;
}

Status mount_image_root(sys::Ops& ops, const ImageRoot& root, const std::string& state_dir) {
  image::MountCache cache(ops, root.cache_dir);
  const std::string holder = image::holder_name(state_dir);
  image::StackRequest req;
  for (std::size_t i = 0; i < root.layers.size(); ++i) {
    GROVE_ASSIGN_OR_RETURN(std::string mnt,
                           cache.acquire(root.layers[i], root.keys[i], root.options, holder,
                                         state_dir)
                               .context([&] { return "layers[" + std::to_string(i) + "]"; }));
    req.lowers.push_back(std::move(mnt));
  }
  req.upper = root.spec.upper;
  req.upper_dir = root.spec.upper_dir;
  req.target = image_rootfs_dir(state_dir);
  req.scratch = image_scratch_dir(state_dir);
  GROVE_TRY(tolerate(ops.mkdirat(AT_FDCWD, req.target, 0755), EEXIST));
  if (req.upper == image::UpperKind::kTmpfs) {
    GROVE_TRY(tolerate(ops.mkdirat(AT_FDCWD, req.scratch, 0700), EEXIST));
  }
  return image::mount_stack(ops, req);
}

Status release_image_root(sys::Ops& ops, const ContainerRecord& rec,
                          const std::string& state_dir) {
  if (rec.image_cache.empty()) return ok();
  Status first = image::unmount_stack(ops, image_rootfs_dir(state_dir),
                                      image_scratch_dir(state_dir));
  image::MountCache cache(ops, rec.image_cache);
  const std::string holder = image::holder_name(state_dir);
  for (const std::string& key : rec.image_layers) {
    Status st = cache.release(key, holder);
    if (!st && first) first = std::move(st);
  }
  return std::move(first).context("release image root");
}

}  // namespace grove::container
