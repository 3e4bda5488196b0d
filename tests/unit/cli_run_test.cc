// L0 tests of the CLI framework driven in-process through grove::cli::run(): global flags,
// dispatch, usage errors and exit codes, help, --version and error logging. A hidden test verb
// registered below echoes what its handler received.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "grove/version.h"
#include "runtime/cli.h"

namespace grove::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

// Prints its inputs as "key=value" lines; fails with EPERM when given the argument "fail"; the
// argument "code=N" sets Context::exit_code to N.
Status run_echo(Context& ctx) {
  ctx.out << "root=" << ctx.global.root << "\n"
          << "systemd=" << ctx.global.systemd_cgroup << "\n"
          << "rootless=" << ctx.global.rootless << "\n"
          << "criu=" << ctx.global.criu << "\n"
          << "force=" << ctx.flags.get_bool("force") << "\n"
          << "name=" << ctx.flags.get_string("name", "-") << "\n";
  for (const std::string& a : ctx.args) {
    if (a == "fail") return Error::from_errno(EPERM, "kill(1, 9)").context("container \"c1\"");
    if (a.rfind("code=", 0) == 0) ctx.exit_code = std::stoi(a.substr(5));
    ctx.out << "arg=" << a << "\n";
  }
  return ok();
}

const VerbRegistration kEcho{{
    .name = "x-test-echo",
    .aliases = {"x-echo"},
    .summary = "echo the parsed command line",
    .args_usage = "<container-id> [args...]",
    .description = "Test-only verb.",
    .flags = {{"force", {"f"}, FlagKind::kBool, "force", "", false},
              {"name", {"n"}, FlagKind::kString, "a name", "", false}},
    .args = ArgCount::at_least(1),
    .flags_before_args_only = false,
    .hidden = true,
    .handler = run_echo,
}};

struct Outcome {
  int code;
  std::string out;
  std::string err;
};

Outcome grove(std::vector<std::string> args) {
  std::ostringstream out, err;
  int code = run(args, out, err);
  return {code, out.str(), err.str()};
}

TEST(CliRunTest, VersionIsThreeLines) {
  for (const char* flag : {"--version", "-v", "-version"}) {
    Outcome r = grove({flag});
    EXPECT_EQ(r.code, 0);
    EXPECT_EQ(r.out, std::string("grove version ") + kVersion + "\ncommit: " + kCommit +
                         "\nspec: 1.3.0\n");
    EXPECT_TRUE(std::regex_match(r.out, std::regex("grove version [0-9.]+\ncommit: \\S+\n"
                                                   "spec: 1\\.3\\.0\n")))
        << r.out;
    EXPECT_EQ(r.err, "");
  }
}

TEST(CliRunTest, NoArgumentsPrintsHelp) {
  Outcome r = grove({});
  EXPECT_EQ(r.code, 0);
  EXPECT_THAT(r.out, StartsWith("NAME:\n   grove - "));
  EXPECT_THAT(r.out, HasSubstr("\nCOMMANDS:\n"));
  EXPECT_THAT(r.out, HasSubstr("   help, h "));
  EXPECT_THAT(r.out, HasSubstr("--log-format value  set the log format"));
  EXPECT_THAT(r.out, HasSubstr("--criu value"));
  EXPECT_THAT(r.out, HasSubstr("ignored"));
  EXPECT_THAT(r.out, Not(HasSubstr("x-test-echo"))) << "hidden verbs are not listed";
}

TEST(CliRunTest, HelpForms) {
  Outcome app = grove({"--help"});
  EXPECT_EQ(app.code, 0);
  EXPECT_THAT(app.out, HasSubstr("GLOBAL OPTIONS:"));
  for (std::vector<std::string> args :
       std::vector<std::vector<std::string>>{{"help", "x-test-echo"},
                                             {"h", "x-echo"},
                                             {"x-test-echo", "--help"},
                                             {"x-test-echo", "-h"}}) {
    Outcome r = grove(args);
    EXPECT_EQ(r.code, 0) << args[0];
    EXPECT_THAT(r.out, StartsWith("NAME:\n   grove x-test-echo - echo the parsed command line\n"));
    EXPECT_THAT(r.out, HasSubstr("USAGE:\n   grove x-test-echo [command options] <container-id>"));
    EXPECT_THAT(r.out, HasSubstr("   --force, -f" + std::string(13, ' ') + "force\n"));
    EXPECT_THAT(r.out, HasSubstr("   --name value, -n value  a name\n"));
  }
}

