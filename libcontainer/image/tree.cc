#include "libcontainer/image/tree.h"

#include <sys/stat.h>

#include "libcontainer/base/strings.h"

namespace grove::image {

Inode Tree::default_dir() {
  Inode root;
  root.mode = S_IFDIR | 0755;
  return root;
}

Tree::Tree(Inode root) {
  root.mode = S_IFDIR | (root.mode & 07777);
  root.parent = 0;
  root.entries.clear();
  inodes_.push_back(std::move(root));
}

Status Tree::check_name(std::string_view name) {
  if (name.empty()) return Error::invalid("empty file name");
  if (name == "." || name == "..") return Error::invalid("file name " + q(name) + " is reserved");
  if (name.size() > 255) return Error::invalid("file name " + q(name) + " is longer than 255 bytes");
  if (name.find('/') != std::string_view::npos || name.find('\0') != std::string_view::npos) {
    return Error::invalid("file name " + q(name) + " contains '/' or NUL");
  }
  return ok();
}

Result<uint32_t> Tree::add(uint32_t dir, const std::string& name, Inode inode) {
  GROVE_TRY(check_name(name));
  if (dir >= inodes_.size() || !S_ISDIR(inodes_[dir].mode)) {
    return Error::invalid("add " + q(name) + ": parent is not a directory");
  }
  if (inodes_[dir].entries.count(name) != 0) {
    return Error::from_errno(EEXIST, "add " + q(name));
  }
  if (S_ISDIR(inode.mode)) {
    inode.entries.clear();
    inode.parent = dir;
  }
  if (S_ISLNK(inode.mode)) inode.size = inode.target.size();
  auto index = static_cast<uint32_t>(inodes_.size());
  inodes_.push_back(std::move(inode));
  inodes_[dir].entries.emplace(name, index);
  return index;
}

Status Tree::link(uint32_t dir, const std::string& name, uint32_t target) {
  GROVE_TRY(check_name(name));
  if (dir >= inodes_.size() || !S_ISDIR(inodes_[dir].mode)) {
    return Error::invalid("link " + q(name) + ": parent is not a directory");
  }
  if (target >= inodes_.size() || S_ISDIR(inodes_[target].mode)) {
    return Error::invalid("link " + q(name) + ": target is a directory or missing");
  }
  if (!inodes_[dir].entries.emplace(name, target).second) {
    return Error::from_errno(EEXIST, "link " + q(name));
  }
  return ok();
}

Status Tree::remove(uint32_t dir, const std::string& name) {
  if (dir >= inodes_.size() || inodes_[dir].entries.erase(name) == 0) {
    return Error::from_errno(ENOENT, "remove " + q(name));
  }
  return ok();
}

Result<uint32_t> Tree::lookup(std::string_view path) const {
  uint32_t cur = 0;
  std::size_t pos = 0;
  while (pos <= path.size()) {
    std::size_t slash = path.find('/', pos);
    if (slash == std::string_view::npos) slash = path.size();
    std::string_view part = path.substr(pos, slash - pos);
    pos = slash + 1;
    if (part.empty() || part == ".") continue;
    if (!S_ISDIR(inodes_[cur].mode)) return Error::from_errno(ENOTDIR, "lookup " + q(path));
    if (part == "..") {
      cur = inodes_[cur].parent;
      continue;
    }
    auto it = inodes_[cur].entries.find(std::string(part));
    if (it == inodes_[cur].entries.end()) return Error::from_errno(ENOENT, "lookup " + q(path));
    cur = it->second;
  }
  return cur;
}

Status BytesReader::read(const Inode& inode, const ChunkSink& sink) {
  if (inode.content.kind == Content::Kind::kNone && inode.size == 0) return ok();
  if (inode.content.kind != Content::Kind::kBytes) {
    return Error::invalid("content is not held in memory");
  }
  return sink(inode.content.bytes);
}

}  // namespace grove::image
