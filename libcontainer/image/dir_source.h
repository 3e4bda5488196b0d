#pragma once
// The directory source: walks a directory fd-relative (never following a symlink) into a Tree,
// and reads file contents back for the writer, re-checking each file's identity.

#include <map>
#include <utility>

#include "libcontainer/base/result.h"
#include "libcontainer/image/tree.h"
#include "libcontainer/sys/ops.h"

namespace grove::image {

// Scans the directory open at `root_fd` (borrowed). Records regular files (by path, read later
// through DirReader), directories, symlinks, hard links (same st_dev/st_ino -> one inode),
// devices, fifos, sockets, uid/gid, mode, mtime with nanoseconds, and every xattr the caller can
// read that EROFS can store (user., trusted., security., system.posix_acl_*; others are
// skipped). Errors carry the relative path of the entry that failed.
[[nodiscard]] Result<Tree> scan_directory(sys::Ops& ops, int root_fd);

// Reads the files of a tree made by scan_directory(): openat2 beneath the root with
// RESOLVE_NO_SYMLINKS, then checks dev/ino against the scan (EIO "changed while building").
// `root_fd` is borrowed and must outlive the reader.
class DirReader final : public ContentReader {
 public:
  DirReader(sys::Ops& ops, int root_fd) : ops_(ops), root_fd_(root_fd) {}
  [[nodiscard]] Status read(const Inode& inode, const ChunkSink& sink) override;

 private:
  sys::Ops& ops_;
  int root_fd_;
};

}  // namespace grove::image
