// EROFS superblock checks (erofs_super.h). Offsets: struct erofs_super_block, fs/erofs/erofs_fs.h.

#include "libcontainer/image/erofs_super.h"

#include <cerrno>
#include <cstdio>

#include "libcontainer/image/erofs_layout.h"

namespace grove::image {
namespace {

constexpr std::size_t kSbSize = 128;  // the superblock without extension slots
constexpr std::size_t kExtSlotSize = 16;

uint64_t le(std::string_view s, std::size_t off, int bytes) {
  uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = v << 8 | static_cast<uint8_t>(s[off + i]);
  return v;
}

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

// The kernel's erofs_superblock_csum_verify(): crc32c from 0x5045B54A over the first block
// after the checksum field (at most 4096 - 1024 bytes; the whole block when it is smaller).
Status check_checksum(std::string_view head, uint32_t block_size) {
  std::size_t len = block_size > kErofsSuperOffset ? block_size - kErofsSuperOffset : block_size;
  len -= 8;  // magic + checksum
  if (head.size() < kErofsSuperOffset + 8 + len) {
    return Error::invalid("superblock checksum covers " + std::to_string(len) +
                          " bytes past the image's end");
  }
  uint32_t want = static_cast<uint32_t>(le(head, kErofsSuperOffset + 4, 4));
  uint32_t got = erofs_crc32c(0x5045B54A, head.substr(kErofsSuperOffset + 8, len));
  if (got != want) {
    return Error::invalid("superblock checksum " + hex(got) + " does not match the stored " +
                          hex(want));
  }
  return {};
}

// Where the image's blocks, metadata and root inode are, against the file's size.
Status check_extent(const ErofsSuperInfo& info, uint64_t meta_blkaddr, uint64_t file_size) {
  // 2^48 blocks of 4 KiB is far past any file; the products below cannot overflow.
  if (info.blocks > (uint64_t{1} << 48)) {
    return Error::invalid("block count " + std::to_string(info.blocks) + " is impossible");
  }
  const uint64_t image_bytes = info.blocks * info.block_size;
  if (image_bytes > file_size) {
    return Error::invalid("image truncated: the superblock says " + std::to_string(info.blocks) +
                          " blocks of " + std::to_string(info.block_size) + " bytes (" +
                          std::to_string(image_bytes) + "), the file has " +
                          std::to_string(file_size) + " bytes");
  }
  if (meta_blkaddr >= info.blocks) {
    return Error::invalid("metadata start block " + std::to_string(meta_blkaddr) +
                          " is past the image's " + std::to_string(info.blocks) + " blocks");
  }
  // With a metabox the root may live inside the (compressed) metadata inode: the kernel checks.
  if (info.incompat & kErofsIncompatMetabox) return {};
  const uint64_t root_at = meta_blkaddr * info.block_size + (info.root_nid << 5);
  if ((info.root_nid >> 48) != 0 || root_at + 32 > image_bytes) {
    return Error::invalid("root inode (nid " + std::to_string(info.root_nid) +
                          ") lies outside the image");
  }
  return {};
}

Result<ErofsSuperInfo> check_fields(std::string_view head, uint64_t file_size) {
  const std::string_view sb = head.substr(kErofsSuperOffset);
  ErofsSuperInfo info;
  const uint8_t bits = static_cast<uint8_t>(sb[12]);
  if (bits < 9 || bits > kErofsMaxBlockBits) {
    return Error::invalid("block size 2^" + std::to_string(bits) +
                          " is not supported (512 to 4096 bytes)");
  }
  info.block_size = uint32_t{1} << bits;
  if (sb[90] != 0) {
    return Error::invalid("dirblkbits " + std::to_string(static_cast<uint8_t>(sb[90])) +
                          " is not supported");
  }
  const std::size_t sb_size = kSbSize + static_cast<uint8_t>(sb[13]) * kExtSlotSize;
  if (sb_size > 4096 - kErofsSuperOffset) {
    return Error::invalid("superblock of " + std::to_string(sb_size) +
                          " bytes (extension slots) is larger than its block");
  }
  info.compat = static_cast<uint32_t>(le(sb, 8, 4));
  if (info.compat & kErofsCompatSbChecksum) {
    GROVE_TRY(check_checksum(head, info.block_size));
    info.checksummed = true;
  }
  info.incompat = static_cast<uint32_t>(le(sb, 80, 4));
  if (uint32_t unknown = info.incompat & ~kErofsKnownIncompat) {
    return Error::invalid("unknown incompatible feature bits " + hex(unknown) +
                          " (known: " + hex(kErofsKnownIncompat) + ")");
  }
  const uint8_t prefix_count = static_cast<uint8_t>(sb[91]);
  const uint8_t ishare_id = static_cast<uint8_t>(sb[105]);
  if ((info.compat & kCompatIshareXattrs) && ishare_id >= prefix_count) {
    return Error::invalid("ishare xattr prefix id " + std::to_string(ishare_id) +
                          " is past the " + std::to_string(prefix_count) + " long prefixes");
  }
  if (uint64_t devices = le(sb, 86, 2)) {
    return Error::not_supported("image needs " + std::to_string(devices) +
                                " extra devices (blobs); grove mounts one file per layer");
  }
  info.blocks = le(sb, 36, 4);
  const uint64_t root8 = le(sb, 112, 8);
  if ((info.incompat & kErofsIncompat48Bit) && root8 != 0) {
    info.root_nid = root8;
    info.blocks |= le(sb, 14, 2) << 32;
  } else {
    info.root_nid = le(sb, 14, 2);
  }
  GROVE_TRY(check_extent(info, le(sb, 40, 4), file_size));
  return info;
}

}  // namespace

uint32_t erofs_crc32c(uint32_t seed, std::string_view data) {
  uint32_t crc = seed;
  for (char c : data) {
    crc ^= static_cast<uint8_t>(c);
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0x82F63B78u & (0u - (crc & 1u)));
  }
  return crc;
}

Result<ErofsSuperInfo> check_erofs_super(std::string_view head, uint64_t file_size) {
  if (head.size() < kErofsSuperOffset + kSbSize) {
    return Error::invalid("not an erofs image: " + std::to_string(head.size()) +
                          " bytes, too short for a superblock (at bytes 1024..1151)");
  }
  const uint32_t magic = static_cast<uint32_t>(le(head, kErofsSuperOffset, 4));
  if (magic != kErofsMagic) {
    return Error::invalid("not an erofs image: magic " + hex(magic) + " at byte 1024, want " +
                          hex(kErofsMagic));
  }
  return check_fields(head, file_size);
}

Result<ErofsSuperInfo> read_erofs_super(sys::Ops& ops, int fd, uint64_t file_size) {
  std::string head;
  // pread may return less than asked (a short read is not EOF); "" is EOF.
  while (head.size() < kErofsSuperReadSize) {
    GROVE_ASSIGN_OR_RETURN(std::string part,
                           ops.pread(fd, kErofsSuperReadSize - head.size(), head.size()));
    if (part.empty()) break;
    head += part;
  }
  return check_erofs_super(head, file_size).context("erofs superblock");
}

}  // namespace grove::image
