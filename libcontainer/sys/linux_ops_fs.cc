// LinuxOps: files and directories (fd-relative everywhere; openat2 for in-root resolution).

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cstring>

#include "libcontainer/sys/describe.h"
#include "libcontainer/sys/linux_ops.h"
#include "libcontainer/sys/linux_ops_internal.h"
#include "libcontainer/sys/uapi.h"

namespace grove::sys {

using internal::at;
using internal::check;
using internal::check_fd;
using internal::fd_str;

Result<UniqueFd> LinuxOps::openat(int dirfd, const std::string& path, int flags, mode_t mode) {
  flags |= O_CLOEXEC;
  int rc;
  do {
    rc = ::openat(dirfd, path.c_str(), flags, mode);
  } while (rc < 0 && errno == EINTR);
  return check_fd(rc, [&] {
    std::string out = "openat(" + at(dirfd, path) + ", " + describe_open_flags(flags);
    if (flags & (O_CREAT | O_TMPFILE)) out += ", " + describe_mode(mode);
    return out + ")";
  });
}

Result<UniqueFd> LinuxOps::openat2(int dirfd, const std::string& path, const OpenHow& how) {
  struct open_how k;
  std::memset(&k, 0, sizeof(k));
  k.flags = how.flags | O_CLOEXEC;
  k.mode = how.mode;
  k.resolve = how.resolve;
  long rc;
  // EAGAIN: RESOLVE_CACHED could not be satisfied, or a rename raced with RESOLVE_IN_ROOT /
  // RESOLVE_BENEATH lookups (the kernel asks to retry); both are worth one more try.
  int tries = 0;
  do {
    rc = syscall(__NR_openat2, dirfd, path.c_str(), &k, sizeof(k));
  } while (rc < 0 && (errno == EINTR || (errno == EAGAIN && ++tries < 8)));
  return check_fd(rc, [&] {
    return "openat2(" + at(dirfd, path) + ", " + describe_open_flags(k.flags) + ", " +
           describe_resolve_flags(how.resolve) + ")";
  });
}

Status LinuxOps::mkdirat(int dirfd, const std::string& path, mode_t mode) {
  return check(::mkdirat(dirfd, path.c_str(), mode),
               [&] { return "mkdirat(" + at(dirfd, path) + ", " + describe_mode(mode) + ")"; });
}

Status LinuxOps::mknodat(int dirfd, const std::string& path, mode_t mode, dev_t dev) {
  return check(::mknodat(dirfd, path.c_str(), mode, dev), [&] {
    return "mknodat(" + at(dirfd, path) + ", " + describe_mode(mode) + ", " +
           std::to_string(major(dev)) + ":" + std::to_string(minor(dev)) + ")";
  });
}

Status LinuxOps::symlinkat(const std::string& target, int dirfd, const std::string& linkpath) {
  return check(::symlinkat(target.c_str(), dirfd, linkpath.c_str()),
               [&] { return "symlinkat(" + q(target) + ", " + at(dirfd, linkpath) + ")"; });
}

Result<std::string> LinuxOps::readlinkat(int dirfd, const std::string& path) {
  std::string buf(256, '\0');
  for (;;) {
    ssize_t n = ::readlinkat(dirfd, path.c_str(), buf.data(), buf.size());
    if (n < 0) return Error::last("readlinkat(" + at(dirfd, path) + ")");
    if (static_cast<size_t>(n) < buf.size()) {
      buf.resize(static_cast<size_t>(n));
      return buf;
    }
    buf.resize(buf.size() * 4);  // possibly truncated: grow and ask again
  }
}

Status LinuxOps::unlinkat(int dirfd, const std::string& path, int flags) {
  return check(::unlinkat(dirfd, path.c_str(), flags), [&] {
    std::string f = flags ? ", " + describe_at_flags(flags) : "";
    return "unlinkat(" + at(dirfd, path) + f + ")";
  });
}

Status LinuxOps::renameat2(int olddirfd, const std::string& oldpath, int newdirfd,
                           const std::string& newpath, unsigned flags) {
  long rc = ::renameat2(olddirfd, oldpath.c_str(), newdirfd, newpath.c_str(), flags);
  return check(rc, [&] {
    std::string f = flags == RENAME_NOREPLACE  ? ", RENAME_NOREPLACE"
                    : flags == RENAME_EXCHANGE ? ", RENAME_EXCHANGE"
                    : flags                    ? ", " + std::to_string(flags)
                                               : "";
    return "renameat2(" + at(olddirfd, oldpath) + ", " + at(newdirfd, newpath) + f + ")";
  });
}

Status LinuxOps::fchownat(int dirfd, const std::string& path, uid_t uid, gid_t gid, int flags) {
  return check(::fchownat(dirfd, path.c_str(), uid, gid, flags), [&] {
    std::string f = flags ? ", " + describe_at_flags(flags) : "";
    return "fchownat(" + at(dirfd, path) + ", " + std::to_string(uid) + ", " + std::to_string(gid) +
           f + ")";
  });
}

Status LinuxOps::fchmodat(int dirfd, const std::string& path, mode_t mode, int flags) {
  return check(::fchmodat(dirfd, path.c_str(), mode, flags),
               [&] { return "fchmodat(" + at(dirfd, path) + ", " + describe_mode(mode) + ")"; });
}

Status LinuxOps::fchmod(int fd, mode_t mode) {
  return check(::fchmod(fd, mode),
               [&] { return "fchmod(" + fd_str(fd) + ", " + describe_mode(mode) + ")"; });
}

Result<struct stat> LinuxOps::fstat(int fd) {
  struct stat st;
  if (::fstat(fd, &st) < 0) return Error::last("fstat(" + fd_str(fd) + ")");
  return st;
}

Result<struct stat> LinuxOps::fstatat(int dirfd, const std::string& path, int flags) {
  struct stat st;
  if (path.empty()) flags |= AT_EMPTY_PATH;
  if (::fstatat(dirfd, path.c_str(), &st, flags) < 0) {
    return Error::last("fstatat(" + at(dirfd, path) + ")");
  }
  return st;
}

Result<struct statfs> LinuxOps::fstatfs(int fd) {
  struct statfs st;
  if (::fstatfs(fd, &st) < 0) return Error::last("fstatfs(" + fd_str(fd) + ")");
  return st;
}

Result<struct statfs> LinuxOps::statfs(const std::string& path) {
  struct statfs st;
  if (::statfs(path.c_str(), &st) < 0) return Error::last("statfs(" + q(path) + ")");
  return st;
}

Result<std::string> LinuxOps::read_file_at(int dirfd, const std::string& path) {
  GROVE_ASSIGN_OR_RETURN(UniqueFd fd, openat(dirfd, path, O_RDONLY | O_NOCTTY, 0));
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::last("read(" + at(dirfd, path) + ")");
    if (n == 0) return out;
    out.append(buf, static_cast<size_t>(n));
  }
}