TEST(CliRunTest, GlobalFlagsReachTheHandler) {
  Outcome r = grove({"--root=/tmp/r", "--systemd-cgroup", "--rootless", "1", "-criu", "/bin/criu",
                     "x-test-echo", "c1", "--force", "-n", "abc", "two"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out,
            "root=/tmp/r\nsystemd=1\nrootless=true\ncriu=/bin/criu\nforce=1\nname=abc\n"
            "arg=c1\narg=two\n");
  EXPECT_EQ(r.err, "");
}

TEST(CliRunTest, DefaultRoot) {
  Outcome r = grove({"x-test-echo", "c1"});
  ASSERT_EQ(r.code, 0);
  if (geteuid() == 0) {
    EXPECT_THAT(r.out, HasSubstr("root=/run/grove\n"));
  } else {
    EXPECT_THAT(r.out, HasSubstr("/grove\n"));
  }
  EXPECT_THAT(r.out, HasSubstr("rootless=auto\n"));
}

TEST(CliRunTest, GlobalFlagsEndAtTheVerb) {
  // `--debug` after the verb is a verb flag, and the echo verb has none.
  Outcome r = grove({"x-test-echo", "c1", "--debug"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.out, StartsWith("Incorrect Usage: flag provided but not defined: -debug\n\n"));
}

TEST(CliRunTest, UnknownVerb) {
  Outcome r = grove({"nope"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(r.err, HasSubstr("level=error msg=\"No help topic for 'nope'\"\n"));
  Outcome help = grove({"help", "nope"});
  EXPECT_EQ(help.code, 1);
  EXPECT_THAT(help.err, HasSubstr("No help topic for 'nope'"));
}

TEST(CliRunTest, UnknownGlobalFlag) {
  Outcome r = grove({"--foo", "x-test-echo", "c1"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.out, StartsWith("Incorrect Usage. flag provided but not defined: -foo\n\nNAME:"));
  EXPECT_THAT(r.err, HasSubstr("level=error msg=\"flag provided but not defined: -foo\""));
}

TEST(CliRunTest, GlobalFlagWithoutValue) {
  Outcome r = grove({"--root"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("flag needs an argument: -root"));
}

TEST(CliRunTest, WrongArgumentCount) {
  Outcome r = grove({"x-test-echo"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.out, StartsWith("Incorrect Usage.\n\nNAME:\n   grove x-test-echo"));
  EXPECT_THAT(r.err,
              HasSubstr("msg=\"grove: \\\"x-test-echo\\\" requires a minimum of 1 argument(s)\""));
  Outcome help = grove({"help", "a", "b"});
  EXPECT_EQ(help.code, 1);
  EXPECT_THAT(help.err, HasSubstr("requires a maximum of 1 argument(s)"));
}

TEST(CliRunTest, BadGlobalValues) {
  Outcome fmt = grove({"--log-format", "xml", "x-test-echo", "c1"});
  EXPECT_EQ(fmt.code, 1);
  EXPECT_THAT(fmt.err, HasSubstr("msg=\"invalid log-format: xml\""));
  Outcome rootless = grove({"--rootless=maybe", "x-test-echo", "c1"});
  EXPECT_EQ(rootless.code, 1);
  EXPECT_THAT(rootless.err, HasSubstr("invalid --rootless value"));
}

TEST(CliRunTest, VerbErrorIsLoggedOnceAsJson) {
  Outcome r = grove({"--log-format=json", "x-test-echo", "fail"});
  EXPECT_EQ(r.code, 1);
  ASSERT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  nlohmann::json j = nlohmann::json::parse(r.err);
  EXPECT_EQ(j["level"], "error");
  EXPECT_EQ(j["msg"], "container \"c1\": kill(1, 9): EPERM (Operation not permitted)");
  EXPECT_TRUE(j["time"].is_string());
}

TEST(CliRunTest, VerbErrorGoesToLogFileAndStderr) {
  char dir[] = "/tmp/grove-cli-run-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  std::string path = std::string(dir) + "/log.json";
  Outcome r = grove({"--log", path, "--log-format", "json", "x-test-echo", "fail"});
  EXPECT_EQ(r.code, 1);
  // runc's fatal(): plain message on stderr when the log is a file.
  EXPECT_EQ(r.err, "container \"c1\": kill(1, 9): EPERM (Operation not permitted)\n");
  std::ifstream in(path);
  std::string line;
  ASSERT_TRUE(std::getline(in, line));
  nlohmann::json j = nlohmann::json::parse(line);
  EXPECT_EQ(j["level"], "error");
  EXPECT_EQ(j["msg"], "container \"c1\": kill(1, 9): EPERM (Operation not permitted)");
  EXPECT_FALSE(std::getline(in, line)) << "one line only";
  unlink(path.c_str());
  rmdir(dir);
}

TEST(CliRunTest, UnopenableLogFileFails) {
  Outcome r = grove({"--log", "/nonexistent-dir/log", "x-test-echo", "c1"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("open log file \\\"/nonexistent-dir/log\\\""));
}

TEST(CliRunTest, DebugEnablesDebugLines) {
  Outcome quiet = grove({"x-test-echo", "c1"});
  EXPECT_EQ(quiet.err, "");
  Outcome loud = grove({"--debug", "x-test-echo", "c1"});
  EXPECT_EQ(loud.code, 0);
  EXPECT_THAT(loud.err, HasSubstr("level=debug"));
}

TEST(CliRunTest, ArgvOverload) {
  char prog[] = "grove", verb[] = "x-test-echo", id[] = "c9";
  char* argv[] = {prog, verb, id, nullptr};
  std::ostringstream out, err;
  EXPECT_EQ(run(3, argv, out, err), 0);
  EXPECT_THAT(out.str(), HasSubstr("arg=c9\n"));
}

}  // namespace
}  // namespace grove::cli

namespace grove::cli {
namespace {

TEST(CliRunTest, HandlerSetsTheExitCodeThroughContext) {
  // run and exec exit with their process's code this way, on success...
  Outcome r = grove({"x-test-echo", "c1", "code=7"});
  EXPECT_EQ(r.code, 7);
  EXPECT_EQ(r.err, "");
  // ...and with 255 on a failure (runc's exec failures, an init failing after start), the error
  // still logged once.
  Outcome f = grove({"x-test-echo", "c1", "code=255", "fail"});
  EXPECT_EQ(f.code, 255);
  EXPECT_THAT(f.err, HasSubstr("kill(1, 9)"));
  EXPECT_EQ(f.err.find("kill(1, 9)"), f.err.rfind("kill(1, 9)")) << f.err;
  EXPECT_EQ(grove({"x-test-echo", "c1", "fail"}).code, 1);  // unset: 1 on error
}

}  // namespace
}  // namespace grove::cli
