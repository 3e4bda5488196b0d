// L0 tests of the id map writer choice and helper argv (process/id_map.h), and the helper
// runner on real binaries (no privileges needed: /bin/sh stands in for newuidmap).

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "libcontainer/process/id_map.h"
#include "libcontainer/sys/linux_ops.h"

namespace grove::process {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(ProcessIdMapTest, WriterChoice) {
  std::vector<oci::IdMapping> self = {{0, 1001, 1}};
  std::vector<oci::IdMapping> multi = {{0, 1001, 1}, {1, 100000, 65536}};
  std::vector<oci::IdMapping> other = {{0, 1002, 1}};
  std::vector<oci::IdMapping> wide = {{0, 1001, 2}};
  EXPECT_EQ(choose_id_map_writer({}, 1001, 1001), IdMapWriter::kNone);
  EXPECT_EQ(choose_id_map_writer(self, 1001, 1001), IdMapWriter::kDirect);
  EXPECT_EQ(choose_id_map_writer(multi, 1001, 1001), IdMapWriter::kHelper);
  EXPECT_EQ(choose_id_map_writer(other, 1001, 1001), IdMapWriter::kHelper);
  EXPECT_EQ(choose_id_map_writer(wide, 1001, 1001), IdMapWriter::kHelper);
  // Root writes anything itself.
  EXPECT_EQ(choose_id_map_writer(multi, 0, 0), IdMapWriter::kDirect);
  EXPECT_EQ(choose_id_map_writer(other, 0, 0), IdMapWriter::kDirect);
  // gid maps compare against the egid.
  EXPECT_EQ(choose_id_map_writer({{0, 50, 1}}, 1001, 50), IdMapWriter::kDirect);
}

TEST(ProcessIdMapTest, HelperArgv) {
  EXPECT_THAT(id_map_helper_argv("newuidmap", 42, {{0, 1001, 1}, {1, 100000, 65536}}),
              ElementsAre("newuidmap", "42", "0", "1001", "1", "1", "100000", "65536"));
}

TEST(ProcessIdMapTest, HelperFailureCarriesCommandAndOutput) {
  sys::LinuxOps ops;
  Status st = run_id_map_helper(ops, {"/bin/sh", "-c", "echo no range for you >&2; exit 3"});
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code(), EPERM);
  EXPECT_THAT(st.error().message(), HasSubstr("/bin/sh -c"));
  EXPECT_THAT(st.error().message(), HasSubstr("exit status 3, output: \"no range for you\""));
}

TEST(ProcessIdMapTest, HelperSuccess) {
  sys::LinuxOps ops;
  Status st = run_id_map_helper(ops, {"/bin/sh", "-c", "echo fine"});
  EXPECT_TRUE(st) << st.error().message();
}

TEST(ProcessIdMapTest, MissingHelperNamesThePackage) {
  sys::LinuxOps ops;
  Status st = run_id_map_helper(ops, {"grove-no-such-idmap-helper", "1"});
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code(), ENOENT);
  EXPECT_THAT(
      st.error().message(),
      HasSubstr("grove-no-such-idmap-helper not found in /usr/bin, /bin, /usr/sbin, /sbin"));
  EXPECT_THAT(st.error().message(), HasSubstr("\"uidmap\" package"));
}

}  // namespace
}  // namespace grove::process
