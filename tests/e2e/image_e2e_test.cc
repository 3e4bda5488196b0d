// L3: `grove image build|ls|rm` through the real binary (GROVE_BIN): output, determinism from
// stdin, and bad input that exits 1 with the path in the message and leaves no file behind.
// Needs no root: the kernel never sees these images here (tests/priv mounts them).

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "tests/support/files.h"
#include "tests/support/image_mounts.h"
#include "tests/support/run_binary.h"

namespace {

using ::grove::testing::Ran;
using ::grove::testing::read_text_file;
using ::grove::testing::run_shell;
using ::grove::testing::RunOptions;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

class ImageE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::grove::testing::make_image_temp_dir("grove-image-e2e");
    ASSERT_NE(dir_, "");
    fs::create_directories(dir_ + "/src/etc");
    std::ofstream(dir_ + "/src/etc/hostname") << "grove\n";
    fs::create_symlink("etc/hostname", dir_ + "/src/name");
  }
  void TearDown() override { fs::remove_all(dir_); }

  // `args` is inserted verbatim: only fixed strings and paths under dir_.
  Ran grove(const std::string& args) {
    RunOptions options{.out_path = dir_ + "/.stdout", .err_path = dir_ + "/.stderr", .cwd = dir_};
    return run_shell(std::string(GROVE_BIN) + " " + args, options);
  }

  // Names in dir_ other than the test's own.
  std::vector<std::string> leftovers() {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir_)) {
      std::string n = e.path().filename();
      if (n != "src" && n != ".stdout" && n != ".stderr" && n != "a.erofs" && n != "src.tar") {
        out.push_back(n);
      }
    }
    return out;
  }

  std::string dir_;
};

TEST_F(ImageE2eTest, BuildFromDirectoryAndStdin) {
  Ran r = grove("image build src -o a.erofs");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("a.erofs: "));
  EXPECT_THAT(r.out, HasSubstr(" inodes, uuid "));
  std::string a = read_text_file(dir_ + "/a.erofs");
  ASSERT_GE(a.size(), 4096u);
  EXPECT_EQ(a.substr(1024, 4), std::string("\xe2\xe1\xf5\xe0", 4));
  Ran t = grove("image build - -o b.erofs --mtime 0 < /dev/null");
  EXPECT_EQ(t.code, 0) << t.err;  // an empty tar stream is an empty root
  Ran tar = run_shell("cd " + dir_ + "/src && tar --format=pax -cf ../src.tar .",
                      {.out_path = dir_ + "/.o", .err_path = dir_ + "/.e", .cwd = dir_});
  // busybox tar (the tests/vm guest's) has no --format=pax: the rest needs GNU tar.
  if (tar.code != 0) GTEST_SKIP() << "GNU tar could not archive the tree: " << tar.err;
  Ran t1 = grove("image build - -o t1.erofs < src.tar");
  Ran t2 = grove("image build src.tar -o t2.erofs");
  ASSERT_EQ(t1.code, 0) << t1.err;
  ASSERT_EQ(t2.code, 0) << t2.err;
  EXPECT_EQ(read_text_file(dir_ + "/t1.erofs"), read_text_file(dir_ + "/t2.erofs"));
}

TEST_F(ImageE2eTest, BadInputLeavesNothing) {
  Ran r = grove("image build nope -o a.erofs");
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("source "));
  EXPECT_THAT(r.err, HasSubstr("nope"));
  EXPECT_THAT(r.err, HasSubstr("ENOENT"));
  EXPECT_FALSE(fs::exists(dir_ + "/a.erofs"));
  std::ofstream(dir_ + "/junk.tar") << std::string(512, 'x');
  r = grove("image build junk.tar -o a.erofs");
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("checksum"));
  r = grove("image build src -o a.erofs --digest-xattr system.x");
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("digest xattr name"));
  r = grove("image build src -o a.erofs --no-digest --digest-xattr user.x");
  EXPECT_EQ(r.code, 1);
  r = grove("image frob");
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("unknown subcommand"));
  EXPECT_FALSE(fs::exists(dir_ + "/a.erofs"));
  fs::remove(dir_ + "/junk.tar");
  EXPECT_THAT(leftovers(), ::testing::IsEmpty());
}

TEST_F(ImageE2eTest, StoreListAndRemove) {
  Ran r = grove("image ls --store " + dir_ + "/store");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "NAME\tMANIFEST\tLAYERS\n");  // no store yet: no images
  r = grove("image rm nothing --store " + dir_ + "/store");
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("does not exist"));
  r = grove("image convert " + dir_ + "/src:latest --store /dev/shm/grove-never");
  EXPECT_EQ(r.code, 1);  // src is no OCI layout (and /dev/shm would be tmpfs)
  EXPECT_FALSE(fs::exists("/dev/shm/grove-never"));
}

}  // namespace
