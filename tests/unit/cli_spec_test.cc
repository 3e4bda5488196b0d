// L0 tests of `grove spec` driven in-process: writes a config that parses, refuses to overwrite.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "oci/parse.h"
#include "runtime/cli.h"

namespace grove::cli {
namespace {

using ::testing::HasSubstr;

class CliSpecTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/grove-cli-spec-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  int grove(std::vector<std::string> args) {
    out_.str("");
    err_.str("");
    return run(args, out_, err_);
  }
  std::string read(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  std::string dir_;
  std::ostringstream out_, err_;
};

TEST_F(CliSpecTest, WritesAParseableConfig) {
  ASSERT_EQ(grove({"spec", "--bundle", dir_}), 0) << err_.str();
  EXPECT_EQ(out_.str(), "");
  std::string text = read(dir_ + "/config.json");
  auto spec = oci::parse_config(text);
  ASSERT_TRUE(spec) << spec.error().message();
  EXPECT_EQ(spec->oci_version, "1.3.0");
  ASSERT_TRUE(spec->process);
  EXPECT_FALSE(spec->process->args.empty());
  ASSERT_TRUE(spec->root);
  EXPECT_EQ(spec->root->path, "rootfs");
}

TEST_F(CliSpecTest, RootlessAddsAUserNamespace) {
  ASSERT_EQ(grove({"spec", "-b=" + dir_, "--rootless"}), 0) << err_.str();
  auto spec = oci::parse_config(read(dir_ + "/config.json"));
  ASSERT_TRUE(spec) << spec.error().message();
  EXPECT_TRUE(oci::has_namespace(*spec, oci::NamespaceType::kUser));
  ASSERT_TRUE(spec->linux);
  ASSERT_EQ(spec->linux->uid_mappings.size(), 1u);
  EXPECT_EQ(spec->linux->uid_mappings[0].host_id, geteuid());
}

TEST_F(CliSpecTest, RefusesToOverwriteLikeRunc) {
  std::ofstream(dir_ + "/config.json") << "{\"mine\": true}";
  EXPECT_EQ(grove({"--log-format=json", "spec", "-b", dir_}), 1);
  EXPECT_EQ(read(dir_ + "/config.json"), "{\"mine\": true}");
  EXPECT_THAT(err_.str(), HasSubstr("\"msg\":\"File config.json exists. Remove it first\""));
}

TEST_F(CliSpecTest, RefusesADanglingSymlink) {
  // runc's stat() would miss this and write through the link; O_EXCL refuses it.
  std::filesystem::create_symlink(dir_ + "/elsewhere", dir_ + "/config.json");
  EXPECT_EQ(grove({"spec", "-b", dir_}), 1);
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/elsewhere"));
}

TEST_F(CliSpecTest, MissingBundleNamesThePath) {
  EXPECT_EQ(grove({"spec", "--bundle", dir_ + "/nope"}), 1);
  EXPECT_THAT(err_.str(), HasSubstr("nope/config.json"));
  EXPECT_THAT(err_.str(), HasSubstr("ENOENT"));
}

TEST_F(CliSpecTest, TakesNoArguments) {
  EXPECT_EQ(grove({"spec", "-b", dir_, "extra"}), 1);
  EXPECT_THAT(out_.str(), HasSubstr("Incorrect Usage."));
  EXPECT_THAT(err_.str(), HasSubstr("grove: \\\"spec\\\" requires exactly 0 argument(s)"));
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/config.json"));
}

}  // namespace
}  // namespace grove::cli
