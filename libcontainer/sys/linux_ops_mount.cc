// LinuxOps: the mount API (new fd-based and legacy). Raw syscall(2) for everything glibc 2.36
// does not wrap or wraps with an older flag set; constants come from uapi.h.

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>
#include <vector>

#include "libcontainer/sys/describe.h"
#include "libcontainer/sys/linux_ops.h"
#include "libcontainer/sys/linux_ops_internal.h"
#include "libcontainer/sys/uapi.h"

namespace grove::sys {

using internal::at;
using internal::check;
using internal::check_fd;
using internal::fd_str;

namespace {

struct mount_attr to_kernel(const MountAttr& a) {
  struct mount_attr k;
  std::memset(&k, 0, sizeof(k));
  k.attr_set = a.attr_set;
  k.attr_clr = a.attr_clr;
  k.propagation = a.propagation;
  k.userns_fd = a.userns_fd < 0 ? 0 : static_cast<uint64_t>(a.userns_fd);
  return k;
}

std::string str_at(const std::vector<char>& buf, uint32_t off) {
  size_t base = sizeof(uapi::StatmountBuf);
  if (base + off >= buf.size()) return {};
  const char* s = buf.data() + base + off;
  return std::string(s, strnlen(s, buf.size() - base - off));
}

MountStat parse_statmount(const std::vector<char>& buf) {
  uapi::StatmountBuf h;
  std::memcpy(&h, buf.data(), sizeof(h));
  MountStat st;
  st.mnt_id = h.mnt_id;
  st.parent_id = h.mnt_parent_id;
  st.mnt_id_old = h.mnt_id_old;
  st.sb_magic = h.sb_magic;
  st.attrs = h.mnt_attr;
  st.propagation = h.mnt_propagation;
  if (h.mask & STATMOUNT_FS_TYPE) st.fs_type = str_at(buf, h.fs_type);
  if (h.mask & STATMOUNT_MNT_POINT) st.mount_point = str_at(buf, h.mnt_point);
  if (h.mask & STATMOUNT_MNT_ROOT) st.mount_root = str_at(buf, h.mnt_root);
  if (h.mask & STATMOUNT_MNT_NS_ID) st.mnt_ns_id = h.mnt_ns_id;
  return st;
}

constexpr uint64_t kStatmountMask = STATMOUNT_SB_BASIC | STATMOUNT_MNT_BASIC | STATMOUNT_MNT_ROOT |
                                    STATMOUNT_MNT_POINT | STATMOUNT_FS_TYPE;

// statmount(2) with a growing buffer: the kernel answers EOVERFLOW when the strings do not fit.
// STATMOUNT_MNT_NS_ID arrived after 6.8; a kernel that rejects it with EINVAL is asked again
// without it.
long do_statmount(uapi::MntIdReq req, unsigned flags, std::vector<char>* buf) {
  buf->assign(4096, 0);
  req.param = kStatmountMask | STATMOUNT_MNT_NS_ID;
  for (;;) {
    long rc = syscall(__NR_statmount, &req, buf->data(), buf->size(), flags);
    if (rc == 0) return 0;
    if (errno == EOVERFLOW && buf->size() < (1u << 20)) {
      buf->assign(buf->size() * 4, 0);
    } else if (errno == EINVAL && (req.param & STATMOUNT_MNT_NS_ID)) {
      req.param &= ~static_cast<uint64_t>(STATMOUNT_MNT_NS_ID);
    } else {
      return rc;
    }
  }
}

}  // namespace

Result<UniqueFd> LinuxOps::open_tree(int dirfd, const std::string& path, unsigned flags) {
  flags |= OPEN_TREE_CLOEXEC;
  long rc = syscall(__NR_open_tree, dirfd, path.c_str(), flags);
  return check_fd(rc, [&] {
    return "open_tree(" + at(dirfd, path) + ", " + describe_open_tree_flags(flags) + ")";
  });
}

Result<UniqueFd> LinuxOps::open_tree_attr(int dirfd, const std::string& path, unsigned flags,
                                          const MountAttr& attr) {
  flags |= OPEN_TREE_CLOEXEC;
  struct mount_attr k = to_kernel(attr);
  long rc = syscall(__NR_open_tree_attr, dirfd, path.c_str(), flags, &k, sizeof(k));
  return check_fd(rc, [&] {
    return "open_tree_attr(" + at(dirfd, path) + ", " + describe_open_tree_flags(flags) + ", " +
           describe_mount_attr(attr) + ")";
  });
}

Status LinuxOps::move_mount(int from_dirfd, const std::string& from_path, int to_dirfd,
                            const std::string& to_path, unsigned flags) {
  long rc =
      syscall(__NR_move_mount, from_dirfd, from_path.c_str(), to_dirfd, to_path.c_str(), flags);
  return check(rc, [&] {
    return "move_mount(" + at(from_dirfd, from_path) + ", " + at(to_dirfd, to_path) + ", " +
           describe_move_mount_flags(flags) + ")";
  });
}

Result<UniqueFd> LinuxOps::fsopen(const std::string& fs_name, unsigned flags) {
  flags |= FSOPEN_CLOEXEC;
  long rc = syscall(__NR_fsopen, fs_name.c_str(), flags);
  return check_fd(rc, [&] { return "fsopen(" + q(fs_name) + ")"; });
}

// fsconfig failures carry more detail in the fs context's log (read(fsfd)); the key and value in
// the frame are usually enough to see which option the filesystem rejected.
Status LinuxOps::fsconfig_set_flag(int fsfd, const std::string& key) {
  long rc = syscall(__NR_fsconfig, fsfd, FSCONFIG_SET_FLAG, key.c_str(), nullptr, 0);
  return check(rc, [&] { return "fsconfig(" + fd_str(fsfd) + ", SET_FLAG, " + q(key) + ")"; });
}

Status LinuxOps::fsconfig_set_string(int fsfd, const std::string& key, const std::string& value) {
  long rc = syscall(__NR_fsconfig, fsfd, FSCONFIG_SET_STRING, key.c_str(), value.c_str(), 0);
  return check(rc, [&] {
    return "fsconfig(" + fd_str(fsfd) + ", SET_STRING, " + q(key) + ", " + q(value) + ")";
  });
}

Status LinuxOps::fsconfig_set_fd(int fsfd, const std::string& key, int fd) {
  long rc = syscall(__NR_fsconfig, fsfd, FSCONFIG_SET_FD, key.c_str(), nullptr, fd);
  return check(rc, [&] {
    return "fsconfig(" + fd_str(fsfd) + ", SET_FD, " + q(key) + ", " + fd_str(fd) + ")";
  });
}

Status LinuxOps::fsconfig_set_path(int fsfd, const std::string& key, int dirfd,
                                   const std::string& path) {
  unsigned cmd = path.empty() ? FSCONFIG_SET_PATH_EMPTY : FSCONFIG_SET_PATH;
  long rc = syscall(__NR_fsconfig, fsfd, cmd, key.c_str(), path.c_str(), dirfd);
  return check(rc, [&] {
    return "fsconfig(" + fd_str(fsfd) + ", SET_PATH, " + q(key) + ", " + at(dirfd, path) + ")";
  });
}

Status LinuxOps::fsconfig_create(int fsfd) {
  long rc = syscall(__NR_fsconfig, fsfd, FSCONFIG_CMD_CREATE, nullptr, nullptr, 0);
  return check(rc, [&] { return "fsconfig(" + fd_str(fsfd) + ", CMD_CREATE)"; });
}

Status LinuxOps::fsconfig_reconfigure(int fsfd) {
  long rc = syscall(__NR_fsconfig, fsfd, FSCONFIG_CMD_RECONFIGURE, nullptr, nullptr, 0);
  return check(rc, [&] { return "fsconfig(" + fd_str(fsfd) + ", CMD_RECONFIGURE)"; });
}

Result<UniqueFd> LinuxOps::fsmount(int fsfd, unsigned flags, unsigned attr_flags) {
  flags |= FSMOUNT_CLOEXEC;
  long rc = syscall(__NR_fsmount, fsfd, flags, attr_flags);
  return check_fd(rc, [&] {
    return "fsmount(" + fd_str(fsfd) + ", " + describe_fsmount_flags(flags) + ", " +
           describe_mount_attr_flags(attr_flags) + ")";
  });
}

Result<UniqueFd> LinuxOps::fspick(int dirfd, const std::string& path, unsigned flags) {
  flags |= FSPICK_CLOEXEC;
  long rc = syscall(__NR_fspick, dirfd, path.c_str(), flags);
  return check_fd(
      rc, [&] { return "fspick(" + at(dirfd, path) + ", " + describe_fspick_flags(flags) + ")"; });
}

Status LinuxOps::mount_setattr(int dirfd, const std::string& path, unsigned flags,
                               const MountAttr& attr) {
  struct mount_attr k = to_kernel(attr);
  long rc = syscall(__NR_mount_setattr, dirfd, path.c_str(), flags, &k, sizeof(k));
  return check(rc, [&] {
    std::string f = flags ? describe_at_flags(static_cast<int>(flags)) + ", " : "";
    return "mount_setattr(" + at(dirfd, path) + ", " + f + describe_mount_attr(attr) + ")";
  });
}

Result<MountStat> LinuxOps::statmount(uint64_t mnt_id) {
  uapi::MntIdReq req{};
  req.size = MNT_ID_REQ_SIZE_VER0;
  req.mnt_id = mnt_id;
  std::vector<char> buf;
  if (do_statmount(req, 0, &buf) < 0) {
    return Error::last("statmount(" + std::to_string(mnt_id) + ")");
  }
  return parse_statmount(buf);
}

Result<MountStat> LinuxOps::statmount_fd(int fd) {
  uapi::MntIdReq req{};
  req.size = MNT_ID_REQ_SIZE_VER0;
  req.mnt_fd = static_cast<uint32_t>(fd);
  std::vector<char> buf;
  if (do_statmount(req, STATMOUNT_BY_FD, &buf) < 0) {
    return Error::last("statmount(" + fd_str(fd) + ", STATMOUNT_BY_FD)");
  }
  return parse_statmount(buf);
}

Result<std::vector<uint64_t>> LinuxOps::listmount(uint64_t mnt_id, unsigned flags) {
  uapi::MntIdReq req{};
  req.size = MNT_ID_REQ_SIZE_VER0;
  req.mnt_id = mnt_id;
  std::vector<uint64_t> out;
  uint64_t page[256];
  // listmount returns at most `nr` ids; continue after the last one until a short page.
  for (;;) {
    long n = syscall(__NR_listmount, &req, page, std::size(page), flags);
    if (n < 0) {
      std::string id = mnt_id == LSMT_ROOT ? "LSMT_ROOT" : std::to_string(mnt_id);
      return Error::last("listmount(" + id + (flags ? ", REVERSE" : "") + ")");
    }
    out.insert(out.end(), page, page + n);
    if (static_cast<size_t>(n) < std::size(page)) return out;
    req.param = page[n - 1];
  }
}

Result<uint64_t> LinuxOps::statx_mnt_id(int dirfd, const std::string& path, int at_flags) {
  struct statx stx;
  std::memset(&stx, 0, sizeof(stx));
  if (::statx(dirfd, path.c_str(), at_flags, STATX_MNT_ID_UNIQUE, &stx) < 0) {
    return Error::last("statx(" + at(dirfd, path) + ", STATX_MNT_ID_UNIQUE)");
  }
  if ((stx.stx_mask & STATX_MNT_ID_UNIQUE) == 0) {
    return Error::not_supported("statx(" + at(dirfd, path) +
                                "): kernel lacks STATX_MNT_ID_UNIQUE (needs >= 6.8)");
  }
  // stx_mnt_id sits at offset 0x90; glibc 2.36's struct statx calls it padding while the kernel
  // header's has the field, and which one is visible depends on include order: read by offset.
  static_assert(sizeof(struct statx) == 256);
  uint64_t id;
  std::memcpy(&id, reinterpret_cast<const char*>(&stx) + 0x90, sizeof(id));
  return id;
}

Status LinuxOps::mount(const std::string& source, const std::string& target,
                       const std::string& fstype, unsigned long flags, const std::string& data) {
  auto opt = [](const std::string& s) { return s.empty() ? nullptr : s.c_str(); };
  int rc = ::mount(opt(source), target.c_str(), opt(fstype), flags, opt(data));
  return check(rc, [&] {
    std::string out = "mount(" + q(source) + ", " + q(target) + ", " + q(fstype) + ", " +
                      describe_ms_flags(flags);
    if (!data.empty()) out += ", " + q(data);
    return out + ")";
  });
}

Status LinuxOps::umount2(const std::string& target, int flags) {
  int rc = ::umount2(target.c_str(), flags);
  return check(rc,
               [&] { return "umount2(" + q(target) + ", " + describe_umount_flags(flags) + ")"; });
}

Status LinuxOps::pivot_root(const std::string& new_root, const std::string& put_old) {
  long rc = syscall(SYS_pivot_root, new_root.c_str(), put_old.c_str());
  return check(rc, [&] { return "pivot_root(" + q(new_root) + ", " + q(put_old) + ")"; });
}

Status LinuxOps::chroot(const std::string& path) {
  return check(::chroot(path.c_str()), [&] { return "chroot(" + q(path) + ")"; });
}

Status LinuxOps::chdir(const std::string& path) {
  return check(::chdir(path.c_str()), [&] { return "chdir(" + q(path) + ")"; });
}

Status LinuxOps::fchdir(int fd) {
  return check(::fchdir(fd), [&] { return "fchdir(" + fd_str(fd) + ")"; });
}

}  // namespace grove::sys
