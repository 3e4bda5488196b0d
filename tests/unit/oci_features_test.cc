// L0 tests of the features document serializer against the runtime-spec's own example
// (schema/test/features/good/runc.json).

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "oci/enums.h"
#include "oci/features.h"

namespace oci {
namespace {

using Json = nlohmann::json;

std::vector<std::string> strings(const Json& j) { return j.get<std::vector<std::string>>(); }

// The runc example, rebuilt field by field through the C++ types.
Features runc_features(const Json& doc) {
  Features f;
  f.oci_version_min = doc["ociVersionMin"];
  f.oci_version_max = doc["ociVersionMax"];
  f.hooks = strings(doc["hooks"]);
  f.mount_options = strings(doc["mountOptions"]);
  const Json& l = doc["linux"];
  FeaturesLinux linux;
  linux.namespaces = strings(l["namespaces"]);
  linux.capabilities = strings(l["capabilities"]);
  linux.cgroup = FeaturesCgroup{.v1 = true, .v2 = true, .systemd = true, .systemd_user = true};
  linux.seccomp = FeaturesSeccomp{.enabled = true,
                                  .actions = strings(l["seccomp"]["actions"]),
                                  .operators = strings(l["seccomp"]["operators"]),
                                  .archs = strings(l["seccomp"]["archs"]),
                                  .known_flags = strings(l["seccomp"]["knownFlags"]),
                                  .supported_flags = strings(l["seccomp"]["supportedFlags"])};
  linux.apparmor = FeaturesEnabled{.enabled = true};
  linux.selinux = FeaturesEnabled{.enabled = true};
  linux.net_devices = FeaturesEnabled{.enabled = true};
  f.linux = linux;
  f.annotations = doc["annotations"].get<std::map<std::string, std::string>>();
  return f;
}

TEST(OciFeaturesTest, MatchesTheRuntimeSpecRuncExample) {
  std::ifstream in(std::filesystem::path(GROVE_SOURCE_DIR) / "tests/data/oci/features-runc.json");
  std::stringstream ss;
  ss << in.rdbuf();
  Json doc = Json::parse(ss.str());
  Features f = runc_features(doc);
  EXPECT_EQ(to_json(f), doc);
  EXPECT_EQ(Json::parse(to_json_string(f)), doc);
  EXPECT_EQ(to_json_string(f).back(), '\n');
}

TEST(OciFeaturesTest, UnsetIsOmittedButFalseIsKept) {
  Features f;
  f.oci_version_min = "1.0.0";
  f.oci_version_max = "1.3.0";
  f.linux = FeaturesLinux{};
  f.linux->cgroup = FeaturesCgroup{.v1 = false};
  f.linux->mount_extensions = FeaturesMountExtensions{.idmap = FeaturesEnabled{.enabled = true}};
  f.linux->intel_rdt = FeaturesIntelRdt{.enabled = false, .schemata = true, .monitoring = true};
  f.linux->memory_policy = FeaturesMemoryPolicy{.modes = {"MPOL_BIND"}, .flags = {}};
  f.potentially_unsafe_config_annotations = {"run.oci.", "org.criu.config"};
  EXPECT_EQ(to_json(f), Json::parse(R"({"ociVersionMin":"1.0.0","ociVersionMax":"1.3.0",
      "linux":{"cgroup":{"v1":false},"mountExtensions":{"idmap":{"enabled":true}},
               "intelRdt":{"enabled":false,"schemata":true,"monitoring":true},
               "memoryPolicy":{"modes":["MPOL_BIND"]}},
      "potentiallyUnsafeConfigAnnotations":["run.oci.","org.criu.config"]})"));
  EXPECT_EQ(to_json(Features{}), Json::object());
}

TEST(OciFeaturesTest, EnumTablesCoverTheRuncExample) {
  std::ifstream in(std::filesystem::path(GROVE_SOURCE_DIR) / "tests/data/oci/features-runc.json");
  Json doc = Json::parse(in);
  for (const auto& a : doc["linux"]["seccomp"]["actions"]) {
    EXPECT_TRUE(is_one_of(kSeccompActions, a.get<std::string>())) << a;
  }
  for (const auto& o : doc["linux"]["seccomp"]["operators"]) {
    EXPECT_TRUE(is_one_of(kSeccompOperators, o.get<std::string>())) << o;
  }
  for (const auto& c : doc["linux"]["capabilities"]) {
    EXPECT_TRUE(is_one_of(kCapabilities, c.get<std::string>())) << c;
  }
  for (const auto& h : doc["hooks"]) EXPECT_TRUE(is_one_of(kHookNames, h.get<std::string>()));
}

}  // namespace
}  // namespace oci
