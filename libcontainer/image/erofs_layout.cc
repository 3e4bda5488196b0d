// EROFS layout planning and encoding. Field offsets follow struct erofs_super_block,
// erofs_inode_compact/extended, erofs_xattr_entry and erofs_dirent in fs/erofs/erofs_fs.h.

#include "libcontainer/image/erofs_layout.h"

#include <sys/stat.h>

#include <algorithm>
#include <limits>

#include "libcontainer/base/strings.h"

namespace grove::image {
namespace {

constexpr uint64_t kBs = kErofsBlockSize;

uint64_t round_up(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }
uint32_t align4(uint32_t v) { return (v + 3) & ~3u; }

struct Prefix {
  const char* name;
  uint8_t index;
  bool exact;  // the whole name must match (POSIX ACLs are stored with an empty suffix)
};
// Longest first where one is a prefix of another (none are, today).
constexpr Prefix kPrefixes[] = {{"user.", 1, false},
                                {"system.posix_acl_access", 2, true},
                                {"system.posix_acl_default", 3, true},
                                {"trusted.", 4, false},
                                {"security.", 6, false}};

Result<XattrEntry> split_xattr(const std::string& name, const std::string& value) {
  if (value.size() > 0xFFFF) {
    return Error::invalid("xattr " + q(name) + ": value of " + std::to_string(value.size()) +
                          " bytes is over 65535");
  }
  for (const Prefix& p : kPrefixes) {
    std::string_view pn = p.name;
    if (p.exact ? name == pn : (name.size() > pn.size() && name.compare(0, pn.size(), pn) == 0)) {
      XattrEntry e{p.index, name.substr(pn.size()), value};
      if (e.suffix.size() > 255) return Error::invalid("xattr name " + q(name) + " is too long");
      return e;
    }
  }
  return Error::invalid("xattr " + q(name) + " has no EROFS name prefix (user., trusted., "
                        "security., system.posix_acl_*)");
}

// The fingerprint's long prefix: base index + infix (the name after the short prefix).
Result<XattrEntry> digest_prefix(const std::string& name) {
  auto e = split_xattr(name, "");
  if (!e || e->index == 2 || e->index == 3) {
    return Error::invalid("digest xattr name " + q(name) +
                          " must start with user., trusted. or security. and have a rest");
  }
  return e;
}

uint8_t file_type(uint32_t mode) {
  switch (mode & S_IFMT) {
    case S_IFREG: return 1;
    case S_IFDIR: return 2;
    case S_IFCHR: return 3;
    case S_IFBLK: return 4;
    case S_IFIFO: return 5;
    case S_IFSOCK: return 6;
    case S_IFLNK: return 7;
  }
  return 0;
}

// Depth-first, entries in name order; a hard-linked inode is placed at its first name.
void visit(const Tree& tree, uint32_t dir, Layout& l) {
  for (const auto& [name, child] : tree.at(dir).entries) {
    InodeLayout& il = l.inodes[child];
    il.nlink++;
    if (S_ISDIR(tree.at(child).mode)) l.inodes[dir].nlink++;  // the child's ".."
    if (il.used) continue;
    il.used = true;
    l.order.push_back(child);
    if (S_ISDIR(tree.at(child).mode)) {
      il.nlink++;  // its own "."
      visit(tree, child, l);
    }
  }
}

uint64_t dir_size(const Inode& dir) {
  std::vector<std::string> names = dir_names(dir);
  std::vector<std::size_t> starts = dir_block_starts(names);
  uint64_t last = 0;
  for (std::size_t i = starts.back(); i < names.size(); ++i) last += 12 + names[i].size();
  return (starts.size() - 1) * kBs + last;
}

Status plan_xattrs(const Inode& inode, const BuildOptions& opts, bool digest, InodeLayout& il) {
  il.xattrs.clear();
  if (digest && S_ISREG(inode.mode)) {
    il.xattrs.push_back({0x80, "", std::string(kDigestValueSize, '\0')});
  }
  for (const auto& [name, value] : inode.xattrs) {
    if (digest && name == opts.digest_xattr) continue;  // the writer's value wins
    GROVE_ASSIGN_OR_RETURN(XattrEntry e, split_xattr(name, value));
    il.xattrs.push_back(std::move(e));
  }
  if (il.xattrs.empty()) return ok();
  uint32_t size = 12;
  for (const XattrEntry& e : il.xattrs) {
    size += align4(static_cast<uint32_t>(4 + e.suffix.size() + e.value.size()));
  }
  if ((size - 12) / 4 + 1 > 0xFFFF) return Error::invalid("xattrs over 256 KiB on one inode");
  il.xattr_size = size;
  return ok();
}

bool needs_extended(const InodeLayout& il, const Inode& inode, int64_t epoch) {
  // `epoch` is the smallest mtime, so the distance is >= 0, but with times at both ends of the
  // range it does not fit int64_t (signed overflow): unsigned, it is exact.
  uint64_t rel = static_cast<uint64_t>(il.mtime) - static_cast<uint64_t>(epoch);
  return inode.uid > 0xFFFF || inode.gid > 0xFFFF || il.size > 0xFFFFFFFFull ||
         il.nlink > 0xFFFF || il.mtime_nsec != 0 || il.mtime < epoch || rel > 0xFFFFFFFFull;
}

// Places one inode at `pos` (advanced past it): inline tail when it fits in this metadata block,
// or in the next one when the tail is at most half a block; otherwise all data goes to blocks.
void place(const Inode& inode, InodeLayout& il, uint64_t& pos) {
  uint64_t meta = (il.extended ? 64 : 32) + il.xattr_size;
  auto room = [&] { return kBs - pos % kBs; };
  if (meta > room() && meta <= kBs) pos = round_up(pos, kBs);
  bool has_data = S_ISREG(inode.mode) || S_ISDIR(inode.mode) || S_ISLNK(inode.mode);
  uint64_t tail = has_data ? il.size % kBs : 0;
  il.blocks = has_data ? il.size / kBs : 0;
  il.datalayout = kLayoutFlatPlain;
  if (tail > 0) {
    if (meta + tail > room() && tail <= kBs / 2 && meta + tail <= kBs) pos = round_up(pos, kBs);
    if (meta + tail <= room()) {
      il.datalayout = kLayoutFlatInline;
      il.tail = static_cast<uint32_t>(tail);
    } else {
      il.blocks++;
    }
  }
  il.nid = pos / 32;
  pos = round_up(pos + meta + il.tail, 32);
}

}  // namespace

std::vector<std::string> dir_names(const Inode& dir) {
  std::vector<std::string> names{".", ".."};
  for (const auto& [name, child] : dir.entries) names.push_back(name);
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<std::size_t> dir_block_starts(const std::vector<std::string>& names) {
  std::vector<std::size_t> starts{0};
  uint64_t used = 0;
  for (std::size_t i = 0; i < names.size(); ++i) {
    uint64_t need = 12 + names[i].size();
    if (used + need > kBs) {
      starts.push_back(i);
      used = 0;
    }
    used += need;
  }
  return starts;
}

Result<Layout> plan_layout(const Tree& tree, const BuildOptions& opts) {
  Layout l;
  l.digest = !opts.digest_xattr.empty();
  l.inodes.resize(tree.size());
  l.inodes[0].used = true;
  l.inodes[0].nlink = 2;
  l.order.push_back(0);
  visit(tree, 0, l);
  std::optional<XattrEntry> pfx;
  if (l.digest) {
    GROVE_ASSIGN_OR_RETURN(pfx, digest_prefix(opts.digest_xattr));
    l.prefix_record = std::string(1, static_cast<char>(pfx->index)) + pfx->suffix;
  }
  l.epoch = std::numeric_limits<int64_t>::max();
  for (uint32_t i : l.order) {
    const Inode& in = tree.at(i);
    InodeLayout& il = l.inodes[i];
    il.mtime = opts.mtime ? *opts.mtime : in.mtime;
    il.mtime_nsec = opts.mtime ? 0 : in.mtime_nsec;
    il.size = S_ISDIR(in.mode) ? dir_size(in) : S_ISLNK(in.mode) ? in.target.size()
              : S_ISREG(in.mode) ? in.size : 0;
    l.epoch = std::min(l.epoch, il.mtime);
    // i_u.rdev holds new_encode_dev(): 12 bits of major, 20 of minor, as Linux's dev_t. A larger
    // number (a tar header allows 7 octal digits) would come out as another device.
    if ((S_ISCHR(in.mode) || S_ISBLK(in.mode)) &&
        (in.rdev_major > 0xFFF || in.rdev_minor > 0xFFFFF)) {
      return Error::invalid("inode " + std::to_string(i) + ": device " +
                            std::to_string(in.rdev_major) + ":" + std::to_string(in.rdev_minor) +
                            " does not fit a Linux dev_t (major <= 4095, minor <= 1048575)");
    }
    GROVE_TRY(plan_xattrs(in, opts, l.digest, il).context([&] { return "inode " + std::to_string(i); }));
  }
  uint64_t pos = kErofsSuperOffset + 128;
  if (l.digest) {
    l.prefix_start = static_cast<uint32_t>(pos / 4);
    pos = round_up(pos + 2 + l.prefix_record.size(), 32);
  }
  uint32_t ino = 0;
  for (uint32_t i : l.order) {
    InodeLayout& il = l.inodes[i];
    il.extended = needs_extended(il, tree.at(i), l.epoch);
    il.ino = ++ino;
    place(tree.at(i), il, pos);
  }
  if (l.inodes[0].nid > 0xFFFF) return Error::from_errno(EFBIG, "root nid over 65535");
  l.meta_end = pos;
  l.data_start_blk = static_cast<uint32_t>(round_up(pos, kBs) / kBs);
  uint64_t blk = l.data_start_blk;
  for (uint32_t i : l.order) {
    InodeLayout& il = l.inodes[i];
    if (il.blocks == 0) continue;
    if (blk > 0xFFFFFFFEull) return Error::from_errno(EFBIG, "image over 2^32 blocks");
    il.startblk = static_cast<uint32_t>(blk);
    blk += il.blocks;
  }
  if (blk > 0xFFFFFFFFull) return Error::from_errno(EFBIG, "image over 2^32 blocks");
  l.total_blocks = blk;
  l.inode_count = ino;
  return l;
}

void put_le16(std::string& s, std::size_t off, uint16_t v) {
  for (int i = 0; i < 2; ++i) s[off + i] = static_cast<char>(v >> (8 * i));
}
void put_le32(std::string& s, std::size_t off, uint32_t v) {
  for (int i = 0; i < 4; ++i) s[off + i] = static_cast<char>(v >> (8 * i));
}
void put_le64(std::string& s, std::size_t off, uint64_t v) {
  for (int i = 0; i < 8; ++i) s[off + i] = static_cast<char>(v >> (8 * i));
}

std::string encode_inode(const Inode& in, const InodeLayout& l, int64_t epoch) {
  std::string s(l.extended ? 64 : 32, '\0');
  uint32_t iu = l.startblk;
  if (S_ISCHR(in.mode) || S_ISBLK(in.mode)) {
    // new_encode_dev(): the kernel decodes i_u.rdev with new_decode_dev().
    iu = (in.rdev_minor & 0xFF) | (in.rdev_major << 8) | ((in.rdev_minor & ~0xFFu) << 12);
  } else if (S_ISFIFO(in.mode) || S_ISSOCK(in.mode)) {
    iu = 0;
  }
  uint16_t icount = l.xattr_size ? static_cast<uint16_t>((l.xattr_size - 12) / 4 + 1) : 0;
  put_le16(s, 0, static_cast<uint16_t>((l.extended ? 1 : 0) | (l.datalayout << 1)));
  put_le16(s, 2, icount);
  put_le16(s, 4, static_cast<uint16_t>(in.mode));
  if (l.extended) {
    put_le64(s, 8, l.size);
    put_le32(s, 16, iu);
    put_le32(s, 20, l.ino);
    put_le32(s, 24, in.uid);
    put_le32(s, 28, in.gid);
    put_le64(s, 32, static_cast<uint64_t>(l.mtime));
    put_le32(s, 40, l.mtime_nsec);
    put_le32(s, 44, l.nlink);
  } else {
    put_le16(s, 6, static_cast<uint16_t>(l.nlink));
    put_le32(s, 8, static_cast<uint32_t>(l.size));
    put_le32(s, 12, static_cast<uint32_t>(l.mtime - epoch));
    put_le32(s, 16, iu);
    put_le32(s, 20, l.ino);
    put_le16(s, 24, static_cast<uint16_t>(in.uid));
    put_le16(s, 26, static_cast<uint16_t>(in.gid));
  }
  if (l.xattr_size == 0) return s;
  // erofs_xattr_ibody_header: name filter 0 (the filter feature is off), no shared xattrs.
  s.append(12, '\0');
  for (const XattrEntry& e : l.xattrs) {
    std::size_t at = s.size();
    s.append(4, '\0');
    s[at] = static_cast<char>(e.suffix.size());
    s[at + 1] = static_cast<char>(e.index);
    put_le16(s, at + 2, static_cast<uint16_t>(e.value.size()));
    s += e.suffix;
    s += e.value;
    s.append(align4(static_cast<uint32_t>(s.size() - at)) - (s.size() - at), '\0');
  }
  return s;
}

std::string encode_dir(const Tree& tree, uint32_t dir, const Layout& layout) {
  const Inode& in = tree.at(dir);
  std::vector<std::string> names = dir_names(in);
  std::vector<std::size_t> starts = dir_block_starts(names);
  starts.push_back(names.size());
  std::string out;
  for (std::size_t b = 0; b + 1 < starts.size(); ++b) {
    std::size_t first = starts[b], end = starts[b + 1];
    std::string blk((end - first) * 12, '\0');
    for (std::size_t i = first; i < end; ++i) {
      const std::string& n = names[i];
      uint32_t child = n == "." ? dir : n == ".." ? in.parent : in.entries.at(n);
      std::size_t d = (i - first) * 12;
      put_le64(blk, d, layout.inodes[child].nid);
      put_le16(blk, d + 8, static_cast<uint16_t>(blk.size()));
      blk[d + 10] = static_cast<char>(file_type(tree.at(child).mode));
      blk += n;
    }
    if (end != names.size()) blk.resize(kBs, '\0');  // names in full blocks end at the block end
    out += blk;
  }
  return out;
}

std::string encode_super(const Layout& l, const std::array<uint8_t, 16>& uuid) {
  std::string s(128, '\0');
  uint32_t compat = kCompatMtime;
  if (l.digest) compat |= kCompatPlainXattrPfx | kCompatIshareXattrs;
  put_le32(s, 0, kErofsMagic);
  put_le32(s, 8, compat);
  s[12] = static_cast<char>(kErofsBlockBits);
  put_le16(s, 14, static_cast<uint16_t>(l.inodes[0].nid));
  put_le64(s, 16, l.inode_count);
  put_le64(s, 24, static_cast<uint64_t>(l.epoch));
  put_le32(s, 36, static_cast<uint32_t>(l.total_blocks));
  std::copy(uuid.begin(), uuid.end(), s.begin() + 48);
  put_le32(s, 80, l.digest ? kIncompatXattrPrefixes : 0);
  if (l.digest) {
    s[91] = 1;  // xattr_prefix_count
    put_le32(s, 92, l.prefix_start);
    s[105] = 0;  // ishare_xattr_prefix_id: the only long prefix
  }
  return s;
}

}  // namespace grove::image
