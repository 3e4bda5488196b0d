#pragma once
// A small EROFS reader for tests: parses the uncompressed subset (flat plain/inline layouts,
// inline + shared xattrs, long xattr prefixes, compact/extended inodes) straight from the image
// bytes, written from fs/erofs/erofs_fs.h independently of the writer's encoders, so unit tests
// can check what grove writes and read the erofs-utils fixtures. Errors are EUCLEAN with a reason.

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "libcontainer/base/result.h"

namespace grove::testing {

struct ErofsSuper {
  uint32_t compat = 0, incompat = 0;
  uint8_t blkszbits = 0, prefix_count = 0, ishare_prefix_id = 0;
  uint64_t root_nid = 0, inos = 0;
  int64_t epoch = 0;
  uint32_t fixed_nsec = 0, blocks = 0, meta_blkaddr = 0, prefix_start = 0, build_time = 0;
  std::array<uint8_t, 16> uuid{};
  std::vector<std::string> prefixes;  // each: base index byte + infix
};

struct ErofsNode {
  uint64_t nid = 0;
  bool extended = false;
  int layout = 0;
  uint32_t mode = 0, uid = 0, gid = 0, nlink = 0, rdev = 0, mtime_nsec = 0;
  uint64_t size = 0;
  int64_t mtime = 0;
  uint32_t xattr_isize = 0;
  std::map<std::string, std::string> xattrs;  // full names
  std::string data;                            // file contents / symlink target
  std::map<std::string, std::pair<uint64_t, uint8_t>> entries;  // dirs: name -> (nid, type)
};

class ErofsImage {
 public:
  static Result<ErofsImage> parse(std::string bytes);
  const ErofsSuper& super() const { return sb_; }
  Result<ErofsNode> node(uint64_t nid) const;
  // Resolves "/a/b" from the root without following symlinks.
  Result<ErofsNode> lookup(std::string_view path) const;
  const std::string& bytes() const { return img_; }

 private:
  Result<std::string> read_data(const ErofsNode& n, uint64_t startblk, uint64_t inline_at) const;
  Status read_xattrs(ErofsNode& n, uint64_t at) const;
  Status read_dir(ErofsNode& n) const;
  std::string img_;
  ErofsSuper sb_;
};

// A small valid EROFS image written by grove's writer (a root directory holding one file "f"
// with content "x", no fingerprints): for FakeOps::set_file, where open_layer reads a
// superblock. Aborts the test binary if the writer fails (it cannot for this tree).
std::string tiny_erofs_image();

}  // namespace grove::testing
