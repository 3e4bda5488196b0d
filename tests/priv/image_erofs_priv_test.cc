// L2: grove's EROFS images read back by two independent readers: the kernel (a file-backed
// mount through fsopen("erofs") + fsconfig source=PATH, compared with the source tree, metadata
// included) and Debian's erofs-utils 1.5 (fsck.erofs, dump.erofs). Images sit in a mkdtemp dir
// under $TMPDIR, else /var/tmp: file-backed EROFS refuses backing files on tmpfs (no read_folio, ENOTBLK).

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "libcontainer/base/strings.h"
#include "libcontainer/image/build.h"
#include "libcontainer/image/store.h"
#include "libcontainer/security/sha256.h"
#include "libcontainer/sys/linux_ops.h"
#include "libcontainer/sys/uapi.h"
#include "tests/support/files.h"
#include "tests/support/image_mounts.h"
#include "tests/support/priv.h"
#include "tests/support/run_binary.h"

namespace grove::image {
namespace {

namespace fs = std::filesystem;
constexpr const char* kFixtures = "/work/shared/fixtures/erofs";
constexpr const char* kDigest = "trusted.erofs.fingerprint";

class ImageErofsPrivTest : public ::testing::Test {
 protected:
  void SetUp() override {
    GROVE_REQUIRE_ROOT();
    GROVE_REQUIRE(grove::testing::missing_filesystem("erofs"));
    GROVE_REQUIRE(grove::testing::missing_new_mount_api());
    dir_ = grove::testing::make_image_temp_dir("grove-erofs");
    ASSERT_NE(dir_, "");
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }
  std::string dir_;
};

void set_xattr(const std::string& path, const std::string& name, const std::string& value) {
  ASSERT_EQ(::lsetxattr(path.c_str(), name.c_str(), value.data(), value.size(), 0), 0)
      << path << " " << name << ": " << strerror(errno);
}

void set_mtime(const std::string& path, time_t sec, long nsec) {
  struct timespec ts[2] = {{sec, nsec}, {sec, nsec}};
  ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), ts, AT_SYMLINK_NOFOLLOW), 0) << path;
}

// Every file type, many entries (multi-block directory), a multi-block file, xattrs in user.,
// trusted. and security. on files, directories and a symlink, hard links, ids over 65535,
// nanosecond mtimes.
void make_source(const std::string& src) {
  fs::create_directories(src + "/dir/sub");
  fs::create_directories(src + "/many");
  std::ofstream(src + "/hello.txt") << "hello from an erofs fixture\n";
  std::ofstream(src + "/dir/same-as-hello.txt") << "hello from an erofs fixture\n";
  std::ofstream(src + "/empty");
  std::string big(9 * 1024 * 1024 + 123, '\0');
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>((i * 2654435761u) >> 13);
  std::ofstream(src + "/big.bin", std::ios::binary) << big;
  std::ofstream(src + "/dir/sub/aaaa.bin") << std::string(20000, 'a');
  std::ofstream(src + "/block-exact.bin") << std::string(8192, 'b');
  ASSERT_EQ(::symlink("../hello.txt", (src + "/dir/link").c_str()), 0);
  ASSERT_EQ(::symlink(std::string(300, 'x').c_str(), (src + "/long-link").c_str()), 0);
  ASSERT_EQ(::link((src + "/hello.txt").c_str(), (src + "/dir/hardlink").c_str()), 0);
  ASSERT_EQ(::link((src + "/big.bin").c_str(), (src + "/big-link").c_str()), 0);
  ASSERT_EQ(::mkfifo((src + "/dir/fifo").c_str(), 0640), 0);
  ASSERT_EQ(::mknod((src + "/chr").c_str(), S_IFCHR | 0600, makedev(1, 3)), 0);
  ASSERT_EQ(::mknod((src + "/blk").c_str(), S_IFBLK | 0660, makedev(259, 300)), 0);
  ASSERT_EQ(::mknod((src + "/sock").c_str(), S_IFSOCK | 0755, 0), 0);
  for (int i = 0; i < 600; ++i) {
    std::ofstream(src + "/many/entry-with-a-rather-long-name-" + std::to_string(i)) << i;
  }
  set_xattr(src + "/hello.txt", "user.color", "blue");
  set_xattr(src + "/hello.txt", "trusted.overlay.opaque", "y");
  set_xattr(src + "/dir", "trusted.dir.attr", std::string("bin\0ary", 7));
  set_xattr(src + "/dir/link", "trusted.on.symlink", "1");
  // security.* needs the filesystem's security xattr handler (ext4: CONFIG_EXT4_FS_SECURITY);
  // the tests/vm kernel has none. Without it the tree just lacks this xattr on both sides.
  std::string sec(200, 's');
  if (::lsetxattr((src + "/big.bin").c_str(), "security.test", sec.data(), sec.size(), 0) != 0) {
    ASSERT_EQ(errno, EOPNOTSUPP) << "security.test: " << strerror(errno);
  }
  ASSERT_EQ(::lchown((src + "/hello.txt").c_str(), 70000, 100000), 0);
  ASSERT_EQ(::lchown((src + "/dir/sub").c_str(), 1000, 1000), 0);
  set_mtime(src + "/dir/sub/aaaa.bin", 1700000000, 500000000);
  set_mtime(src + "/big.bin", 1600000000, 0);
}

