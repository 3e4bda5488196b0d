#include "libcontainer/sys/probe.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>

#include <cstdio>
#include <string>

#include "libcontainer/base/strings.h"
#include "libcontainer/sys/uapi.h"

namespace grove::sys {
namespace {

// A syscall whose mere existence is the feature: ENOSYS means absent, anything else present.
template <typename T>
Probe present(const Result<T>& r, const char* since) {
  if (r || r.error().code() != ENOSYS) return Probe::yes();
  return Probe::no(r.error().message() + " (needs >= " + since + ")");
}

// The new mount API: fsopen("tmpfs") returns an fs context fd (closed at once; no superblock is
// created until FSCONFIG_CMD_CREATE). EPERM (no CAP_SYS_ADMIN) still proves the syscall exists.
Probe probe_new_mount_api(Ops& ops) { return present(ops.fsopen("tmpfs", 0), "5.2"); }

// mount_setattr on a bad fd: EBADF if the syscall exists (flags and attr are valid and checked
// first), ENOSYS if not. No mount is touched.
Probe probe_mount_setattr(Ops& ops) {
  return present(ops.mount_setattr(-EBADF, "", AT_EMPTY_PATH, MountAttr{}), "5.12");
}

// OPEN_TREE_NAMESPACE: open_tree validates its flags before anything else, so an unknown flag is
// EINVAL (< 7.0). With the flag known, a bad dirfd and an empty path fail with EBADF (or EPERM
// without CAP_SYS_ADMIN) before any namespace is created. A success is impossible with -EBADF,
// but the fd would be closed here anyway.
Probe probe_open_tree_namespace(Ops& ops, const KernelRelease& k) {
  auto r = ops.open_tree(-EBADF, "", OPEN_TREE_NAMESPACE | AT_EMPTY_PATH);
  if (r) return Probe::yes();
  int code = r.error().code();
  if (code == EINVAL || code == ENOSYS) {
    return Probe::no(r.error().message() + " (kernel " + k.release + " < 7.0)");
  }
  if (code == EPERM) return Probe::yes("known to the kernel; needs CAP_SYS_ADMIN");
  return Probe::yes();
}

// FSMOUNT_NAMESPACE: fsmount checks its flags before the fs-context fd, same trick as above.
Probe probe_fsmount_namespace(Ops& ops, const KernelRelease& k) {
  auto r = ops.fsmount(-EBADF, FSMOUNT_NAMESPACE, 0);
  if (r) return Probe::yes();
  int code = r.error().code();
  if (code == EINVAL || code == ENOSYS) {
    return Probe::no(r.error().message() + " (kernel " + k.release + " < 7.1)");
  }
  return Probe::yes();
}

// nullfs is never registered (not in /proc/filesystems): look at the mount under "/" instead.
// Its parent is nullfs (magic 0x4e554c4c) on >= 7.0; on older kernels the root mount is either
// the namespace root itself or sits on rootfs (initramfs).
void probe_nullfs_and_statmount(Ops& ops, Features* f) {
  auto root_id = ops.statx_mnt_id(AT_FDCWD, "/", 0);
  if (!root_id) {
    f->statmount = Probe::no(root_id.error().message());
    f->nullfs_root = Probe::no("cannot get the mount id of \"/\": " + root_id.error().message());
    return;
  }
  auto root = ops.statmount(*root_id);
  if (!root) {
    f->statmount = present(root, "6.8");
    f->nullfs_root = Probe::no(root.error().message());
    return;
  }
  f->statmount = Probe::yes();
  if (root->parent_id == root->mnt_id) {
    f->nullfs_root = Probe::no("\"/\" is the namespace root: nothing (no nullfs) below it");
    return;
  }
  auto parent = ops.statmount(root->parent_id);
  if (!parent) {
    f->nullfs_root = Probe::no("parent of \"/\": " + parent.error().message());
  } else if (parent->sb_magic == NULL_FS_MAGIC) {
    f->nullfs_root = Probe::yes("mount " + std::to_string(parent->mnt_id));
  } else {
    f->nullfs_root = Probe::no("parent of \"/\" is " + q(parent->fs_type) + " (magic " +
                               hex(parent->sb_magic) + "), not nullfs (kernel < 7.0)");
  }
}

Probe probe_openat2(Ops& ops) {
  auto r = ops.openat2(AT_FDCWD, "/", OpenHow{O_PATH | O_DIRECTORY, 0, RESOLVE_IN_ROOT});
  if (r) return Probe::yes();
  return Probe::no(r.error().message() + (r.error().code() == ENOSYS ? " (needs >= 5.6)" : ""));
}

// clone3 with CLONE_THREAD but no CLONE_SIGHAND/exit_signal 0 is rejected with EINVAL by
// argument validation, before any task is created; ENOSYS means no clone3.
Probe probe_clone3(Ops& ops) {
  CloneArgs args;
  args.flags = CLONE_THREAD;
  args.exit_signal = SIGCHLD;
  auto r = ops.clone3(args);
  if (r) return Probe::yes();  // only FakeOps gets here
  return present(r, "5.3");
}

Probe probe_pidfd(Ops& ops) {
  auto r = ops.pidfd_open(ops.getpid(), 0);
  if (r) return Probe::yes();
  return present(r, "5.3");
}

Probe probe_time_ns(Ops& ops) {
  auto r = ops.fstatat(AT_FDCWD, "/proc/self/ns/time", 0);
  if (r) return Probe::yes();
  return Probe::no(r.error().message() + " (needs CONFIG_TIME_NS, >= 5.6)");
}

Probe probe_user_ns(Ops& ops) {
  auto max = ops.read_file_at(AT_FDCWD, "/proc/sys/user/max_user_namespaces");
  if (!max) return Probe::no(max.error().message() + " (CONFIG_USER_NS off?)");
  long long n = 0;
  std::string v = *max;
  while (!v.empty() && (v.back() == '\n' || v.back() == ' ')) v.pop_back();
  if (!parse_int64(v, &n) || n == 0) return Probe::no("user.max_user_namespaces = " + q(v));
  // Debian/Ubuntu patch: kernel.unprivileged_userns_clone=0 keeps them root-only.
  auto unpriv = ops.read_file_at(AT_FDCWD, "/proc/sys/kernel/unprivileged_userns_clone");
  if (unpriv && !unpriv->empty() && (*unpriv)[0] == '0') {
    return Probe::yes("privileged only (kernel.unprivileged_userns_clone=0)");
  }
  return Probe::yes("max " + v);
}

bool has_fs(const std::string& filesystems, const std::string& name) {
  for (const std::string& line : split(filesystems, '\n')) {
    auto tab = line.rfind('\t');
    if (tab != std::string::npos && line.substr(tab + 1) == name) return true;
  }
  return false;
}

void probe_filesystems(Ops& ops, const KernelRelease& k, Features* f) {
  auto fs = ops.read_file_at(AT_FDCWD, "/proc/filesystems");
  std::string list = fs ? *fs : "";
  std::string why = fs ? "" : ": " + fs.error().message();
  f->overlay =
      has_fs(list, "overlay") ? Probe::yes() : Probe::no("overlay not in /proc/filesystems" + why);
  f->erofs = has_fs(list, "erofs")
                 ? Probe::yes()
                 : Probe::no("erofs not in /proc/filesystems (module not loaded?)" + why);
  // A version check, not a test mount: mounting an image would cost a file, a superblock and a
  // mount. CONFIG_EROFS_FS_BACKED_BY_FILE (6.12) is assumed on with erofs; the image store must
  // still sit on a filesystem with read_folio (not tmpfs), see kernel.md §8.2.
  if (!f->erofs) {
    f->erofs_file_backed = Probe::no(f->erofs.reason);
  } else if (!k.at_least(6, 12)) {
    f->erofs_file_backed = Probe::no("kernel " + k.release + " < 6.12");
  } else {
    f->erofs_file_backed = Probe::yes("kernel >= 6.12 (version check)");
  }
  // CONFIG_EROFS_FS_PAGE_CACHE_SHARE (7.0, experimental) leaves no trace before a mount.
  if (!f->erofs) {
    f->erofs_inode_share = Probe::no(f->erofs.reason);
  } else if (!k.at_least(7, 0)) {
    f->erofs_inode_share = Probe::no("kernel " + k.release + " < 7.0");
  } else {
    f->erofs_inode_share = Probe::yes("kernel >= 7.0 (version check; config not verified)");
  }
}

void probe_security(Ops& ops, Features* f) {
  f->selinux = probe_selinux(ops);
  auto aa = ops.read_file_at(AT_FDCWD, "/sys/module/apparmor/parameters/enabled");
  if (!aa) {
    f->apparmor = Probe::no(aa.error().message());
  } else {
    f->apparmor = (!aa->empty() && (*aa)[0] == 'Y') ? Probe::yes()
                                                    : Probe::no("apparmor parameter enabled=N");
  }
  auto mode = ops.get_seccomp();
  f->seccomp = mode ? Probe::yes(*mode ? "caller already filtered" : "")
                    : Probe::no(mode.error().message() + " (CONFIG_SECCOMP off)");
  auto actions = ops.read_file_at(AT_FDCWD, "/proc/sys/kernel/seccomp/actions_avail");
  if (!actions) {
    f->seccomp_notify = Probe::no(actions.error().message());
  } else {
    f->seccomp_notify = actions->find("user_notif") != std::string::npos
                            ? Probe::yes()
                            : Probe::no("user_notif not in seccomp actions_avail");
  }
  auto abi = ops.landlock_abi_version();
  if (abi) {
    f->landlock = Probe::yes("abi " + std::to_string(*abi));
    f->landlock_abi = *abi;
  } else if (abi.error().code() == EOPNOTSUPP) {
    f->landlock = Probe::no(abi.error().message() + " (built but not enabled in lsm=)");
  } else {
    f->landlock = Probe::no(abi.error().message() + " (needs >= 5.13, CONFIG_SECURITY_LANDLOCK)");
  }
}

}  // namespace

Probe evaluate_selinux(const SelinuxProbeInputs& in) {
  if (!in.selinuxfs_mounted) {
    return Probe::no(std::string(kSelinuxFs) + " not mounted: " + in.selinuxfs_detail);
  }
  if (!in.config_exists) {
    return Probe::no(std::string(kSelinuxConfig) + " missing: " + in.config_detail);
  }
  if (!in.exec_attr_exists) {
    return Probe::no(std::string(kSelinuxExecAttr) + " missing: " + in.exec_attr_detail);
  }
  return Probe::yes();
}

// libselinux's is_selinux_enabled() without linking libselinux (its constructor alone cost
// every grove verb a statfs, /proc/filesystems, /etc/selinux/config, and the pcre2 library's
// relocations): a writable selinuxfs at kSelinuxFs (libselinux's verify_selinuxmnt: read-only
// means "disabled", which is how a container is told) and a policy configuration
// (has_selinux_config). libselinux also looks for selinuxfs at /selinux and in /proc/mounts; a
// label is only ever applied through kSelinuxFs's kernel, so that is the mount checked.
Probe probe_selinux(sys::Ops& ops) {
  SelinuxProbeInputs in;
  auto fs = ops.statfs(kSelinuxFs);
  if (!fs) {
    in.selinuxfs_detail = fs.error().message();
  } else if (static_cast<long>(static_cast<unsigned long>(fs->f_type) & 0xffffffffUL) !=
             kSelinuxMagic) {
    char hex[32];
    std::snprintf(hex, sizeof hex, "0x%lx", static_cast<unsigned long>(fs->f_type));
    in.selinuxfs_detail = std::string("f_type ") + hex + " is not selinuxfs";
  } else if ((fs->f_flags & ST_RDONLY) != 0) {
    in.selinuxfs_detail = "mounted read-only (selinux disabled for this process)";
  } else {
    in.selinuxfs_mounted = true;
  }
  auto config = ops.fstatat(AT_FDCWD, kSelinuxConfig, 0);
  in.config_exists = config.has_value();
  if (!config) in.config_detail = config.error().message();
  // The exec attribute is what apply_exec_label writes; without it a label cannot be applied.
  auto st = ops.fstatat(AT_FDCWD, kSelinuxExecAttr, 0);
  in.exec_attr_exists = st.has_value();
  if (!st) in.exec_attr_detail = st.error().message();
  return evaluate_selinux(in);
}

const char* to_string(CgroupLayout layout) noexcept {
  switch (layout) {
    case CgroupLayout::kUnified:
      return "v2";
    case CgroupLayout::kHybrid:
      return "hybrid";
    case CgroupLayout::kLegacy:
      return "v1";
    case CgroupLayout::kNone:
      return "none";
  }
  return "none";
}

CgroupLayout probe_cgroup_layout(Ops& ops, std::string* detail) {
  std::string sink;
  if (detail == nullptr) detail = &sink;
  auto top = ops.statfs("/sys/fs/cgroup");
  if (!top) {
    *detail = top.error().message();
    return CgroupLayout::kNone;
  }
  auto controllers = [&ops](const std::string& dir) {
    auto c = ops.read_file_at(AT_FDCWD, dir + "/cgroup.controllers");
    std::string v = c ? *c : "";
    while (!v.empty() && v.back() == '\n') v.pop_back();
    return v.empty() ? std::string("no controllers") : "controllers: " + v;
  };
  if (static_cast<uint64_t>(top->f_type) == CGROUP2_SUPER_MAGIC) {
    *detail = "v2 at /sys/fs/cgroup, " + controllers("/sys/fs/cgroup");
    return CgroupLayout::kUnified;
  }
  auto unified = ops.statfs("/sys/fs/cgroup/unified");
  if (unified && static_cast<uint64_t>(unified->f_type) == CGROUP2_SUPER_MAGIC) {
    *detail = "v1 controllers at /sys/fs/cgroup, v2 at /sys/fs/cgroup/unified, " +
              controllers("/sys/fs/cgroup/unified");
    return CgroupLayout::kHybrid;
  }
  if (static_cast<uint64_t>(top->f_type) == TMPFS_MAGIC) {
    *detail = "v1 at /sys/fs/cgroup, no v2 hierarchy";
    return CgroupLayout::kLegacy;
  }
  *detail = "/sys/fs/cgroup has filesystem magic " + hex(static_cast<uint64_t>(top->f_type));
  return CgroupLayout::kNone;
}

Features probe(Ops& ops) {
  Features f;
  KernelRelease k;
  if (auto u = ops.uname()) k = *u;
  f.new_mount_api = probe_new_mount_api(ops);
  f.mount_setattr = probe_mount_setattr(ops);
  f.idmapped_mounts = f.mount_setattr
                          ? Probe::yes("with mount_setattr (5.12); per-filesystem support varies")
                          : Probe::no("needs mount_setattr: " + f.mount_setattr.reason);
  f.open_tree_namespace = probe_open_tree_namespace(ops, k);
  f.fsmount_namespace = probe_fsmount_namespace(ops, k);
  probe_nullfs_and_statmount(ops, &f);
  f.openat2 = probe_openat2(ops);
  f.clone3 = probe_clone3(ops);
  f.pidfd = probe_pidfd(ops);
  f.time_ns = probe_time_ns(ops);
  f.user_ns = probe_user_ns(ops);
  probe_filesystems(ops, k, &f);
  probe_security(ops, &f);
  f.cgroup_layout = probe_cgroup_layout(ops, &f.cgroup_detail);
  bool has_v2 =
      f.cgroup_layout == CgroupLayout::kUnified || f.cgroup_layout == CgroupLayout::kHybrid;
  if (!f.clone3) {
    f.clone_into_cgroup = Probe::no("needs clone3: " + f.clone3.reason);
  } else if (!k.at_least(5, 7)) {
    f.clone_into_cgroup = Probe::no("kernel " + k.release + " < 5.7");
  } else if (!has_v2) {
    f.clone_into_cgroup = Probe::no("no cgroup2 hierarchy (" + f.cgroup_detail + ")");
  } else {
    f.clone_into_cgroup = Probe::yes();
  }
  return f;
}

}  // namespace grove::sys
