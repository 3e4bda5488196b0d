// The hostile-config corpus (issue #9: ">= 100 malformed or hostile configs, each giving a clear
// error and leaving nothing behind"). Three sources, each config run through `grove create` on a
// busybox bundle:
//   tests/data/oci/invalid/NAME.json  malformed configs (the parser's corpus); NAME.err holds the
//                                     parser's message, which grove must print.
//   tests/data/oci/hostile/NAME.json  parseable but hostile configs (mounts shadowing /proc,
//                                     sysctls escaping their namespace or /proc/sys, NUL bytes,
//                                     (uid_t)-1, soft > hard rlimits, relative hooks, ...);
//                                     NAME.err holds a substring naming the field.
//   generated here                    too big for the repository: huge arrays, deep nesting.
// Every create must exit 1 with the expected text and leave no state directory, no mount under
// the bundle, no cgroup named after the container or the bundle's cgroup, and no process.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "oci/serialize.h"
#include "tests/support/bundle.h"
#include "tests/support/files.h"
#include "tests/support/grove_cli.h"
#include "tests/support/priv.h"

namespace grove::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using Json = nlohmann::json;

struct Case {
  std::string name;
  std::string config;  // config.json text
  std::string expect;  // substring of grove's stderr
};

std::vector<Case> corpus_dir(const std::string& sub) {
  std::vector<Case> out;
  for (const auto& e : fs::directory_iterator(std::string(GROVE_CORPUS_DIR) + "/" + sub)) {
    if (e.path().extension() != ".json") continue;
    std::string err = fs::path(e.path()).replace_extension(".err");
    std::string expect = read_text_file(err);
    while (!expect.empty() && expect.back() == '\n') expect.pop_back();
    out.push_back({sub + "/" + e.path().stem().string(), read_text_file(e.path()), expect});
  }
  std::sort(out.begin(), out.end(), [](const Case& a, const Case& b) { return a.name < b.name; });
  return out;
}

// Pids of our live children (the test is a subreaper: a failed create's init would land here).
std::vector<pid_t> live_children() {
  std::vector<pid_t> out;
  const std::string me = std::to_string(::getpid());
  for (const auto& e : fs::directory_iterator("/proc")) {
    std::string n = e.path().filename();
    if (n.empty() || !std::isdigit(static_cast<unsigned char>(n[0]))) continue;
    std::string stat = read_text_file(e.path().string() + "/stat");
    auto close = stat.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(stat.substr(close + 2));
    std::string state, ppid;
    rest >> state >> ppid;
    if (ppid == me && state != "Z") out.push_back(std::stoi(n));
  }
  return out;
}

// Cgroup directories named `id` at the top of any hierarchy (grove's default cgroupsPath).
std::vector<std::string> cgroups_named(const std::string& id) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& h : fs::directory_iterator("/sys/fs/cgroup", ec)) {
    if (fs::exists(h.path() / id)) out.push_back(h.path() / id);
  }
  if (fs::exists("/sys/fs/cgroup/cgroup.procs") && fs::exists("/sys/fs/cgroup/" + id)) {
    out.push_back("/sys/fs/cgroup/" + id);
  }
  return out;
}

