#pragma once
// `grove image build`: a directory or a tar stream -> an EROFS image file, atomically (a temp
// file next to the output, renamed into place only when complete).

#include <string>

#include "libcontainer/base/result.h"
#include "libcontainer/image/erofs_writer.h"
#include "libcontainer/sys/ops.h"

namespace grove::image {

struct BuildRequest {
  std::string source;  // a directory, a tar file (plain or gzip), or "-" for a tar on stdin
  std::string output;  // the image file to write (replaced if it exists)
  BuildOptions options;
  // Rewrite OCI whiteouts (".wh.X", ".wh..wh..opq") to overlayfs form (convert_whiteouts()).
  bool overlay_whiteouts = false;
};

// Builds `req.output` from `req.source`. The output's directory also holds the tar spool (an
// O_TMPFILE, gone on exit). On error no output or temp file is left and an existing output is
// untouched. Errors: those of the sources and the writer, with a frame naming the source; EINVAL
// for a source that is neither a directory nor a readable file.
[[nodiscard]] Result<BuildSummary> build_image(sys::Ops& ops, const BuildRequest& req);

}  // namespace grove::image
