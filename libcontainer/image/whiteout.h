#pragma once
// OCI layer whiteouts to overlayfs form, so a layer's EROFS image can be an overlay lower dir
// as is (what containerd's EROFS snapshotter does).

#include "libcontainer/base/result.h"
#include "libcontainer/image/tree.h"

namespace grove::image {

// Rewrites the OCI image-spec whiteouts of `tree` in place: an entry ".wh.NAME" becomes a
// character device 0:0 named NAME (replacing NAME if the layer also has it), and ".wh..wh..opq"
// in a directory is dropped and sets xattr trusted.overlay.opaque=y on that directory. The
// whiteout's owner, mode bits and mtime are kept. EINVAL for ".wh." with an empty or reserved
// NAME.
[[nodiscard]] Status convert_whiteouts(Tree& tree);

}  // namespace grove::image
