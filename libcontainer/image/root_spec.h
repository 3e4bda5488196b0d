#pragma once
// The image-root annotations of a bundle (issue #7): a container's root built from a stack of
// EROFS images instead of a rootfs directory.
//
//   run.grove.rootfs.images  layer image files, top-most first, separated by ':' (overlayfs'
//                            lowerdir order). Each path is absolute or relative to the bundle
//                            directory; a path cannot contain ':' or NUL. 1..kMaxLayers layers.
//   run.grove.rootfs.upper   "tmpfs" (default): a fresh tmpfs per container, the root is
//                            writable and the writes vanish on delete; "none": no upper, the
//                            root is read-only (EROFS); an absolute or bundle-relative DIR: a
//                            persistent upper, DIR/upper and DIR/work are created (overlayfs
//                            needs both on one filesystem) and kept after delete.
//   run.grove.image.domain   opt-in page-cache sharing: mount the layers with
//                            `inode_share,domain_id=ID` when the kernel has it (7.0). The domain
//                            is a trust boundary: every image mounted with one ID can serve its
//                            pages to the others, so give one ID only to images from one trusted
//                            builder. 7.1.5 oopses on mincore() of such files (reference/
//                            kernel.md §8): do not use it for untrusted workloads there.
//                            ID: 1..64 of [A-Za-z0-9._-].
// root.path of the spec is not used when run.grove.rootfs.images is set (grove mounts the stack
// under the container's state directory and reports that as the rootfs).
// Pure: no syscalls.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "libcontainer/base/result.h"

namespace grove::image {

inline constexpr std::string_view kImagesAnnotation = "run.grove.rootfs.images";
inline constexpr std::string_view kUpperAnnotation = "run.grove.rootfs.upper";
inline constexpr std::string_view kDomainAnnotation = "run.grove.image.domain";
inline constexpr char kLayerSeparator = ':';
// overlayfs takes at most 500 lower layers; grove keeps well below.
inline constexpr std::size_t kMaxLayers = 128;
inline constexpr std::size_t kMaxDomainLength = 64;

enum class UpperKind { kTmpfs, kDir, kNone };

// Stable names: "tmpfs", "dir", "none".
const char* to_string(UpperKind kind) noexcept;

struct ImageRootSpec {
  std::vector<std::string> layers;  // absolute paths, top-most first
  UpperKind upper = UpperKind::kTmpfs;
  std::string upper_dir;            // absolute; only for kDir
  std::string domain;               // "" = no page-cache sharing requested
};

// Parses and validates the three annotations. nullopt when run.grove.rootfs.images is absent
// (and then neither of the other two may be set). `bundle` is the absolute bundle directory
// relative paths are resolved against (lexically: "a/../b" is kept as written, the kernel
// resolves it). Errors: EINVAL naming the annotation and the bad value: an empty list or an empty
// element, too many layers, a NUL byte, a layer named twice, an upper that is neither tmpfs, none
// nor a path, an upper dir equal to a layer, a bad domain ID, upper/domain without images.
[[nodiscard]] Result<std::optional<ImageRootSpec>> parse_image_root(
    const std::map<std::string, std::string>& annotations, const std::string& bundle);

}  // namespace grove::image
