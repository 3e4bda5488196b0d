#pragma once
// Plain value types used by sys::Ops (ops.h): arguments and parsed results of syscalls.

#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/types.h>

#include <cstdint>
#include <string>

#include "libcontainer/base/unique_fd.h"

namespace grove::sys {

// struct mount_attr for mount_setattr(2) / open_tree_attr(2). `attr_set`/`attr_clr` are
// MOUNT_ATTR_* bits, `propagation` is 0 or one of MS_PRIVATE/MS_SHARED/MS_SLAVE/MS_UNBINDABLE,
// `userns_fd` is borrowed (only with MOUNT_ATTR_IDMAP; -1 otherwise).
struct MountAttr {
  uint64_t attr_set = 0;
  uint64_t attr_clr = 0;
  uint64_t propagation = 0;
  int userns_fd = -1;
};

// struct open_how for openat2(2): O_* `flags`, `mode` (only with O_CREAT/O_TMPFILE), RESOLVE_*.
struct OpenHow {
  uint64_t flags = 0;
  uint64_t mode = 0;
  uint64_t resolve = 0;
};

// One classic-BPF instruction, laid out exactly like the kernel's struct sock_filter
// (<linux/filter.h>), so a vector of them is the `filter` of a struct sock_fprog.
struct BpfInsn {
  uint16_t code = 0;
  uint8_t jt = 0;
  uint8_t jf = 0;
  uint32_t k = 0;
  bool operator==(const BpfInsn&) const = default;
};
static_assert(sizeof(BpfInsn) == 8);

// A parsed statmount(2) result: the fields grove uses. `parent_id == mnt_id` for a namespace root.
struct MountStat {
  uint64_t mnt_id = 0;       // 64-bit unique mount id (statx STATX_MNT_ID_UNIQUE)
  uint64_t parent_id = 0;    // unique id of the parent mount
  uint32_t mnt_id_old = 0;   // the reusable id shown in /proc/self/mountinfo
  std::string fs_type;       // "tmpfs", "nullfs", ...
  std::string mount_point;   // relative to the caller's root ("" when unreachable)
  std::string mount_root;    // root of the mount inside its filesystem
  uint64_t sb_magic = 0;     // *_SUPER_MAGIC
  uint64_t attrs = 0;        // MOUNT_ATTR_* bits
  uint64_t propagation = 0;  // MS_SHARED/MS_SLAVE/MS_PRIVATE/MS_UNBINDABLE bits
  uint64_t mnt_ns_id = 0;    // id of the mount namespace (0 if the kernel did not report it)
};

// Arguments to clone3(2). Borrowed fd: `cgroup_fd` (used with CLONE_INTO_CGROUP; -1 otherwise).
// `flags` are CLONE_* bits (CLONE_PIDFD is added by Ops::clone3 when `want_pidfd`).
struct CloneArgs {
  uint64_t flags = 0;
  int exit_signal = 17;  // SIGCHLD
  int cgroup_fd = -1;
  bool want_pidfd = false;
};

// Result of clone3(2): in the child `pid == 0` and `pidfd` is empty; in the parent `pid` is the
// child's pid in the caller's pid namespace and `pidfd` is owned when `want_pidfd` was set.
struct CloneResult {
  pid_t pid = 0;
  UniqueFd pidfd;
};

// Result of waitid(2)/waitpid(2). `pid == 0` means WNOHANG and nothing changed. `code` is
// CLD_EXITED/CLD_KILLED/CLD_DUMPED/...; `status` is the exit code or signal number.
struct WaitStatus {
  pid_t pid = 0;
  int code = 0;
  int status = 0;
  bool exited() const noexcept { return code == 1; }                 // CLD_EXITED
  bool signaled() const noexcept { return code == 2 || code == 3; }  // CLD_KILLED/CLD_DUMPED
};

// Two connected, owned fds (socketpair(2), pipe2(2): [0] read end, [1] write end for pipes).
struct FdPair {
  UniqueFd first;
  UniqueFd second;
};

// uname(2) fields grove uses.
struct KernelRelease {
  std::string release;  // "6.18.44-fc-v657"
  std::string machine;  // "x86_64"
  int major = 0;
  int minor = 0;
  // True when the running kernel is >= major.minor.
  bool at_least(int want_major, int want_minor) const noexcept {
    return major > want_major || (major == want_major && minor >= want_minor);
  }
};

// struct sched_attr for sched_setattr(2): `policy` SCHED_*, `flags` SCHED_FLAG_* bits, `nice` for
// SCHED_OTHER/BATCH, `priority` for SCHED_FIFO/RR, runtime/deadline/period (ns) for SCHED_DEADLINE.
struct SchedAttr {
  uint32_t policy = 0;
  uint64_t flags = 0;
  int32_t nice = 0;
  uint32_t priority = 0;
  uint64_t runtime = 0;
  uint64_t deadline = 0;
  uint64_t period = 0;
  bool operator==(const SchedAttr&) const = default;
};

}  // namespace grove::sys
