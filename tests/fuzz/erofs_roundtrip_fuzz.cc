// libFuzzer target: build -> read round trip of the EROFS writer. The input describes a small
// tree (directories, files with contents up to a few blocks, symlinks, hard links, devices,
// fifos, xattrs, odd ids and times); grove's writer makes an image of it, which must pass grove's
// own superblock check (image/erofs_super.h) and read back, through the independent test reader
// (tests/support/erofs_reader.h), as exactly that tree. Trees the writer refuses (an xattr
// name EROFS cannot store, ...) are fine; a mismatch traps.

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fuzzer/FuzzedDataProvider.h>
#include <string>
#include <vector>

#include "libcontainer/image/erofs_super.h"
#include "libcontainer/image/erofs_writer.h"
#include "tests/support/erofs_reader.h"

namespace {

using grove::image::Inode;
using grove::image::Tree;

[[noreturn]] void mismatch(const std::string& path, const char* what) {
  std::fprintf(stderr, "erofs round trip: %s: %s differs\n", path.c_str(), what);
  std::abort();
}

Inode make_inode(FuzzedDataProvider& in, uint32_t kind) {
  static constexpr uint32_t kTypes[] = {S_IFDIR, S_IFREG, S_IFLNK, S_IFCHR,
                                        S_IFBLK, S_IFIFO, S_IFSOCK, S_IFREG};
  Inode n;
  n.mode = kTypes[kind % 8] | (in.ConsumeIntegral<uint16_t>() & 07777);
  n.uid = in.ConsumeBool() ? in.ConsumeIntegral<uint32_t>() : in.ConsumeIntegral<uint8_t>();
  n.gid = in.ConsumeBool() ? in.ConsumeIntegral<uint32_t>() : 0;
  n.mtime = in.ConsumeBool() ? in.ConsumeIntegral<int64_t>() : in.ConsumeIntegral<uint16_t>();
  n.mtime_nsec = in.ConsumeIntegralInRange<uint32_t>(0, 999999999);
  if (S_ISREG(n.mode)) {
    n.content.kind = grove::image::Content::Kind::kBytes;
    n.content.bytes = in.ConsumeRandomLengthString(3 * 4096 + 100);
    n.size = n.content.bytes.size();
  } else if (S_ISLNK(n.mode)) {
    n.target = in.ConsumeRandomLengthString(300);
    n.size = n.target.size();
  } else if (S_ISCHR(n.mode) || S_ISBLK(n.mode)) {
    n.rdev_major = in.ConsumeIntegral<uint32_t>();
    n.rdev_minor = in.ConsumeIntegral<uint32_t>();
  }
  for (int x = in.ConsumeIntegralInRange(0, 3); x > 0; --x) {
    static constexpr const char* kPrefixes[] = {"user.", "trusted.", "security.", "system."};
    std::string name = kPrefixes[in.ConsumeIntegralInRange(0, 3)];
    name += in.ConsumeRandomLengthString(40);
    n.xattrs[name] = in.ConsumeRandomLengthString(200);
  }
  return n;
}

// Fills `tree` from the input: each step adds an inode or a hard link under a directory.
std::vector<uint32_t> build(FuzzedDataProvider& in, Tree& tree) {
  std::vector<uint32_t> dirs{0}, others;
  for (int step = 0; step < 48 && in.remaining_bytes() > 0; ++step) {
    uint32_t dir = dirs[in.ConsumeIntegralInRange<std::size_t>(0, dirs.size() - 1)];
    std::string name = in.ConsumeRandomLengthString(20);
    uint32_t kind = in.ConsumeIntegral<uint8_t>();
    if (kind >= 240 && !others.empty()) {
      uint32_t target = others[in.ConsumeIntegralInRange<std::size_t>(0, others.size() - 1)];
      (void)tree.link(dir, name, target);
      continue;
    }
    auto added = tree.add(dir, name, make_inode(in, kind));
    if (!added) continue;
    (S_ISDIR(tree.at(*added).mode) ? dirs : others).push_back(*added);
  }
  return others;
}

void check_node(const Tree& tree, uint32_t i, const grove::testing::ErofsNode& n,
                const grove::image::BuildOptions& opts, const std::string& path) {
  const Inode& in = tree.at(i);
  if (n.mode != in.mode) mismatch(path, "mode");
  if (n.uid != in.uid || n.gid != in.gid) mismatch(path, "owner");
  const int64_t mtime = opts.mtime ? *opts.mtime : in.mtime;
  const uint32_t nsec = opts.mtime ? 0 : in.mtime_nsec;
  if (n.mtime != mtime || n.mtime_nsec != nsec) mismatch(path, "mtime");
  if (S_ISREG(in.mode) && n.data != in.content.bytes) mismatch(path, "content");
  if (S_ISLNK(in.mode) && n.data != in.target) mismatch(path, "symlink target");
  if (S_ISCHR(in.mode) || S_ISBLK(in.mode)) {
    if (major(n.rdev) != in.rdev_major || minor(n.rdev) != in.rdev_minor) mismatch(path, "rdev");
  }
  auto want = in.xattrs;
  if (S_ISREG(in.mode) && !opts.digest_xattr.empty()) {
    want[opts.digest_xattr] = grove::image::fingerprint_value(in.content.bytes);
  }
  if (n.xattrs != want) mismatch(path, "xattrs");
  if (S_ISDIR(in.mode)) {
    std::size_t names = 0;
    for (const auto& [name, e] : n.entries) names += name != "." && name != "..";
    if (names != in.entries.size()) mismatch(path, "entry count");
  }
}

void check_tree(const Tree& tree, const grove::testing::ErofsImage& img,
                const grove::image::BuildOptions& opts, uint32_t dir, const std::string& path) {
  for (const auto& [name, child] : tree.at(dir).entries) {
    const std::string p = path + "/" + name;
    auto n = img.lookup(p);
    if (!n) {
      std::fprintf(stderr, "%s\n", n.error().message().c_str());
      mismatch(p, "lookup");
    }
    check_node(tree, child, *n, opts, p);
    if (S_ISDIR(tree.at(child).mode)) check_tree(tree, img, opts, child, p);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  grove::image::BuildOptions opts;
  if (in.ConsumeBool()) opts.digest_xattr = "";
  if (in.ConsumeBool()) opts.mtime = in.ConsumeIntegral<uint32_t>();
  Tree tree(make_inode(in, 0));
  build(in, tree);
  std::string out;
  grove::image::BytesReader reader;
  auto sum = grove::image::write_erofs(tree, reader, opts, [&](std::string_view chunk) {
    out.append(chunk);
    return grove::Status{};
  });
  if (!sum) return 0;
  if (sum->bytes != out.size()) mismatch("/", "summary size");
  auto super = grove::image::check_erofs_super(out, out.size());
  if (!super) {
    std::fprintf(stderr, "%s\n", super.error().message().c_str());
    mismatch("/", "superblock check");
  }
  auto img = grove::testing::ErofsImage::parse(out);
  if (!img) {
    std::fprintf(stderr, "%s\n", img.error().message().c_str());
    mismatch("/", "image parse");
  }
  auto root = img->lookup("/");
  if (!root) mismatch("/", "root lookup");
  check_node(tree, 0, *root, opts, "/");
  check_tree(tree, *img, opts, 0, "");
  return 0;
}
