// OCI image-spec layer.md "Whiteouts" -> overlayfs (Documentation/filesystems/overlayfs.rst:
// a whiteout is a 0/0 character device; an opaque directory has trusted.overlay.opaque=y).

#include "libcontainer/image/whiteout.h"

#include <sys/stat.h>

#include <vector>

#include "libcontainer/base/strings.h"

namespace grove::image {
namespace {

constexpr std::string_view kPrefix = ".wh.";
constexpr std::string_view kOpaque = ".wh..wh..opq";

Status convert_dir(Tree& tree, uint32_t dir, std::vector<bool>& done) {
  if (done[dir]) return ok();
  done[dir] = true;
  std::vector<std::pair<std::string, uint32_t>> entries(tree.at(dir).entries.begin(),
                                                       tree.at(dir).entries.end());
  for (const auto& [name, child] : entries) {
    if (name == kOpaque) {
      GROVE_TRY(tree.remove(dir, name));
      tree.at(dir).xattrs["trusted.overlay.opaque"] = "y";
      continue;
    }
    if (name.rfind(kPrefix, 0) == 0) {
      std::string target = name.substr(kPrefix.size());
      GROVE_TRY(Tree::check_name(target).context([&, &n = name] { return "whiteout " + q(n); }));
      Inode wh;
      const Inode& src = tree.at(child);
      wh.mode = S_IFCHR | (src.mode & 07777);
      wh.uid = src.uid, wh.gid = src.gid, wh.mtime = src.mtime, wh.mtime_nsec = src.mtime_nsec;
      GROVE_TRY(tree.remove(dir, name));
      (void)tree.remove(dir, target);  // a whiteout hides what the layer had under that name
      GROVE_TRY(tree.add(dir, target, std::move(wh)));
      continue;
    }
    if (S_ISDIR(tree.at(child).mode)) GROVE_TRY(convert_dir(tree, child, done));
  }
  return ok();
}

}  // namespace

Status convert_whiteouts(Tree& tree) {
  std::vector<bool> done(tree.size(), false);
  return convert_dir(tree, 0, done);
}

}  // namespace grove::image