std::string sha_hex(const std::string& path) {
  return security::sha256_hex(grove::testing::read_text_file(path));
}

// One line per path with everything the kernel shows about it. Hard links: "=leader", the
// lexicographically first path of the inode (not the first one met: readdir order differs
// between filesystems).
// The fingerprint xattr is checked against the content instead of listed.
Status describe_tree(const std::string& root, std::map<std::string, std::string>& out) {
  std::map<ino_t, std::string> leader;
  std::map<std::string, ino_t> linked;
  for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator();
       ++it) {
    std::string p = it->path().string(), rel = p.substr(root.size());
    struct stat st;
    if (::lstat(p.c_str(), &st) != 0) return Error::last("lstat " + q(p));
    std::ostringstream d;
    d << std::oct << st.st_mode << std::dec << " " << st.st_uid << ":" << st.st_gid << " t="
      << st.st_mtim.tv_sec << "." << st.st_mtim.tv_nsec;
    if (!S_ISDIR(st.st_mode)) d << " n=" << st.st_nlink << " s=" << st.st_size;
    if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
      d << " dev=" << major(st.st_rdev) << "," << minor(st.st_rdev);
    }
    if (S_ISLNK(st.st_mode)) d << " -> " << fs::read_symlink(p).string();
    if (S_ISREG(st.st_mode)) d << " sha=" << sha_hex(p);
    if (!S_ISDIR(st.st_mode) && st.st_nlink > 1) {
      auto [l, fresh] = leader.emplace(st.st_ino, rel);
      if (!fresh && rel < l->second) l->second = rel;
      linked[rel] = st.st_ino;
    }
    char names[4096];
    ssize_t n = ::llistxattr(p.c_str(), names, sizeof names);
    if (n < 0 && errno != ENOTSUP) return Error::last("llistxattr " + q(p));
    std::map<std::string, std::string> xattrs;
    for (ssize_t i = 0; i < n; i += static_cast<ssize_t>(strlen(names + i)) + 1) {
      std::string name = names + i, value(65536, '\0');
      ssize_t v = ::lgetxattr(p.c_str(), name.c_str(), value.data(), value.size());
      if (v < 0) return Error::last("lgetxattr " + q(p) + " " + name);
      value.resize(static_cast<size_t>(v));
      if (name == kDigest) {
        std::string want = "sha256:";
        auto dg = security::sha256(grove::testing::read_text_file(p));
        want.append(dg.begin(), dg.end());
        if (value != want) return Error::plain(EIO, "fingerprint of " + q(rel) + " is wrong");
        continue;
      }
      if (name == "security.selinux") continue;  // the host labels both sides its own way
      xattrs[name] = value;
    }
    for (const auto& [k, v] : xattrs) d << " " << k << "=" << q(v);
    out[rel] = d.str();
  }
  for (const auto& [rel, ino] : linked) {
    if (leader[ino] != rel) out[rel] += " =" + leader[ino];
  }
  return ok();
}

