// L0: the exec and ps verbs through grove::cli::run(): flag tables (runc's names and aliases,
// flags ending at the container id), exit codes (exec failures are 255, like runc's
// fatalWithCode; ps failures 1) and the error paths that need no container.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "runtime/cli.h"

namespace grove::cli {
namespace {

using ::testing::ContainsRegex;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

const std::string kRoot = "/nonexistent-grove-test-root";

int grove(std::vector<std::string> args, std::string* err_text = nullptr) {
  args.insert(args.begin(), {"--root", kRoot});
  std::ostringstream out;
  std::ostringstream err;
  int code = run(args, out, err);
  if (err_text != nullptr) *err_text = err.str();
  return code;
}

TEST(CliExecPsTest, ExecHasRuncsFlags) {
  const Verb* v = find_verb("exec");
  ASSERT_NE(v, nullptr);
  std::vector<std::string> names;
  for (const FlagSpec& f : v->flags) names.push_back(f.name);
  EXPECT_THAT(names, ElementsAre("console-socket", "cwd", "env", "tty", "user", "additional-gids",
                                 "process", "detach", "pid-file", "pidfd-socket",
                                 "process-label", "apparmor",
                                 "no-new-privs", "cap", "preserve-fds", "cgroup", "ignore-paused"));
  EXPECT_TRUE(v->flags_before_args_only);
}

TEST(CliExecPsTest, ExecFlagsEndAtTheContainerId) {
  const Verb* v = find_verb("exec");
  ASSERT_NE(v, nullptr);
  std::vector<std::string> argv = {"-e",       "A=1", "--env=B=2", "-u", "1:2",   "-c",
                                   "CAP_KILL", "c1",  "sh",        "-c", "exit 7"};
  auto parsed = parse_flags(v->flags, argv, ParseMode::kStopAtFirstArg);
  ASSERT_TRUE(parsed) << parsed.error().message();
  EXPECT_THAT(parsed->flags.get_list("env"), ElementsAre("A=1", "B=2"));
  EXPECT_EQ(parsed->flags.get_string("user"), "1:2");
  EXPECT_THAT(parsed->flags.get_list("cap"), ElementsAre("CAP_KILL"));
  EXPECT_THAT(parsed->args, ElementsAre("c1", "sh", "-c", "exit 7"));
}

TEST(CliExecPsTest, ExecOfAMissingContainerExits255WithExecFailed) {
  std::string err;
  EXPECT_EQ(grove({"exec", "nope", "true"}, &err), 255);
  EXPECT_THAT(err, ContainsRegex("exec failed: exec in container .*nope.*does not exist"));
}

TEST(CliExecPsTest, ExecWithoutCommandOrProcessFile) {
  // The id is checked first, as in runc (getContainer before the args check).
  std::string err;
  EXPECT_EQ(grove({"exec", "nope"}, &err), 255);
  EXPECT_THAT(err, HasSubstr("does not exist"));
  EXPECT_EQ(grove({"exec"}, &err), 1);
  EXPECT_THAT(err, HasSubstr("requires a minimum of 1 argument(s)"));
}

TEST(CliExecPsTest, ExecBadPreserveFdsExits255) {
  std::string err;
  EXPECT_EQ(grove({"exec", "--preserve-fds", "-1", "nope", "true"}, &err), 255);
  EXPECT_THAT(err, HasSubstr("invalid --preserve-fds -1"));
}

TEST(CliExecPsTest, ExecMissingProcessFileExits255) {
  std::string err;
  EXPECT_EQ(grove({"exec", "-p", "/nonexistent/process.json", "nope"}, &err), 255);
  EXPECT_THAT(err, ContainsRegex("exec failed: .*ENOENT"));
}

TEST(CliExecPsTest, PsFlagsAndErrors) {
  const Verb* v = find_verb("ps");
  ASSERT_NE(v, nullptr);
  ASSERT_EQ(v->flags.size(), 1u);
  EXPECT_EQ(v->flags[0].name, "format");
  EXPECT_THAT(v->flags[0].aliases, ElementsAre("f"));
  EXPECT_TRUE(v->flags_before_args_only);
  std::string err;
  EXPECT_EQ(grove({"ps", "nope"}, &err), 1);
  EXPECT_THAT(err, HasSubstr("does not exist"));
  EXPECT_EQ(grove({"ps", "--format", "yaml", "nope"}, &err), 1);
  EXPECT_THAT(err, HasSubstr("invalid format option"));
}

}  // namespace
}  // namespace grove::cli
