#include "libcontainer/sys/describe.h"

#include <fcntl.h>
#include <linux/bpf.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>

#include <cstdio>

#include "libcontainer/base/strings.h"
#include "libcontainer/sys/uapi.h"

namespace grove::sys {
namespace {

void append(std::string* out, const std::string& term) {
  if (!out->empty()) *out += '|';
  *out += term;
}

constexpr FlagName kAtFlags[] = {
    {AT_SYMLINK_NOFOLLOW, "AT_SYMLINK_NOFOLLOW"},
    {AT_REMOVEDIR, "AT_REMOVEDIR"},
    {AT_SYMLINK_FOLLOW, "AT_SYMLINK_FOLLOW"},
    {AT_NO_AUTOMOUNT, "AT_NO_AUTOMOUNT"},
    {AT_EMPTY_PATH, "AT_EMPTY_PATH"},
    {AT_RECURSIVE, "AT_RECURSIVE"},
};

// AT_REMOVEDIR (0x200) shares its value with AT_EACCESS; open_tree never takes it, so the open_tree
// table lists only the bits open_tree accepts.
constexpr FlagName kOpenTreeFlags[] = {
    {OPEN_TREE_CLONE, "OPEN_TREE_CLONE"},     {OPEN_TREE_NAMESPACE, "OPEN_TREE_NAMESPACE"},
    {OPEN_TREE_CLOEXEC, "OPEN_TREE_CLOEXEC"}, {AT_SYMLINK_NOFOLLOW, "AT_SYMLINK_NOFOLLOW"},
    {AT_NO_AUTOMOUNT, "AT_NO_AUTOMOUNT"},     {AT_EMPTY_PATH, "AT_EMPTY_PATH"},
    {AT_RECURSIVE, "AT_RECURSIVE"},
};

constexpr FlagName kMoveMountFlags[] = {
    {MOVE_MOUNT_F_SYMLINKS, "F_SYMLINKS"},     {MOVE_MOUNT_F_AUTOMOUNTS, "F_AUTOMOUNTS"},
    {MOVE_MOUNT_F_EMPTY_PATH, "F_EMPTY_PATH"}, {MOVE_MOUNT_T_SYMLINKS, "T_SYMLINKS"},
    {MOVE_MOUNT_T_AUTOMOUNTS, "T_AUTOMOUNTS"}, {MOVE_MOUNT_T_EMPTY_PATH, "T_EMPTY_PATH"},
    {MOVE_MOUNT_SET_GROUP, "SET_GROUP"},       {MOVE_MOUNT_BENEATH, "BENEATH"},
};

constexpr FlagName kFsmountFlags[] = {
    {FSMOUNT_CLOEXEC, "FSMOUNT_CLOEXEC"},
    {FSMOUNT_NAMESPACE, "FSMOUNT_NAMESPACE"},
};

constexpr FlagName kFspickFlags[] = {
    {FSPICK_CLOEXEC, "FSPICK_CLOEXEC"},
    {FSPICK_SYMLINK_NOFOLLOW, "FSPICK_SYMLINK_NOFOLLOW"},
    {FSPICK_NO_AUTOMOUNT, "FSPICK_NO_AUTOMOUNT"},
    {FSPICK_EMPTY_PATH, "FSPICK_EMPTY_PATH"},
};

// MOUNT_ATTR__ATIME is a 3-bit field, not independent bits; NOATIME/STRICTATIME are its values.
constexpr FlagName kMountAttrFlags[] = {
    {MOUNT_ATTR_RDONLY, "RDONLY"},
    {MOUNT_ATTR_NOSUID, "NOSUID"},
    {MOUNT_ATTR_NODEV, "NODEV"},
    {MOUNT_ATTR_NOEXEC, "NOEXEC"},
    {MOUNT_ATTR_NODIRATIME, "NODIRATIME"},
    {MOUNT_ATTR_IDMAP, "IDMAP"},
    {MOUNT_ATTR_NOSYMFOLLOW, "NOSYMFOLLOW"},
};

constexpr FlagName kPropagation[] = {
    {MS_REC, "REC"},     {MS_PRIVATE, "PRIVATE"},       {MS_SHARED, "SHARED"},
    {MS_SLAVE, "SLAVE"}, {MS_UNBINDABLE, "UNBINDABLE"},
};

constexpr FlagName kMsFlags[] = {
    {MS_RDONLY, "MS_RDONLY"},
    {MS_NOSUID, "MS_NOSUID"},
    {MS_NODEV, "MS_NODEV"},
    {MS_NOEXEC, "MS_NOEXEC"},
    {MS_SYNCHRONOUS, "MS_SYNCHRONOUS"},
    {MS_REMOUNT, "MS_REMOUNT"},
    {MS_MANDLOCK, "MS_MANDLOCK"},
    {MS_DIRSYNC, "MS_DIRSYNC"},
    {MS_NOSYMFOLLOW, "MS_NOSYMFOLLOW"},
    {MS_NOATIME, "MS_NOATIME"},
    {MS_NODIRATIME, "MS_NODIRATIME"},
    {MS_BIND, "MS_BIND"},
    {MS_MOVE, "MS_MOVE"},
    {MS_REC, "MS_REC"},
    {MS_SILENT, "MS_SILENT"},
    {MS_POSIXACL, "MS_POSIXACL"},
    {MS_UNBINDABLE, "MS_UNBINDABLE"},
    {MS_PRIVATE, "MS_PRIVATE"},
    {MS_SLAVE, "MS_SLAVE"},
    {MS_SHARED, "MS_SHARED"},
    {MS_RELATIME, "MS_RELATIME"},
    {MS_STRICTATIME, "MS_STRICTATIME"},
    {MS_LAZYTIME, "MS_LAZYTIME"},
};

constexpr FlagName kUmountFlags[] = {
    {MNT_FORCE, "MNT_FORCE"},
    {MNT_DETACH, "MNT_DETACH"},
    {MNT_EXPIRE, "MNT_EXPIRE"},
    {UMOUNT_NOFOLLOW, "UMOUNT_NOFOLLOW"},
};

constexpr FlagName kCloneFlags[] = {
    {CLONE_VM, "CLONE_VM"},
    {CLONE_FS, "CLONE_FS"},
    {CLONE_FILES, "CLONE_FILES"},
    {CLONE_SIGHAND, "CLONE_SIGHAND"},
    {CLONE_PIDFD, "CLONE_PIDFD"},
    {CLONE_PTRACE, "CLONE_PTRACE"},
    {CLONE_VFORK, "CLONE_VFORK"},
    {CLONE_PARENT, "CLONE_PARENT"},
    {CLONE_THREAD, "CLONE_THREAD"},
    {CLONE_NEWNS, "CLONE_NEWNS"},
    {CLONE_SYSVSEM, "CLONE_SYSVSEM"},
    {CLONE_SETTLS, "CLONE_SETTLS"},
    {CLONE_PARENT_SETTID, "CLONE_PARENT_SETTID"},
    {CLONE_CHILD_CLEARTID, "CLONE_CHILD_CLEARTID"},
    {CLONE_UNTRACED, "CLONE_UNTRACED"},
    {CLONE_CHILD_SETTID, "CLONE_CHILD_SETTID"},
    {CLONE_NEWCGROUP, "CLONE_NEWCGROUP"},
    {CLONE_NEWUTS, "CLONE_NEWUTS"},
    {CLONE_NEWIPC, "CLONE_NEWIPC"},
    {CLONE_NEWUSER, "CLONE_NEWUSER"},
    {CLONE_NEWPID, "CLONE_NEWPID"},
    {CLONE_NEWNET, "CLONE_NEWNET"},
    {CLONE_IO, "CLONE_IO"},
    {CLONE_NEWTIME, "CLONE_NEWTIME"},
    {CLONE_CLEAR_SIGHAND, "CLONE_CLEAR_SIGHAND"},
    {CLONE_INTO_CGROUP, "CLONE_INTO_CGROUP"},
};

constexpr FlagName kOpenFlags[] = {
    {O_CREAT, "O_CREAT"},
    {O_EXCL, "O_EXCL"},
    {O_NOCTTY, "O_NOCTTY"},
    {O_TRUNC, "O_TRUNC"},
    {O_APPEND, "O_APPEND"},
    {O_NONBLOCK, "O_NONBLOCK"},
    {O_DSYNC, "O_DSYNC"},
    {O_DIRECT, "O_DIRECT"},
    {O_LARGEFILE, "O_LARGEFILE"},
    {O_DIRECTORY, "O_DIRECTORY"},
    {O_NOFOLLOW, "O_NOFOLLOW"},
    {O_NOATIME, "O_NOATIME"},
    {O_CLOEXEC, "O_CLOEXEC"},
    {O_PATH, "O_PATH"},
    {O_TMPFILE & ~O_DIRECTORY, "O_TMPFILE"},
    {O_SYNC & ~O_DSYNC, "O_SYNC"},
};

constexpr FlagName kResolveFlags[] = {
    {RESOLVE_NO_XDEV, "RESOLVE_NO_XDEV"},         {RESOLVE_NO_MAGICLINKS, "RESOLVE_NO_MAGICLINKS"},
    {RESOLVE_NO_SYMLINKS, "RESOLVE_NO_SYMLINKS"}, {RESOLVE_BENEATH, "RESOLVE_BENEATH"},
    {RESOLVE_IN_ROOT, "RESOLVE_IN_ROOT"},         {RESOLVE_CACHED, "RESOLVE_CACHED"},
};

}  // namespace

std::string describe_bits(uint64_t value, std::span<const FlagName> table) {
  if (value == 0) return "0";
  std::string out;
  uint64_t rest = value;
  for (const FlagName& f : table) {
    if (f.bit != 0 && (value & f.bit) == f.bit && (rest & f.bit) != 0) {
      append(&out, f.name);
      rest &= ~f.bit;
    }
  }
  if (rest != 0) append(&out, hex(rest));
  return out;
}

std::string describe_open_tree_flags(unsigned flags) {
  return describe_bits(flags, kOpenTreeFlags);
}
std::string describe_move_mount_flags(unsigned flags) {
  return describe_bits(flags, kMoveMountFlags);
}
std::string describe_fsmount_flags(unsigned flags) { return describe_bits(flags, kFsmountFlags); }
std::string describe_fspick_flags(unsigned flags) { return describe_bits(flags, kFspickFlags); }

std::string describe_mount_attr_flags(uint64_t attrs) {
  std::string out;
  uint64_t atime = attrs & MOUNT_ATTR__ATIME;
  uint64_t rest = attrs & ~static_cast<uint64_t>(MOUNT_ATTR__ATIME);
  if (rest != 0) out = describe_bits(rest, kMountAttrFlags);
  if (atime == MOUNT_ATTR_NOATIME)
    append(&out, "NOATIME");
  else if (atime == MOUNT_ATTR_STRICTATIME)
    append(&out, "STRICTATIME");
  else if (atime != 0)
    append(&out, "ATIME=" + hex(atime));
  return out.empty() ? "0" : out;
}

std::string describe_mount_attr(const MountAttr& attr) {
  std::string out;
  auto add = [&out](const std::string& term) {
    if (!out.empty()) out += ' ';
    out += term;
  };
  if (attr.attr_set != 0) add(describe_mount_attr_flags(attr.attr_set));
  // Clearing MOUNT_ATTR__ATIME is how a caller selects RELATIME (value 0): show it as such.
  if (attr.attr_clr != 0) {
    if ((attr.attr_clr & MOUNT_ATTR__ATIME) == MOUNT_ATTR__ATIME &&
        (attr.attr_set & MOUNT_ATTR__ATIME) == 0) {
      uint64_t rest = attr.attr_clr & ~static_cast<uint64_t>(MOUNT_ATTR__ATIME);
      add(rest ? "clr=" + describe_mount_attr_flags(rest) + "|ATIME" : "clr=ATIME");
    } else {
      add("clr=" + describe_mount_attr_flags(attr.attr_clr));
    }
  }
  if (attr.propagation != 0) add("propagation=" + describe_propagation(attr.propagation));
  if (attr.attr_set & MOUNT_ATTR_IDMAP) add("userns_fd=" + std::to_string(attr.userns_fd));
  return out.empty() ? "0" : out;
}

std::string describe_propagation(uint64_t propagation) {
  return describe_bits(propagation, kPropagation);
}
std::string describe_ms_flags(unsigned long flags) { return describe_bits(flags, kMsFlags); }
std::string describe_umount_flags(int flags) {
  return describe_bits(static_cast<unsigned>(flags), kUmountFlags);
}
std::string describe_at_flags(int flags) {
  return describe_bits(static_cast<unsigned>(flags), kAtFlags);
}
std::string describe_clone_flags(uint64_t flags) { return describe_bits(flags, kCloneFlags); }

std::string describe_open_flags(uint64_t flags) {
  std::string out;
  switch (flags & O_ACCMODE) {
    case O_RDONLY:
      out = "O_RDONLY";
      break;
    case O_WRONLY:
      out = "O_WRONLY";
      break;
    case O_RDWR:
      out = "O_RDWR";
      break;
    default:
      out = "O_ACCMODE";
      break;
  }
  uint64_t rest = flags & ~static_cast<uint64_t>(O_ACCMODE);
  // O_TMPFILE includes O_DIRECTORY; render it once as O_TMPFILE.
  if ((rest & O_TMPFILE) == static_cast<uint64_t>(O_TMPFILE))
    rest &= ~static_cast<uint64_t>(O_DIRECTORY);
  if (rest != 0) append(&out, describe_bits(rest, kOpenFlags));
  return out;
}

std::string describe_resolve_flags(uint64_t resolve) {
  return describe_bits(resolve, kResolveFlags);
}

std::string describe_mode(mode_t mode) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "0%o", static_cast<unsigned>(mode & 07777));
  std::string perm = buf;
  switch (mode & S_IFMT) {
    case 0:
      return perm;
    case S_IFREG:
      return "S_IFREG|" + perm;
    case S_IFDIR:
      return "S_IFDIR|" + perm;
    case S_IFCHR:
      return "S_IFCHR|" + perm;
    case S_IFBLK:
      return "S_IFBLK|" + perm;
    case S_IFIFO:
      return "S_IFIFO|" + perm;
    case S_IFSOCK:
      return "S_IFSOCK|" + perm;
    case S_IFLNK:
      return "S_IFLNK|" + perm;
    default:
      return hex(mode & S_IFMT) + "|" + perm;
  }
}

std::string describe_signal(int sig) {
  const char* abbrev = sig > 0 ? sigabbrev_np(sig) : nullptr;
  if (abbrev == nullptr) return std::to_string(sig);
  return std::string("SIG") + abbrev;
}

// --- bpf (cgroup devices) ---
namespace {
constexpr FlagName kBpfAttachFlags[] = {
    {BPF_F_ALLOW_OVERRIDE, "ALLOW_OVERRIDE"},
    {BPF_F_ALLOW_MULTI, "ALLOW_MULTI"},
    {BPF_F_REPLACE, "REPLACE"},
};
}  // namespace
std::string describe_bpf_attach_flags(uint32_t flags) {
  return describe_bits(flags, kBpfAttachFlags);
}

}  // namespace grove::sys
