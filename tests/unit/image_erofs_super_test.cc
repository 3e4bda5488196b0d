// L0: the EROFS superblock checks (image/erofs_super.h) on images from grove's writer, edited
// field by field: what the kernel refuses is refused here first, with the value named.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "libcontainer/image/erofs_layout.h"
#include "libcontainer/image/erofs_super.h"
#include "tests/support/erofs_reader.h"

namespace grove::image {
namespace {

using ::testing::HasSubstr;

constexpr std::size_t kSb = kErofsSuperOffset;

// Sets the superblock checksum of `img` the way mkfs.erofs does (COMPAT_SB_CHKSUM + crc32c).
void add_checksum(std::string& img) {
  img[kSb + 8] = static_cast<char>(img[kSb + 8] | kErofsCompatSbChecksum);
  put_le32(img, kSb + 4, 0);
  put_le32(img, kSb + 4, erofs_crc32c(0x5045B54A, std::string_view(img).substr(kSb + 8, 3064)));
}

std::string check_error(const std::string& img, uint64_t size) {
  auto r = check_erofs_super(img, size);
  if (r) return "accepted";
  EXPECT_EQ(r.error().code(), EINVAL) << r.error().message();
  return r.error().message();
}

TEST(ErofsSuperTest, Crc32cIsCastagnoli) {
  // The CRC-32C check value ("123456789", init and final inversion) of RFC 3720 / iSCSI.
  EXPECT_EQ(erofs_crc32c(0xFFFFFFFF, "123456789") ^ 0xFFFFFFFF, 0xE3069283u);
}

TEST(ErofsSuperTest, GroveImageAccepted) {
  const std::string img = testing::tiny_erofs_image();
  auto r = check_erofs_super(img, img.size());
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->block_size, 4096u);
  EXPECT_EQ(r->blocks * 4096, img.size());
  EXPECT_FALSE(r->checksummed);
  auto parsed = testing::ErofsImage::parse(img);
  ASSERT_TRUE(parsed) << parsed.error().message();
  EXPECT_EQ(r->root_nid, parsed->super().root_nid);
}

TEST(ErofsSuperTest, ChecksumVerifiedWhenPresent) {
  std::string img = testing::tiny_erofs_image();
  add_checksum(img);
  auto r = check_erofs_super(img, img.size());
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_TRUE(r->checksummed);
  img[kSb + 200] ^= 1;  // a byte the checksum covers
  EXPECT_THAT(check_error(img, img.size()), HasSubstr("does not match the stored"));
}

TEST(ErofsSuperTest, ForeignAndShortFilesAreNotImages) {
  EXPECT_THAT(check_error("", 0), HasSubstr("not an erofs image: 0 bytes, too short"));
  EXPECT_THAT(check_error(std::string(1151, '\0'), 1151), HasSubstr("1151 bytes, too short"));
  EXPECT_THAT(check_error(std::string(4096, '\0'), 4096),
              HasSubstr("not an erofs image: magic 0x0 at byte 1024, want 0xe0f5e1e2"));
}

TEST(ErofsSuperTest, EachFieldTheKernelRefusesIsNamed) {
  const std::string good = testing::tiny_erofs_image();
  struct Case {
    std::size_t off;
    int bytes;
    uint64_t value;
    const char* error;
  } cases[] = {
      {12, 1, 8, "block size 2^8 is not supported"},
      {12, 1, 13, "block size 2^13 is not supported"},
      {90, 1, 1, "dirblkbits 1 is not supported"},
      {13, 1, 200, "extension slots) is larger than its block"},
      {80, 4, 0x200, "unknown incompatible feature bits 0x200"},
      {36, 4, 1000, "image truncated: the superblock says 1000 blocks of 4096 bytes"},
      {40, 4, 77, "metadata start block 77 is past"},
      {14, 2, 60000, "root inode (nid 60000) lies outside the image"},
  };
  for (const Case& c : cases) {
    std::string img = good;
    if (c.bytes == 1) img[kSb + c.off] = static_cast<char>(c.value);
    if (c.bytes == 2) put_le16(img, kSb + c.off, static_cast<uint16_t>(c.value));
    if (c.bytes == 4) put_le32(img, kSb + c.off, static_cast<uint32_t>(c.value));
    EXPECT_THAT(check_error(img, img.size()), HasSubstr(c.error)) << "offset " << c.off;
  }
}

TEST(ErofsSuperTest, IsharePrefixIdMustNameAPrefix) {
  std::string img = testing::tiny_erofs_image();
  put_le32(img, kSb + 8, kCompatIshareXattrs);
  img[kSb + 91] = 1;   // one long prefix
  img[kSb + 105] = 1;  // ishare id 1: past it
  EXPECT_THAT(check_error(img, img.size()), HasSubstr("ishare xattr prefix id 1 is past the 1"));
  img[kSb + 105] = 0;
  EXPECT_EQ(check_error(img, img.size()), "accepted");
}

TEST(ErofsSuperTest, ExtraDevicesAreNotSupported) {
  std::string img = testing::tiny_erofs_image();
  put_le16(img, kSb + 86, 2);
  auto r = check_erofs_super(img, img.size());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ENOTSUP);
  EXPECT_THAT(r.error().message(), HasSubstr("needs 2 extra devices"));
}

TEST(ErofsSuperTest, BigImage48BitRootAndBlocks) {
  std::string img = testing::tiny_erofs_image();
  const uint64_t root = static_cast<uint8_t>(img[kSb + 14]) |
                        static_cast<uint64_t>(static_cast<uint8_t>(img[kSb + 15])) << 8;
  put_le32(img, kSb + 80, kErofsIncompat48Bit);
  put_le64(img, kSb + 112, root);  // rootnid_8b
  put_le16(img, kSb + 14, 1);    // now blocks_hi: 2^32 more blocks than the file has
  EXPECT_THAT(check_error(img, img.size()), HasSubstr("image truncated"));
  put_le16(img, kSb + 14, 0);
  auto r = check_erofs_super(img, img.size());
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->root_nid, root);
}

}  // namespace
}  // namespace grove::image
