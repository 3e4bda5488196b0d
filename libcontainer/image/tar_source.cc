// Tar to Tree. Header layout: POSIX.1-2001 ustar (name 0, mode 100, uid 108, gid 116, size 124,
// mtime 136, chksum 148, typeflag 156, linkname 157, magic 257, devmajor 329, devminor 337,
// prefix 345), GNU base-256 numbers and 'L'/'K' long names, pax 'x'/'g' records.

#include <sys/stat.h>

#include <map>

#include "libcontainer/base/strings.h"
#include "libcontainer/image/tar_source.h"

namespace grove::image {
namespace {

constexpr std::size_t kBlock = 512;
constexpr std::size_t kChunk = 1 << 20;

struct Entry {
  std::string path, link;
  char type = '0';
  uint32_t mode = 0, uid = 0, gid = 0, major = 0, minor = 0;
  uint64_t size = 0;
  int64_t mtime = 0;
  uint32_t mtime_nsec = 0;
  std::map<std::string, std::string> xattrs;
};

std::string field(const std::string& h, std::size_t off, std::size_t len) {
  std::string s = h.substr(off, len);
  return s.substr(0, s.find('\0'));
}

Result<uint64_t> number(const std::string& h, std::size_t off, std::size_t len) {
  if (static_cast<uint8_t>(h[off]) & 0x80) {  // GNU base-256 (positive only)
    uint64_t v = static_cast<uint8_t>(h[off]) & 0x7F;
    for (std::size_t i = 1; i < len; ++i) v = (v << 8) | static_cast<uint8_t>(h[off + i]);
    return v;
  }
  uint64_t v = 0;
  for (std::size_t i = 0; i < len; ++i) {
    char c = h[off + i];
    if (c == '\0' || (c == ' ' && v > 0)) break;
    if (c == ' ') continue;
    if (c < '0' || c > '7') return Error::invalid("bad octal field at offset " + std::to_string(off));
    v = v * 8 + static_cast<uint64_t>(c - '0');
  }
  return v;
}

Status check_sum(const std::string& h) {
  auto want = number(h, 148, 8);
  if (!want) return Error::invalid("tar header checksum field is not octal (not a tar stream?)");
  uint64_t sum = 0;
  for (std::size_t i = 0; i < kBlock; ++i) {
    sum += (i >= 148 && i < 156) ? ' ' : static_cast<uint8_t>(h[i]);
  }
  if (sum != *want) return Error::invalid("tar header checksum mismatch");
  return ok();
}

// Parses pax records ("LEN key=value\n") into `out` (later records win).
Status parse_pax(const std::string& data, std::map<std::string, std::string>& out) {
  std::size_t pos = 0;
  while (pos < data.size()) {
    std::size_t sp = data.find(' ', pos);
    if (sp == std::string::npos || sp == pos || sp - pos > 18) return Error::invalid("bad pax record");
    std::size_t len = 0;
    for (std::size_t i = pos; i < sp; ++i) {
      if (data[i] < '0' || data[i] > '9') return Error::invalid("bad pax record length");
      len = len * 10 + static_cast<std::size_t>(data[i] - '0');
    }
    if (len < sp - pos + 3 || pos + len > data.size() || data[pos + len - 1] != '\n') {
      return Error::invalid("bad pax record length");
    }
    std::string rec = data.substr(sp + 1, pos + len - 1 - (sp + 1));
    pos += len;
    std::size_t eq = rec.find('=');
    if (eq == std::string::npos) return Error::invalid("bad pax record");
    out[rec.substr(0, eq)] = rec.substr(eq + 1);
  }
  return ok();
}

Result<uint64_t> decimal(const std::string& key, const std::string& v) {
  if (v.empty() || v.size() > 19 || v.find_first_not_of("0123456789") != std::string::npos) {
    return Error::invalid("pax " + key + " " + q(v) + " is not a number");
  }
  return std::stoull(v);
}

// Applies pax records to `e`: they override the ustar header's fields.
Status apply_pax(const std::map<std::string, std::string>& pax, Entry& e) {
  for (const auto& [key, val] : pax) {
    if (key == "path") {
      e.path = val;
    } else if (key == "linkpath") {
      e.link = val;
    } else if (key == "size") {
      GROVE_ASSIGN_OR_RETURN(e.size, decimal(key, val));
    } else if (key == "uid" || key == "gid" || key == "SCHILY.devmajor" ||
               key == "SCHILY.devminor") {
      GROVE_ASSIGN_OR_RETURN(uint64_t v, decimal(key, val));
      (key == "uid" ? e.uid : key == "gid" ? e.gid : key == "SCHILY.devmajor" ? e.major : e.minor) =
          static_cast<uint32_t>(v);
    } else if (key.rfind("SCHILY.xattr.", 0) == 0) {
      e.xattrs[key.substr(13)] = val;
    } else if (key == "mtime") {
      std::size_t dot = val.find('.');
      bool neg = !val.empty() && val[0] == '-';
      GROVE_ASSIGN_OR_RETURN(uint64_t sec, decimal(key, val.substr(neg, dot - neg)));
      e.mtime = neg ? -static_cast<int64_t>(sec) : static_cast<int64_t>(sec);
      if (dot != std::string::npos) {
        std::string frac = (val.substr(dot + 1) + "000000000").substr(0, 9);
        GROVE_ASSIGN_OR_RETURN(uint64_t ns, decimal(key, frac));
        e.mtime_nsec = static_cast<uint32_t>(ns);
      }
    }
  }
  return ok();
}

// "./a//b/" -> "a/b"; EINVAL for "..". "" is the root.
Result<std::string> clean(const std::string& p) {
  std::string out;
  std::size_t pos = 0;
  while (pos <= p.size()) {
    std::size_t slash = p.find('/', pos);
    if (slash == std::string::npos) slash = p.size();
    std::string part = p.substr(pos, slash - pos);
    pos = slash + 1;
    if (part.empty() || part == ".") continue;
    if (part == "..") return Error::invalid("path " + q(p) + " leaves the image root");
    out += (out.empty() ? "" : "/") + part;
  }
  return out;
}

class Builder {
 public:
  Builder(sys::Ops& ops, TarStream& in, int spool) : ops_(ops), in_(in), spool_(spool) {}
  Result<Tree> run();

