// L3: the real grove binary (GROVE_BIN) for the verbs that exist today: --version, spec,
// features, usage errors and the --log file. Runs as any user: none of these needs root.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/support/files.h"
#include "tests/support/run_binary.h"

namespace {

using ::grove::testing::Ran;
using ::grove::testing::read_text_file;
using ::grove::testing::run_shell;
using ::grove::testing::RunOptions;
using ::testing::HasSubstr;
using ::testing::StartsWith;

class CliE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/grove-cli-e2e-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Runs `GROVE_BIN args` through the shell in dir_. `args` is inserted verbatim: tests only pass
  // fixed strings and paths under dir_ (no spaces or quotes).
  Ran grove(const std::string& args) {
    RunOptions options{.out_path = dir_ + "/.stdout", .err_path = dir_ + "/.stderr", .cwd = dir_};
    return run_shell(std::string(GROVE_BIN) + " " + args, options);
  }

  std::string dir_;
};

TEST_F(CliE2eTest, Version) {
  Ran r = grove("--version");
  EXPECT_EQ(r.code, 0);
  EXPECT_THAT(r.out, StartsWith("grove version "));
  EXPECT_THAT(r.out, HasSubstr("\ncommit: "));
  EXPECT_THAT(r.out, HasSubstr("\nspec: 1.3.0\n"));
}

TEST_F(CliE2eTest, SpecInTheCurrentDirectory) {
  Ran r = grove("spec");
  ASSERT_EQ(r.code, 0) << r.err;
  nlohmann::json spec = nlohmann::json::parse(read_text_file(dir_ + "/config.json"));
  EXPECT_EQ(spec["ociVersion"], "1.3.0");
  EXPECT_EQ(spec["root"]["path"], "rootfs");

  Ran again = grove("spec");
  EXPECT_EQ(again.code, 1);
  EXPECT_THAT(again.err, HasSubstr("File config.json exists. Remove it first"));
}

TEST_F(CliE2eTest, FeaturesIsValidJson) {
  Ran r = grove("features");
  ASSERT_EQ(r.code, 0) << r.err;
  nlohmann::json doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["ociVersionMax"], "1.3.0");
  EXPECT_TRUE(doc["linux"]["namespaces"].is_array());
  std::string strategy = doc["annotations"]["run.grove.mount-strategy"];
  bool otn = doc["annotations"]["run.grove.probe.open-tree-namespace"] == "true";
  EXPECT_EQ(strategy, otn ? "open-tree-namespace" : "pivot");
  // The documented pipe works (where python3 exists: the VM's initramfs has none).
  if (::access("/usr/bin/python3", X_OK) != 0) {
    GTEST_SKIP() << "no /usr/bin/python3: the json.tool pipe of the man page is not checked";
  }
  Ran piped = grove("features | python3 -m json.tool >/dev/null && echo ok");
  EXPECT_EQ(piped.out, "ok\n") << piped.err;
}

TEST_F(CliE2eTest, UsageErrorsExitOne) {
  Ran verb = grove("nope");
  EXPECT_EQ(verb.code, 1);
  EXPECT_THAT(verb.err, HasSubstr("No help topic for 'nope'"));
  Ran flag = grove("--foo spec");
  EXPECT_EQ(flag.code, 1);
  EXPECT_THAT(flag.out, StartsWith("Incorrect Usage. flag provided but not defined: -foo"));
  EXPECT_THAT(flag.err, HasSubstr("level=error"));
}

TEST_F(CliE2eTest, JsonLogFileAndPlainStderr) {
  std::filesystem::create_directory(dir_ + "/b");
  std::ofstream(dir_ + "/b/config.json") << "{}";
  Ran r = grove("--log " + dir_ + "/log.json --log-format=json spec -b " + dir_ + "/b");
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "File config.json exists. Remove it first\n");
  nlohmann::json line = nlohmann::json::parse(read_text_file(dir_ + "/log.json"));
  EXPECT_EQ(line["level"], "error");
  EXPECT_EQ(line["msg"], "File config.json exists. Remove it first");
}

}  // namespace
