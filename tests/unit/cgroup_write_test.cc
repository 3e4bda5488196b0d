// L0: the cgroup package's shared vocabulary: describe(Write) lines.

#include <gtest/gtest.h>

#include "libcontainer/cgroup/cgroup.h"

namespace grove::cgroup {
namespace {

TEST(CgroupWriteTest, DescribeV2NamesTheFileOnly) {
  Write w{.hierarchy = Hierarchy::kUnified,
          .controller = "memory",
          .file = "memory.max",
          .value = "1048576"};
  EXPECT_EQ(describe(w), "v2 memory.max=1048576");
}

TEST(CgroupWriteTest, DescribeV1NamesTheControllerHierarchy) {
  Write w{.hierarchy = Hierarchy::kV1,
          .controller = "memory",
          .file = "memory.limit_in_bytes",
          .value = "1048576"};
  EXPECT_EQ(describe(w), "v1 memory/memory.limit_in_bytes=1048576");
  Write d{.hierarchy = Hierarchy::kV1,
          .controller = "devices",
          .file = "devices.allow",
          .value = "c 1:3 rwm"};
  EXPECT_EQ(describe(d), "v1 devices/devices.allow=c 1:3 rwm");
}

TEST(CgroupWriteTest, DescribeCoreFileHasEmptyController) {
  Write w{.hierarchy = Hierarchy::kUnified, .controller = "", .file = "cgroup.kill", .value = "1"};
  EXPECT_EQ(describe(w), "v2 cgroup.kill=1");
}

}  // namespace
}  // namespace grove::cgroup