 private:
  Status entry(const std::string& header);
  Status place(Entry& e);
  Result<uint32_t> parent_dir(const std::string& path);
  Result<std::string> body(uint64_t size);
  Status skip_pad(uint64_t size);
  Status spool(Inode& in, uint64_t size);

  sys::Ops& ops_;
  TarStream& in_;
  int spool_;
  uint64_t spool_off_ = 0;
  Tree tree_;
  std::map<std::string, std::string> pax_, global_pax_;  // 'x' (next entry) and 'g' records
  std::string long_name_, long_link_;                    // GNU 'L' and 'K' (next entry)
};

Result<std::string> Builder::body(uint64_t size) {
  if (size > (64u << 20)) return Error::invalid("tar metadata entry over 64 MiB");
  GROVE_ASSIGN_OR_RETURN(std::string d, in_.read(size));
  GROVE_TRY(skip_pad(size));
  return d;
}

Status Builder::skip_pad(uint64_t size) {
  std::size_t pad = (kBlock - size % kBlock) % kBlock;
  if (pad == 0) return ok();
  // A stream that ends right after the last entry's data, without its padding (and so without
  // the end marker), is accepted: Debian 12's umoci 0.4.7 `umoci insert` writes such layers (its
  // tar writer is never closed) and umoci/Go unpack them. The entry's data is complete; a
  // stream cut inside the data or the padding is still "truncated". OCI layer blobs are digest-
  // checked before they get here, so a transfer cut short at that boundary does not pass.
  auto p = in_.read(pad, /*eof_ok=*/true);
  return p.has_value() ? ok() : Error::invalid("tar stream truncated");
}

Status Builder::spool(Inode& in, uint64_t size) {
  in.size = size;
  in.content.kind = Content::Kind::kSpool;
  in.content.offset = spool_off_;
  for (uint64_t left = size; left > 0;) {
    GROVE_ASSIGN_OR_RETURN(std::string c, in_.read(std::min<uint64_t>(left, kChunk)));
    GROVE_TRY(ops_.write(spool_, c));
    left -= c.size();
  }
  spool_off_ += size;
  return skip_pad(size);
}

Result<uint32_t> Builder::parent_dir(const std::string& path) {
  uint32_t cur = 0;
  std::size_t pos = 0, slash;
  while ((slash = path.find('/', pos)) != std::string::npos) {
    std::string part = path.substr(pos, slash - pos);
    pos = slash + 1;
    auto it = tree_.at(cur).entries.find(part);
    if (it == tree_.at(cur).entries.end()) {
      GROVE_ASSIGN_OR_RETURN(cur, tree_.add(cur, part, Tree::default_dir()));
    } else if (!S_ISDIR(tree_.at(it->second).mode)) {
      return Error::from_errno(ENOTDIR, "parent " + q(path.substr(0, slash)));
    } else {
      cur = it->second;
    }
  }
  return cur;
}

Status Builder::entry(const std::string& h) {
  GROVE_TRY(check_sum(h));
  char type = h[156] == '\0' ? '0' : h[156];
  GROVE_ASSIGN_OR_RETURN(uint64_t size, number(h, 124, 12));
  if (type == 'x' || type == 'g' || type == 'L' || type == 'K') {
    GROVE_ASSIGN_OR_RETURN(std::string d, body(size));
    if (type == 'x') return parse_pax(d, pax_);
    if (type == 'g') return parse_pax(d, global_pax_);
    (type == 'L' ? long_name_ : long_link_) = d.substr(0, d.find('\0'));
    return ok();
  }
  Entry e;
  e.type = type;
  e.path = field(h, 0, 100);
  if (field(h, 257, 5) == "ustar" && h[262] == '\0' && !field(h, 345, 155).empty()) {
    e.path = field(h, 345, 155) + "/" + e.path;  // POSIX ustar prefix (not in GNU headers)
  }
  e.link = field(h, 157, 100);
  e.size = size;
  GROVE_ASSIGN_OR_RETURN(uint64_t mode, number(h, 100, 8));
  GROVE_ASSIGN_OR_RETURN(uint64_t uid, number(h, 108, 8));
  GROVE_ASSIGN_OR_RETURN(uint64_t gid, number(h, 116, 8));
  GROVE_ASSIGN_OR_RETURN(uint64_t mtime, number(h, 136, 12));
  GROVE_ASSIGN_OR_RETURN(uint64_t major, number(h, 329, 8));
  GROVE_ASSIGN_OR_RETURN(uint64_t minor, number(h, 337, 8));
  e.mode = static_cast<uint32_t>(mode & 07777);
  e.uid = static_cast<uint32_t>(uid), e.gid = static_cast<uint32_t>(gid);
  e.mtime = static_cast<int64_t>(mtime);
  e.major = static_cast<uint32_t>(major), e.minor = static_cast<uint32_t>(minor);
  if (!long_name_.empty()) e.path = long_name_;
  if (!long_link_.empty()) e.link = long_link_;
  GROVE_TRY(apply_pax(global_pax_, e));
  GROVE_TRY(apply_pax(pax_, e));
  pax_.clear(), long_name_.clear(), long_link_.clear();
  return place(e).context([&] { return "tar entry " + q(e.path); });
}

Status Builder::place(Entry& e) {
  GROVE_ASSIGN_OR_RETURN(std::string path, clean(e.path));
  Inode in;
  in.uid = e.uid, in.gid = e.gid, in.mtime = e.mtime, in.mtime_nsec = e.mtime_nsec;
  in.xattrs = e.xattrs;
  switch (e.type) {
    case '0': case '7': in.mode = S_IFREG; break;
    case '1': in.mode = S_IFREG; break;
    case '2': in.mode = S_IFLNK; in.target = e.link; break;
    case '3': in.mode = S_IFCHR; break;
    case '4': in.mode = S_IFBLK; break;
    case '5': in.mode = S_IFDIR; break;
    case '6': in.mode = S_IFIFO; break;
    default: return Error::invalid(std::string("unsupported tar entry type '") + e.type + "'");
  }
  in.mode |= e.mode;
  in.rdev_major = e.major, in.rdev_minor = e.minor;
  uint64_t data = (e.type == '0' || e.type == '7') ? e.size : 0;
  if (data == 0 && e.size > 0) {  // a body on a link or special file (pax allows it): skip it
    for (uint64_t left = e.size; left > 0;) {
      GROVE_ASSIGN_OR_RETURN(std::string c, in_.read(std::min<uint64_t>(left, kChunk)));
      left -= c.size();
    }
    GROVE_TRY(skip_pad(e.size));
  }
  if (path.empty()) {  // the root itself ("./")
    if (!S_ISDIR(in.mode)) return Error::invalid("the root is not a directory");
    in.entries = std::move(tree_.at(0).entries);
    tree_.at(0) = std::move(in);
    return skip_pad(0);
  }
  GROVE_ASSIGN_OR_RETURN(uint32_t dir, parent_dir(path));
  std::string base = path.substr(path.rfind('/') == std::string::npos ? 0 : path.rfind('/') + 1);
  auto old = tree_.at(dir).entries.find(base);
  if (old != tree_.at(dir).entries.end()) {
    Inode& prev = tree_.at(old->second);
    if (S_ISDIR(prev.mode) && S_ISDIR(in.mode)) {  // metadata update, children stay
      in.entries = std::move(prev.entries);
      in.parent = prev.parent;
      prev = std::move(in);
      return ok();
    }
    GROVE_TRY(tree_.remove(dir, base));
  }
  if (e.type == '1') {
    GROVE_ASSIGN_OR_RETURN(std::string target, clean(e.link));
    auto t = tree_.lookup(target);
    if (!t) return Error::invalid("hard link target " + q(e.link) + " is not in the archive");
    return tree_.link(dir, base, *t);
  }
  if (data > 0) GROVE_TRY(spool(in, data));
  else if (S_ISREG(in.mode)) in.content.kind = Content::Kind::kNone;
  return tree_.add(dir, base, std::move(in)).has_value()
             ? ok()
             : Error::invalid("cannot add " + q(path));
}

Result<Tree> Builder::run() {
  int zero_blocks = 0;
  for (;;) {
    GROVE_ASSIGN_OR_RETURN(std::string h, in_.read(kBlock, /*eof_ok=*/true));
    if (h.empty()) break;  // EOF without the end marker: accepted, as GNU tar does
    if (h.find_first_not_of('\0') == std::string::npos) {
      if (++zero_blocks == 2) break;
      continue;
    }
    zero_blocks = 0;
    GROVE_TRY(entry(h));
  }
  return std::move(tree_);
}

}  // namespace

Result<Tree> read_tar(sys::Ops& ops, int in_fd, int spool_fd) {
  TarStream in(ops, in_fd);
  Builder b(ops, in, spool_fd);
  return b.run();
}

Status SpoolReader::read(const Inode& inode, const ChunkSink& sink) {
  if (inode.content.kind != Content::Kind::kSpool) return BytesReader().read(inode, sink);
  for (uint64_t done = 0; done < inode.size;) {
    std::size_t want = static_cast<std::size_t>(std::min<uint64_t>(inode.size - done, kChunk));
    GROVE_ASSIGN_OR_RETURN(std::string c, ops_.pread(spool_fd_, want, inode.content.offset + done));
    if (c.empty()) return Error::from_errno(EIO, "spool file truncated");
    GROVE_TRY(sink(c));
    done += c.size();
  }
  return ok();
}

}  // namespace grove::image
