// L0: OCI image layout parsing (index.json, nested index, manifest layers, digests).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "libcontainer/image/oci_layout.h"

namespace grove::image {
namespace {

using ::testing::HasSubstr;

const std::string kA = "sha256:" + std::string(64, 'a');
const std::string kB = "sha256:" + std::string(64, 'b');

std::string desc(const std::string& digest, const std::string& ref,
                 const std::string& mt = "application/vnd.oci.image.manifest.v1+json") {
  std::string a = ref.empty() ? "" : R"(,"annotations":{"org.opencontainers.image.ref.name":")" + ref + "\"}";
  return R"({"mediaType":")" + mt + R"(","digest":")" + digest + R"(","size":10)" + a + "}";
}

TEST(ImageOciLayoutTest, PicksTheManifest) {
  std::string one = R"({"schemaVersion":2,"manifests":[)" + desc(kA, "latest") + "]}";
  auto d = pick_manifest(one, "");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->digest, kA);
  EXPECT_EQ(d->ref, "latest");
  std::string two = R"({"manifests":[)" + desc(kA, "v1") + "," + desc(kB, "v2") + "]}";
  EXPECT_EQ(pick_manifest(two, "v2")->digest, kB);
  auto none = pick_manifest(two, "v3");
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code(), ENOENT);
  auto ambiguous = pick_manifest(two, "");
  ASSERT_FALSE(ambiguous);
  EXPECT_THAT(ambiguous.error().message(), HasSubstr("name one"));
  auto bad = pick_manifest(R"({"manifests":[{"digest":"sha256:xyz"}]})", "");
  ASSERT_FALSE(bad);
  EXPECT_THAT(bad.error().message(), HasSubstr("manifests[0].digest"));
  EXPECT_FALSE(pick_manifest("not json", ""));
}

TEST(ImageOciLayoutTest, NestedIndexByPlatform) {
  std::string idx = R"({"manifests":[{"mediaType":"m","digest":")" + kA +
                    R"(","platform":{"os":"linux","architecture":"arm64"}},{"mediaType":"m","digest":")" +
                    kB + R"(","platform":{"os":"linux","architecture":"amd64"}}]})";
  EXPECT_EQ(pick_platform(idx, "amd64")->digest, kB);
  EXPECT_EQ(pick_platform(idx, "s390x").error().code(), ENOENT);
  EXPECT_TRUE(is_index("application/vnd.oci.image.index.v1+json"));
  EXPECT_FALSE(is_index("application/vnd.oci.image.manifest.v1+json"));
}

TEST(ImageOciLayoutTest, ManifestLayersBottomFirst) {
  std::string m = R"({"schemaVersion":2,"config":)" + desc(kA, "") + R"(,"layers":[)" +
                  desc(kA, "", "application/vnd.oci.image.layer.v1.tar+gzip") + "," +
                  desc(kB, "", "application/vnd.oci.image.layer.v1.tar") + "]}";
  auto l = manifest_layers(m);
  ASSERT_TRUE(l) << l.error().message();
  ASSERT_EQ(l->size(), 2u);
  EXPECT_EQ((*l)[0].digest, kA);
  EXPECT_EQ((*l)[1].digest, kB);
  std::string zstd = R"({"layers":[)" + desc(kA, "", "application/vnd.oci.image.layer.v1.tar+zstd") + "]}";
  auto z = manifest_layers(zstd);
  ASSERT_FALSE(z);
  EXPECT_THAT(z.error().message(), HasSubstr("unsupported media type"));
  EXPECT_EQ(*digest_hex(kA), std::string(64, 'a'));
  EXPECT_FALSE(digest_hex("sha256:" + std::string(64, 'A')));
  EXPECT_FALSE(digest_hex("sha512:" + std::string(64, 'a')));
}

}  // namespace
}  // namespace grove::image
