// L0: the OCI mount option table and parser (plan/mount_options.h).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "libcontainer/plan/mount_options.h"

namespace grove::plan {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

MountOptions parse_ok(const std::vector<std::string>& opts) {
  auto r = parse_mount_options(opts);
  EXPECT_TRUE(r) << r.error().message();
  return r ? *r : MountOptions{};
}

TEST(MountOptionTableTest, HasEveryRuncAndCrunOption) {
  for (const char* name :
       {"ro", "rw", "suid", "nosuid", "dev", "nodev", "exec", "noexec", "sync", "async",
        "dirsync", "remount", "mand", "nomand", "atime", "noatime", "diratime", "nodiratime",
        "relatime", "norelatime", "strictatime", "nostrictatime", "bind", "rbind", "private",
        "rprivate", "shared", "rshared", "slave", "rslave", "unbindable", "runbindable", "rro",
        "rrw", "rnosuid", "rsuid", "rnodev", "rdev", "rnoexec", "rexec", "rnodiratime",
        "rdiratime", "rrelatime", "rnorelatime", "rnoatime", "ratime", "rstrictatime",
        "rnostrictatime", "nosymfollow", "rnosymfollow", "idmap", "ridmap", "tmpcopyup"}) {
    EXPECT_NE(find_mount_option(name), nullptr) << name;
  }
  EXPECT_EQ(find_mount_option("mode=755"), nullptr);
  EXPECT_EQ(find_mount_option("RO"), nullptr);  // case-sensitive, like runc
}

TEST(MountOptionTableTest, NamesAreUniqueAndClearRowsClear) {
  std::set<std::string_view> seen;
  for (std::string_view name : known_mount_option_names()) {
    EXPECT_TRUE(seen.insert(name).second) << "duplicate " << name;
    const MountOptionDef* d = find_mount_option(name);
    ASSERT_NE(d, nullptr);
    if (d->kind == OptionKind::kRecAttr) {
      EXPECT_TRUE(d->recursive) << name;
    }
    if (d->kind == OptionKind::kPropagation) {
      EXPECT_NE(d->propagation, Propagation::kNone) << name;
      EXPECT_EQ(d->recursive, name[0] == 'r') << name;
    }
  }
  EXPECT_TRUE(find_mount_option("rw")->clear);
  EXPECT_EQ(find_mount_option("rw")->mount_attr, MOUNT_ATTR_RDONLY);
  EXPECT_EQ(find_mount_option("rbind")->ms_flag, MS_BIND | MS_REC);
}

TEST(ParseMountOptionsTest, FlagsAttrsAndData) {
  MountOptions o = parse_ok({"nosuid", "strictatime", "mode=755", "size=65536k"});
  EXPECT_EQ(o.flags, MS_NOSUID | MS_STRICTATIME);
  EXPECT_EQ(o.attr_set, MOUNT_ATTR_NOSUID | MOUNT_ATTR_STRICTATIME);
  EXPECT_EQ(o.attr_clr, MOUNT_ATTR__ATIME);
  EXPECT_THAT(o.data, ElementsAre("mode=755", "size=65536k"));
  EXPECT_EQ(o.data_string(), "mode=755,size=65536k");
  EXPECT_FALSE(o.is_bind);
}

TEST(ParseMountOptionsTest, LaterOptionWins) {
  MountOptions o = parse_ok({"ro", "rw", "noexec", "exec", "nodev"});
  EXPECT_EQ(o.attr_set, MOUNT_ATTR_NODEV);
  EXPECT_EQ(o.attr_clr, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOEXEC);
  EXPECT_EQ(o.flags, MS_NODEV);
}

TEST(ParseMountOptionsTest, AtimeClearsTheWholeField) {
  MountOptions o = parse_ok({"noatime", "relatime"});
  EXPECT_EQ(o.attr_set & MOUNT_ATTR__ATIME, 0u);  // relatime is 0
  EXPECT_EQ(o.attr_clr & MOUNT_ATTR__ATIME, MOUNT_ATTR__ATIME);
  MountOptions r = parse_ok({"rnoatime"});
  EXPECT_EQ(r.rec_attr_set, MOUNT_ATTR_NOATIME);
  EXPECT_EQ(r.rec_attr_clr, MOUNT_ATTR__ATIME);
}

TEST(ParseMountOptionsTest, RecursiveAttrsBindPropagationIdmap) {
  MountOptions o = parse_ok({"rbind", "rro", "rnosuid", "rslave", "ridmap", "tmpcopyup"});
  EXPECT_TRUE(o.is_bind);
  EXPECT_TRUE(o.is_recursive_bind);
  EXPECT_EQ(o.rec_attr_set, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID);
  EXPECT_EQ(o.attr_set, 0u);
  EXPECT_EQ(o.propagation, Propagation::kSlave);
  EXPECT_TRUE(o.propagation_recursive);
  EXPECT_TRUE(o.idmap);
  EXPECT_TRUE(o.idmap_recursive);
  EXPECT_TRUE(o.tmpcopyup);
}

TEST(ParseMountOptionsTest, SuperblockFlagsKeepOrder) {
  MountOptions o = parse_ok({"sync", "dirsync", "nomand", "defaults"});
  EXPECT_THAT(o.sb_flags, ElementsAre("sync", "dirsync", "nomand"));
  EXPECT_EQ(o.flags, MS_SYNCHRONOUS | MS_DIRSYNC);
  EXPECT_TRUE(o.data.empty());
}

TEST(ParseMountOptionsTest, RejectsEmptyCommaAndNul) {
  auto empty = parse_mount_options({"ro", ""});
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code(), EINVAL);
  EXPECT_THAT(empty.error().message(), HasSubstr("options[1]"));
  auto comma = parse_mount_options({"size=1k,nr_inodes=1"});
  ASSERT_FALSE(comma);
  EXPECT_THAT(comma.error().message(), HasSubstr("','"));
  auto nul = parse_mount_options({std::string("mode=7\0", 7)});
  ASSERT_FALSE(nul);
  EXPECT_EQ(nul.error().code(), EINVAL);
}

TEST(MountOptionsTest, AttrToStringAndPropagationNames) {
  EXPECT_EQ(attr_to_string(0), "0");
  EXPECT_EQ(attr_to_string(MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOATIME),
            "ro|nosuid|noatime");
  EXPECT_EQ(attr_to_string(MOUNT_ATTR__ATIME), "atime");
  EXPECT_EQ(attr_to_string(0x40000000), "0x40000000");
  EXPECT_STREQ(to_string(Propagation::kUnbindable), "unbindable");
  EXPECT_EQ(propagation_ms_flag(Propagation::kSlave), static_cast<unsigned long>(MS_SLAVE));
  EXPECT_EQ(propagation_ms_flag(Propagation::kNone), 0ul);
}

}  // namespace
}  // namespace grove::plan