// One write(2): procfs/cgroupfs/sysfs parse each write as a whole, so a split write would be
// two (wrong) commands; a short write is reported instead of retried.
Status LinuxOps::write_file_at(int dirfd, const std::string& path, const std::string& data) {
  GROVE_ASSIGN_OR_RETURN(UniqueFd fd, openat(dirfd, path, O_WRONLY | O_NOCTTY, 0));
  ssize_t n;
  do {
    n = ::write(fd.get(), data.data(), data.size());
  } while (n < 0 && errno == EINTR);
  if (n < 0) return Error::last("write(" + at(dirfd, path) + ", " + q(data) + ")");
  if (static_cast<size_t>(n) != data.size()) {
    return Error::from_errno(EIO, "write(" + at(dirfd, path) + ", " + q(data) + "): short write");
  }
  return ok();
}

Result<std::string> LinuxOps::read(int fd, size_t max) {
  std::string out(max, '\0');
  ssize_t n;
  do {
    n = ::read(fd, out.data(), max);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return Error::last("read(" + fd_str(fd) + ")");
  out.resize(static_cast<size_t>(n));
  return out;
}

Status LinuxOps::write(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::last("write(" + fd_str(fd) + ", " + std::to_string(data.size()) + ")");
    done += static_cast<size_t>(n);
  }
  return ok();
}

Result<std::vector<std::string>> LinuxOps::list_dir(int dirfd, const std::string& path) {
  // A fresh open: fdopendir would share (and move) the caller's file offset.
  GROVE_ASSIGN_OR_RETURN(UniqueFd fd,
                         openat(dirfd, path.empty() ? "." : path, O_RDONLY | O_DIRECTORY, 0));
  DIR* dir = ::fdopendir(fd.get());
  if (dir == nullptr) return Error::last("fdopendir(" + at(dirfd, path) + ")");
  (void)fd.release();  // owned by `dir` now
  std::vector<std::string> names;
  errno = 0;
  while (struct dirent* e = ::readdir(dir)) {
    std::string name = e->d_name;
    if (name != "." && name != "..") names.push_back(std::move(name));
  }
  int err = errno;
  ::closedir(dir);
  if (err != 0) return Error::from_errno(err, "readdir(" + at(dirfd, path) + ")");
  return names;
}

Status LinuxOps::flock(int fd, int op) {
  int rc;
  do {
    rc = ::flock(fd, op);
  } while (rc < 0 && errno == EINTR);
  return check(rc, [&] {
    std::string o = (op & LOCK_EX) ? "LOCK_EX" : (op & LOCK_SH) ? "LOCK_SH" : "LOCK_UN";
    if (op & LOCK_NB) o += "|LOCK_NB";
    return "flock(" + fd_str(fd) + ", " + o + ")";
  });
}

Status LinuxOps::fsync(int fd) {
  return check(::fsync(fd), [&] { return "fsync(" + fd_str(fd) + ")"; });
}

}  // namespace grove::sys
