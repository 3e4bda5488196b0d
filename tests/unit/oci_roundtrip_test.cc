// L0 tests of oci::serialize / to_json: parse(serialize(x)) == x over the valid corpus, and the
// serializer writes every field back under the name it was read from.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "oci/parse.h"
#include "oci/serialize.h"
#include "tests/support/files.h"

namespace oci {
namespace {

namespace fs = std::filesystem;
using ::grove::testing::read_text_file;
using Json = nlohmann::json;

const fs::path kData = fs::path(GROVE_SOURCE_DIR) / "tests/data/oci";

std::vector<fs::path> valid_files() {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(kData / "valid")) {
    if (e.path().extension() == ".json") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// Drops what omitempty serialization legitimately loses: empty arrays (absent == empty).
Json strip_empty(const Json& j) {
  if (j.is_object()) {
    Json out = Json::object();
    for (const auto& [k, v] : j.items()) {
      if (v.is_array() && v.empty()) continue;
      out[k] = strip_empty(v);
    }
    return out;
  }
  if (j.is_array()) {
    Json out = Json::array();
    for (const auto& v : j) out.push_back(strip_empty(v));
    return out;
  }
  return j;
}

TEST(OciRoundtripTest, EveryValidFileSurvivesSerialize) {
  auto files = valid_files();
  ASSERT_GE(files.size(), 10u);
  for (const auto& f : files) {
    SCOPED_TRACE(f.filename().string());
    auto spec = parse_config(read_text_file(f));
    ASSERT_TRUE(spec) << spec.error().message();
    std::string text = serialize(*spec);
    auto again = parse_config(text);
    ASSERT_TRUE(again) << again.error().message() << "\n" << text;
    EXPECT_EQ(*again, *spec);
    EXPECT_EQ(serialize(*again), text);  // byte-stable
    EXPECT_EQ(text.back(), '\n');
  }
}

TEST(OciRoundtripTest, EveryFieldIsWrittenUnderItsJsonName) {
  // grove-every-field.json sets every member to a non-default value (or an explicit false in an
  // optional), so a misspelt or forgotten key on either side shows up as a difference.
  Json original = Json::parse(read_text_file(kData / "valid/grove-every-field.json"));
  auto spec = parse_config(original.dump());
  ASSERT_TRUE(spec) << spec.error().message();
  EXPECT_EQ(to_json(*spec), strip_empty(original)) << to_json(*spec).dump(2);
}

TEST(OciRoundtripTest, RuncSpecIsReproducedExactly) {
  for (const char* name : {"valid/runc-spec.json", "valid/runc-spec-rootless.json"}) {
    SCOPED_TRACE(name);
    Json original = Json::parse(read_text_file(kData / name));
    auto spec = parse_config(original.dump());
    ASSERT_TRUE(spec) << spec.error().message();
    EXPECT_EQ(to_json(*spec), original);
  }
}

TEST(OciRoundtripTest, OtherPlatformSectionsAreKeptVerbatim) {
  Json original = Json::parse(read_text_file(kData / "valid/rs-freebsd-example.json"));
  auto spec = parse_config(original.dump());
  ASSERT_TRUE(spec) << spec.error().message();
  ASSERT_TRUE(spec->freebsd);
  EXPECT_EQ(*spec->freebsd, original["freebsd"]);
  EXPECT_EQ(to_json(*spec)["freebsd"], original["freebsd"]);
}

TEST(OciRoundtripTest, ProcessRoundTrips) {
  auto spec = parse_config(read_text_file(kData / "valid/grove-every-field.json"));
  ASSERT_TRUE(spec) << spec.error().message();
  ASSERT_TRUE(spec->process);
  std::string text = serialize(*spec->process);
  auto p = parse_process(text);
  ASSERT_TRUE(p) << p.error().message();
  EXPECT_EQ(*p, *spec->process);
  EXPECT_EQ(to_json(*p), to_json(*spec)["process"]);
}

TEST(OciRoundtripTest, DefaultsAreOmittedRequiredFieldsAreNot) {
  Spec spec;
  spec.oci_version = "1.3.0";
  spec.root = Root{.path = "rootfs"};
  Process p;
  p.args = {"sh"};
  p.cwd = "/";
  spec.process = p;
  spec.linux = Linux{};
  spec.linux->resources = Resources{.devices = {DeviceCgroup{.allow = false}}};
  Json j = to_json(spec);
  EXPECT_EQ(j, Json::parse(R"({"ociVersion":"1.3.0","root":{"path":"rootfs"},
      "process":{"user":{"uid":0,"gid":0},"args":["sh"],"cwd":"/"},
      "linux":{"resources":{"devices":[{"allow":false}]}}})"));
}

TEST(OciRoundtripTest, SerializeNeverThrowsOnBadUtf8) {
  Spec spec;
  spec.oci_version = "1.3.0";
  spec.root = Root{.path = "rootfs"};
  spec.hostname = "bad\xff";
  std::string text = serialize(spec);
  EXPECT_NE(text.find("\"bad\xef\xbf\xbd\""), std::string::npos) << text;
}

}  // namespace
}  // namespace oci
