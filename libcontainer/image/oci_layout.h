#pragma once
// OCI image layout parsing (image-spec image-layout.md, image-index.md, manifest.md): from
// index.json to the list of layer blobs. Pure: callers read the files.

#include <cstdint>
#include <string>
#include <vector>

#include "libcontainer/base/result.h"

namespace grove::image {

struct Descriptor {
  std::string media_type;
  std::string digest;  // "sha256:<64 hex>"
  uint64_t size = 0;
  std::string ref;                 // annotation org.opencontainers.image.ref.name
  std::string os, architecture;    // platform, when given
};

// The manifest (or nested index) descriptor to use from an index document. `ref` "" picks the
// only manifest (EINVAL when there are several: name one); otherwise the one whose ref-name
// annotation equals `ref` (ENOENT when none). Errors name the field.
[[nodiscard]] Result<Descriptor> pick_manifest(const std::string& index_json,
                                               const std::string& ref);

// From a nested (multi-platform) index: the linux/`arch` manifest. ENOENT when absent.
[[nodiscard]] Result<Descriptor> pick_platform(const std::string& index_json,
                                               const std::string& arch);

// True for an image index media type (a nested index).
bool is_index(const std::string& media_type);

// The layers of a manifest, bottom-most first. EINVAL: not a manifest, a digest that is not
// sha256:<64 lower-case hex>, or a layer media type that is not a (gzip) tar.
[[nodiscard]] Result<std::vector<Descriptor>> manifest_layers(const std::string& manifest_json);

// Checks "sha256:<64 lower-case hex>" and returns the hex part. EINVAL otherwise.
[[nodiscard]] Result<std::string> digest_hex(const std::string& digest);

}  // namespace grove::image
