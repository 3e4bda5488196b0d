// L2: sys::probe() with LinuxOps on the real kernel. Expectations follow the running kernel's
// version so the suite stays true on the 6.18 dev VM and on 7.x under tests/vm; it also prints
// the probe's cost (no timed assertion) and checks that it leaves no mount or fd behind.

#include <dirent.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/statfs.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "libcontainer/sys/linux_ops.h"
#include "libcontainer/sys/probe.h"
#include "libcontainer/sys/uapi.h"
#include "tests/support/priv.h"

namespace grove::sys {
namespace {

using ::testing::HasSubstr;

std::string slurp(const char* path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int count_fds() {
  int n = 0;
  DIR* d = ::opendir("/proc/self/fd");
  while (d && ::readdir(d)) ++n;
  if (d) ::closedir(d);
  return n;
}

TEST(SysProbePrivTest, MatchesTheRunningKernel) {
  GROVE_REQUIRE_ROOT();
  LinuxOps ops;
  auto k = ops.uname();
  ASSERT_TRUE(k);
  Features f = probe(ops);
  EXPECT_TRUE(f.new_mount_api) << f.new_mount_api.reason;
  EXPECT_TRUE(f.mount_setattr) << f.mount_setattr.reason;
  EXPECT_TRUE(f.openat2) << f.openat2.reason;
  EXPECT_TRUE(f.clone3) << f.clone3.reason;
  EXPECT_TRUE(f.pidfd) << f.pidfd.reason;
  EXPECT_EQ(bool(f.statmount), k->at_least(6, 8)) << f.statmount.reason;
  EXPECT_EQ(bool(f.open_tree_namespace), k->at_least(7, 0)) << f.open_tree_namespace.reason;
  EXPECT_EQ(bool(f.fsmount_namespace), k->at_least(7, 1)) << f.fsmount_namespace.reason;
  EXPECT_EQ(bool(f.nullfs_root), k->at_least(7, 0)) << f.nullfs_root.reason;
  if (!k->at_least(7, 0)) {
    EXPECT_THAT(f.open_tree_namespace.reason, HasSubstr("EINVAL"));
    // Either reason is right before 7.0: the version, or no erofs at all (checked first).
    EXPECT_THAT(f.erofs_inode_share.reason,
                ::testing::AnyOf(HasSubstr("< 7.0"), HasSubstr("erofs not in /proc/filesystems")));
    EXPECT_FALSE(f.nullfs_root.reason.empty());
  }
  bool erofs_listed = testing::missing_filesystem("erofs").empty();
  EXPECT_EQ(bool(f.erofs_file_backed), erofs_listed && k->at_least(6, 12))
      << f.erofs_file_backed.reason;
  EXPECT_EQ(bool(f.time_ns), ::access("/proc/self/ns/time", F_OK) == 0);
  EXPECT_EQ(
      bool(f.seccomp_notify),
      slurp("/proc/sys/kernel/seccomp/actions_avail").find("user_notif") != std::string::npos);
  // Cgroup layout from an independent look at the two mount points.
  struct statfs top, unified;
  ASSERT_EQ(::statfs("/sys/fs/cgroup", &top), 0);
  CgroupLayout want = CgroupLayout::kLegacy;
  if (static_cast<uint64_t>(top.f_type) == CGROUP2_SUPER_MAGIC) {
    want = CgroupLayout::kUnified;
  } else if (::statfs("/sys/fs/cgroup/unified", &unified) == 0 &&
             static_cast<uint64_t>(unified.f_type) == CGROUP2_SUPER_MAGIC) {
    want = CgroupLayout::kHybrid;
  }
  EXPECT_EQ(f.cgroup_layout, want) << f.cgroup_detail;
  EXPECT_EQ(bool(f.clone_into_cgroup), want != CgroupLayout::kLegacy);
  std::printf("[ probe   ] kernel %s: cgroups %s (%s); OTN: %s; nullfs: %s; landlock: %s\n",
              k->release.c_str(), to_string(f.cgroup_layout), f.cgroup_detail.c_str(),
              f.open_tree_namespace ? "yes" : f.open_tree_namespace.reason.c_str(),
              f.nullfs_root ? "yes" : f.nullfs_root.reason.c_str(), f.landlock.reason.c_str());
}

TEST(SysProbePrivTest, CostIsPrintedAndNothingIsLeftBehind) {
  GROVE_REQUIRE_ROOT();
  LinuxOps ops;
  std::string mounts_before = slurp("/proc/self/mountinfo");
  std::string mntns_before;
  {
    char buf[64] = {};
    ssize_t n = ::readlink("/proc/self/ns/mnt", buf, sizeof(buf) - 1);
    ASSERT_GT(n, 0);
    mntns_before = buf;
  }
  int fds_before = count_fds();
  (void)probe(ops);  // warm-up: page cache, dentries
  constexpr int kRuns = 200;
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kRuns; ++i) (void)probe(ops);
  auto elapsed = std::chrono::steady_clock::now() - start;
  double us = std::chrono::duration<double, std::micro>(elapsed).count() / kRuns;
  std::printf("[ probe   ] sys::probe() takes %.1f us per call (mean of %d)\n", us, kRuns);
  RecordProperty("probe_us", std::to_string(us));
  EXPECT_EQ(count_fds(), fds_before);
  EXPECT_EQ(slurp("/proc/self/mountinfo"), mounts_before);
  char buf[64] = {};
  ASSERT_GT(::readlink("/proc/self/ns/mnt", buf, sizeof(buf) - 1), 0);
  EXPECT_EQ(std::string(buf), mntns_before);
}

}  // namespace
}  // namespace grove::sys
