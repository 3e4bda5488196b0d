// L2: the mount executors on the real kernel, each test inside run_in_private_mntns() so every
// mount dies with the child. A tiny busybox rootfs is built in a mkdtemp dir. The hostile-rootfs
// tests point /dev, /proc, mount destinations, masked and readonly paths at a host canary
// directory through symlinks and check that nothing on the host was created, changed or mounted.

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <iterator>
#include <fstream>
#include <sstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "libcontainer/base/strings.h"
#include "libcontainer/mount/apply.h"
#include "libcontainer/mount/open_tree_ns.h"
#include "libcontainer/mount/pivot.h"
#include "libcontainer/plan/mount_plan.h"
#include "libcontainer/sys/linux_ops.h"
#include "libcontainer/sys/probe.h"
#include "libcontainer/sys/uapi.h"
#include "oci/default_spec.h"
#include "tests/support/priv.h"

namespace grove::mount {
namespace {

namespace fs = std::filesystem;

Status check(bool cond, const std::string& what) {
  return cond ? ok() : Error::plain(EIO, "check failed: " + what);
}

std::string missing_busybox() {
  return access("/bin/busybox", X_OK) == 0 ? "" : "needs /bin/busybox (busybox-static)";
}

void make_rootfs(const std::string& root) {
  for (const char* d : {"bin", "proc", "dev", "sys", "etc", "tmp"}) {
    fs::create_directories(root + "/" + d);
  }
  fs::copy_file("/bin/busybox", root + "/bin/busybox");
  std::ofstream(root + "/etc/hostname") << "grove\n";
}

oci::Spec test_spec() {
  oci::Spec spec = oci::default_spec(false);
  spec.mounts.pop_back();  // /sys/fs/cgroup: not what these tests are about
  return spec;
}

Result<plan::MountPlan> make_plan(const oci::Spec& spec, plan::Strategy s) {
  sys::LinuxOps ops;
  sys::Features f = sys::probe(ops);
  plan::PlanOptions o;
  o.force_strategy = s;
  return plan::plan_mounts(spec, f, o);
}

Status open_rootfs(sys::Ops& ops, const std::string& path, UniqueFd* out) {
  GROVE_ASSIGN_OR_RETURN(*out, ops.openat(AT_FDCWD, path, O_PATH | O_DIRECTORY, 0));
  return ok();
}

// Checks run inside the container after the pivot strategy.
Status check_container_view() {
  struct stat st {};
  GROVE_TRY(check(stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode) &&
                      major(st.st_rdev) == 1 && minor(st.st_rdev) == 3,
                  "/dev/null is char 1:3"));
  GROVE_TRY(check(stat("/proc/self/status", &st) == 0, "/proc is mounted"));
  struct statfs sfs {};
  GROVE_TRY(check(statfs("/proc", &sfs) == 0 && sfs.f_type == PROC_SUPER_MAGIC, "/proc is procfs"));
  // /proc/keys exists on every kernel we run on (/proc/kcore does not: it is skipped like runc).
  GROVE_TRY(check(stat("/proc/keys", &st) == 0 && S_ISCHR(st.st_mode), "/proc/keys masked"));
  GROVE_TRY(check(stat("/proc/kcore", &st) != 0 || S_ISCHR(st.st_mode), "/proc/kcore masked"));
  GROVE_TRY(check(statfs("/sys/firmware", &sfs) != 0 || sfs.f_type == TMPFS_MAGIC,
                  "/sys/firmware masked by a tmpfs"));
  struct statvfs vfs {};
  GROVE_TRY(check(statvfs("/proc/sys", &vfs) == 0 && (vfs.f_flag & ST_RDONLY), "/proc/sys ro"));
  GROVE_TRY(check(statvfs("/", &vfs) == 0 && (vfs.f_flag & ST_RDONLY), "root is read-only"));
  GROVE_TRY(check(mkdir("/newdir", 0755) != 0 && errno == EROFS, "mkdir on / fails EROFS"));
  GROVE_TRY(check(access("/bin/busybox", X_OK) == 0, "busybox in the new root"));
  char buf[64] = {};
  GROVE_TRY(check(readlink("/dev/fd", buf, sizeof buf - 1) > 0, "/dev/fd symlink"));
  std::fill(std::begin(buf), std::end(buf), '\0');
  GROVE_TRY(check(readlink("/dev/ptmx", buf, sizeof buf - 1) > 0 && std::string(buf) == "pts/ptmx",
                  "/dev/ptmx -> pts/ptmx"));
  // The old root is detached: every mount point is the new root or one the plan made.
  std::ifstream mi("/proc/self/mountinfo");
  std::string line;
  while (std::getline(mi, line)) {
    auto f = split(line, ' ');
    bool ours = f.size() > 4 && (f[4] == "/" || starts_with(f[4], "/proc") ||
                                 starts_with(f[4], "/dev") || starts_with(f[4], "/sys"));
    GROVE_TRY(check(ours, "unexpected mount after pivot: " + line));
  }
  return ok();
}

class MountApplyPrivTest : public ::testing::Test {
 protected:
  void SetUp() override {
    GROVE_REQUIRE_ROOT();
    GROVE_REQUIRE(testing::missing_mount_setattr());
    GROVE_REQUIRE(missing_busybox());
    rootfs_ = dir_.path() + "/rootfs";
    make_rootfs(rootfs_);
  }
  testing::TempDir dir_;
  std::string rootfs_;
};

TEST_F(MountApplyPrivTest, PivotBuildsTheDefaultContainerTree) {
  auto plan = make_plan(test_spec(), plan::Strategy::kPivot);
  ASSERT_TRUE(plan) << plan.error().message();
  Status st = testing::run_in_private_mntns([&]() -> Status {
    sys::LinuxOps ops;
    UniqueFd rootfs;
    GROVE_TRY(open_rootfs(ops, rootfs_, &rootfs));
    GROVE_TRY(setup_rootfs_pivot(ops, rootfs.get(), *plan, {}));
    return check_container_view();
  });
  EXPECT_TRUE(st) << st.error().message();
  EXPECT_FALSE(fs::exists(rootfs_ + "/proc/self"));  // nothing left mounted on the host
}

TEST_F(MountApplyPrivTest, ChrootStrategyAlsoWorks) {
  auto plan = make_plan(test_spec(), plan::Strategy::kChroot);
  ASSERT_TRUE(plan) << plan.error().message();
  Status st = testing::run_in_private_mntns([&]() -> Status {
    sys::LinuxOps ops;
    UniqueFd rootfs;
    GROVE_TRY(open_rootfs(ops, rootfs_, &rootfs));
    GROVE_TRY(setup_rootfs_chroot(ops, rootfs.get(), *plan, {}));
    struct stat st {};
    return check(stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode) &&
                     access("/bin/busybox", X_OK) == 0,
                 "chroot view has /dev/null and busybox");
  });
  EXPECT_TRUE(st) << st.error().message();
}