// Mounts `image` file-backed at `target` with the new mount API (no loop device).
Status mount_image(sys::Ops& ops, const std::string& image, const std::string& target) {
  GROVE_ASSIGN_OR_RETURN(UniqueFd fsfd, ops.fsopen("erofs", FSOPEN_CLOEXEC));
  GROVE_TRY(ops.fsconfig_set_string(fsfd.get(), "source", image));
  GROVE_TRY(ops.fsconfig_create(fsfd.get()));
  GROVE_ASSIGN_OR_RETURN(UniqueFd mnt, ops.fsmount(fsfd.get(), FSMOUNT_CLOEXEC, MOUNT_ATTR_RDONLY));
  return ops.move_mount(mnt.get(), "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH);
}

// Compares two trees entry by entry; at least `min_entries` (so an empty mount never passes).
Status compare_trees(const std::string& a, const std::string& b, std::size_t min_entries = 1) {
  std::map<std::string, std::string> da, db;
  GROVE_TRY(describe_tree(a, da));
  GROVE_TRY(describe_tree(b, db));
  if (da.size() < min_entries) {
    return Error::plain(EIO, "only " + std::to_string(da.size()) + " entries in " + q(a));
  }
  if (da.size() != db.size()) {
    return Error::plain(EIO, "entry count " + std::to_string(da.size()) + " vs " +
                                 std::to_string(db.size()));
  }
  for (const auto& [path, d] : da) {
    auto it = db.find(path);
    if (it == db.end()) return Error::plain(EIO, "missing " + q(path));
    if (it->second != d) return Error::plain(EIO, q(path) + ": " + d + " vs " + it->second);
  }
  return ok();
}

Status build(const std::string& src, const std::string& out, const std::string& digest = kDigest) {
  sys::LinuxOps ops;
  BuildRequest req{src, out, {}};
  req.options.digest_xattr = digest;
  auto r = build_image(ops, req);
  if (!r) return std::move(r).error();
  return ok();
}

TEST_F(ImageErofsPrivTest, KernelMountMatchesSourceTree) {
  make_source(dir_ + "/src");
  ASSERT_TRUE(build(dir_ + "/src", dir_ + "/img.erofs"));
  fs::create_directories(dir_ + "/mnt");
  std::string mnt = dir_ + "/mnt";
  Status r = grove::testing::run_in_private_mntns([&]() -> Status {
    sys::LinuxOps ops;
    GROVE_TRY(mount_image(ops, dir_ + "/img.erofs", mnt));
    GROVE_TRY(compare_trees(dir_ + "/src", mnt, 600 + 15));
    return ops.umount2(mnt, 0);
  });
  EXPECT_TRUE(r) << r.error().message();
}

TEST_F(ImageErofsPrivTest, SameBytesTwiceAndFromATarStream) {
  make_source(dir_ + "/src");
  ASSERT_TRUE(build(dir_ + "/src", dir_ + "/a.erofs"));
  ASSERT_TRUE(build(dir_ + "/src", dir_ + "/b.erofs"));
  EXPECT_EQ(grove::testing::read_text_file(dir_ + "/a.erofs"),
            grove::testing::read_text_file(dir_ + "/b.erofs"));
  // GNU tar writes xattrs as pax SCHILY.xattr.* records and long names as pax/GNU headers. It
  // ignores sockets, so the comparison is made without one.
  fs::remove(dir_ + "/src/sock");
  grove::testing::RunOptions o{dir_ + "/out", dir_ + "/err", dir_ + "/src"};
  auto t = grove::testing::run_binary(
      {"/bin/tar", "--xattrs", "--xattrs-include=*", "--format=pax", "-czf", dir_ + "/src.tgz",
       "."}, o);
  if (t.code != 0) GTEST_SKIP() << "GNU tar could not archive the tree: " << t.err;
  ASSERT_TRUE(build(dir_ + "/src.tgz", dir_ + "/t.erofs"));
  fs::create_directories(dir_ + "/mnt");
  std::string mnt = dir_ + "/mnt";
  Status r = grove::testing::run_in_private_mntns([&]() -> Status {
    sys::LinuxOps ops;
    GROVE_TRY(mount_image(ops, dir_ + "/t.erofs", mnt));
    return compare_trees(dir_ + "/src", mnt, 600 + 14);
  });
  EXPECT_TRUE(r) << r.error().message();
}

std::string missing_erofs_utils() {
  return access("/usr/bin/fsck.erofs", X_OK) == 0 && access("/usr/bin/dump.erofs", X_OK) == 0
             ? ""
             : "needs fsck.erofs/dump.erofs (apt-get install erofs-utils)";
}

TEST_F(ImageErofsPrivTest, ErofsUtilsFsckAndDumpAcceptTheImage) {
  GROVE_REQUIRE(missing_erofs_utils());
  make_source(dir_ + "/src");
  // erofs-utils 1.5 predates long xattr prefixes (incompat 0x40, Linux 6.4), so it refuses
  // fingerprinted images; it checks everything else on an image built without them.
  ASSERT_TRUE(build(dir_ + "/src", dir_ + "/img.erofs", ""));
  grove::testing::RunOptions o{dir_ + "/out", dir_ + "/err", ""};
  auto fsck = grove::testing::run_binary(
      {"/usr/bin/fsck.erofs", "--extract=" + dir_ + "/x", dir_ + "/img.erofs"}, o);
  EXPECT_EQ(fsck.code, 0) << fsck.out << fsck.err;
  auto dump = grove::testing::run_binary({"/usr/bin/dump.erofs", "-s", dir_ + "/img.erofs"}, o);
  EXPECT_EQ(dump.code, 0) << dump.err;
  std::size_t entries = 0;
  for (auto it = fs::recursive_directory_iterator(dir_ + "/src");
       it != fs::recursive_directory_iterator(); ++it) {
    ++entries;
  }
  // Inodes: every entry plus the root, minus the two extra names of hard-linked files.
  EXPECT_THAT(dump.out, ::testing::HasSubstr("inode count:                       " +
                                              std::to_string(entries + 1 - 2)));
  auto file = grove::testing::run_binary(
      {"/usr/bin/dump.erofs", "--path=/dir/sub/aaaa.bin", dir_ + "/img.erofs"}, o);
  EXPECT_THAT(file.out, ::testing::HasSubstr("Size: 20000"));
  // fsck extracted the same contents.
  for (const char* p : {"/hello.txt", "/big.bin", "/dir/sub/aaaa.bin", "/block-exact.bin"}) {
    EXPECT_EQ(sha_hex(dir_ + "/x" + p), sha_hex(dir_ + "/src" + p)) << p;
  }
  EXPECT_EQ(fs::read_symlink(dir_ + "/x/long-link"), std::string(300, 'x'));
}

// The fixtures' tree rebuilt on disk: grove's image and erofs-utils 1.9.3's read the same
// through the kernel, fingerprints included.
TEST_F(ImageErofsPrivTest, SameAsErofsUtilsFixtureThroughTheKernel) {
  std::string fixture = std::string(kFixtures) + "/digest-trusted.erofs";
  if (access(fixture.c_str(), R_OK) != 0) GTEST_SKIP() << "no fixture " << fixture;
  std::string src = dir_ + "/src";
  fs::create_directories(src + "/dir/sub");
  std::ofstream(src + "/hello.txt") << "hello from an erofs fixture\n";
  std::ofstream(src + "/dir/same-as-hello.txt") << "hello from an erofs fixture\n";
  std::ofstream(src + "/dir/sub/aaaa.bin") << std::string(20000, 'a');
  ASSERT_EQ(::symlink("../hello.txt", (src + "/dir/link").c_str()), 0);
  ASSERT_EQ(::mkfifo((src + "/dir/fifo").c_str(), 0644), 0);
  for (const char* p : {"/hello.txt", "/dir/same-as-hello.txt", "/dir/sub/aaaa.bin"}) {
    ASSERT_EQ(::chmod((src + p).c_str(), 0644), 0);
  }
  for (const char* p : {"", "/dir", "/dir/sub"}) ASSERT_EQ(::chmod((src + p).c_str(), 0755), 0);
  sys::LinuxOps ops;
  BuildRequest req{src, dir_ + "/grove.erofs", {}};
  req.options.mtime = 0;  // the fixtures were built with -T0
  ASSERT_TRUE(build_image(ops, req));
  fs::copy_file(fixture, dir_ + "/fixture.erofs");  // the fixture dir may be tmpfs
  fs::create_directories(dir_ + "/a");
  fs::create_directories(dir_ + "/b");
  Status r = grove::testing::run_in_private_mntns([&]() -> Status {
    GROVE_TRY(mount_image(ops, dir_ + "/grove.erofs", dir_ + "/a"));
    GROVE_TRY(mount_image(ops, dir_ + "/fixture.erofs", dir_ + "/b"));
    for (const char* p : {"/hello.txt", "/dir/sub/aaaa.bin"}) {
      char va[64], vb[64];
      ssize_t na = ::getxattr((dir_ + "/a" + p).c_str(), kDigest, va, sizeof va);
      ssize_t nb = ::getxattr((dir_ + "/b" + p).c_str(), kDigest, vb, sizeof vb);
      if (na != 39 || nb != 39 || memcmp(va, vb, 39) != 0) {
        return Error::plain(EIO, std::string("fingerprints differ for ") + p);
      }
    }
    return compare_trees(dir_ + "/a", dir_ + "/b", 7);
  });
  EXPECT_TRUE(r) << r.error().message();
}

// A real OCI layout: busybox in one gzip layer (tests/clients/make_oci_archive.py), converted into
// a store under the test's temp dir, mounted and compared with the rootfs; a second image sharing the layer
// keeps it until both are removed.
TEST_F(ImageErofsPrivTest, ConvertOciLayoutIntoStore) {
  if (access("/bin/busybox", X_OK) != 0) GTEST_SKIP() << "needs /bin/busybox (busybox-static)";
  std::string rootfs = dir_ + "/rootfs";
  fs::create_directories(rootfs + "/bin");
  fs::create_directories(rootfs + "/etc");
  fs::copy_file("/bin/busybox", rootfs + "/bin/busybox");
  ASSERT_EQ(::symlink("busybox", (rootfs + "/bin/sh").c_str()), 0);
  std::ofstream(rootfs + "/etc/hostname") << "grove\n";
  // Python's tarfile writes fractional mtimes as decimal floats (rounded): use whole seconds.
  for (const char* p : {"/bin/busybox", "/bin/sh", "/etc/hostname", "/bin", "/etc"}) {
    set_mtime(rootfs + p, 1600000000, 0);
  }
  // The tests/vm guest ships python3 as /bin/python3 but not tests/clients/.
  const std::string script = std::string(GROVE_SOURCE_DIR) + "/tests/clients/make_oci_archive.py";
  if (::access(script.c_str(), R_OK) != 0) GTEST_SKIP() << "no " << script;
  grove::testing::RunOptions o{dir_ + "/out", dir_ + "/err", ""};
  auto made = grove::testing::run_binary(
      {::access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3" : "/bin/python3",
       std::string(GROVE_SOURCE_DIR) + "/tests/clients/make_oci_archive.py",
       rootfs, dir_ + "/oci.tar", "busybox:latest"}, o);
  ASSERT_EQ(made.code, 0) << made.err;
  fs::create_directories(dir_ + "/layout");
  auto untar = grove::testing::run_binary(
      {"/bin/tar", "-xf", dir_ + "/oci.tar", "-C", dir_ + "/layout"}, o);
  ASSERT_EQ(untar.code, 0) << untar.err;

  sys::LinuxOps ops;
  ConvertRequest req;
  req.layout = dir_ + "/layout";
  req.ref = "latest";
  req.store = dir_ + "/store";
  auto img = convert_layout(ops, req);
  ASSERT_TRUE(img) << img.error().message();
  EXPECT_EQ(img->name, "latest");
  ASSERT_EQ(img->layers.size(), 1u);
  std::string layer = layer_image_path(req.store, img->layers[0]);
  ASSERT_TRUE(fs::is_regular_file(layer)) << layer;
  req.name = "again";
  ASSERT_TRUE(convert_layout(ops, req));  // reuses the layer image
  auto all = list_images(ops, req.store);
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].name, "again");
  EXPECT_EQ((*all)[1].name, "latest");

  fs::create_directories(dir_ + "/mnt");
  Status r = grove::testing::run_in_private_mntns([&]() -> Status {
    GROVE_TRY(mount_image(ops, layer, dir_ + "/mnt"));
    return compare_trees(rootfs, dir_ + "/mnt", 5);
  });
  EXPECT_TRUE(r) << r.error().message();

  ASSERT_TRUE(remove_image(ops, req.store, "latest"));
  EXPECT_TRUE(fs::exists(layer));  // still used by "again"
  ASSERT_TRUE(remove_image(ops, req.store, "again"));
  EXPECT_FALSE(fs::exists(layer));
  auto gone = remove_image(ops, req.store, "again");
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code(), ENOENT);
  // A blob whose content does not match its digest is refused.
  std::string blob = req.layout + "/blobs/sha256/" + img->layers[0].substr(7);
  std::ofstream(blob, std::ios::app) << "tampered";
  req.name = "bad";
  auto bad = convert_layout(ops, req);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code(), EIO);
}

}  // namespace
}  // namespace grove::image
