#pragma once
// A container root from EROFS images (issue #7; annotations in image/root_spec.h): the glue
// between the bundle, the layer mount cache (image/mount_cache.h), the stack (image/stack.h)
// and the container's state. The stack is mounted on <state dir>/rootfs in the host's mount
// namespace and that path is what every mount strategy takes as the rootfs, so pivot, chroot and
// open-tree-namespace need nothing new.
//
// Order, so nothing leaks whatever dies when: create records the cache and the layer keys in
// state.json, then acquires the layers and mounts the stack; delete (and a failed create)
// unmounts the stack and releases every recorded key (release is idempotent).

#include <optional>
#include <string>
#include <vector>

#include "libcontainer/base/result.h"
#include "libcontainer/container/state_store.h"
#include "libcontainer/image/mount_cache.h"
#include "libcontainer/image/mounter.h"
#include "libcontainer/image/root_spec.h"
#include "libcontainer/sys/features.h"
#include "libcontainer/sys/ops.h"
#include "oci/spec.h"

namespace grove::container {

// Everything decided before the container exists: the parsed annotations, the layer files
// opened and checked, their cache keys and the mount options.
struct ImageRoot {
  image::ImageRootSpec spec;
  std::vector<image::OpenedLayer> layers;  // same order as spec.layers
  std::vector<std::string> keys;           // layer_key() of each
  image::LayerMountOptions options;
  std::string cache_dir = image::kDefaultMountCacheDir;
};

// nullopt when the spec names no images. Errors: parse_image_root's EINVAL naming the
// annotation; EPERM when `rootless` or not root (EROFS cannot be mounted in a user namespace:
// the kernel does not allow it, so an unprivileged user cannot use images); ENODEV when the
// kernel lacks erofs or overlay (the probe's reason); open_layer's errors with the annotation.
[[nodiscard]] Result<std::optional<ImageRoot>> prepare_image_root(
    sys::Ops& ops, const oci::Spec& spec, const std::string& bundle,
    const sys::Features& features, bool rootless);

// Where the root of a container whose state lives in `state_dir` is mounted, and the tmpfs
// upper's scratch mount point.
std::string image_rootfs_dir(const std::string& state_dir);
std::string image_scratch_dir(const std::string& state_dir);

// Acquires every layer for this container (holder = its state dir) and mounts the stack on
// image_rootfs_dir(state_dir) (created here, like the scratch dir). The caller has saved a
// record with record_image_root() first. On failure the caller runs release_image_root().
// Errors: MountCache::acquire's and mount_stack's, with `layers[i]` context.
[[nodiscard]] Status mount_image_root(sys::Ops& ops, const ImageRoot& root,
                                      const std::string& state_dir);

// Fills rec.image_cache and rec.image_layers.
void record_image_root(const ImageRoot& root, ContainerRecord& rec);

// Unmounts the container's stack and releases every layer the record names; a record without an
// image root is a no-op. Idempotent: safe after a partial create and on a second delete.
// Errors: the first failing unmount/release (the rest are still attempted).
[[nodiscard]] Status release_image_root(sys::Ops& ops, const ContainerRecord& rec,
                                        const std::string& state_dir);

}  // namespace grove::container
