// L0 tests of runtime/log: logrus-compatible text and JSON lines, RFC 3339 nano times.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "runtime/log.h"

namespace grove::cli {
namespace {

using std::chrono::nanoseconds;
using std::chrono::seconds;
using std::chrono::system_clock;
using ::testing::HasSubstr;

// 2026-01-02T03:04:05Z
const system_clock::time_point kWhole{seconds(1767323045)};

TEST(CliLogTest, Rfc3339NanoTrimsTrailingZeros) {
  EXPECT_EQ(rfc3339_nano(kWhole), "2026-01-02T03:04:05Z");
  EXPECT_EQ(rfc3339_nano(kWhole + nanoseconds(123456789)), "2026-01-02T03:04:05.123456789Z");
  EXPECT_EQ(rfc3339_nano(kWhole + nanoseconds(120000000)), "2026-01-02T03:04:05.12Z");
  EXPECT_EQ(rfc3339_nano(kWhole + nanoseconds(1)), "2026-01-02T03:04:05.000000001Z");
}

TEST(CliLogTest, JsonLineShape) {
  std::string line = format_log_line(LogFormat::kJson, LogLevel::kError, "container \"c1\": EPERM",
                                     kWhole + nanoseconds(5));
  ASSERT_FALSE(line.empty());
  EXPECT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1) << "exactly one line";
  // logrus' key order, which some tools grep for.
  EXPECT_EQ(line.rfind("{\"level\":\"error\",\"msg\":", 0), 0u) << line;
  nlohmann::json j = nlohmann::json::parse(line);
  EXPECT_EQ(j.size(), 3u);
  EXPECT_EQ(j["level"], "error");
  EXPECT_EQ(j["msg"], "container \"c1\": EPERM");
  EXPECT_EQ(j["time"], "2026-01-02T03:04:05.000000005Z");
}

TEST(CliLogTest, JsonSurvivesInvalidUtf8) {
  std::string line = format_log_line(LogFormat::kJson, LogLevel::kError, "bad \xff byte", kWhole);
  nlohmann::json j = nlohmann::json::parse(line);
  EXPECT_THAT(j["msg"].get<std::string>(), HasSubstr("bad "));
}

TEST(CliLogTest, TextLineQuotesLikeLogrus) {
  EXPECT_EQ(format_log_line(LogFormat::kText, LogLevel::kError, "container does not exist", kWhole),
            "time=\"2026-01-02T03:04:05Z\" level=error msg=\"container does not exist\"\n");
  // No quoting needed: only [A-Za-z0-9-._/@^+].
  EXPECT_EQ(format_log_line(LogFormat::kText, LogLevel::kWarning, "ok", kWhole),
            "time=\"2026-01-02T03:04:05Z\" level=warning msg=ok\n");
  // Control characters are escaped so a message cannot forge a second line.
  EXPECT_EQ(format_log_line(LogFormat::kText, LogLevel::kDebug, "a\nb \"c\"", kWhole),
            "time=\"2026-01-02T03:04:05Z\" level=debug msg=\"a\\nb \\\"c\\\"\"\n");
}

TEST(CliLogTest, ParseLogFormat) {
  auto text = parse_log_format("text");
  ASSERT_TRUE(text);
  EXPECT_EQ(*text, LogFormat::kText);
  auto json = parse_log_format("json");
  ASSERT_TRUE(json);
  EXPECT_EQ(*json, LogFormat::kJson);
  auto bad = parse_log_format("xml");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code(), EINVAL);
  EXPECT_EQ(bad.error().message(), "invalid log-format: xml");
}

TEST(CliLogTest, DebugLinesOnlyWithDebug) {
  std::ostringstream quiet_out;
  Logger quiet(quiet_out, LogFormat::kText, false);
  quiet.debug("hidden");
  quiet.info("shown");
  EXPECT_THAT(quiet_out.str(), ::testing::Not(HasSubstr("hidden")));
  EXPECT_THAT(quiet_out.str(), HasSubstr("level=info msg=shown"));

  std::ostringstream loud_out;
  Logger loud(loud_out, LogFormat::kJson, true);
  loud.debug("visible");
  EXPECT_THAT(loud_out.str(), HasSubstr("\"level\":\"debug\",\"msg\":\"visible\""));
  EXPECT_FALSE(loud.to_file());
}

TEST(CliLogTest, FileLoggerAppends) {
  char dir[] = "/tmp/grove-cli-log-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  std::string path = std::string(dir) + "/log.json";
  {
    std::ofstream(path) << "existing\n";
    auto log = Logger::open_file(path, LogFormat::kJson, false);
    ASSERT_TRUE(log) << log.error().message();
    EXPECT_TRUE(log->to_file());
    log->error("first");
    log->error("second");
  }
  std::ifstream in(path);
  std::string l1, l2, l3;
  std::getline(in, l1);
  std::getline(in, l2);
  std::getline(in, l3);
  EXPECT_EQ(l1, "existing");
  EXPECT_EQ(nlohmann::json::parse(l2)["msg"], "first");
  EXPECT_EQ(nlohmann::json::parse(l3)["msg"], "second");
  unlink(path.c_str());
  rmdir(dir);
}

TEST(CliLogTest, FileLoggerOpenErrorNamesThePath) {
  auto log = Logger::open_file("/nonexistent-dir/x.log", LogFormat::kText, false);
  ASSERT_FALSE(log);
  EXPECT_EQ(log.error().code(), ENOENT);
  EXPECT_THAT(log.error().message(), HasSubstr("open log file \"/nonexistent-dir/x.log\""));
}

}  // namespace
}  // namespace grove::cli
