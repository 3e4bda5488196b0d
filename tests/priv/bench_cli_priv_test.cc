// L2 smoke test of `grove-bench cli|exec|lib|floor` (bench/README.md): tiny counts, every mode
// runs, prints a numeric cell for grove (and crun/runc when installed, else "n/a"), and leaves no
// scratch dir, state root or cgroup behind. Nothing is timed: performance targets are never
// test assertions.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "tests/support/files.h"
#include "tests/support/grove_cli.h"
#include "tests/support/priv.h"
#include "tests/support/run_binary.h"

namespace grove::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

Ran run_bench(const TempDir& dir, std::vector<std::string> args) {
  std::vector<std::string> argv = {GROVE_BENCH_BIN};
  argv.insert(argv.end(), args.begin(), args.end());
  for (const char* f : {"--count", "2", "--rounds", "1", "--tmpdir"}) argv.push_back(f);
  argv.push_back(dir.path());
  return run_binary(argv,
                    RunOptions{.out_path = dir.path() + "/out", .err_path = dir.path() + "/err"});
}

std::string busybox_missing() {
  return ::access("/bin/busybox", X_OK) == 0 ? "" : "needs a static /bin/busybox (busybox-static)";
}

const nlohmann::json* cell(const nlohmann::json& j, const std::string& who, const std::string& op,
                           const std::string& variant = "default") {
  for (const nlohmann::json& c : j["cells"]) {
    if (c["contender"] == who && c["op"] == op && c["variant"] == variant) return &c;
  }
  return nullptr;
}

// Nothing of the run is left: scratch (only out/err remain), state roots and cgroups.
void expect_clean(const TempDir& dir, int pid) {
  std::vector<std::string> left;
  for (const auto& e : fs::directory_iterator(dir.path())) left.push_back(e.path().filename());
  EXPECT_THAT(left, ::testing::UnorderedElementsAre("out", "err"));
  EXPECT_FALSE(fs::exists("/run/grove-bench." + std::to_string(pid)));
  for (const auto& h : fs::directory_iterator("/sys/fs/cgroup")) {
    EXPECT_FALSE(fs::exists(h.path() / ("grove-test/bench-" + std::to_string(pid)))) << h.path();
  }
}

// A compared runtime has a number, or "n/a" because it is not installed.
void expect_number_or_na(const nlohmann::json& j, const std::string& who, const std::string& op) {
  const nlohmann::json* c = cell(j, who, op);
  ASSERT_NE(c, nullptr) << who << " " << op << " " << j.dump();
  if (c->contains("na")) {
    EXPECT_THAT((*c)["na"].get<std::string>(), HasSubstr("not installed"));
  } else {
    EXPECT_GT((*c)["per_60s"]["median"].get<double>(), 0) << c->dump();
  }
}

TEST(BenchCliPrivTest, CliJsonHasEveryContenderAndLeavesNothingBehind) {
  GROVE_REQUIRE_ROOT();
  GROVE_REQUIRE(busybox_missing());
  TempDir dir;
  Ran r = run_bench(dir, {"cli", "--variant", "default,seccomp", "--json"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r.out;
  for (const char* op : {"lifecycle", "run"}) {
    const nlohmann::json* g = cell(j, "grove", op);
    ASSERT_NE(g, nullptr) << r.out;
    EXPECT_GT((*g)["per_60s"]["median"].get<double>(), 0) << r.out;
    EXPECT_GT((*g)["peak_rss_kib"].get<double>(), 0) << r.out;
    EXPECT_DOUBLE_EQ((*g)["grove_x"].get<double>(), 1.0) << r.out;
    const nlohmann::json* s = cell(j, "grove", op, "seccomp");
    ASSERT_NE(s, nullptr) << r.out;
    EXPECT_GT((*s)["per_60s"]["median"].get<double>(), 0) << r.out;
    expect_number_or_na(j, "crun", op);
    expect_number_or_na(j, "runc", op);
    expect_number_or_na(j, "floor", op);
  }
  expect_clean(dir, j["pid"].get<int>());
}

TEST(BenchCliPrivTest, ExecLibAndFloorTablesHaveAGroveRow) {
  GROVE_REQUIRE_ROOT();
  GROVE_REQUIRE(busybox_missing());
  for (const char* mode : {"exec", "lib", "floor"}) {
    TempDir dir;
    Ran r = run_bench(dir, {mode, "--compare", ""});
    ASSERT_EQ(r.code, 0) << mode << "\n" << r.out << r.err;
    EXPECT_THAT(r.out, HasSubstr("grove-bench " + std::string(mode))) << r.out;
    std::string row = std::string(mode) == "floor" ? "  floor " : "  grove";
    EXPECT_THAT(r.out, HasSubstr(row)) << r.out;
    EXPECT_THAT(r.out, ::testing::Not(HasSubstr("FAILED"))) << r.out;
  }
}

TEST(BenchCliPrivTest, SweepWritesAnSvg) {
  GROVE_REQUIRE_ROOT();
  GROVE_REQUIRE(busybox_missing());
  TempDir dir;
  TempDir plot;
  Ran r = run_bench(dir, {"floor", "--workers", "1,2", "--svg", plot.path() + "/p.svg"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("workers 2, variant default")) << r.out;
  EXPECT_THAT(read_text_file(plot.path() + "/p.svg"), HasSubstr("<polyline")) << r.err;
}

// grove-bench image: both page-cache rows are a number or n/a with the probe's reason, both
// create columns have samples, and nothing is left (images, trees, state, cgroups, mounts).
TEST(BenchCliPrivTest, ImageModeReportsPageCacheAndCreateTimes) {
  GROVE_REQUIRE_ROOT();
  GROVE_REQUIRE(busybox_missing());
  GROVE_REQUIRE(missing_filesystem("erofs"));
  GROVE_REQUIRE(missing_filesystem("overlay"));
  TempDir dir;
  Ran r = run_binary({GROVE_BENCH_BIN, "image", "--count", "2", "--shared-mib", "2", "--tmpdir",
                      dir.path(), "--json"},
                     RunOptions{.out_path = dir.path() + "/out", .err_path = dir.path() + "/err"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r.out;
  EXPECT_EQ(j["shared_bytes"].get<uint64_t>(), 2u * 1024 * 1024) << r.out;
  ASSERT_EQ(j["page_cache"].size(), 2u) << r.out;
  const nlohmann::json& plain = j["page_cache"][0];
  EXPECT_EQ(plain["mode"], "no inode_share") << r.out;
  EXPECT_TRUE(plain.contains("cached_bytes")) << r.out;
  const nlohmann::json& share = j["page_cache"][1];
  EXPECT_EQ(share["mode"], "inode_share,domain_id") << r.out;
  EXPECT_TRUE(share.contains("cached_bytes") || share.contains("na")) << r.out;
  EXPECT_FALSE(share.contains("failed")) << r.out;
  for (const char* kind : {"image", "directory"}) {
    EXPECT_EQ(j["create_ms"][kind]["n"].get<int>(), 2) << r.out;
    EXPECT_GT(j["create_ms"][kind]["median"].get<double>(), 0) << r.out;
  }
  expect_clean(dir, j["pid"].get<int>());
  for (const std::string& m : host_mounts_under(dir.path())) ADD_FAILURE() << "left: " << m;
}

TEST(BenchCliPrivTest, BadVariantIsAUsageError) {
  TempDir dir;
  Ran r = run_bench(dir, {"cli", "--variant", "warp"});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("unknown variant \"warp\""));
}

}  // namespace
}  // namespace grove::testing
