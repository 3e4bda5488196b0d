#pragma once
// The tar source: a tar stream (plain or gzip, ustar/pax/GNU) into a Tree. File contents go to
// a spool file (an unlinked temp file on a real filesystem) and are read back by SpoolReader.

#include <memory>
#include <string>

#include "libcontainer/base/result.h"
#include "libcontainer/image/tree.h"
#include "libcontainer/sys/ops.h"

namespace grove::image {

// Reads the tar stream on `in_fd` (borrowed; gzip is detected from its magic) to its end
// (two zero blocks, or EOF after a complete entry). Supports regular files, hard links,
// symlinks, devices, fifos, directories, GNU long names ('L'/'K'), pax headers ('x', 'g':
// path, linkpath, size, uid, gid, mtime with fraction, SCHILY.xattr.*, SCHILY.devmajor/minor).
// Later entries replace earlier ones of the same path (a directory keeps its children);
// missing parents are created as 0755 root directories. Contents are appended to `spool_fd`
// (borrowed). Errors (EINVAL unless a syscall failed) name the entry: a bad checksum, a path
// with "..", an unsupported entry type, a hard link to a missing file, a truncated stream.
[[nodiscard]] Result<Tree> read_tar(sys::Ops& ops, int in_fd, int spool_fd);

// Reads Content::kSpool files from the spool written by read_tar (`spool_fd` borrowed).
class SpoolReader final : public ContentReader {
 public:
  SpoolReader(sys::Ops& ops, int spool_fd) : ops_(ops), spool_fd_(spool_fd) {}
  [[nodiscard]] Status read(const Inode& inode, const ChunkSink& sink) override;

 private:
  sys::Ops& ops_;
  int spool_fd_;
};

// A byte stream over an fd that inflates gzip transparently (zlib). Pure apart from `ops.read`.
class TarStream {
 public:
  TarStream(sys::Ops& ops, int fd);
  ~TarStream();
  TarStream(const TarStream&) = delete;
  TarStream& operator=(const TarStream&) = delete;
  // Exactly `n` bytes; EINVAL "truncated" when the stream ends first (an empty result for n > 0
  // only when `eof_ok` and the stream ended exactly here).
  [[nodiscard]] Result<std::string> read(std::size_t n, bool eof_ok = false);

 private:
  [[nodiscard]] Status fill();
  sys::Ops& ops_;
  int fd_;
  std::string raw_;   // unconsumed input bytes
  std::string out_;   // decoded bytes; out_[head_..] are unconsumed
  std::size_t head_ = 0;
  bool eof_ = false;
  bool gzip_ = false;
  bool sniffed_ = false;
  struct Z;
  std::unique_ptr<Z> z_;
};

}  // namespace grove::image
