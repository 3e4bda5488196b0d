#pragma once
// grove::image tree model: an in-memory file tree (the input of the EROFS writer) filled by a
// source (a directory walk, a tar stream). Inodes are values in one vector; directory entries
// name inode indices, so hard links are several entries naming one inode. No syscalls.

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "libcontainer/base/result.h"

namespace grove::image {

// Where a regular file's bytes come from. The writer only carries this to a ContentReader.
struct Content {
  enum class Kind { kNone, kBytes, kPath, kSpool };
  Kind kind = Kind::kNone;
  std::string bytes;   // kBytes: the content itself
  std::string path;    // kPath: path relative to the source root (dir source)
  uint64_t offset = 0; // kSpool: offset of the content in the source's spool file (tar source)
  dev_t dev = 0;       // kPath: identity seen at scan time, re-checked when reading
  ino_t ino = 0;
};

// One inode. `mode` carries S_IFMT and the permission bits.
struct Inode {
  uint32_t mode = 0;
  uint32_t uid = 0;
  uint32_t gid = 0;
  int64_t mtime = 0;        // seconds since the Unix epoch
  uint32_t mtime_nsec = 0;
  uint64_t size = 0;        // regular files: content length (symlinks: target length)
  uint32_t rdev_major = 0;  // char/block devices
  uint32_t rdev_minor = 0;
  std::string target;       // symlinks
  std::map<std::string, std::string> xattrs;  // full names ("user.x") -> value
  Content content;                            // regular files
  std::map<std::string, uint32_t> entries;    // directories: name -> inode index (sorted bytewise)
  uint32_t parent = 0;                        // directories: index of the parent (root: itself)
};

// A tree rooted at inode 0 (a directory). Entry names are single path components: non-empty, no
// '/', no NUL, not "." or "..", at most 255 bytes.
class Tree {
 public:
  // A tree whose root directory has `root` metadata (its S_IFMT is forced to S_IFDIR).
  explicit Tree(Inode root = default_dir());

  // Adds `inode` as `name` under directory `dir`. EINVAL: bad name, `dir` not a directory;
  // EEXIST: the name exists. Returns the new inode's index.
  [[nodiscard]] Result<uint32_t> add(uint32_t dir, const std::string& name, Inode inode);
  // Adds a hard link `name` under `dir` to the existing non-directory inode `target`.
  // EINVAL: bad name or `target` is a directory; EEXIST: the name exists.
  [[nodiscard]] Status link(uint32_t dir, const std::string& name, uint32_t target);
  // Removes entry `name` from `dir` (the inode stays, unreferenced inodes are not written).
  // Recursively unreferenced directories are dropped with it. ENOENT when absent.
  [[nodiscard]] Status remove(uint32_t dir, const std::string& name);
  // Looks up a relative path ("a/b/c", "" or "." = root) without following symlinks.
  // ENOENT when a component is missing, ENOTDIR when a non-final component is not a directory.
  [[nodiscard]] Result<uint32_t> lookup(std::string_view path) const;

  const Inode& at(uint32_t i) const { return inodes_.at(i); }
  Inode& at(uint32_t i) { return inodes_.at(i); }
  std::size_t size() const { return inodes_.size(); }
  static Inode default_dir();

  // Checks a single entry name (see the class comment). EINVAL naming the problem.
  [[nodiscard]] static Status check_name(std::string_view name);

 private:
  std::vector<Inode> inodes_;
};

// Delivers the bytes of a regular file, in order, in chunks to `sink`; exactly `inode.size`
// bytes in total (a writer checks that). Errors name the file.
using ChunkSink = std::function<Status(std::string_view)>;
class ContentReader {
 public:
  virtual ~ContentReader() = default;
  [[nodiscard]] virtual Status read(const Inode& inode, const ChunkSink& sink) = 0;
};

// The reader for trees whose files are all Content::kBytes (or empty). EINVAL for other kinds.
class BytesReader final : public ContentReader {
 public:
  [[nodiscard]] Status read(const Inode& inode, const ChunkSink& sink) override;
};

}  // namespace grove::image
