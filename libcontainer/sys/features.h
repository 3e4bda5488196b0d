#pragma once
// sys::Features: what this kernel (and process) can do, as a plain value. Produced once per
// process by sys::probe() (probe.h) and passed explicitly to planners, so both sides of every
// fallback can be unit-tested by building a Features by hand.

#include <string>

namespace grove::sys {

// One probed capability. `reason` always says why it is false ("open_tree(OPEN_TREE_NAMESPACE):
// EINVAL (kernel < 7.0)"); when true it may carry a detail ("abi 4") or be empty.
struct Probe {
  bool ok = false;
  std::string reason;

  static Probe yes(std::string detail = {}) { return {true, std::move(detail)}; }
  static Probe no(std::string why) { return {false, std::move(why)}; }
  explicit operator bool() const noexcept { return ok; }
};

enum class CgroupLayout { kUnified, kHybrid, kLegacy, kNone };

// Stable lower-case names used in `grove features` and debug logs: "v2", "hybrid", "v1", "none".
const char* to_string(CgroupLayout layout) noexcept;

struct Features {
  // Mount API and namespaces.
  Probe new_mount_api;        // fsopen/fsconfig/fsmount/move_mount/open_tree (5.2)
  Probe mount_setattr;        // mount_setattr(2) (5.12)
  Probe open_tree_namespace;  // open_tree(OPEN_TREE_NAMESPACE) (7.0)
  Probe fsmount_namespace;    // fsmount(FSMOUNT_NAMESPACE) (7.1)
  Probe nullfs_root;          // the true root under "/" is nullfs (7.0)
  Probe statmount;            // statmount/listmount (6.8)
  Probe idmapped_mounts;      // MOUNT_ATTR_IDMAP (5.12)
  Probe openat2;              // openat2(RESOLVE_IN_ROOT) (5.6)
  // Processes.
  Probe clone3;               // clone3(2) (5.3)
  Probe clone_into_cgroup;    // CLONE_INTO_CGROUP (5.7, needs a cgroup2 hierarchy)
  Probe pidfd;                // pidfd_open/pidfd_send_signal (5.3)
  Probe time_ns;              // CLONE_NEWTIME (5.6)
  Probe user_ns;              // unprivileged/privileged user namespaces usable
  // Filesystems.
  Probe overlay;              // overlayfs registered
  Probe erofs;                // erofs registered
  Probe erofs_file_backed;    // EROFS on a regular file without a loop device (6.12)
  Probe erofs_inode_share;    // EROFS inode_share/domain_id page-cache sharing (7.0)
  // Security.
  Probe selinux;              // SELinux enabled (libselinux is_selinux_enabled rule + exec attr)
  Probe apparmor;             // AppArmor enabled
  Probe seccomp;              // seccomp filter mode
  Probe seccomp_notify;       // SECCOMP_RET_USER_NOTIF / listener fds (5.0)
  Probe landlock;             // landlock; reason/detail carries "abi N"
  int landlock_abi = 0;
  // Cgroups.
  CgroupLayout cgroup_layout = CgroupLayout::kNone;
  std::string cgroup_detail;  // e.g. "v2 at /sys/fs/cgroup/unified, no controllers"
};

}  // namespace grove::sys
