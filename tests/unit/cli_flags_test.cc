// L0 tests of runtime/flags: Go `flag` package forms and error strings (runc's parser).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "runtime/flags.h"

namespace grove::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

const std::vector<FlagSpec> kSpecs = {
    {"bundle", {"b"}, FlagKind::kString, "bundle dir", "", false},
    {"detach", {"d"}, FlagKind::kBool, "detach", "", false},
    {"env", {"e"}, FlagKind::kStringList, "env", "", false},
    {"preserve-fds", {}, FlagKind::kUint, "fds", "", false},
    {"nice", {}, FlagKind::kInt, "nice", "", false},
};

Result<ParsedArgs> parse(std::vector<std::string> argv, ParseMode mode = ParseMode::kInterspersed) {
  return parse_flags(kSpecs, argv, mode);
}

TEST(CliFlagsTest, ValueFormsAllMeanTheSame) {
  for (const std::vector<std::string>& argv :
       std::vector<std::vector<std::string>>{{"--bundle=/b"},
                                             {"--bundle", "/b"},
                                             {"-bundle=/b"},
                                             {"-bundle", "/b"},
                                             {"-b", "/b"},
                                             {"--b=/b"}}) {
    auto r = parse(argv);
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_TRUE(r->flags.is_set("bundle"));
    EXPECT_EQ(r->flags.get_string("bundle"), "/b") << argv[0];
    EXPECT_THAT(r->args, IsEmpty());
  }
}

TEST(CliFlagsTest, BoolForms) {
  auto plain = parse({"--detach"});
  ASSERT_TRUE(plain);
  EXPECT_TRUE(plain->flags.get_bool("detach"));
  auto explicit_true = parse({"-d=true"});
  ASSERT_TRUE(explicit_true);
  EXPECT_TRUE(explicit_true->flags.get_bool("detach"));
  auto explicit_false = parse({"--detach=false"});
  ASSERT_TRUE(explicit_false);
  EXPECT_FALSE(explicit_false->flags.get_bool("detach"));
  EXPECT_TRUE(explicit_false->flags.is_set("detach"));
  auto go_spelling = parse({"--detach=T"});
  ASSERT_TRUE(go_spelling);
  EXPECT_TRUE(go_spelling->flags.get_bool("detach"));
}

TEST(CliFlagsTest, BoolNeverConsumesNextArgument) {
  auto r = parse({"--detach", "false"});
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->flags.get_bool("detach"));
  EXPECT_THAT(r->args, ElementsAre("false"));
}

TEST(CliFlagsTest, UnsetFlagsUseFallbacks) {
  auto r = parse({});
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->flags.is_set("bundle"));
  EXPECT_EQ(r->flags.get_string("bundle", "."), ".");
  EXPECT_FALSE(r->flags.get_bool("detach"));
  EXPECT_EQ(r->flags.get_int("nice", 7), 7);
  EXPECT_THAT(r->flags.get_list("env"), IsEmpty());
}

TEST(CliFlagsTest, ListKeepsEveryOccurrenceAndScalarsKeepTheLast) {
  auto r = parse({"-e", "A=1", "--env=B=2", "--bundle", "x", "--bundle", "y"});
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_THAT(r->flags.get_list("env"), ElementsAre("A=1", "B=2"));
  EXPECT_EQ(r->flags.get_string("bundle"), "y");
}

TEST(CliFlagsTest, InterspersedFlagsAfterPositionals) {
  auto r = parse({"c1", "--detach", "KILL", "-b", "/x"});
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_THAT(r->args, ElementsAre("c1", "KILL"));
  EXPECT_TRUE(r->flags.get_bool("detach"));
  EXPECT_EQ(r->flags.get_string("bundle"), "/x");
}

TEST(CliFlagsTest, DoubleDashEndsFlags) {
  auto r = parse({"--detach", "--", "--bundle", "-x"});
  ASSERT_TRUE(r);
  EXPECT_THAT(r->args, ElementsAre("--bundle", "-x"));
  EXPECT_FALSE(r->flags.is_set("bundle"));
}

TEST(CliFlagsTest, SingleDashIsPositional) {
  auto r = parse({"-", "--detach"});
  ASSERT_TRUE(r);
  EXPECT_THAT(r->args, ElementsAre("-"));
}

TEST(CliFlagsTest, StopAtFirstArgLeavesTheRestUntouched) {
  auto r = parse({"-d", "c1", "sh", "-c", "--bogus"}, ParseMode::kStopAtFirstArg);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_TRUE(r->flags.get_bool("detach"));
  EXPECT_THAT(r->args, ElementsAre("c1", "sh", "-c", "--bogus"));
}

TEST(CliFlagsTest, ValueMayStartWithDash) {
  // Go's flag package takes the next argument whatever it looks like.
  auto r = parse({"--bundle", "-weird"});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->flags.get_string("bundle"), "-weird");
}

TEST(CliFlagsTest, NumericFlags) {
  auto r = parse({"--preserve-fds=3", "--nice", "-5"});
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->flags.get_int("preserve-fds"), 3);
  EXPECT_EQ(r->flags.get_int("nice"), -5);
}

struct BadCase {
  std::vector<std::string> argv;
  std::string message;
};

TEST(CliFlagsTest, ErrorsUseGoWording) {
  const std::vector<BadCase> cases = {
      {{"--foo"}, "flag provided but not defined: -foo"},
      {{"-foo=1"}, "flag provided but not defined: -foo"},
      {{"--bundle"}, "flag needs an argument: -bundle"},
      {{"-b"}, "flag needs an argument: -b"},
      {{"--detach=maybe"}, "invalid boolean value \"maybe\" for -detach: parse error"},
      {{"---detach"}, "bad flag syntax: ---detach"},
      {{"--=x"}, "bad flag syntax: --=x"},
      {{"--preserve-fds=-1"}, "invalid value \"-1\" for flag -preserve-fds: parse error"},
      {{"--nice", "ten"}, "invalid value \"ten\" for flag -nice: parse error"},
  };
  for (const BadCase& c : cases) {
    auto r = parse(c.argv);
    ASSERT_FALSE(r) << c.argv[0];
    EXPECT_EQ(r.error().code(), EINVAL);
    EXPECT_EQ(r.error().message(), c.message);
  }
}

TEST(CliFlagsTest, UnknownFlagAfterPositionalIsStillAnError) {
  auto r = parse({"c1", "--foo"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "flag provided but not defined: -foo");
}

TEST(CliFlagsTest, ParseGoBool) {
  bool b = false;
  for (const char* t : {"1", "t", "T", "TRUE", "true", "True"}) {
    ASSERT_TRUE(parse_go_bool(t, &b)) << t;
    EXPECT_TRUE(b);
  }
  for (const char* f : {"0", "f", "F", "FALSE", "false", "False"}) {
    ASSERT_TRUE(parse_go_bool(f, &b)) << f;
    EXPECT_FALSE(b);
  }
  EXPECT_FALSE(parse_go_bool("yes", &b));
  EXPECT_FALSE(parse_go_bool("", &b));
  EXPECT_FALSE(parse_go_bool("tRUE", &b));
}

}  // namespace
}  // namespace grove::cli
