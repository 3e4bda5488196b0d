// L0: the image-root annotations (image/root_spec.h): defaults, path resolution, and every
// invalid value rejected with EINVAL naming the annotation.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "libcontainer/image/root_spec.h"

namespace grove::image {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

using Annotations = std::map<std::string, std::string>;

Result<std::optional<ImageRootSpec>> parse(Annotations a) {
  return parse_image_root(a, "/b");
}

TEST(ImageRootSpecTest, AbsentMeansDirectoryRoot) {
  auto r = parse({{"other", "x"}});
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_FALSE(r->has_value());
}

TEST(ImageRootSpecTest, LayersTopMostFirstAbsoluteOrBundleRelative) {
  auto r = parse({{"run.grove.rootfs.images", "top.erofs:/img/base.erofs:sub/mid.erofs"}});
  ASSERT_TRUE(r) << r.error().message();
  ASSERT_TRUE(r->has_value());
  EXPECT_THAT((*r)->layers, ElementsAre("/b/top.erofs", "/img/base.erofs", "/b/sub/mid.erofs"));
  EXPECT_EQ((*r)->upper, UpperKind::kTmpfs);  // the default
  EXPECT_EQ((*r)->domain, "");
}

TEST(ImageRootSpecTest, UpperValues) {
  auto none = parse({{"run.grove.rootfs.images", "/a"}, {"run.grove.rootfs.upper", "none"}});
  ASSERT_TRUE(none && none->has_value());
  EXPECT_EQ((*none)->upper, UpperKind::kNone);
  auto tmpfs = parse({{"run.grove.rootfs.images", "/a"}, {"run.grove.rootfs.upper", "tmpfs"}});
  ASSERT_TRUE(tmpfs && tmpfs->has_value());
  EXPECT_EQ((*tmpfs)->upper, UpperKind::kTmpfs);
  auto dir = parse({{"run.grove.rootfs.images", "/a"}, {"run.grove.rootfs.upper", "state"}});
  ASSERT_TRUE(dir && dir->has_value());
  EXPECT_EQ((*dir)->upper, UpperKind::kDir);
  EXPECT_EQ((*dir)->upper_dir, "/b/state");
}

TEST(ImageRootSpecTest, DomainKept) {
  auto r = parse({{"run.grove.rootfs.images", "/a"}, {"run.grove.image.domain", "acme-1.0_x"}});
  ASSERT_TRUE(r && r->has_value());
  EXPECT_EQ((*r)->domain, "acme-1.0_x");
}

struct BadCase {
  Annotations annotations;
  const char* annotation;  // the annotation the error must name
  const char* detail;
};

TEST(ImageRootSpecTest, InvalidValuesNameTheAnnotation) {
  const std::string images = "run.grove.rootfs.images";
  const BadCase cases[] = {
      {{{images, ""}}, "run.grove.rootfs.images", "empty layer list"},
      {{{images, "/a::/b"}}, "run.grove.rootfs.images", "empty layer at position 1"},
      {{{images, ":/a"}}, "run.grove.rootfs.images", "empty layer at position 0"},
      {{{images, "/a:"}}, "run.grove.rootfs.images", "empty layer at position 1"},
      {{{images, "/a:/b:/a"}}, "run.grove.rootfs.images", "named twice"},
      {{{images, "x.erofs:/b/x.erofs"}}, "run.grove.rootfs.images", "named twice"},
      {{{images, std::string("/a\0b", 4)}}, "run.grove.rootfs.images", "NUL"},
      {{{images, "/a"}, {"run.grove.rootfs.upper", ""}}, "run.grove.rootfs.upper", "empty"},
      {{{images, "/a"}, {"run.grove.rootfs.upper", "/a"}}, "run.grove.rootfs.upper",
       "is also a layer"},
      {{{"run.grove.rootfs.upper", "tmpfs"}}, "run.grove.rootfs.upper", "set without"},
      {{{"run.grove.image.domain", "d"}}, "run.grove.image.domain", "set without"},
      {{{images, "/a"}, {"run.grove.image.domain", ""}}, "run.grove.image.domain", "1..64"},
      {{{images, "/a"}, {"run.grove.image.domain", std::string(65, 'd')}},
       "run.grove.image.domain", "1..64"},
      {{{images, "/a"}, {"run.grove.image.domain", "a,dax=always"}}, "run.grove.image.domain",
       "may only hold"},
      {{{images, "/a"}, {"run.grove.image.domain", "a=b"}}, "run.grove.image.domain",
       "may only hold"},
  };
  for (const BadCase& c : cases) {
    auto r = parse(c.annotations);
    ASSERT_FALSE(r) << c.detail;
    EXPECT_EQ(r.error().code(), EINVAL);
    EXPECT_THAT(r.error().message(), HasSubstr(std::string("\"") + c.annotation + "\""));
    EXPECT_THAT(r.error().message(), HasSubstr(c.detail));
  }
}

TEST(ImageRootSpecTest, TooManyLayers) {
  std::string list;
  for (std::size_t i = 0; i <= kMaxLayers; ++i) list += (i ? ":/l" : "/l") + std::to_string(i);
  auto r = parse({{"run.grove.rootfs.images", list}});
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().message(), HasSubstr("more than 128 layers"));
  list = list.substr(0, list.rfind(':'));  // exactly the maximum is fine
  EXPECT_TRUE(parse({{"run.grove.rootfs.images", list}}));
}

}  // namespace
}  // namespace grove::image
