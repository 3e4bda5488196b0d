// build_image: picks the source (directory or tar), writes the image to a temp file beside the
// output through a 1 MiB buffer, fsyncs and renames it into place.

#include "libcontainer/image/build.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libcontainer/base/defer.h"
#include "libcontainer/base/strings.h"
#include "libcontainer/base/unique_fd.h"
#include "libcontainer/image/dir_source.h"
#include "libcontainer/image/tar_source.h"
#include "libcontainer/image/whiteout.h"

namespace grove::image {
namespace {

constexpr std::size_t kOutBuffer = 1 << 20;

std::string dir_of(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}
std::string base_of(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// Streams the image of `tree` into `fd` through a buffer.
Result<BuildSummary> write_to(sys::Ops& ops, const Tree& tree, ContentReader& reader,
                              const BuildOptions& opts, int fd) {
  std::string buf;
  buf.reserve(kOutBuffer);
  auto sink = [&](std::string_view c) -> Status {
    buf.append(c);
    if (buf.size() < kOutBuffer) return ok();
    GROVE_TRY(ops.write(fd, buf));
    buf.clear();
    return ok();
  };
  GROVE_ASSIGN_OR_RETURN(BuildSummary sum, write_erofs(tree, reader, opts, sink));
  if (!buf.empty()) GROVE_TRY(ops.write(fd, buf));
  GROVE_TRY(ops.fsync(fd));
  return sum;
}

Result<BuildSummary> from_source(sys::Ops& ops, const BuildRequest& req, int outdir, int out) {
  UniqueFd src_fd;
  int src = STDIN_FILENO;
  if (req.source != "-") {
    GROVE_ASSIGN_OR_RETURN(src_fd, ops.openat(AT_FDCWD, req.source, O_RDONLY | O_NOCTTY, 0));
    src = src_fd.get();
  }
  GROVE_ASSIGN_OR_RETURN(struct stat st, ops.fstat(src));
  if (S_ISDIR(st.st_mode)) {
    GROVE_ASSIGN_OR_RETURN(Tree tree, scan_directory(ops, src));
    if (req.overlay_whiteouts) GROVE_TRY(convert_whiteouts(tree));
    DirReader reader(ops, src);
    return write_to(ops, tree, reader, req.options, out);
  }
  // A named source must be a file or a pipe; stdin may be anything readable (even /dev/null).
  if (req.source != "-" && !S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode) &&
      !S_ISSOCK(st.st_mode)) {
    return Error::invalid("not a directory or a tar stream");
  }
  // The spool sits beside the output (a real filesystem when the output is on one).
  GROVE_ASSIGN_OR_RETURN(UniqueFd spool, ops.openat(outdir, ".", O_TMPFILE | O_RDWR, 0600));
  GROVE_ASSIGN_OR_RETURN(Tree tree, read_tar(ops, src, spool.get()));
  if (req.overlay_whiteouts) GROVE_TRY(convert_whiteouts(tree));
  SpoolReader reader(ops, spool.get());
  return write_to(ops, tree, reader, req.options, out);
}

}  // namespace

Result<BuildSummary> build_image(sys::Ops& ops, const BuildRequest& req) {
  if (req.output.empty()) return Error::invalid("no output file given");
  std::string dir = dir_of(req.output), base = base_of(req.output);
  if (base.empty() || base == "." || base == "..") {
    return Error::invalid("output " + q(req.output) + " is not a file name");
  }
  GROVE_ASSIGN_OR_RETURN(UniqueFd outdir,
                         ops.openat(AT_FDCWD, dir, O_RDONLY | O_DIRECTORY, 0)
                             .context([&] { return "output directory " + q(dir); }));
  std::string tmp = "." + base + ".tmp-" + std::to_string(ops.getpid());
  GROVE_ASSIGN_OR_RETURN(UniqueFd out,
                         ops.openat(outdir.get(), tmp, O_WRONLY | O_CREAT | O_EXCL, 0644)
                             .context([&] { return "output " + q(req.output); }));
  Defer cleanup([&] { (void)ops.unlinkat(outdir.get(), tmp, 0); });
  GROVE_ASSIGN_OR_RETURN(BuildSummary sum, from_source(ops, req, outdir.get(), out.get())
                                               .context([&] { return "source " + q(req.source); }));
  GROVE_TRY(ops.renameat2(outdir.get(), tmp, outdir.get(), base, 0)
                .context([&] { return "output " + q(req.output); }));
  cleanup.dismiss();
  return sum;
}

}  // namespace grove::image