TEST_F(MountApplyPrivTest, OpenTreeNamespaceBuildsTheDefaultContainerTree) {
  GROVE_REQUIRE(testing::missing_open_tree_namespace());
  auto plan = make_plan(test_spec(), plan::Strategy::kOpenTreeNamespace);
  ASSERT_TRUE(plan) << plan.error().message();
  Status st = testing::run_in_private_mntns([&]() -> Status {
    sys::LinuxOps ops;
    UniqueFd rootfs;
    GROVE_TRY(open_rootfs(ops, rootfs_, &rootfs));
    GROVE_TRY(setup_rootfs(ops, rootfs.get(), *plan, {}));
    return check_container_view();
  });
  EXPECT_TRUE(st) << st.error().message();
}

// ---- hostile rootfs ---------------------------------------------------------------------------

struct Snapshot {
  std::vector<std::string> entries;
  dev_t dev = 0;
  ino_t secret_ino = 0;
  std::string secret;
  bool operator==(const Snapshot&) const = default;
};

Snapshot snapshot(const std::string& canary) {
  Snapshot s;
  for (const auto& e : fs::directory_iterator(canary)) s.entries.push_back(e.path().filename());
  std::sort(s.entries.begin(), s.entries.end());
  struct stat st {};
  if (stat(canary.c_str(), &st) == 0) s.dev = st.st_dev;
  if (stat((canary + "/secret").c_str(), &st) == 0) s.secret_ino = st.st_ino;
  std::ifstream in(canary + "/secret");
  std::getline(in, s.secret);
  return s;
}

// No mount point at or under the canary in this (the child's) namespace.
Status no_mount_under(const std::string& canary) {
  std::ifstream mi("/proc/self/mountinfo");
  std::string line;
  while (std::getline(mi, line)) {
    auto f = split(line, ' ');
    if (f.size() > 4 && (f[4] == canary || starts_with(f[4], canary + "/"))) {
      return Error::plain(EIO, "host canary got a mount: " + line);
    }
  }
  return ok();
}

TEST_F(MountApplyPrivTest, HostileSymlinksNeverTouchTheHost) {
  testing::TempDir canary_dir;
  std::string canary = canary_dir.path();
  std::ofstream(canary + "/secret") << "host secret\n";
  // Every path the runtime writes goes through a symlink to the canary (absolute and relative
  // escapes). The same paths also exist inside the rootfs, so resolution in root succeeds there.
  fs::remove(rootfs_ + "/dev");
  fs::remove(rootfs_ + "/proc");
  fs::create_directories(rootfs_ + canary + "/pts");
  fs::create_directory_symlink(canary, rootfs_ + "/dev");
  fs::create_directory_symlink("../../../../../../../.." + canary, rootfs_ + "/proc");
  fs::create_directory_symlink(canary, rootfs_ + "/mnt");
  fs::create_symlink(canary + "/secret", rootfs_ + "/masked");
  fs::create_symlink("/../../" + canary + "/secret", rootfs_ + "/ro");
  oci::Spec spec = test_spec();
  spec.mounts.push_back({"/mnt/x", "tmpfs", "tmpfs", {}, {}, {}});
  spec.linux->masked_paths.push_back("/masked");
  spec.linux->readonly_paths.push_back("/ro");
  spec.process->terminal = true;
  spec.root->readonly = false;  // applied below without the rootfs bind (not a mount root)
  auto plan = make_plan(spec, plan::Strategy::kPivot);
  ASSERT_TRUE(plan) << plan.error().message();
  for (bool walk : {false, true}) {
    plan->use_openat2 = !walk;
    Snapshot before = snapshot(canary);
    Status st = testing::run_in_private_mntns([&]() -> Status {
      sys::LinuxOps ops;
      UniqueFd rootfs;
      GROVE_TRY(open_rootfs(ops, rootfs_, &rootfs));
      // Apply without pivoting so the host canary stays visible to check it from here.
      GROVE_TRY(apply_mounts(ops, rootfs.get(), *plan));
      GROVE_TRY(no_mount_under(canary));
      struct stat st {};
      return check(stat((rootfs_ + canary + "/null").c_str(), &st) == 0 && S_ISCHR(st.st_mode),
                   "devices landed inside the rootfs");
    });
    EXPECT_TRUE(st) << (walk ? "walk: " : "openat2: ") << st.error().message();
    EXPECT_EQ(snapshot(canary), before) << "host canary changed";
  }
}

}  // namespace
}  // namespace grove::mount
