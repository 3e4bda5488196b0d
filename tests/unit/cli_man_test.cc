// L0: the man pages stay in step with --help. Every listed verb has man/grove-VERB.8 and a
// COMMANDS entry in grove(8); every flag (global or per verb) is documented where it belongs.
// Rendering warnings are checked separately by the man.lint ctest (scripts/lint-man).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "runtime/cli.h"

namespace grove::cli {
namespace {

using ::testing::HasSubstr;

std::string read_page(const std::string& name) {
  std::ifstream in(std::string(GROVE_SOURCE_DIR) + "/man/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// roff spelling of a flag: "--log-format" is written "\-\-log\-format".
std::string roff_flag(const std::string& name) {
  std::string out = name.size() == 1 ? "\\-" : "\\-\\-";
  for (char c : name) out += c == '-' ? std::string("\\-") : std::string(1, c);
  return out;
}

// The roff spelling of a verb name in a .B line ("grove\-spec" style hyphens escaped).
std::string roff_word(const std::string& word) {
  std::string out;
  for (char c : word) out += c == '-' ? std::string("\\-") : std::string(1, c);
  return out;
}

TEST(CliManTest, GlobalFlagsAreDocumented) {
  std::string page = read_page("grove.8");
  ASSERT_FALSE(page.empty()) << "man/grove.8 missing";
  for (const FlagSpec& f : global_flags()) {
    if (f.hidden) continue;
    EXPECT_THAT(page, HasSubstr(roff_flag(f.name))) << "grove(8) lacks --" << f.name;
    for (const std::string& alias : f.aliases) {
      EXPECT_THAT(page, HasSubstr(roff_flag(alias))) << "grove(8) lacks -" << alias;
    }
  }
}

TEST(CliManTest, EveryVerbHasAPage) {
  std::string index = read_page("grove.8");
  for (const Verb& v : verbs()) {
    if (v.hidden) continue;
    if (v.name == "help") continue;  // documented in grove(8) itself
    EXPECT_THAT(index, HasSubstr(".B " + roff_word(v.name) + "\n"))
        << "grove(8) COMMANDS lacks " << v.name;
    std::string page = read_page("grove-" + v.name + ".8");
    ASSERT_FALSE(page.empty()) << "man/grove-" << v.name << ".8 missing";
    EXPECT_THAT(page, HasSubstr("grove\\-" + roff_word(v.name) + " \\- " + v.summary))
        << "NAME line of grove-" << v.name << "(8) differs from the verb's summary";
    EXPECT_THAT(index, HasSubstr(".BR grove\\-" + roff_word(v.name) + " (8)"))
        << "grove(8) SEE ALSO lacks grove-" << v.name << "(8)";
    for (const FlagSpec& f : v.flags) {
      if (f.hidden) continue;
      EXPECT_THAT(page, HasSubstr(roff_flag(f.name))) << "grove-" << v.name << "(8): --" << f.name;
      for (const std::string& alias : f.aliases) {
        EXPECT_THAT(page, HasSubstr(roff_flag(alias))) << "grove-" << v.name << "(8): -" << alias;
      }
    }
  }
}

}  // namespace
}  // namespace grove::cli
