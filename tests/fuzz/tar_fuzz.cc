// libFuzzer target: the tar layer reader (image/tar_source.h) on a stream as `grove image build`
// and `image convert` read it: plain or gzip (detected from the magic), ustar, pax ('x', 'g',
// SCHILY.xattr), GNU long names. A stream it accepts must then go all the way: every spooled
// file reads back at its size, OCI whiteouts convert (or are refused cleanly), and the EROFS
// image written from the tree passes grove's superblock check and reads back (independent test
// reader) with the same contents. Input and spool are O_TMPFILEs in /dev/shm (or /tmp).

#include <fcntl.h>
#include <sys/stat.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "libcontainer/image/erofs_super.h"
#include "libcontainer/image/erofs_writer.h"
#include "libcontainer/image/tar_source.h"
#include "libcontainer/image/whiteout.h"
#include "libcontainer/sys/linux_ops.h"
#include "tests/support/erofs_reader.h"

namespace {

using grove::UniqueFd;
using grove::image::Tree;

[[noreturn]] void fail(const std::string& what, const grove::Error* e = nullptr) {
  std::fprintf(stderr, "tar fuzz: %s%s%s\n", what.c_str(), e ? ": " : "",
               e ? e->message().c_str() : "");
  std::abort();
}

UniqueFd tmpfile(grove::sys::Ops& ops) {
  for (const char* dir : {"/dev/shm", "/tmp"}) {
    if (auto fd = ops.openat(AT_FDCWD, dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600)) {
      return std::move(*fd);
    }
  }
  fail("no O_TMPFILE in /dev/shm or /tmp");
}

// The input as a readable fd at offset 0 (a second open of the temp file).
UniqueFd input_fd(grove::sys::Ops& ops, std::string_view data) {
  UniqueFd tmp = tmpfile(ops);
  if (!data.empty()) {
    if (auto w = ops.write(tmp.get(), std::string(data)); !w) fail("write input", &w.error());
  }
  auto fd = ops.openat(AT_FDCWD, "/proc/self/fd/" + std::to_string(tmp.get()),
                       O_RDONLY | O_CLOEXEC, 0);
  if (!fd) fail("reopen input", &fd.error());
  return std::move(*fd);
}

// Every file of the tree through `reader`, collected into contents[i].
std::vector<std::string> read_all(const Tree& tree, grove::image::ContentReader& reader) {
  std::vector<std::string> contents(tree.size());
  for (uint32_t i = 0; i < tree.size(); ++i) {
    const auto& in = tree.at(i);
    if (!S_ISREG(in.mode) || in.content.kind == grove::image::Content::Kind::kNone) continue;
    auto r = reader.read(in, [&](std::string_view chunk) {
      contents[i].append(chunk);
      return grove::Status{};
    });
    if (!r) fail("spooled file " + std::to_string(i) + " unreadable", &r.error());
    if (contents[i].size() != in.size) fail("spooled file size differs");
  }
  return contents;
}

void check_image(const Tree& tree, const std::string& img_bytes,
                 const std::vector<std::string>& contents, uint32_t dir, const std::string& path,
                 const grove::testing::ErofsImage& img) {
  for (const auto& [name, child] : tree.at(dir).entries) {
    const std::string p = path + "/" + name;
    auto n = img.lookup(p);
    if (!n) fail("lookup " + p, &n.error());
    const auto& in = tree.at(child);
    if (n->mode != in.mode || n->uid != in.uid || n->gid != in.gid) fail(p + ": metadata");
    if (S_ISREG(in.mode) && n->data != contents[child]) fail(p + ": content");
    if (S_ISLNK(in.mode) && n->data != in.target) fail(p + ": symlink target");
    if (S_ISDIR(in.mode)) check_image(tree, img_bytes, contents, child, p, img);
  }
}

void write_and_read_back(const Tree& tree, grove::image::ContentReader& reader,
                         const std::vector<std::string>& contents) {
  std::string out;
  grove::image::BuildOptions opts;
  auto sum = grove::image::write_erofs(tree, reader, opts, [&](std::string_view chunk) {
    out.append(chunk);
    return grove::Status{};
  });
  if (!sum) return;  // e.g. an xattr name EROFS cannot store: refused, fine
  if (auto sb = grove::image::check_erofs_super(out, out.size()); !sb) {
    fail("superblock of the written image", &sb.error());
  }
  auto img = grove::testing::ErofsImage::parse(out);
  if (!img) fail("parse the written image", &img.error());
  check_image(tree, out, contents, 0, "", *img);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static grove::sys::LinuxOps ops;
  UniqueFd in = input_fd(ops, std::string_view(reinterpret_cast<const char*>(data), size));
  UniqueFd spool = tmpfile(ops);
  auto tree = grove::image::read_tar(ops, in.get(), spool.get());
  if (!tree) {
    if (tree.error().code() != EINVAL) fail("read_tar error not EINVAL", &tree.error());
    return 0;
  }
  grove::image::SpoolReader reader(ops, spool.get());
  std::vector<std::string> contents = read_all(*tree, reader);
  write_and_read_back(*tree, reader, contents);
  Tree converted = *tree;
  if (grove::image::convert_whiteouts(converted)) {
    write_and_read_back(converted, reader, read_all(converted, reader));
  }
  return 0;
}
