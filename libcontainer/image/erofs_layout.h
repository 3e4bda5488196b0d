#pragma once
// EROFS layout planning (pure): where every inode, xattr body, inline tail, directory block and
// data block of an uncompressed image goes. The on-disk format is fs/erofs/erofs_fs.h of Linux
// 7.1 (EROFS_FEATURE_COMPAT_ISHARE_XATTRS and the superblock's ishare_xattr_prefix_id are the
// 7.0 page-cache-sharing fields). Block size 4096, metadata from block 0 (meta_blkaddr 0, so a
// nid is a byte offset / 32), no shared xattrs, no compression, no superblock checksum.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "libcontainer/base/result.h"
#include "libcontainer/image/tree.h"

namespace grove::image {

inline constexpr uint32_t kErofsBlockSize = 4096;
inline constexpr uint32_t kErofsBlockBits = 12;
inline constexpr uint32_t kErofsSuperOffset = 1024;
inline constexpr uint32_t kErofsMagic = 0xE0F5E1E2;
inline constexpr uint32_t kErofsNullAddr = 0xFFFFFFFF;
inline constexpr uint32_t kCompatMtime = 0x2;
inline constexpr uint32_t kCompatPlainXattrPfx = 0x10;
inline constexpr uint32_t kCompatIshareXattrs = 0x20;
inline constexpr uint32_t kIncompatXattrPrefixes = 0x40;
inline constexpr uint8_t kLayoutFlatPlain = 0;
inline constexpr uint8_t kLayoutFlatInline = 2;
// The fingerprint value is "sha256:" + 32 raw digest bytes, as erofs-utils 1.9 writes it.
inline constexpr std::size_t kDigestValueSize = 7 + 32;
inline constexpr const char* kDefaultDigestXattr = "trusted.erofs.fingerprint";

// What to build. Defaults give a deterministic image with a fingerprint xattr on every regular
// file under `trusted.erofs.fingerprint`.
struct BuildOptions {
  // Full xattr name for the per-file SHA-256 fingerprint; "" writes no fingerprints (and no
  // ishare superblock fields). Must start with "user.", "trusted." or "security." and have a
  // non-empty rest.
  std::string digest_xattr = kDefaultDigestXattr;
  // When set, every inode's mtime becomes this (seconds, nsec 0), like SOURCE_DATE_EPOCH.
  std::optional<int64_t> mtime;
  // The volume UUID; unset: derived from the image content (SHA-256 of metadata + file digests).
  std::optional<std::array<uint8_t, 16>> uuid;
};

// One xattr entry as stored: a name index (1 user, 2 acl access, 3 acl default, 4 trusted,
// 6 security, 0x80|n long prefix n), the name after the prefix, and the value.
struct XattrEntry {
  uint8_t index = 0;
  std::string suffix;
  std::string value;
};

// The plan for one inode (indexed like the Tree). `used` is false for unreachable inodes.
struct InodeLayout {
  bool used = false;
  uint64_t nid = 0;
  uint32_t ino = 0;           // i_ino, 1-based in on-disk order
  bool extended = false;      // 64-byte inode (else 32-byte compact)
  uint8_t datalayout = kLayoutFlatPlain;
  uint64_t size = 0;          // i_size (directories: the dirent bytes)
  uint32_t nlink = 0;
  uint32_t startblk = kErofsNullAddr;
  uint64_t blocks = 0;        // blocks in the data area from startblk
  uint32_t tail = 0;          // inline tail bytes after the inode + xattrs
  uint32_t xattr_size = 0;    // xattr ibody bytes (0 = none)
  std::vector<XattrEntry> xattrs;  // fingerprint value left as zeros until the digest is known
  int64_t mtime = 0;
  uint32_t mtime_nsec = 0;
};

struct Layout {
  std::vector<InodeLayout> inodes;  // indexed like the tree
  std::vector<uint32_t> order;      // tree indices in on-disk order (root first)
  int64_t epoch = 0;                // base seconds for compact inodes (the smallest mtime)
  uint64_t meta_end = 0;            // end of metadata bytes (inodes, xattrs, inline tails)
  uint32_t data_start_blk = 0;      // first data block (meta_end rounded up)
  uint64_t total_blocks = 0;        // image size in blocks
  uint32_t prefix_start = 0;        // long xattr prefix table offset / 4 (0 without digests)
  std::string prefix_record;        // that table's single record (base index + infix)
  bool digest = false;              // fingerprints present (ishare fields set)
  uint32_t inode_count = 0;
};

// Plans the image for `tree`. Pure. EINVAL: an xattr name EROFS cannot store, a bad digest name,
// a value over 65535 bytes, a device number past Linux's dev_t (major 4095, minor 1048575); EFBIG: more than 2^32 blocks or a root nid over 65535.
[[nodiscard]] Result<Layout> plan_layout(const Tree& tree, const BuildOptions& opts);

// The (name, offset) split of one directory's sorted entries (including "." and "..") into
// 4096-byte blocks: the index of the first entry of each block. Pure; used for sizes and bytes.
std::vector<std::size_t> dir_block_starts(const std::vector<std::string>& sorted_names);

// The sorted entry names of directory inode `dir` including "." and "..".
std::vector<std::string> dir_names(const Inode& dir);

// Encodes one on-disk inode (32 or 64 bytes) followed by its xattr body. Pure.
std::string encode_inode(const Inode& inode, const InodeLayout& l, int64_t epoch);

// Encodes the dirent blocks of directory `dir` (i_size bytes). `nid_of` maps tree indices to
// nids. Pure.
std::string encode_dir(const Tree& tree, uint32_t dir, const Layout& layout);

// Encodes the 128-byte superblock. `uuid` goes in as is. Pure.
std::string encode_super(const Layout& layout, const std::array<uint8_t, 16>& uuid);

// Little-endian stores into `s` at `off` (which must be in range).
void put_le16(std::string& s, std::size_t off, uint16_t v);
void put_le32(std::string& s, std::size_t off, uint32_t v);
void put_le64(std::string& s, std::size_t off, uint64_t v);

}  // namespace grove::image
