// L0 tests: oci::default_spec reproduces `runc spec` / `runc spec --rootless` (runc 1.1.5),
// whose outputs are checked in as tests/data/oci/valid/runc-spec*.json.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "oci/default_spec.h"
#include "oci/parse.h"
#include "oci/serialize.h"

namespace oci {
namespace {

Spec runc_output(const char* name) {
  std::ifstream in(std::filesystem::path(GROVE_SOURCE_DIR) / "tests/data/oci/valid" / name);
  std::stringstream ss;
  ss << in.rdbuf();
  auto spec = parse_config(ss.str());
  EXPECT_TRUE(spec) << spec.error().message();
  Spec s = spec ? *spec : Spec{};
  s.oci_version = "1.3.0";  // grove's only intended difference
  return s;
}

TEST(OciDefaultSpecTest, MatchesRuncSpec) {
  Spec want = runc_output("runc-spec.json");
  Spec got = default_spec(/*rootless=*/false);
  EXPECT_EQ(got, want) << serialize(got);
  EXPECT_EQ(got.oci_version, "1.3.0");
}

TEST(OciDefaultSpecTest, MatchesRuncSpecRootless) {
  // The checked-in file was generated as root, so runc mapped host uid/gid 0.
  Spec want = runc_output("runc-spec-rootless.json");
  EXPECT_EQ(default_spec(/*rootless=*/true, 0, 0), want) << serialize(default_spec(true, 0, 0));
}

TEST(OciDefaultSpecTest, RootlessMapsTheCallersIds) {
  Spec s = default_spec(/*rootless=*/true, 1000, 1001);
  ASSERT_TRUE(s.linux);
  EXPECT_EQ(s.linux->uid_mappings, (std::vector<IdMapping>{{0, 1000, 1}}));
  EXPECT_EQ(s.linux->gid_mappings, (std::vector<IdMapping>{{0, 1001, 1}}));
  EXPECT_TRUE(has_namespace(s, NamespaceType::kUser));
  EXPECT_FALSE(has_namespace(s, NamespaceType::kNetwork));
  EXPECT_FALSE(s.linux->resources);
}

TEST(OciDefaultSpecTest, DefaultSpecsValidateAndRoundTrip) {
  for (bool rootless : {false, true}) {
    Spec s = default_spec(rootless, 1000, 1000);
    auto st = validate(s);
    EXPECT_TRUE(st) << st.error().message();
    auto again = parse_config(serialize(s));
    ASSERT_TRUE(again) << again.error().message();
    EXPECT_EQ(*again, s);
  }
}

}  // namespace
}  // namespace oci
