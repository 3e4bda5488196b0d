#include "tests/support/erofs_reader.h"

#include <sys/stat.h>

#include <cstdlib>
#include <cstring>

#include "libcontainer/image/erofs_writer.h"

namespace grove::testing {
namespace {

Error bad(const std::string& why) { return Error::plain(EUCLEAN, "erofs: " + why); }

uint64_t le(const std::string& s, uint64_t off, int n) {
  uint64_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(s[off + i]);
  return v;
}

const char* short_prefix(unsigned idx) {
  switch (idx) {
    case 1: return "user.";
    case 2: return "system.posix_acl_access";
    case 3: return "system.posix_acl_default";
    case 4: return "trusted.";
    case 6: return "security.";
  }
  return nullptr;
}

}  // namespace

Result<ErofsImage> ErofsImage::parse(std::string bytes) {
  ErofsImage im;
  im.img_ = std::move(bytes);
  const std::string& s = im.img_;
  if (s.size() < 1024 + 128) return bad("image too small");
  const uint64_t b = 1024;
  if (le(s, b, 4) != 0xE0F5E1E2) return bad("bad magic");
  ErofsSuper& sb = im.sb_;
  sb.compat = static_cast<uint32_t>(le(s, b + 8, 4));
  sb.blkszbits = static_cast<uint8_t>(s[b + 12]);
  sb.root_nid = le(s, b + 14, 2);
  sb.inos = le(s, b + 16, 8);
  sb.epoch = static_cast<int64_t>(le(s, b + 24, 8));
  sb.fixed_nsec = static_cast<uint32_t>(le(s, b + 32, 4));
  sb.blocks = static_cast<uint32_t>(le(s, b + 36, 4));
  sb.meta_blkaddr = static_cast<uint32_t>(le(s, b + 40, 4));
  std::memcpy(sb.uuid.data(), s.data() + b + 48, 16);
  sb.incompat = static_cast<uint32_t>(le(s, b + 80, 4));
  sb.prefix_count = static_cast<uint8_t>(s[b + 91]);
  sb.prefix_start = static_cast<uint32_t>(le(s, b + 92, 4));
  sb.ishare_prefix_id = static_cast<uint8_t>(s[b + 105]);
  sb.build_time = static_cast<uint32_t>(le(s, b + 108, 4));
  if (sb.blkszbits != 12) return bad("block size is not 4096");
  if ((uint64_t{sb.blocks} << 12) > s.size()) return bad("blocks beyond the image end");
  uint64_t pos = uint64_t{sb.prefix_start} * 4;
  for (unsigned i = 0; i < sb.prefix_count; ++i) {
    pos = (pos + 3) & ~uint64_t{3};
    uint64_t len = le(s, pos, 2);
    if (pos + 2 + len > s.size()) return bad("prefix beyond the image end");
    sb.prefixes.push_back(s.substr(pos + 2, len));
    pos += 2 + len;
  }
  return im;
}

Result<ErofsNode> ErofsImage::node(uint64_t nid) const {
  const std::string& s = img_;
  uint64_t at = (uint64_t{sb_.meta_blkaddr} << 12) + nid * 32;
  // A compact inode is 32 bytes and may end the image (found by the erofs_roundtrip fuzzer: a
  // FIFO's compact inode in the image's last 32 bytes); only an extended one needs 64.
  if (at + 32 > s.size()) return bad("nid " + std::to_string(nid) + " beyond the image end");
  ErofsNode n;
  n.nid = nid;
  unsigned fmt = static_cast<unsigned>(le(s, at, 2));
  n.extended = fmt & 1;
  if (n.extended && at + 64 > s.size()) {
    return bad("extended inode " + std::to_string(nid) + " beyond the image end");
  }
  n.layout = (fmt >> 1) & 7;
  if (n.layout != 0 && n.layout != 2) return bad("unsupported layout");
  unsigned icount = static_cast<unsigned>(le(s, at + 2, 2));
  n.xattr_isize = icount ? 12 + 4 * (icount - 1) : 0;
  n.mode = static_cast<uint32_t>(le(s, at + 4, 2));
  uint64_t iu;
  if (n.extended) {
    n.size = le(s, at + 8, 8);
    iu = le(s, at + 16, 4) | (le(s, at + 6, 2) << 32);
    n.uid = static_cast<uint32_t>(le(s, at + 24, 4));
    n.gid = static_cast<uint32_t>(le(s, at + 28, 4));
    n.mtime = static_cast<int64_t>(le(s, at + 32, 8));
    n.mtime_nsec = static_cast<uint32_t>(le(s, at + 40, 4));
    n.nlink = static_cast<uint32_t>(le(s, at + 44, 4));
  } else {
    if (fmt & 0x10) return bad("NLINK_1 bit not supported by this reader");
    n.nlink = static_cast<uint32_t>(le(s, at + 6, 2));
    n.size = le(s, at + 8, 4);
    n.mtime = sb_.epoch + static_cast<int64_t>(le(s, at + 12, 4));
    n.mtime_nsec = sb_.fixed_nsec;
    iu = le(s, at + 16, 4);
    n.uid = static_cast<uint32_t>(le(s, at + 24, 2));
    n.gid = static_cast<uint32_t>(le(s, at + 26, 2));
  }
  uint64_t xattr_at = at + (n.extended ? 64 : 32);
  GROVE_TRY(read_xattrs(n, xattr_at));
  if (S_ISCHR(n.mode) || S_ISBLK(n.mode)) n.rdev = static_cast<uint32_t>(iu);
  if (S_ISREG(n.mode) || S_ISDIR(n.mode) || S_ISLNK(n.mode)) {
    GROVE_ASSIGN_OR_RETURN(n.data, read_data(n, iu, xattr_at + n.xattr_isize));
  }
  if (S_ISDIR(n.mode)) GROVE_TRY(read_dir(n));
  return n;
}

Result<std::string> ErofsImage::read_data(const ErofsNode& n, uint64_t startblk,
                                          uint64_t inline_at) const {
  uint64_t bs = 4096, nblocks = (n.size + bs - 1) / bs;
  uint64_t tail = n.layout == 2 && n.size > 0 ? n.size - (nblocks - 1) * bs : 0;
  uint64_t in_blocks = n.size - tail;
  std::string out;
  if (in_blocks > 0) {
    if (startblk * bs + in_blocks > img_.size()) {
      return bad("data beyond the image end");
    }
    out = img_.substr(startblk * bs, in_blocks);
  }
  if (tail > 0) {
    if (inline_at % bs + tail > bs) return bad("inline tail crosses a block");
    out += img_.substr(inline_at, tail);
  }
  return out;
}

Status ErofsImage::read_xattrs(ErofsNode& n, uint64_t at) const {
  if (n.xattr_isize == 0) return ok();
  if (n.xattr_isize <= 12) return bad("xattr ibody too small");
  if (at + n.xattr_isize > img_.size()) return bad("xattrs beyond the image end");
  unsigned shared = static_cast<uint8_t>(img_[at + 4]);
  uint64_t pos = at + 12 + 4 * shared, end = at + n.xattr_isize;
  if (shared != 0) return bad("shared xattrs not supported by this reader");
  while (pos < end) {
    unsigned name_len = static_cast<uint8_t>(img_[pos]);
    unsigned index = static_cast<uint8_t>(img_[pos + 1]);
    uint64_t vlen = le(img_, pos + 2, 2);
    std::string name;
    if (index & 0x80) {
      unsigned id = index & 0x7F;
      if (id >= sb_.prefixes.size()) return bad("long prefix id out of range");
      const std::string& p = sb_.prefixes[id];
      const char* sp = short_prefix(static_cast<uint8_t>(p[0]));
      if (sp == nullptr) return bad("bad long prefix base");
      name = std::string(sp) + p.substr(1);
    } else {
      const char* sp = short_prefix(index);
      if (sp == nullptr) return bad("bad xattr index " + std::to_string(index));
      name = sp;
    }
    name += img_.substr(pos + 4, name_len);
    n.xattrs[name] = img_.substr(pos + 4 + name_len, vlen);
    pos += (4 + name_len + vlen + 3) & ~uint64_t{3};
  }
  if (pos != end) return bad("xattr entries overrun the ibody");
  return ok();
}

Status ErofsImage::read_dir(ErofsNode& n) const {
  const std::string& d = n.data;
  for (uint64_t blk = 0; blk < d.size(); blk += 4096) {
    uint64_t maxsize = std::min<uint64_t>(4096, d.size() - blk);
    uint64_t nameoff0 = le(d, blk + 8, 2);
    if (nameoff0 == 0 || nameoff0 % 12 || nameoff0 > maxsize) return bad("bad nameoff0");
    uint64_t count = nameoff0 / 12;
    std::string prev;
    for (uint64_t i = 0; i < count; ++i) {
      uint64_t de = blk + i * 12, off = le(d, de + 8, 2);
      uint64_t end = i + 1 < count ? le(d, de + 12 + 8, 2) : maxsize;
      if (end < off || end > maxsize) return bad("bad dirent name offsets");
      std::string name = d.substr(blk + off, end - off);
      if (i + 1 == count) name = name.substr(0, strnlen(name.c_str(), name.size()));
      if (!prev.empty() && !(prev < name)) return bad("dirents not sorted: " + name);
      prev = name;
      n.entries[name] = {le(d, de, 8), static_cast<uint8_t>(d[de + 10])};
    }
  }
  return ok();
}

Result<ErofsNode> ErofsImage::lookup(std::string_view path) const {
  GROVE_ASSIGN_OR_RETURN(ErofsNode cur, node(sb_.root_nid));
  std::size_t pos = 0;
  while (pos < path.size()) {
    std::size_t slash = path.find('/', pos);
    if (slash == std::string_view::npos) slash = path.size();
    std::string part(path.substr(pos, slash - pos));
    pos = slash + 1;
    if (part.empty()) continue;
    auto it = cur.entries.find(part);
    if (it == cur.entries.end()) return Error::plain(ENOENT, "erofs: no " + part);
    GROVE_ASSIGN_OR_RETURN(cur, node(it->second.first));
  }
  return cur;
}

std::string tiny_erofs_image() {
  image::Tree tree;
  image::Inode f;
  f.mode = S_IFREG | 0644;
  f.size = 1;
  f.content.kind = image::Content::Kind::kBytes;
  f.content.bytes = "x";
  std::string out;
  image::BytesReader reader;
  image::BuildOptions opts;
  opts.digest_xattr = "";
  opts.mtime = 0;
  if (!tree.add(0, "f", std::move(f))) std::abort();
  auto sink = [&](std::string_view chunk) -> Status {
    out.append(chunk);
    return {};
  };
  if (!image::write_erofs(tree, reader, opts, sink)) std::abort();
  return out;
}

}  // namespace grove::testing