class ConfigCorpusPrivTest : public ::testing::Test {
 protected:
  void SetUp() override {
    GROVE_REQUIRE_ROOT();
    GROVE_REQUIRE(missing_busybox());
    ASSERT_EQ(::prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
    cli_.emplace(GROVE_BIN);
    auto b = BusyboxBundle::make({"true"});
    ASSERT_TRUE(b) << b.error().message();
    bundle_.emplace(std::move(*b));
  }
  void TearDown() override {
    if (cli_) {
      EXPECT_EQ(cli_->cleanup(), "");
    }
  }

  // Runs one case; returns "" or what went wrong.
  std::string run_case(const Case& c, int n) {
    if (!bundle_->write_raw_config(c.config)) return "cannot write config";
    const std::string id = "corpus-" + std::to_string(n);
    Ran r = cli_->run({"create", "--bundle", bundle_->bundle(), id});
    reap_children();
    std::string bad;
    if (r.code != 1) bad += " exit " + std::to_string(r.code) + " (want 1);";
    // The log line quotes the message (logfmt msg="..."): compare with its plain text.
    std::string plain;
    for (std::size_t i = 0; i < r.err.size(); ++i) {
      if (r.err[i] == '\\' && i + 1 < r.err.size() &&
          (r.err[i + 1] == '"' || r.err[i + 1] == '\\')) {
        ++i;
      }
      plain += r.err[i];
    }
    if (plain.find(c.expect) == std::string::npos) bad += " stderr lacks " + c.expect + ";";
    if (fs::exists(cli_->root() + "/" + id)) bad += " state dir left;";
    if (!host_mounts_under(bundle_->dir()).empty()) bad += " mount left;";
    if (!bundle_->leftover_cgroups().empty() || !cgroups_named(id).empty()) bad += " cgroup left;";
    if (!live_children().empty()) bad += " process left;";
    if (r.code == 0) (void)cli_->run({"delete", "--force", id});
    return bad.empty() ? "" : c.name + ":" + bad + " stderr: " + r.err.substr(0, 400);
  }

  std::optional<GroveCli> cli_;
  std::optional<BusyboxBundle> bundle_;
};

// The bundle's own valid config with `edit` applied, as text.
std::string edited(BusyboxBundle& b, const std::function<void(Json&)>& edit) {
  Json j = oci::to_json(b.spec());
  edit(j);
  return j.dump();
}

std::vector<Case> generated(BusyboxBundle& b) {
  std::vector<Case> out;
  out.push_back({"gen/additional-gids-70000",
                 edited(b,
                        [](Json& j) {
                          Json gids = Json::array();
                          for (int i = 0; i < 70000; ++i) gids.push_back(i);
                          j["process"]["user"]["additionalGids"] = gids;
                        }),
                 "/process/user/additionalGids: 70000 groups"});
  out.push_back({"gen/env-40000-nul-last",
                 edited(b,
                        [](Json& j) {
                          for (int i = 0; i < 40000; ++i)
                            j["process"]["env"].push_back("V" + std::to_string(i) + "=x");
                          j["process"]["env"].push_back(std::string("BAD=a\0b", 7));
                        }),
                 "/process/env/40002: contains a NUL byte"});
  out.push_back({"gen/mounts-5000-relative-last",
                 edited(b,
                        [](Json& j) {
                          for (int i = 0; i < 5000; ++i) {
                            j["mounts"].push_back({{"destination", "/m/" + std::to_string(i)},
                                                   {"type", "tmpfs"},
                                                   {"source", "tmpfs"}});
                          }
                          j["mounts"].push_back({{"destination", "relative"}, {"type", "tmpfs"}});
                        }),
                 "/destination: must be absolute"});
  {
    // Deep nesting needs raw text (nlohmann would build it recursively).
    std::string text = edited(b, [](Json& j) { j["annotations"]["x"] = "PLACEHOLDER"; });
    std::string deep = std::string(100000, '[') + std::string(100000, ']');
    text.replace(text.find("\"PLACEHOLDER\""), 13, deep);
    out.push_back({"gen/annotation-nested-100000", text, "/annotations/x"});
  }
  out.push_back({"gen/hostname-100000",
                 edited(b, [](Json& j) { j["hostname"] = std::string(100000, 'h'); }), "hostname"});
  out.push_back(
      {"gen/seccomp-100000-syscalls-bad-action-last",
       edited(b,
              [](Json& j) {
                Json s = {{"defaultAction", "SCMP_ACT_ALLOW"}, {"syscalls", Json::array()}};
                for (int i = 0; i < 100000; ++i) {
                  s["syscalls"].push_back({{"names", {"getpid"}}, {"action", "SCMP_ACT_ERRNO"}});
                }
                s["syscalls"].push_back({{"names", {"getpid"}}, {"action", "SCMP_ACT_NOPE"}});
                j["linux"]["seccomp"] = s;
              }),
       "/linux/seccomp/syscalls/100000/action"});
  return out;
}

TEST_F(ConfigCorpusPrivTest, EveryMalformedOrHostileConfigFailsCleanly) {
  std::vector<Case> cases = corpus_dir("invalid");
  std::vector<Case> hostile = corpus_dir("hostile");
  std::vector<Case> gen = generated(*bundle_);
  const std::size_t invalid_count = cases.size();
  cases.insert(cases.end(), hostile.begin(), hostile.end());
  cases.insert(cases.end(), gen.begin(), gen.end());
  EXPECT_GE(cases.size(), 100u) << invalid_count << " invalid, " << hostile.size() << " hostile, "
                                << gen.size() << " generated";
  std::vector<std::string> failures;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    std::string why = run_case(cases[i], static_cast<int>(i));
    if (!why.empty()) failures.push_back(why);
  }
  EXPECT_THAT(failures, ::testing::IsEmpty());
  RecordProperty("cases", static_cast<int>(cases.size()));
}

}  // namespace
}  // namespace grove::testing
