#pragma once
// The EROFS image writer: Tree + ContentReader -> a deterministic uncompressed image, streamed to
// a sink in order (no seeking), so it can write to a pipe. Same tree and options -> same bytes.

#include <array>
#include <cstdint>
#include <vector>

#include "libcontainer/base/result.h"
#include "libcontainer/image/erofs_layout.h"
#include "libcontainer/image/tree.h"

namespace grove::image {

// What a build produced (for the CLI and tests).
struct BuildSummary {
  uint64_t bytes = 0;        // image size
  uint32_t inodes = 0;
  std::array<uint8_t, 16> uuid{};
};

// Writes the image of `tree` to `out`. Reads every regular file twice through `reader` (once for
// its SHA-256, once for its data). Errors: those of plan_layout(); EIO when a file's length
// differs from the tree's size (it changed while building); errors of `reader` and `out`, each
// with a frame naming the inode's path where known.
[[nodiscard]] Result<BuildSummary> write_erofs(const Tree& tree, ContentReader& reader,
                                               const BuildOptions& opts, const ChunkSink& out);

// The "sha256:" + digest fingerprint value for `data` (39 bytes). Pure.
std::string fingerprint_value(std::string_view data);

}  // namespace grove::image
