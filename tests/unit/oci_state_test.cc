// L0 tests of oci::State: runc-compatible output, strict parse, RFC 3339 timestamps.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "oci/state.h"

namespace oci {
namespace {

using ::testing::StartsWith;

State sample() {
  State s;
  s.oci_version = "1.3.0";
  s.id = "c1";
  s.status = ContainerStatus::kRunning;
  s.pid = 4242;
  s.bundle = "/srv/bundle";
  s.rootfs = "/srv/bundle/rootfs";
  s.created = "2024-05-01T10:00:00.123456789Z";
  s.annotations = {{"k", "v"}};
  return s;
}

TEST(OciStateTest, RuncFieldOrderAndIndent) {
  EXPECT_EQ(to_json_string(sample()),
            "{\n"
            "  \"ociVersion\": \"1.3.0\",\n"
            "  \"id\": \"c1\",\n"
            "  \"pid\": 4242,\n"
            "  \"status\": \"running\",\n"
            "  \"bundle\": \"/srv/bundle\",\n"
            "  \"rootfs\": \"/srv/bundle/rootfs\",\n"
            "  \"created\": \"2024-05-01T10:00:00.123456789Z\",\n"
            "  \"annotations\": {\n"
            "    \"k\": \"v\"\n"
            "  },\n"
            "  \"owner\": \"\"\n"
            "}\n");
}

TEST(OciStateTest, CompactFormOmitsEmptyAnnotations) {
  State s = sample();
  s.annotations.clear();
  EXPECT_EQ(to_json_string(s, /*pretty=*/false),
            R"({"ociVersion":"1.3.0","id":"c1","pid":4242,"status":"running",)"
            R"("bundle":"/srv/bundle","rootfs":"/srv/bundle/rootfs",)"
            R"("created":"2024-05-01T10:00:00.123456789Z","owner":""})");
}

TEST(OciStateTest, OciStateForHooksHasOnlySpecFields) {
  EXPECT_EQ(to_oci_state_json(sample()),
            R"({"ociVersion":"1.3.0","id":"c1","status":"running","pid":4242,)"
            R"("bundle":"/srv/bundle","annotations":{"k":"v"}})");
}

TEST(OciStateTest, RoundTripsBothForms) {
  for (bool pretty : {true, false}) {
    auto s = parse_state(to_json_string(sample(), pretty));
    ASSERT_TRUE(s) << s.error().message();
    EXPECT_EQ(*s, sample());
  }
  auto hook = parse_state(to_oci_state_json(sample()));
  ASSERT_TRUE(hook) << hook.error().message();
  EXPECT_EQ(hook->pid, 4242);
  EXPECT_EQ(hook->rootfs, "");
}

TEST(OciStateTest, ParsesTheRuntimeSpecExample) {
  std::ifstream in(std::filesystem::path(GROVE_SOURCE_DIR) /
                   "tests/data/oci/state-spec-example.json");
  std::stringstream ss;
  ss << in.rdbuf();
  auto s = parse_state(ss.str());
  ASSERT_TRUE(s) << s.error().message();
  EXPECT_EQ(s->id, "oci-container1");
  EXPECT_EQ(s->status, ContainerStatus::kRunning);
  EXPECT_EQ(s->pid, 4422);
  EXPECT_EQ(s->bundle, "/containers/redis");
  EXPECT_EQ(s->annotations.at("myKey"), "myValue");
}

TEST(OciStateTest, StrictErrors) {
  struct Case {
    const char* json;
    const char* want;
  } cases[] = {
      {R"({"id":"a","status":"running","bundle":"/b"})", "/ociVersion: required field missing"},
      {R"({"ociVersion":"1","id":"","status":"running","bundle":"/b"})", "/id: must not be empty"},
      {R"({"ociVersion":"1","id":"a","status":"zombie","bundle":"/b"})",
       "/status: unknown container status \"zombie\""},
      {R"({"ociVersion":"1","id":"a","status":"stopped","pid":-1,"bundle":"/b"})",
       "/pid: must not be negative"},
      {R"({"ociVersion":"1","id":"a","status":"stopped","pid":"1","bundle":"/b"})",
       "/pid: expected int32, got string"},
      {R"({"ociVersion":"1","id":"a","status":"stopped"})", "/bundle: required field missing"},
      {R"([])", "state.json: expected object, got array"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.json);
    auto s = parse_state(c.json);
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().code(), EINVAL);
    EXPECT_EQ(s.error().message(), c.want);
  }
  auto syntax = parse_state("{\"id\":");
  ASSERT_FALSE(syntax);
  EXPECT_THAT(syntax.error().message(), StartsWith("state.json: parse error at byte 7: "));
}

TEST(OciStateTest, StatusNames) {
  for (auto s : {ContainerStatus::kCreating, ContainerStatus::kCreated, ContainerStatus::kRunning,
                 ContainerStatus::kStopped, ContainerStatus::kPaused}) {
    EXPECT_EQ(status_from_string(to_string(s)), s);
  }
  EXPECT_EQ(to_string(ContainerStatus::kPaused), "paused");
  EXPECT_EQ(status_from_string("Running"), std::nullopt);
}

TEST(OciStateTest, Rfc3339NanoLikeGo) {
  EXPECT_EQ(format_rfc3339_nano(0, 0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(format_rfc3339_nano(0, 5), "1970-01-01T00:00:00.000000005Z");
  EXPECT_EQ(format_rfc3339_nano(1714557600, 123456789), "2024-05-01T10:00:00.123456789Z");
  EXPECT_EQ(format_rfc3339_nano(1714557600, 120000000), "2024-05-01T10:00:00.12Z");
}

}  // namespace
}  // namespace oci
