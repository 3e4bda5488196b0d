// The EROFS writer against an independent reader (tests/support/erofs_reader) and against the
// erofs-utils 1.9.3 reference images in /work/shared/fixtures/erofs.

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <fstream>
#include <limits>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "libcontainer/image/erofs_layout.h"
#include "libcontainer/image/erofs_writer.h"
#include "libcontainer/image/tree.h"
#include "libcontainer/security/sha256.h"
#include "tests/support/erofs_reader.h"

namespace grove::image {
namespace {

using testing::ErofsImage;
using testing::ErofsNode;

constexpr const char* kFixtures = "/work/shared/fixtures/erofs";
const std::string kHello = "hello from an erofs fixture\n";

Inode file(const std::string& data, uint32_t perm = 0644) {
  Inode in;
  in.mode = S_IFREG | perm;
  in.size = data.size();
  in.content.kind = Content::Kind::kBytes;
  in.content.bytes = data;
  return in;
}
Inode dir(uint32_t perm = 0755) {
  Inode in;
  in.mode = S_IFDIR | perm;
  return in;
}
Inode special(uint32_t mode, uint32_t major = 0, uint32_t minor = 0) {
  Inode in;
  in.mode = mode;
  in.rdev_major = major;
  in.rdev_minor = minor;
  return in;
}
Inode symlink(const std::string& target) {
  Inode in;
  in.mode = S_IFLNK | 0777;
  in.target = target;
  return in;
}

// The tree of the fixtures (tree.txt), all root-owned with mtime 0.
Tree fixture_tree() {
  Tree t;
  uint32_t d = *t.add(0, "dir", dir());
  EXPECT_TRUE(t.add(d, "fifo", special(S_IFIFO | 0644)));
  EXPECT_TRUE(t.add(d, "link", symlink("../hello.txt")));
  EXPECT_TRUE(t.add(d, "same-as-hello.txt", file(kHello)));
  uint32_t sub = *t.add(d, "sub", dir());
  EXPECT_TRUE(t.add(sub, "aaaa.bin", file(std::string(20000, 'a'))));
  EXPECT_TRUE(t.add(0, "hello.txt", file(kHello)));
  return t;
}

Result<std::string> build(const Tree& t, const BuildOptions& opts = {}) {
  std::string img;
  BytesReader reader;
  GROVE_TRY(write_erofs(t, reader, opts, [&](std::string_view c) -> Status {
    img.append(c);
    return ok();
  }));
  return img;
}

ErofsImage parse(const std::string& img) {
  auto im = ErofsImage::parse(img);
  EXPECT_TRUE(im) << im.error().message();
  return *im;
}

ErofsNode at(const ErofsImage& im, const std::string& path) {
  auto n = im.lookup(path);
  EXPECT_TRUE(n) << path << ": " << n.error().message();
  return n ? *n : ErofsNode{};
}

std::string read_fixture(const std::string& name) {
  std::ifstream f(std::string(kFixtures) + "/" + name, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

TEST(ImageSha256Test, IncrementalEqualsOneShot) {
  std::string data(100000, '\0');
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 131 + 7);
  for (std::size_t step : {1u, 63u, 64u, 65u, 4096u, 99999u}) {
    security::Sha256 h;
    for (std::size_t off = 0; off < data.size(); off += step) h.update(data.substr(off, step));
    EXPECT_EQ(h.finish(), security::sha256(data)) << "step " << step;
  }
  // FIPS 180-4 example "abc".
  security::Sha256 h;
  h.update("a");
  h.update("bc");
  auto d = h.finish();
  EXPECT_EQ(d[0], 0xba);
  EXPECT_EQ(d[31], 0xad);
}

TEST(ImageErofsTest, SuperblockFieldsWithDigest) {
  auto img = build(fixture_tree());
  ASSERT_TRUE(img) << img.error().message();
  ErofsImage im = parse(*img);
  const auto& sb = im.super();
  EXPECT_EQ(img->size() % 4096, 0u);
  EXPECT_EQ(uint64_t{sb.blocks} * 4096, img->size());
  EXPECT_EQ(sb.blkszbits, 12);
  EXPECT_EQ(sb.compat, kCompatMtime | kCompatPlainXattrPfx | kCompatIshareXattrs);
  EXPECT_EQ(sb.incompat, kIncompatXattrPrefixes);
  EXPECT_EQ(sb.prefix_count, 1);
  EXPECT_EQ(sb.ishare_prefix_id, 0);
  EXPECT_EQ(sb.prefix_start, 1152u / 4);
  ASSERT_EQ(sb.prefixes.size(), 1u);
  EXPECT_EQ(sb.prefixes[0], std::string("\x04") + "erofs.fingerprint");
  EXPECT_EQ(sb.inos, 8u);
  EXPECT_EQ(sb.root_nid, 37u);  // superblock + a 20-byte prefix record, as erofs-utils places it
}

TEST(ImageErofsTest, NoDigestHasNoIshareFields) {
  BuildOptions o;
  o.digest_xattr = "";
  auto img = build(fixture_tree(), o);
  ASSERT_TRUE(img);
  ErofsImage im = parse(*img);
  EXPECT_EQ(im.super().compat, kCompatMtime);
  EXPECT_EQ(im.super().incompat, 0u);
  EXPECT_EQ(im.super().prefix_count, 0);
  EXPECT_EQ(im.super().root_nid, 36u);
  EXPECT_TRUE(at(im, "/hello.txt").xattrs.empty());
}

TEST(ImageErofsTest, DigestXattrEncoding) {
  auto img = build(fixture_tree());
  ASSERT_TRUE(img);
  ErofsImage im = parse(*img);
  ErofsNode n = at(im, "/hello.txt");
  EXPECT_EQ(n.xattr_isize, 56u);  // header 12 + entry 4 + value 39 rounded to 4, as dump.erofs shows
  ASSERT_EQ(n.xattrs.count(kDefaultDigestXattr), 1u);
  EXPECT_EQ(n.xattrs.at(kDefaultDigestXattr), fingerprint_value(kHello));
  EXPECT_EQ(n.xattrs.at(kDefaultDigestXattr).size(), kDigestValueSize);
  // The entry uses the long prefix with an empty name: e_name_len 0, e_name_index 0x80.
  std::size_t entry = n.nid * 32 + 32 + 12;
  EXPECT_EQ(img->at(entry), 0);
  EXPECT_EQ(static_cast<uint8_t>(img->at(entry + 1)), 0x80);
  EXPECT_EQ(at(im, "/dir").xattrs.size(), 0u);  // directories carry no fingerprint
}

TEST(ImageErofsTest, CustomDigestName) {
  BuildOptions o;
  o.digest_xattr = "user.my.digest";
  auto img = build(fixture_tree(), o);
  ASSERT_TRUE(img);
  ErofsImage im = parse(*img);
  EXPECT_EQ(im.super().prefixes.at(0), std::string("\x01") + "my.digest");
  EXPECT_EQ(at(im, "/dir/sub/aaaa.bin").xattrs.at("user.my.digest"),
            fingerprint_value(std::string(20000, 'a')));
  o.digest_xattr = "system.foo";
  EXPECT_EQ(build(fixture_tree(), o).error().code(), EINVAL);
  o.digest_xattr = "trusted.";
  EXPECT_EQ(build(fixture_tree(), o).error().code(), EINVAL);
}

TEST(ImageErofsTest, MatchesErofsUtilsFixture) {
  std::string ref = read_fixture("digest-trusted.erofs");
  if (ref.empty()) GTEST_SKIP() << "no fixture at " << kFixtures;
  ErofsImage fx = parse(ref);
  auto img = build(fixture_tree());
  ASSERT_TRUE(img);
  ErofsImage im = parse(*img);
  EXPECT_EQ(im.super().compat & (kCompatIshareXattrs | kCompatPlainXattrPfx),
            fx.super().compat & (kCompatIshareXattrs | kCompatPlainXattrPfx));
  EXPECT_EQ(im.super().incompat, fx.super().incompat);
  EXPECT_EQ(im.super().prefixes, fx.super().prefixes);
  EXPECT_EQ(im.super().ishare_prefix_id, fx.super().ishare_prefix_id);
  EXPECT_EQ(im.super().prefix_start, fx.super().prefix_start);
  EXPECT_EQ(im.super().root_nid, fx.super().root_nid);
  EXPECT_EQ(im.super().inos, fx.super().inos);
  for (const char* p : {"/", "/dir", "/dir/fifo", "/dir/link", "/dir/same-as-hello.txt", "/dir/sub",
                        "/dir/sub/aaaa.bin", "/hello.txt"}) {
    ErofsNode a = at(im, p), b = at(fx, p);
    EXPECT_EQ(a.mode, b.mode) << p;
    EXPECT_EQ(a.size, b.size) << p;
    EXPECT_EQ(a.nlink, b.nlink) << p;
    EXPECT_EQ(a.uid, b.uid) << p;
    EXPECT_EQ(a.mtime, b.mtime) << p;
    EXPECT_EQ(a.xattrs, b.xattrs) << p;  // the fingerprint values equal erofs-utils'
    if (!S_ISDIR(a.mode)) {
      EXPECT_EQ(a.data, b.data) << p;
    }
    std::vector<std::string> an, bn;
    for (auto& e : a.entries) an.push_back(e.first + ":" + std::to_string(e.second.second));
    for (auto& e : b.entries) bn.push_back(e.first + ":" + std::to_string(e.second.second));
    EXPECT_EQ(an, bn) << p;
  }
}

TEST(ImageErofsTest, Deterministic) {
  auto a = build(fixture_tree()), b = build(fixture_tree());
  ASSERT_TRUE(a && b);
  EXPECT_EQ(*a, *b);
  Tree t = fixture_tree();
  t.at(*t.lookup("dir/sub/aaaa.bin")).content.bytes[19999] = 'b';
  auto c = build(t);
  ASSERT_TRUE(c);
  EXPECT_NE(parse(*a).super().uuid, parse(*c).super().uuid);  // derived from content
  BuildOptions o;
  o.uuid = std::array<uint8_t, 16>{1, 2, 3};
  auto d = build(fixture_tree(), o);
  ASSERT_TRUE(d);
  EXPECT_EQ(parse(*d).super().uuid, *o.uuid);
}

// A 5 GiB file is planned, not written: 64-byte inode, 64-bit i_size, its blocks in the data
// area, the tail inline after the inode.
TEST(ImageErofsTest, LargeFileLayout) {
  Tree t;
  Inode big;
  big.mode = S_IFREG | 0644;
  big.size = (5ull << 30) + 123;
  uint32_t i = *t.add(0, "big", big);
  ASSERT_TRUE(t.add(0, "small", file("x")));
  BuildOptions o;
  o.digest_xattr = "";
  auto l = plan_layout(t, o);
  ASSERT_TRUE(l) << l.error().message();
  const InodeLayout& il = l->inodes[i];
  EXPECT_TRUE(il.extended);
  EXPECT_EQ(il.size, big.size);
  EXPECT_EQ(il.blocks, big.size / 4096);
  EXPECT_EQ(il.datalayout, kLayoutFlatInline);
  EXPECT_EQ(il.tail, 123u);
  EXPECT_EQ(il.startblk, l->data_start_blk);
  EXPECT_EQ(l->total_blocks, l->data_start_blk + il.blocks);
  std::string enc = encode_inode(t.at(i), il, l->epoch);
  ASSERT_EQ(enc.size(), 64u);
  EXPECT_EQ(enc[0], 1 | (kLayoutFlatInline << 1));  // extended, inline
  uint64_t size = 0;
  for (int b = 7; b >= 0; --b) size = (size << 8) | static_cast<uint8_t>(enc[8 + b]);
  EXPECT_EQ(size, big.size);
  EXPECT_FALSE(l->inodes[*t.lookup("small")].extended);
}

TEST(ImageErofsTest, ManyEntriesMakeAMultiBlockDirectory) {
  Tree t;
  uint32_t d = *t.add(0, "d", dir());
  for (int i = 0; i < 1000; ++i) {
    ASSERT_TRUE(t.add(d, "entry-number-" + std::to_string(i), file(std::to_string(i))));
  }
  auto img = build(t);
  ASSERT_TRUE(img);
  ErofsImage im = parse(*img);
  ErofsNode n = at(im, "/d");
  EXPECT_GT(n.size, 3 * 4096u);  // 1002 dirents of 12 bytes + names
  EXPECT_EQ(n.entries.size(), 1002u);
  EXPECT_EQ(at(im, "/d/entry-number-999").data, "999");
  EXPECT_EQ(at(im, "/d/entry-number-0").data, "0");
  EXPECT_EQ(n.entries.at("..").first, im.super().root_nid);
  EXPECT_EQ(n.entries.at(".").first, n.nid);
}

TEST(ImageErofsTest, CompactUnlessAFieldDoesNotFit) {
  Tree t;
  Inode a = file("a"), b = file("b"), c = file("c");
  a.uid = 65535;
  b.gid = 65536;
  c.mtime_nsec = 1;
  ASSERT_TRUE(t.add(0, "a", a));
  ASSERT_TRUE(t.add(0, "b", b));
  ASSERT_TRUE(t.add(0, "c", c));
  auto img = build(t);
  ASSERT_TRUE(img);
  ErofsImage im = parse(*img);
  EXPECT_FALSE(at(im, "/a").extended);
  EXPECT_EQ(at(im, "/a").uid, 65535u);
  EXPECT_TRUE(at(im, "/b").extended);
  EXPECT_EQ(at(im, "/b").gid, 65536u);
  EXPECT_TRUE(at(im, "/c").extended);
  EXPECT_EQ(at(im, "/c").mtime_nsec, 1u);
  BuildOptions o;
  o.mtime = 1234;  // --mtime: all seconds, no nanoseconds
  auto img2 = build(t, o);
  ASSERT_TRUE(img2);
  ErofsImage im2 = parse(*img2);
  EXPECT_FALSE(at(im2, "/c").extended);
  EXPECT_EQ(at(im2, "/c").mtime, 1234);
}

TEST(ImageErofsTest, HardLinksDevicesAndXattrs) {
  Tree t;
  Inode f = file("data");
  f.xattrs = {{"user.a", "1"}, {"security.b", std::string(300, 'b')}, {"trusted.c", ""},
              {"system.posix_acl_access", std::string("\x02\0\0\0", 4)}};
  uint32_t i = *t.add(0, "f", f);
  ASSERT_TRUE(t.link(0, "g", i));
  ASSERT_TRUE(t.add(0, "blk", special(S_IFBLK | 0600, 259, 300)));
  ASSERT_TRUE(t.add(0, "sock", special(S_IFSOCK | 0755)));
  auto img = build(t);
  ASSERT_TRUE(img);
  ErofsImage im = parse(*img);
  EXPECT_EQ(at(im, "/f").nid, at(im, "/g").nid);
  EXPECT_EQ(at(im, "/f").nlink, 2u);
  EXPECT_EQ(im.super().inos, 4u);  // root, f (twice linked), blk, sock
  EXPECT_EQ(at(im, "/blk").rdev, (300u & 0xff) | (259u << 8) | ((300u & ~0xffu) << 12));
  EXPECT_TRUE(S_ISSOCK(at(im, "/sock").mode));
  auto x = at(im, "/f").xattrs;
  EXPECT_EQ(x.at("user.a"), "1");
  EXPECT_EQ(x.at("security.b"), std::string(300, 'b'));
  EXPECT_EQ(x.at("trusted.c"), "");
  EXPECT_EQ(x.at("system.posix_acl_access").size(), 4u);
  EXPECT_EQ(x.at(kDefaultDigestXattr), fingerprint_value("data"));
  Tree bad;
  Inode nope = file("x");
  nope.xattrs["system.nfs4_acl"] = "z";
  ASSERT_TRUE(bad.add(0, "x", nope));
  auto r = build(bad);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), EINVAL);
  EXPECT_THAT(r.error().message(), ::testing::HasSubstr("system.nfs4_acl"));
}

// Found by erofs_roundtrip_fuzz: major 4096+ or minor 2^20+ was encoded into another device.
TEST(ImageErofsTest, DeviceNumbersPastDevTAreRefused) {
  Tree ok;
  ASSERT_TRUE(ok.add(0, "max", special(S_IFCHR | 0600, 4095, 1048575)));
  auto img = build(ok);
  ASSERT_TRUE(img) << img.error().message();
  uint32_t rdev = at(parse(*img), "/max").rdev;
  EXPECT_EQ(major(rdev), 4095u);
  EXPECT_EQ(minor(rdev), 1048575u);
  for (auto [maj, min] : {std::pair<uint32_t, uint32_t>{4096, 0}, {0, 1048576}, {70000, 3}}) {
    Tree t;
    ASSERT_TRUE(t.add(0, "dev", special(S_IFBLK | 0600, maj, min)));
    auto r = build(t);
    ASSERT_FALSE(r) << maj << ":" << min;
    EXPECT_EQ(r.error().code(), EINVAL);
    EXPECT_THAT(r.error().message(),
                ::testing::HasSubstr("device " + std::to_string(maj) + ":" + std::to_string(min) +
                                     " does not fit a Linux dev_t"));
  }
}

// Found by erofs_roundtrip_fuzz (UBSan): mtimes at both ends of int64_t overflowed the distance
// to the epoch (signed overflow) when choosing compact or extended inodes.
TEST(ImageErofsTest, MtimesAtBothEndsOfTheRange) {
  Tree t;
  Inode old_file = file("a"), new_file = file("b");
  old_file.mtime = std::numeric_limits<int64_t>::min() + 1;
  new_file.mtime = std::numeric_limits<int64_t>::max();
  ASSERT_TRUE(t.add(0, "old", old_file));
  ASSERT_TRUE(t.add(0, "new", new_file));
  auto img = build(t);
  ASSERT_TRUE(img) << img.error().message();
  ErofsImage im = parse(*img);
  EXPECT_EQ(at(im, "/old").mtime, old_file.mtime);
  EXPECT_EQ(at(im, "/new").mtime, new_file.mtime);
  EXPECT_TRUE(at(im, "/new").extended);
}

TEST(ImageErofsTest, ReaderLengthMismatchIsAnError) {
  Tree t;
  Inode f = file("abc");
  f.size = 4;  // the content is one byte short: the file "shrank"
  ASSERT_TRUE(t.add(0, "f", f));
  auto r = build(t);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), EIO);
  EXPECT_THAT(r.error().message(), ::testing::HasSubstr("\"/f\""));
}

}  // namespace
}  // namespace grove::image
