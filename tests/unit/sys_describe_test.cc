// L0: flag rendering used in error frames and FakeOps traces.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/bpf.h>
#include <sched.h>
#include <signal.h>
#include <sys/stat.h>

#include "libcontainer/sys/describe.h"
#include "libcontainer/sys/uapi.h"

namespace grove::sys {
namespace {

TEST(SysDescribeTest, OpenTreeFlags) {
  EXPECT_EQ(describe_open_tree_flags(OPEN_TREE_CLONE | AT_RECURSIVE),
            "OPEN_TREE_CLONE|AT_RECURSIVE");
  EXPECT_EQ(describe_open_tree_flags(OPEN_TREE_NAMESPACE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH |
                                     AT_RECURSIVE),
            "OPEN_TREE_NAMESPACE|OPEN_TREE_CLOEXEC|AT_EMPTY_PATH|AT_RECURSIVE");
  EXPECT_EQ(describe_open_tree_flags(0), "0");
}

TEST(SysDescribeTest, UnknownBitsRenderAsHex) {
  EXPECT_EQ(describe_move_mount_flags(MOVE_MOUNT_F_EMPTY_PATH | 0x80000000u),
            "F_EMPTY_PATH|0x80000000");
}

TEST(SysDescribeTest, MoveMountFlagsDropPrefix) {
  EXPECT_EQ(describe_move_mount_flags(MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_SYMLINKS),
            "F_EMPTY_PATH|T_SYMLINKS");
  EXPECT_EQ(describe_move_mount_flags(MOVE_MOUNT_BENEATH), "BENEATH");
}

TEST(SysDescribeTest, MountAttr) {
  EXPECT_EQ(describe_mount_attr_flags(MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID), "RDONLY|NOSUID");
  EXPECT_EQ(describe_mount_attr_flags(MOUNT_ATTR_NOATIME | MOUNT_ATTR_NODEV), "NODEV|NOATIME");
  EXPECT_EQ(describe_mount_attr(MountAttr{MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID, 0, 0, -1}),
            "RDONLY|NOSUID");
  EXPECT_EQ(describe_mount_attr(MountAttr{MOUNT_ATTR_RDONLY, MOUNT_ATTR_NOEXEC, MS_PRIVATE, -1}),
            "RDONLY clr=NOEXEC propagation=PRIVATE");
  EXPECT_EQ(describe_mount_attr(MountAttr{0, MOUNT_ATTR__ATIME, 0, -1}), "clr=ATIME");
  EXPECT_EQ(describe_mount_attr(MountAttr{MOUNT_ATTR_IDMAP, 0, 0, 7}), "IDMAP userns_fd=7");
  EXPECT_EQ(describe_mount_attr(MountAttr{}), "0");
}

TEST(SysDescribeTest, LegacyMountAndUmountFlags) {
  EXPECT_EQ(describe_ms_flags(MS_BIND | MS_REC), "MS_BIND|MS_REC");
  EXPECT_EQ(describe_ms_flags(MS_REC | MS_PRIVATE), "MS_REC|MS_PRIVATE");
  EXPECT_EQ(describe_umount_flags(MNT_DETACH), "MNT_DETACH");
  EXPECT_EQ(describe_propagation(MS_SLAVE), "SLAVE");
}

TEST(SysDescribeTest, CloneFlagsIncludeHighBits) {
  EXPECT_EQ(describe_clone_flags(CLONE_NEWNS | CLONE_NEWPID | CLONE_PIDFD | CLONE_INTO_CGROUP),
            "CLONE_PIDFD|CLONE_NEWNS|CLONE_NEWPID|CLONE_INTO_CGROUP");
  EXPECT_EQ(describe_clone_flags(CLONE_NEWTIME), "CLONE_NEWTIME");
}

TEST(SysDescribeTest, OpenFlagsAccessModeFirst) {
  EXPECT_EQ(describe_open_flags(O_PATH | O_DIRECTORY | O_CLOEXEC),
            "O_RDONLY|O_DIRECTORY|O_CLOEXEC|O_PATH");
  EXPECT_EQ(describe_open_flags(O_WRONLY | O_CREAT | O_TRUNC), "O_WRONLY|O_CREAT|O_TRUNC");
  EXPECT_EQ(describe_open_flags(O_RDWR | O_TMPFILE), "O_RDWR|O_TMPFILE");
}

TEST(SysDescribeTest, ResolveModeAndSignal) {
  EXPECT_EQ(describe_resolve_flags(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS),
            "RESOLVE_NO_MAGICLINKS|RESOLVE_IN_ROOT");
  EXPECT_EQ(describe_mode(0755), "0755");
  EXPECT_EQ(describe_mode(S_IFCHR | 0666), "S_IFCHR|0666");
  EXPECT_EQ(describe_signal(SIGKILL), "SIGKILL");
  EXPECT_EQ(describe_signal(0), "0");
  EXPECT_EQ(describe_at_flags(AT_EMPTY_PATH | AT_RECURSIVE), "AT_EMPTY_PATH|AT_RECURSIVE");
}

// --- bpf (cgroup devices) ---
TEST(SysDescribeTest, BpfAttachFlags) {
  EXPECT_EQ(describe_bpf_attach_flags(0), "0");
  EXPECT_EQ(describe_bpf_attach_flags(BPF_F_ALLOW_MULTI), "ALLOW_MULTI");
  EXPECT_EQ(describe_bpf_attach_flags(BPF_F_ALLOW_MULTI | BPF_F_REPLACE | 0x100),
            "ALLOW_MULTI|REPLACE|0x100");
}

}  // namespace
}  // namespace grove::sys
