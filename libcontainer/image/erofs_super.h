#pragma once
// Checking an EROFS image's superblock before the kernel sees it. An image root names files the
// user chose; handing a truncated or foreign file to the kernel gives "fsconfig(create): EINVAL"
// with the reason only in dmesg. These checks say what is wrong, naming the file, and refuse
// what grove cannot mount (images that need extra blob devices). Field offsets are those of
// struct erofs_super_block in fs/erofs/erofs_fs.h (Linux 7.1); the rules mirror
// erofs_read_superblock() there, plus the sizes the kernel only finds out when reading.

#include <cstdint>
#include <string>
#include <string_view>

#include "libcontainer/base/result.h"
#include "libcontainer/sys/ops.h"

namespace grove::image {

// Every incompatible feature bit the 7.1 kernel knows (EROFS_ALL_FEATURE_INCOMPAT: LZ4 0padding
// .. METABOX). An image with others cannot be mounted by any kernel grove knows of.
inline constexpr uint32_t kErofsKnownIncompat = 0x1FF;
inline constexpr uint32_t kErofsCompatSbChecksum = 0x1;
inline constexpr uint32_t kErofsIncompat48Bit = 0x80;
inline constexpr uint32_t kErofsIncompatMetabox = 0x100;
// The largest block size a file-backed or loop mount accepts here: PAGE_SHIFT (x86-64: 4 KiB).
inline constexpr uint8_t kErofsMaxBlockBits = 12;
// Bytes a check needs: the whole first block at the largest block size (the superblock
// checksum covers the rest of the first block).
inline constexpr std::size_t kErofsSuperReadSize = 4096;

// What a valid superblock says.
struct ErofsSuperInfo {
  uint32_t block_size = 0;
  uint64_t blocks = 0;      // image size in blocks (the primary device)
  uint32_t compat = 0;
  uint32_t incompat = 0;
  uint64_t root_nid = 0;
  bool checksummed = false;  // COMPAT_SB_CHKSUM set (and the crc32c matched)
};

// Checks the superblock in `head` (the image's first bytes: kErofsSuperReadSize, or the whole
// file when shorter) of an image file of `file_size` bytes. Pure. Errors, all EINVAL with the
// offending value: too short for a superblock, wrong magic, block size outside 512..4096,
// dirblkbits set, superblock extension slots past the first block, a superblock crc32c
// mismatch, unknown incompatible feature bits, an ishare prefix id past the prefix table, the
// image shorter than its block count, the metadata start or root inode outside the image;
// ENOTSUP: the image needs extra devices (grove mounts one file per layer).
[[nodiscard]] Result<ErofsSuperInfo> check_erofs_super(std::string_view head, uint64_t file_size);

// The kernel's crc32c (Castagnoli, reflected, no final inversion) of `data` from `seed`. Pure.
uint32_t erofs_crc32c(uint32_t seed, std::string_view data);

// Reads the first kErofsSuperReadSize bytes of the image open on `fd` (borrowed) with pread and
// checks them (check_erofs_super) against `file_size`. Errors: pread's, and those of
// check_erofs_super under a frame "erofs superblock". Thread- and fork-safe (no state).
[[nodiscard]] Result<ErofsSuperInfo> read_erofs_super(sys::Ops& ops, int fd, uint64_t file_size);

}  // namespace grove::image
