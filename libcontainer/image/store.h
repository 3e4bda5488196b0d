#pragma once
// A small content-addressed image store on a real filesystem (default /var/lib/grove; never
// tmpfs, whose files cannot back an EROFS mount):
//   STORE/layers/<hex>.erofs   the EROFS image of the layer blob sha256:<hex> (overlay whiteouts)
//   STORE/images/<name>.json   {"name", "manifest", "layers": [digest, ...]} bottom-most first
//   STORE/lock                 flock(LOCK_EX)ed by convert_layout and remove_image for their
//                              whole run: one writer at a time per store (across processes)
// Layer images are shared by every image naming them and removed with the last one.

#include <string>
#include <vector>

#include "libcontainer/base/result.h"
#include "libcontainer/image/erofs_layout.h"
#include "libcontainer/sys/ops.h"

namespace grove::image {

inline constexpr const char* kDefaultStore = "/var/lib/grove";

struct StoredImage {
  std::string name;
  std::string manifest;             // the manifest digest
  std::vector<std::string> layers;  // layer blob digests, bottom-most first
};

struct ConvertRequest {
  std::string layout;  // an OCI image layout directory
  std::string ref;     // org.opencontainers.image.ref.name to pick ("" = the only manifest)
  std::string store = kDefaultStore;
  std::string name;    // the stored name ("" = ref, else the first 12 hex of the manifest)
  BuildOptions options;
};

// The image file of layer `digest` in `store`.
std::string layer_image_path(const std::string& store, const std::string& digest);

// Converts every layer of the picked manifest (verifying each blob's sha256 first; a layer
// already in the store is reused) and records the image under its name, replacing a record of
// the same name. Errors: those of the layout parsers, EIO for a blob whose digest does not
// match, EINVAL for a bad name or a store on tmpfs, and the writer's. Waits for STORE/lock while
// another convert or rm of the store runs.
[[nodiscard]] Result<StoredImage> convert_layout(sys::Ops& ops, const ConvertRequest& req);

// The images recorded in `store`, sorted by name (none when the store does not exist).
[[nodiscard]] Result<std::vector<StoredImage>> list_images(sys::Ops& ops, const std::string& store);

// Removes image `name` and the layer images no other image uses, under STORE/lock (waits for a
// running convert). ENOENT when absent (also when the store does not exist).
[[nodiscard]] Status remove_image(sys::Ops& ops, const std::string& store, const std::string& name);

}  // namespace grove::image
