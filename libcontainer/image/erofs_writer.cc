// Writes an image in three steps: plan (pure), scan (hash every regular file and keep the bytes
// of inline tails), then emit metadata and data blocks in order. The UUID, when not given, is
// derived from the metadata and the file digests, so it changes with the content and only then.

#include "libcontainer/image/erofs_writer.h"

#include <sys/stat.h>

#include <algorithm>

#include "libcontainer/base/strings.h"
#include "libcontainer/security/sha256.h"

namespace grove::image {
namespace {

constexpr uint64_t kBs = kErofsBlockSize;

struct Scanned {
  std::vector<std::array<uint8_t, 32>> digest;  // by tree index (regular files)
  std::vector<std::string> tail;                // by tree index: inline tail bytes
};

// The first path of every reachable inode, for error frames.
void collect_paths(const Tree& tree, uint32_t dir, const std::string& prefix,
                   std::vector<std::string>& out) {
  for (const auto& [name, child] : tree.at(dir).entries) {
    if (!out[child].empty()) continue;
    out[child] = prefix + "/" + name;
    if (S_ISDIR(tree.at(child).mode)) collect_paths(tree, child, out[child], out);
  }
}

// Streams a file through `reader`, checking that exactly inode.size bytes arrive.
Status read_exact(ContentReader& reader, const Inode& inode, const ChunkSink& sink) {
  uint64_t got = 0;
  GROVE_TRY(reader.read(inode, [&](std::string_view chunk) -> Status {
    got += chunk.size();
    if (got > inode.size) return Error::from_errno(EIO, "file grew while building the image");
    return sink(chunk);
  }));
  if (got != inode.size) return Error::from_errno(EIO, "file shrank while building the image");
  return ok();
}

Result<Scanned> scan(const Tree& tree, const Layout& l, ContentReader& reader,
                     const std::vector<std::string>& paths) {
  Scanned s;
  s.digest.resize(tree.size());
  s.tail.resize(tree.size());
  for (uint32_t i : l.order) {
    const Inode& in = tree.at(i);
    const InodeLayout& il = l.inodes[i];
    if (S_ISLNK(in.mode)) s.tail[i] = in.target.substr(in.target.size() - il.tail);
    if (!S_ISREG(in.mode)) continue;
    security::Sha256 h;
    uint64_t off = 0, tail_from = in.size - il.tail;
    GROVE_TRY(read_exact(reader, in, [&](std::string_view c) -> Status {
                h.update(c);
                if (off + c.size() > tail_from) {
                  std::size_t skip = off >= tail_from ? 0 : tail_from - off;
                  s.tail[i].append(c.substr(skip));
                }
                off += c.size();
                return ok();
              }).context([&] { return "read " + q(paths[i]); }));
    s.digest[i] = h.finish();
  }
  return s;
}

// Block 0 .. data_start_blk: superblock (uuid zero), prefix table, inodes, xattrs, tails.
// `dir_blocks` receives each directory's full blocks, emitted later in the data area.
std::string encode_meta(const Tree& tree, Layout& l, const Scanned& s,
                        std::vector<std::string>& dir_blocks) {
  std::string meta(static_cast<std::size_t>(l.data_start_blk) * kBs, '\0');
  std::string sb = encode_super(l, {});
  std::copy(sb.begin(), sb.end(), meta.begin() + kErofsSuperOffset);
  if (l.digest) {
    std::size_t at = static_cast<std::size_t>(l.prefix_start) * 4;
    put_le16(meta, at, static_cast<uint16_t>(l.prefix_record.size()));
    std::copy(l.prefix_record.begin(), l.prefix_record.end(), meta.begin() + at + 2);
  }
  dir_blocks.assign(tree.size(), {});
  for (uint32_t i : l.order) {
    const Inode& in = tree.at(i);
    InodeLayout& il = l.inodes[i];
    if (l.digest && S_ISREG(in.mode)) {
      il.xattrs[0].value = "sha256:" + std::string(s.digest[i].begin(), s.digest[i].end());
    }
    std::string bytes = encode_inode(in, il, l.epoch);
    if (S_ISDIR(in.mode)) {
      std::string d = encode_dir(tree, i, l);
      bytes += d.substr(d.size() - il.tail);
      dir_blocks[i] = d.substr(0, d.size() - il.tail);
      dir_blocks[i].resize(il.blocks * kBs, '\0');
    } else {
      bytes += s.tail[i];
    }
    std::copy(bytes.begin(), bytes.end(), meta.begin() + static_cast<std::size_t>(il.nid * 32));
  }
  return meta;
}

std::array<uint8_t, 16> derive_uuid(const std::string& meta, const Scanned& s, const Layout& l) {
  security::Sha256 h;
  h.update(meta);
  for (uint32_t i : l.order) {
    h.update(std::string_view(reinterpret_cast<const char*>(s.digest[i].data()), 32));
  }
  auto d = h.finish();
  std::array<uint8_t, 16> u;
  std::copy(d.begin(), d.begin() + 16, u.begin());
  u[6] = static_cast<uint8_t>((u[6] & 0x0F) | 0x80);  // RFC 9562 version 8 (custom)
  u[8] = static_cast<uint8_t>((u[8] & 0x3F) | 0x80);  // variant 10
  return u;
}

// The data area: each inode's blocks in on-disk order, the last one zero-padded.
Status emit_data(const Tree& tree, const Layout& l, ContentReader& reader,
                 const std::vector<std::string>& dir_blocks, const std::vector<std::string>& paths,
                 const ChunkSink& out) {
  for (uint32_t i : l.order) {
    const Inode& in = tree.at(i);
    const InodeLayout& il = l.inodes[i];
    if (il.blocks == 0) continue;
    uint64_t want = il.blocks * kBs, sent = 0;
    if (S_ISDIR(in.mode)) {
      GROVE_TRY(out(dir_blocks[i]));
      continue;
    }
    if (S_ISLNK(in.mode)) {
      std::string t = in.target.substr(0, want);
      t.resize(want, '\0');
      GROVE_TRY(out(t));
      continue;
    }
    GROVE_TRY(read_exact(reader, in, [&](std::string_view c) -> Status {
                std::string_view part = c.substr(0, std::min<uint64_t>(c.size(), want - sent));
                sent += part.size();
                return part.empty() ? ok() : out(part);
              }).context([&] { return "read " + q(paths[i]); }));
    if (sent < want) GROVE_TRY(out(std::string(want - sent, '\0')));
  }
  return ok();
}

}  // namespace

std::string fingerprint_value(std::string_view data) {
  auto d = security::sha256(data);
  return "sha256:" + std::string(d.begin(), d.end());
}

Result<BuildSummary> write_erofs(const Tree& tree, ContentReader& reader,
                                 const BuildOptions& opts, const ChunkSink& out) {
  GROVE_ASSIGN_OR_RETURN(Layout l, plan_layout(tree, opts));
  std::vector<std::string> paths(tree.size());
  paths[0] = "/";
  collect_paths(tree, 0, "", paths);
  GROVE_ASSIGN_OR_RETURN(Scanned s, scan(tree, l, reader, paths));
  std::vector<std::string> dir_blocks;
  std::string meta = encode_meta(tree, l, s, dir_blocks);
  BuildSummary sum;
  sum.uuid = opts.uuid ? *opts.uuid : derive_uuid(meta, s, l);
  std::copy(sum.uuid.begin(), sum.uuid.end(), meta.begin() + kErofsSuperOffset + 48);
  GROVE_TRY(out(meta));
  GROVE_TRY(emit_data(tree, l, reader, dir_blocks, paths, out));
  sum.bytes = l.total_blocks * kBs;
  sum.inodes = l.inode_count;
  return sum;
}

}  // namespace grove::image
