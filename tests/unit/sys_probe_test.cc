// L1: sys::probe() against FakeOps: every fallback side of the feature probe.

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "libcontainer/sys/probe.h"
#include "libcontainer/sys/uapi.h"
#include "tests/support/fake_ops.h"

namespace grove::sys {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;

// A FakeOps describing a 6.18 hybrid-cgroup host like the dev VM.
void host_618(testing::FakeOps& ops) {
  ops.set_uname("6.18.44-fc-v657");
  ops.fail_always("open_tree", EINVAL);
  ops.fail_always("fsmount", EINVAL);
  ops.set_mnt_id("/", 100);
  ops.set_statmount(100, MountStat{100, 20, 0, "ext4", "/", "/", 0xEF53, 0, 0, 0});
  ops.set_statmount(20, MountStat{20, 20, 0, "rootfs", "", "/", 0x858458f6, 0, 0, 0});
  ops.set_file("/proc/filesystems", "nodev\ttmpfs\nnodev\toverlay\n\terofs\n");
  ops.set_file("/proc/sys/user/max_user_namespaces", "96365\n");
  ops.set_file("/proc/sys/kernel/seccomp/actions_avail", "kill_process user_notif allow\n");
  ops.set_stat("/proc/self/ns/time", {});
  ops.set_statfs("/sys/fs/cgroup", TMPFS_MAGIC);
  ops.set_statfs("/sys/fs/cgroup/unified", CGROUP2_SUPER_MAGIC);
}

TEST(SysProbeTest, Host618) {
  testing::FakeOps ops;
  host_618(ops);
  Features f = probe(ops);
  EXPECT_TRUE(f.new_mount_api);
  EXPECT_TRUE(f.mount_setattr);
  EXPECT_TRUE(f.idmapped_mounts);
  EXPECT_FALSE(f.open_tree_namespace);
  EXPECT_THAT(f.open_tree_namespace.reason, HasSubstr("EINVAL"));
  EXPECT_THAT(f.open_tree_namespace.reason, HasSubstr("< 7.0"));
  EXPECT_FALSE(f.fsmount_namespace);
  EXPECT_THAT(f.fsmount_namespace.reason, HasSubstr("< 7.1"));
  EXPECT_TRUE(f.statmount);
  EXPECT_FALSE(f.nullfs_root);
  EXPECT_THAT(f.nullfs_root.reason, HasSubstr("\"rootfs\""));
  EXPECT_TRUE(f.openat2);
  EXPECT_TRUE(f.clone3);
  EXPECT_TRUE(f.clone_into_cgroup);
  EXPECT_TRUE(f.pidfd);
  EXPECT_TRUE(f.time_ns);
  EXPECT_TRUE(f.user_ns);
  EXPECT_TRUE(f.overlay);
  EXPECT_TRUE(f.erofs);
  EXPECT_TRUE(f.erofs_file_backed);
  EXPECT_FALSE(f.erofs_inode_share);
  EXPECT_THAT(f.erofs_inode_share.reason, HasSubstr("< 7.0"));
  EXPECT_FALSE(f.apparmor);
  EXPECT_TRUE(f.seccomp);
  EXPECT_TRUE(f.seccomp_notify);
  EXPECT_TRUE(f.landlock);
  EXPECT_EQ(f.landlock_abi, 6);
  EXPECT_EQ(f.cgroup_layout, CgroupLayout::kHybrid);
  EXPECT_THAT(f.cgroup_detail, HasSubstr("/sys/fs/cgroup/unified"));
  // The probe never leaves an fd open.
  EXPECT_THAT(ops.open_fds(), IsEmpty());
}

TEST(SysProbeTest, Kernel70HasNullfsAndOpenTreeNamespace) {
  testing::FakeOps fresh;
  fresh.set_uname("7.0.1");
  fresh.fail_always("open_tree", EBADF);  // flag known, bad fd
  fresh.fail_always("fsmount", EINVAL);   // FSMOUNT_NAMESPACE is 7.1
  fresh.set_mnt_id("/", 100);
  fresh.set_statmount(100, MountStat{100, 1, 0, "ext4", "/", "/", 0xEF53, 0, 0, 0});
  fresh.set_statmount(1, MountStat{1, 1, 0, "nullfs", "", "/", NULL_FS_MAGIC, 0, 0, 0});
  fresh.set_file("/proc/filesystems", "\terofs\n");
  Features f = probe(fresh);
  EXPECT_TRUE(f.open_tree_namespace);
  EXPECT_FALSE(f.fsmount_namespace);
  EXPECT_TRUE(f.nullfs_root);
  EXPECT_TRUE(f.erofs_inode_share);
}

TEST(SysProbeTest, OldKernelFallbacksCarryReasons) {
  testing::FakeOps ops;
  ops.set_uname("5.1.0");
  for (const char* name : {"fsopen", "mount_setattr", "open_tree", "fsmount", "statx_mnt_id",
                           "openat2", "clone3", "pidfd_open", "landlock_abi_version"}) {
    ops.fail_always(name, ENOSYS);
  }
  Features f = probe(ops);
  EXPECT_FALSE(f.new_mount_api);
  EXPECT_THAT(f.new_mount_api.reason, HasSubstr("ENOSYS"));
  EXPECT_THAT(f.new_mount_api.reason, HasSubstr(">= 5.2"));
  EXPECT_FALSE(f.mount_setattr);
  EXPECT_FALSE(f.idmapped_mounts);
  EXPECT_FALSE(f.open_tree_namespace);
  EXPECT_FALSE(f.statmount);
  EXPECT_FALSE(f.openat2);
  EXPECT_THAT(f.openat2.reason, HasSubstr(">= 5.6"));
  EXPECT_FALSE(f.clone3);
  EXPECT_FALSE(f.clone_into_cgroup);
  EXPECT_FALSE(f.pidfd);
  EXPECT_FALSE(f.landlock);
  EXPECT_FALSE(f.time_ns);
  EXPECT_FALSE(f.user_ns);
  EXPECT_FALSE(f.erofs);
  EXPECT_FALSE(f.erofs_file_backed);
  EXPECT_EQ(f.cgroup_layout, CgroupLayout::kNone);
  // Every false probe says why.
  for (const Probe* p : {&f.new_mount_api,
                         &f.mount_setattr,
                         &f.open_tree_namespace,
                         &f.fsmount_namespace,
                         &f.nullfs_root,
                         &f.statmount,
                         &f.idmapped_mounts,
                         &f.openat2,
                         &f.clone3,
                         &f.clone_into_cgroup,
                         &f.pidfd,
                         &f.time_ns,
                         &f.user_ns,
                         &f.overlay,
                         &f.erofs,
                         &f.erofs_file_backed,
                         &f.erofs_inode_share,
                         &f.apparmor,
                         &f.seccomp_notify,
                         &f.landlock}) {
    EXPECT_FALSE(p->reason.empty());
  }
}

TEST(SysProbeTest, CgroupLayouts) {
  testing::FakeOps v2;
  v2.set_statfs("/sys/fs/cgroup", CGROUP2_SUPER_MAGIC);
  v2.set_file("/sys/fs/cgroup/cgroup.controllers", "cpu memory pids\n");
  std::string detail;
  EXPECT_EQ(probe_cgroup_layout(v2, &detail), CgroupLayout::kUnified);
  EXPECT_EQ(detail, "v2 at /sys/fs/cgroup, controllers: cpu memory pids");

  testing::FakeOps v1;
  v1.set_statfs("/sys/fs/cgroup", TMPFS_MAGIC);
  EXPECT_EQ(probe_cgroup_layout(v1, &detail), CgroupLayout::kLegacy);

  EXPECT_STREQ(to_string(CgroupLayout::kUnified), "v2");
  EXPECT_STREQ(to_string(CgroupLayout::kHybrid), "hybrid");
  EXPECT_STREQ(to_string(CgroupLayout::kLegacy), "v1");
  EXPECT_STREQ(to_string(CgroupLayout::kNone), "none");
}

TEST(SysProbeTest, UserNsPrivilegedOnlyAndLandlockDisabled) {
  testing::FakeOps ops;
  ops.set_file("/proc/sys/user/max_user_namespaces", "100\n");
  ops.set_file("/proc/sys/kernel/unprivileged_userns_clone", "0\n");
  ops.fail_always("landlock_abi_version", EOPNOTSUPP);
  Features f = probe(ops);
  EXPECT_TRUE(f.user_ns);
  EXPECT_THAT(f.user_ns.reason, HasSubstr("privileged only"));
  EXPECT_FALSE(f.landlock);
  EXPECT_THAT(f.landlock.reason, HasSubstr("lsm="));
}

}  // namespace
}  // namespace grove::sys
