// Directory walk for `grove image build DIR`. Every entry is reached from its parent's fd with
// O_NOFOLLOW/AT_SYMLINK_NOFOLLOW, so a symlink inside SRC is recorded, never followed. Xattrs are
// read through /proc/self/fd/N of an O_PATH fd: the *xattr(2) calls cannot take an O_PATH fd
// and l*xattr on a path would race with renames; the magic link names the very inode we opened.

#include "libcontainer/image/dir_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <algorithm>

#include "libcontainer/base/strings.h"
#include "libcontainer/base/unique_fd.h"
#include "libcontainer/sys/uapi.h"

namespace grove::image {
namespace {

constexpr size_t kChunk = 1 << 20;

using LinkMap = std::map<std::pair<dev_t, ino_t>, uint32_t>;

bool storable_xattr(const std::string& name) {
  for (const char* p : {"user.", "trusted.", "security."}) {
    if (name.rfind(p, 0) == 0) return true;
  }
  return name == "system.posix_acl_access" || name == "system.posix_acl_default";
}

Status read_xattrs(sys::Ops& ops, int fd, Inode& in) {
  std::string proc = "/proc/self/fd/" + std::to_string(fd);
  auto names = ops.listxattr(proc);
  if (!names) {
    // No xattr support on the source fs (or on this kind of inode) means no xattrs.
    if (names.error().code() == EOPNOTSUPP) return ok();
    return std::move(names).error();
  }
  for (const std::string& name : *names) {
    if (!storable_xattr(name)) continue;
    auto value = ops.getxattr(proc, name);
    if (!value && value.error().code() == ENODATA) continue;  // removed since listxattr
    if (!value) return std::move(value).error();
    in.xattrs[name] = std::move(*value);
  }
  return ok();
}

Inode from_stat(const struct stat& st) {
  Inode in;
  in.mode = st.st_mode;
  in.uid = st.st_uid;
  in.gid = st.st_gid;
  in.mtime = st.st_mtim.tv_sec;
  in.mtime_nsec = static_cast<uint32_t>(st.st_mtim.tv_nsec);
  if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
    in.rdev_major = major(st.st_rdev);
    in.rdev_minor = minor(st.st_rdev);
  }
  return in;
}

Status scan_dir(sys::Ops& ops, int dirfd, const std::string& rel, Tree& tree, uint32_t dir,
                LinkMap& links);

// One entry `name` of the directory open at `dirfd` (relative path `path`).
Status scan_entry(sys::Ops& ops, int dirfd, const std::string& name, const std::string& path,
                  Tree& tree, uint32_t dir, LinkMap& links) {
  GROVE_ASSIGN_OR_RETURN(struct stat st, ops.fstatat(dirfd, name, AT_SYMLINK_NOFOLLOW));
  if (!S_ISDIR(st.st_mode) && st.st_nlink > 1) {
    auto it = links.find({st.st_dev, st.st_ino});
    if (it != links.end()) return tree.link(dir, name, it->second);
  }
  int flags = S_ISDIR(st.st_mode) ? O_RDONLY | O_DIRECTORY | O_NOFOLLOW : O_PATH | O_NOFOLLOW;
  GROVE_ASSIGN_OR_RETURN(UniqueFd fd, ops.openat(dirfd, name, flags, 0));
  GROVE_ASSIGN_OR_RETURN(struct stat now, ops.fstat(fd.get()));
  if (now.st_dev != st.st_dev || now.st_ino != st.st_ino) {
    return Error::from_errno(EIO, "changed while building the image");
  }
  Inode in = from_stat(now);
  GROVE_TRY(read_xattrs(ops, fd.get(), in));
  if (S_ISLNK(now.st_mode)) {
    GROVE_ASSIGN_OR_RETURN(in.target, ops.readlinkat(dirfd, name));
  } else if (S_ISREG(now.st_mode)) {
    in.size = static_cast<uint64_t>(now.st_size);
    in.content = Content{Content::Kind::kPath, {}, path, 0, now.st_dev, now.st_ino};
  }
  GROVE_ASSIGN_OR_RETURN(uint32_t index, tree.add(dir, name, std::move(in)));
  if (!S_ISDIR(now.st_mode) && now.st_nlink > 1) links[{now.st_dev, now.st_ino}] = index;
  if (S_ISDIR(now.st_mode)) return scan_dir(ops, fd.get(), path, tree, index, links);
  return ok();
}

Status scan_dir(sys::Ops& ops, int dirfd, const std::string& rel, Tree& tree, uint32_t dir,
                LinkMap& links) {
  GROVE_ASSIGN_OR_RETURN(std::vector<std::string> names, ops.list_dir(dirfd, ""));
  std::sort(names.begin(), names.end());  // hard links: the first name in order owns the inode
  for (const std::string& name : names) {
    std::string path = rel.empty() ? name : rel + "/" + name;
    GROVE_TRY(scan_entry(ops, dirfd, name, path, tree, dir, links).context([&] {
      return q(path);
    }));
  }
  return ok();
}

}  // namespace

Result<Tree> scan_directory(sys::Ops& ops, int root_fd) {
  GROVE_ASSIGN_OR_RETURN(struct stat st, ops.fstat(root_fd));
  if (!S_ISDIR(st.st_mode)) return Error::from_errno(ENOTDIR, "source is not a directory");
  Inode root = from_stat(st);
  GROVE_TRY(read_xattrs(ops, root_fd, root).context("\".\""));
  Tree tree(std::move(root));
  LinkMap links;
  GROVE_TRY(scan_dir(ops, root_fd, "", tree, 0, links));
  return tree;
}

Status DirReader::read(const Inode& inode, const ChunkSink& sink) {
  if (inode.content.kind != Content::Kind::kPath) return BytesReader().read(inode, sink);
  sys::OpenHow how;
  how.flags = O_RDONLY | O_NOFOLLOW | O_NOCTTY;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  GROVE_ASSIGN_OR_RETURN(UniqueFd fd, ops_.openat2(root_fd_, inode.content.path, how));
  GROVE_ASSIGN_OR_RETURN(struct stat st, ops_.fstat(fd.get()));
  if (st.st_dev != inode.content.dev || st.st_ino != inode.content.ino || !S_ISREG(st.st_mode)) {
    return Error::from_errno(EIO, "replaced while building the image");
  }
  for (;;) {
    GROVE_ASSIGN_OR_RETURN(std::string chunk, ops_.read(fd.get(), kChunk));
    if (chunk.empty()) return ok();
    GROVE_TRY(sink(chunk));
  }
}

}  // namespace grove::image
