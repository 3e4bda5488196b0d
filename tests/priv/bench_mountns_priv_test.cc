// L2 smoke test of `grove-bench mountns` (bench/README.md): the binary runs a few namespaces per
// strategy through the real mount engine and prints a row with a number for pivot; the
// open-tree-namespace column is a number exactly when the kernel has it, else "n/a" with the
// probe's reason. No timing assertion: performance targets are never timed tests.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "tests/support/priv.h"
#include "tests/support/run_binary.h"

namespace grove::testing {
namespace {

using ::testing::HasSubstr;

Ran run_bench(const TempDir& dir, std::vector<std::string> extra) {
  std::vector<std::string> argv = {GROVE_BENCH_BIN, "mountns", "--count",  "3",
                                   "--host-mounts", "30",      "--tmpdir", dir.path()};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return run_binary(argv,
                    RunOptions{.out_path = dir.path() + "/out", .err_path = dir.path() + "/err"});
}

// The table row whose first column is a number (the only one: one --host-mounts size).
std::string data_row(const std::string& table) {
  std::istringstream in(table);
  std::string line;
  while (std::getline(in, line)) {
    if (std::regex_search(line, std::regex(R"(^\s+[0-9]+\s\s)"))) return line;
  }
  return "";
}

TEST(BenchMountnsPrivTest, TablePrintsANumericPivotCell) {
  GROVE_REQUIRE_ROOT();
  TempDir dir;
  Ran r = run_bench(dir, {"--strategies", "pivot,open-tree-namespace"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("kernel:"));
  EXPECT_THAT(r.out, HasSubstr("open-tree-namespace: "));
  const std::string row = data_row(r.out);
  ASSERT_FALSE(row.empty()) << r.out;
  // Columns: host mounts, pivot cell, OTN cell (in --strategies order).
  std::smatch m;
  ASSERT_TRUE(
      std::regex_search(row, m, std::regex(R"(^\s+([0-9]+)\s+([0-9.]+)/s \(([0-9]+) us\))")))
      << row;
  EXPECT_GE(std::stoi(m[1]), 30) << row;
  EXPECT_GT(std::stod(m[2]), 0) << row;
  if (missing_open_tree_namespace().empty()) {
    EXPECT_THAT(row, ::testing::ContainsRegex("[0-9]/s .*[0-9]/s ")) << r.out;
  } else {
    EXPECT_THAT(row, HasSubstr("n/a")) << r.out;
    EXPECT_THAT(r.out, HasSubstr("open-tree-namespace: n/a: ")) << r.out;
  }
}

TEST(BenchMountnsPrivTest, JsonHasEveryStrategyAndLeavesNothingBehind) {
  GROVE_REQUIRE_ROOT();
  TempDir dir;
  Ran r = run_bench(dir, {"--json"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r.out;
  ASSERT_EQ(j["rows"].size(), 1u) << r.out;
  const auto& cells = j["rows"][0]["cells"];
  EXPECT_GT(cells["pivot"]["per_second"].get<double>(), 0) << r.out;
  EXPECT_GT(cells["chroot"]["per_second"].get<double>(), 0) << r.out;
  const auto& otn = cells["open-tree-namespace"];
  if (missing_open_tree_namespace().empty()) {
    EXPECT_GT(otn["per_second"].get<double>(), 0) << r.out;
  } else {
    EXPECT_THAT(otn["na"].get<std::string>(), HasSubstr("EINVAL")) << r.out;
  }
  // The scratch directory (grove-bench.<pid>) is gone: only the captured output files remain.
  std::vector<std::string> left;
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
    left.push_back(e.path().filename().string());
  }
  EXPECT_THAT(left, ::testing::UnorderedElementsAre("out", "err"));
}

TEST(BenchMountnsPrivTest, BadFlagIsAUsageError) {
  TempDir dir;
  Ran r = run_bench(dir, {"--strategies", "warp"});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("unknown strategy \"warp\""));
}

}  // namespace
}  // namespace grove::testing
