// L0 tests of `grove sandbox`'s flag handling driven in-process: every error here is found
// before anything is created (no namespace, no state directory).

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "runtime/cli.h"

namespace grove::cli {
namespace {

using ::testing::HasSubstr;

class CliSandboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/grove-cli-sandbox-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Runs with --root inside dir_ so a test that got further than intended is caught.
  int grove(std::vector<std::string> args) {
    out_.str("");
    err_.str("");
    args.insert(args.begin(), {"--root", dir_ + "/state"});
    return run(args, out_, err_);
  }
  bool state_created() const { return std::filesystem::exists(dir_ + "/state"); }

  std::string dir_;
  std::ostringstream out_, err_;
};

TEST_F(CliSandboxTest, NeedsACommand) {
  EXPECT_EQ(grove({"sandbox"}), 1);
  EXPECT_THAT(err_.str(), HasSubstr("\\\"sandbox\\\" requires a minimum of 1 argument(s)"));
  EXPECT_FALSE(state_created());
}

TEST_F(CliSandboxTest, BadVolume) {
  EXPECT_EQ(grove({"sandbox", "-v", "/a:relative", "--", "true"}), 1);
  EXPECT_THAT(err_.str(), HasSubstr("invalid volume \\\"/a:relative\\\""));
  EXPECT_THAT(err_.str(), HasSubstr("destination must be absolute"));
  EXPECT_FALSE(state_created());
}

TEST_F(CliSandboxTest, HostRootVolumeDestinationMustExist) {
  // Not under /tmp (the sandbox's own tmpfs, where mount points may be made).
  const std::string dst = "/grove-sandbox-test-no-such-dir";
  ASSERT_FALSE(std::filesystem::exists(dst));
  EXPECT_EQ(grove({"sandbox", "-v", dir_ + ":" + dst, "--", "true"}), 1);
  EXPECT_THAT(err_.str(), HasSubstr("does not exist on the host's /"));
  EXPECT_FALSE(std::filesystem::exists(dst)) << "created on the host";
  EXPECT_FALSE(state_created());
}

TEST_F(CliSandboxTest, BadNetAndMap) {
  EXPECT_EQ(grove({"sandbox", "--net=bridge", "true"}), 1);
  EXPECT_THAT(err_.str(), HasSubstr("invalid --net \\\"bridge\\\": want none or host"));
  EXPECT_EQ(grove({"sandbox", "--map", "nobody", "true"}), 1);
  EXPECT_THAT(err_.str(), HasSubstr("invalid --map \\\"nobody\\\""));
  EXPECT_FALSE(state_created());
}

TEST_F(CliSandboxTest, ImageIsRefusedHonestlyWhenUnprivileged) {
  // As root --image is accepted and mounted (tests/e2e/image_root_e2e_test.cc): nothing to
  // refuse, and a unit test must not mount.
  if (::geteuid() == 0) GTEST_SKIP() << "as root --image is accepted; the refusal is for users (run as nobody by "
                    "SandboxE2ePrivTest.ImageIsRefusedHonestlyForAUser)";
  std::string image = dir_ + "/img.erofs";
  std::ofstream(image) << "not really erofs";
  EXPECT_EQ(grove({"sandbox", "--image", image, "--", "true"}), 1);
  EXPECT_THAT(err_.str(), HasSubstr("not supported for an unprivileged user"));
  EXPECT_THAT(err_.str(), HasSubstr("user namespace"));
  EXPECT_THAT(err_.str(), HasSubstr("--rootfs DIR"));
  EXPECT_FALSE(state_created());
}

TEST_F(CliSandboxTest, ImageMustExistAndExcludesRootfs) {
  std::string image = dir_ + "/img.erofs";
  std::ofstream(image) << "not really erofs";
  EXPECT_EQ(grove({"sandbox", "--image", dir_ + "/missing.erofs", "true"}), 1);
  EXPECT_THAT(err_.str(), HasSubstr("ENOENT"));
  EXPECT_EQ(grove({"sandbox", "--image", image, "--rootfs", dir_, "true"}), 1);
  EXPECT_THAT(err_.str(), HasSubstr("exclusive"));
}

TEST_F(CliSandboxTest, ImageOnTmpfsSaysWhy) {
  if (::geteuid() == 0) GTEST_SKIP() << "as root --image is accepted (a loop device reads tmpfs); run as nobody by "
                    "SandboxE2ePrivTest.ImageOnTmpfsSaysWhyForAUser";
  // /dev/shm is a tmpfs on every Linux host with a normal /dev.
  char tmpl[] = "/dev/shm/grove-sandbox-img-XXXXXX";
  int fd = mkstemp(tmpl);
  if (fd < 0) GTEST_SKIP() << "cannot create a file in /dev/shm: " << strerror(errno);
  close(fd);
  int code = grove({"sandbox", "--image", tmpl, "--", "true"});
  unlink(tmpl);
  EXPECT_EQ(code, 1);
  EXPECT_THAT(err_.str(), HasSubstr("image is on tmpfs"));
  EXPECT_THAT(err_.str(), HasSubstr("real filesystem"));
}

TEST_F(CliSandboxTest, RootfsMustBeADirectory) {
  std::string file = dir_ + "/file";
  std::ofstream(file) << "x";
  EXPECT_EQ(grove({"sandbox", "--rootfs", file, "true"}), 1);
  EXPECT_THAT(err_.str(), HasSubstr("not a directory"));
  EXPECT_EQ(grove({"sandbox", "--rootfs", dir_ + "/nope", "true"}), 1);
  EXPECT_THAT(err_.str(), HasSubstr("--rootfs"));
  EXPECT_FALSE(state_created());
}

TEST_F(CliSandboxTest, HelpListsFlags) {
  EXPECT_EQ(grove({"sandbox", "--help"}), 0);
  for (const char* f : {"--image", "--rootfs", "--volume", "--net", "--map"}) {
    EXPECT_THAT(out_.str(), HasSubstr(f));
  }
}

}  // namespace
}  // namespace grove::cli
