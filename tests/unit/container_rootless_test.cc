#include "libcontainer/container/rootless.h"

#include <gtest/gtest.h>

#include "tests/support/fake_ops.h"

namespace grove::container {
namespace {

TEST(RootlessTest, InitialUidMapIsTheFullIdentity) {
  EXPECT_TRUE(is_initial_uid_map("         0          0 4294967295\n"));
  EXPECT_TRUE(is_initial_uid_map("0 0 4294967295"));
}

TEST(RootlessTest, AnyOtherMapIsAUserNamespace) {
  // rootless podman: uid 0 is the user, then the subordinate range.
  EXPECT_FALSE(is_initial_uid_map("0 1001 1\n1 300000 65536\n"));
  EXPECT_FALSE(is_initial_uid_map("0 0 4294967294\n"));
  EXPECT_FALSE(is_initial_uid_map("0 0 4294967295\n1 1 1\n"));
  EXPECT_FALSE(is_initial_uid_map("0 1000 1\n"));
  EXPECT_FALSE(is_initial_uid_map(""));  // an empty map: a namespace whose map is not yet written
}

TEST(RootlessTest, FlagForcesTheAnswer) {
  testing::FakeOps ops;
  EXPECT_TRUE(is_rootless(ops, "true"));
  EXPECT_FALSE(is_rootless(ops, "false"));
}

}  // namespace
}  // namespace grove::container
