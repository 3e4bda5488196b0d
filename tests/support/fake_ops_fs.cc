// FakeOps: files and fd plumbing (split from fake_ops.cc to keep files < 600 lines).

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>

#include <cstring>
#include <initializer_list>

#include "libcontainer/base/strings.h"
#include "libcontainer/sys/describe.h"
#include "libcontainer/sys/uapi.h"
#include "tests/support/fake_ops.h"

namespace grove::testing {
namespace {

std::string call(const std::string& name, std::initializer_list<std::string> args) {
  return name + "(" + join(std::vector<std::string>(args), ", ") + ")";
}

std::string num(long long v) { return std::to_string(v); }

struct stat default_dir_stat() {
  struct stat st;
  std::memset(&st, 0, sizeof(st));
  st.st_mode = S_IFDIR | 0755;
  st.st_nlink = 2;
  return st;
}

}  // namespace

// "path:<path>"; a path opened beneath /proc keeps the prefix, so fstatfs sees a procfs file.
std::string FakeOps::opened_label(int dirfd, const std::string& path) const {
  if (path.empty()) return "path:" + bare_label(dirfd);
  std::string dir = bare_label(dirfd);
  if (dir == "path:/proc" || dir.starts_with("path:/proc/")) return dir + "/" + path;
  return "path:" + path;
}

Result<UniqueFd> FakeOps::openat(int dirfd, const std::string& path, int flags, mode_t mode) {
  std::string line = call("openat", {fd_name(dirfd), q(path), sys::describe_open_flags(flags),
                                     sys::describe_mode(mode)});
  if (int err = record("openat", line)) return Error::from_errno(err, line);
  return new_fd(opened_label(dirfd, path));
}

Result<UniqueFd> FakeOps::openat2(int dirfd, const std::string& path, const sys::OpenHow& how) {
  std::string line = call("openat2", {fd_name(dirfd), q(path), sys::describe_open_flags(how.flags),
                                      sys::describe_resolve_flags(how.resolve)});
  if (int err = record("openat2", line)) return Error::from_errno(err, line);
  return new_fd(opened_label(dirfd, path));
}

Status FakeOps::mkdirat(int dirfd, const std::string& path, mode_t mode) {
  return effect("mkdirat", call("mkdirat", {fd_name(dirfd), q(path), sys::describe_mode(mode)}));
}
Status FakeOps::mknodat(int dirfd, const std::string& path, mode_t mode, dev_t dev) {
  return effect("mknodat", call("mknodat", {fd_name(dirfd), q(path), sys::describe_mode(mode),
                                            num(major(dev)) + ":" + num(minor(dev))}));
}
Status FakeOps::symlinkat(const std::string& target, int dirfd, const std::string& linkpath) {
  return effect("symlinkat", call("symlinkat", {q(target), fd_name(dirfd), q(linkpath)}));
}
Result<std::string> FakeOps::readlinkat(int dirfd, const std::string& path) {
  std::string line = call("readlinkat", {fd_name(dirfd), q(path)});
  if (int err = record("readlinkat", line)) return Error::from_errno(err, line);
  auto it = links_.find(path);
  if (it == links_.end()) return Error::from_errno(ENOENT, line);
  return it->second;
}
Status FakeOps::unlinkat(int dirfd, const std::string& path, int flags) {
  return effect("unlinkat",
                call("unlinkat", {fd_name(dirfd), q(path), sys::describe_at_flags(flags)}));
}
Status FakeOps::renameat2(int olddirfd, const std::string& oldpath, int newdirfd,
                          const std::string& newpath, unsigned flags) {
  return effect("renameat2", call("renameat2", {fd_name(olddirfd), q(oldpath), fd_name(newdirfd),
                                                q(newpath), num(flags)}));
}
Status FakeOps::fchownat(int dirfd, const std::string& path, uid_t uid, gid_t gid, int flags) {
  return effect("fchownat", call("fchownat", {fd_name(dirfd), q(path), num(uid), num(gid),
                                              sys::describe_at_flags(flags)}));
}
Status FakeOps::fchmodat(int dirfd, const std::string& path, mode_t mode, int flags) {
  return effect("fchmodat", call("fchmodat", {fd_name(dirfd), q(path), sys::describe_mode(mode),
                                              sys::describe_at_flags(flags)}));
}
Status FakeOps::fchmod(int fd, mode_t mode) {
  return effect("fchmod", call("fchmod", {fd_name(fd), sys::describe_mode(mode)}));
}

Result<struct stat> FakeOps::fstat(int fd) {
  std::string line = call("fstat", {fd_name(fd)});
  if (int err = record("fstat", line)) return Error::from_errno(err, line);
  auto it = stats_.find(fd_name(fd));
  return it == stats_.end() ? default_dir_stat() : it->second;
}

Result<struct stat> FakeOps::fstatat(int dirfd, const std::string& path, int flags) {
  std::string line = call("fstatat", {fd_name(dirfd), q(path), sys::describe_at_flags(flags)});
  if (int err = record("fstatat", line)) return Error::from_errno(err, line);
  auto it = stats_.find(path.empty() ? fd_name(dirfd) : path);
  if (it == stats_.end()) {
    if (path.empty()) return default_dir_stat();
    return Error::from_errno(ENOENT, line);
  }
  return it->second;
}

Result<struct statfs> FakeOps::fstatfs(int fd) {
  std::string line = call("fstatfs", {fd_name(fd)});
  if (int err = record("fstatfs", line)) return Error::from_errno(err, line);
  struct statfs st;
  std::memset(&st, 0, sizeof(st));
  auto it = statfs_.find(fd_name(fd));
  if (it != statfs_.end()) {
    st.f_type = it->second;
  } else if (bare_label(fd) == "path:/proc" || bare_label(fd).starts_with("path:/proc/")) {
    st.f_type = PROC_SUPER_MAGIC;  // the fake host's /proc is a procfs
  }
  return st;
}

Result<struct statfs> FakeOps::statfs(const std::string& path) {
  std::string line = call("statfs", {q(path)});
  if (int err = record("statfs", line)) return Error::from_errno(err, line);
  auto it = statfs_.find(path);
  if (it == statfs_.end()) return Error::from_errno(ENOENT, line);
  struct statfs st;
  std::memset(&st, 0, sizeof(st));
  st.f_type = it->second;
  if (auto f = statfs_flags_.find(path); f != statfs_flags_.end()) st.f_flags = f->second;
  return st;
}

Result<std::string> FakeOps::read_file_at(int dirfd, const std::string& path) {
  std::string line = call("read_file_at", {fd_name(dirfd), q(path)});
  if (int err = record("read_file_at", line)) return Error::from_errno(err, line);
  auto it = files_.find(path);
  if (it == files_.end()) return Error::from_errno(ENOENT, line);
  return it->second;
}

Status FakeOps::write_file_at(int dirfd, const std::string& path, const std::string& data) {
  std::string line = call("write_file_at", {fd_name(dirfd), q(path), q(data)});
  if (int err = record("write_file_at", line)) return Error::from_errno(err, line);
  writes_.push_back({path, data});
  return ok();
}

Result<std::string> FakeOps::read(int fd, size_t max) {
  std::string line = call("read", {fd_name(fd), num(static_cast<long long>(max))});
  if (int err = record("read", line)) return Error::from_errno(err, line);
  auto it = reads_.find(fd_name(fd));
  if (it == reads_.end() || it->second.empty()) return std::string();
  std::string data = it->second.front().substr(0, max);
  it->second.erase(it->second.begin());
  return data;
}

Status FakeOps::write(int fd, const std::string& data) {
  std::string line = call("write", {fd_name(fd), q(data)});
  if (int err = record("write", line)) return Error::from_errno(err, line);
  sent_[fd_name(fd)] += data;
  return ok();
}

Result<std::vector<std::string>> FakeOps::list_dir(int dirfd, const std::string& path) {
  std::string line = call("list_dir", {fd_name(dirfd), q(path)});
  if (int err = record("list_dir", line)) return Error::from_errno(err, line);
  auto it = dirs_.find(path.empty() ? fd_name(dirfd) : path);
  if (it == dirs_.end()) return Error::from_errno(ENOENT, line);
  return it->second;
}

Status FakeOps::flock(int fd, int op) {
  return effect("flock", call("flock", {fd_name(fd), num(op)}));
}
Status FakeOps::fsync(int fd) { return effect("fsync", call("fsync", {fd_name(fd)})); }

// ---- fds
// -----------------------------------------------------------------------------------------
Status FakeOps::close_range(unsigned first, unsigned last, unsigned flags) {
  return effect("close_range", call("close_range", {num(first), num(last), num(flags)}));
}

Result<sys::FdPair> FakeOps::socketpair(int domain, int type, int protocol) {
  std::string line = call("socketpair", {num(domain), num(type), num(protocol)});
  if (int err = record("socketpair", line)) return Error::from_errno(err, line);
  std::string id = num(++next_id_);
  return sys::FdPair{new_fd("sock:" + id + ".0"), new_fd("sock:" + id + ".1")};
}

Result<sys::FdPair> FakeOps::pipe2(int flags) {
  std::string line = call("pipe2", {sys::describe_open_flags(flags)});
  if (int err = record("pipe2", line)) return Error::from_errno(err, line);
  std::string id = num(++next_id_);
  return sys::FdPair{new_fd("pipe:" + id + ".r"), new_fd("pipe:" + id + ".w")};
}

// dup3 onto a fixed number would clobber the test process's own fds (stdio): only traced.
Status FakeOps::dup3(int oldfd, int newfd, int flags) {
  return effect("dup3", call("dup3", {fd_name(oldfd), num(newfd), num(flags)}));
}

Result<UniqueFd> FakeOps::dup_cloexec(int fd, int min_fd) {
  std::string line = call("dup_cloexec", {fd_name(fd), num(min_fd)});
  if (int err = record("dup_cloexec", line)) return Error::from_errno(err, line);
  return new_fd("dup:" + bare_label(fd));
}

Status FakeOps::set_cloexec(int fd, bool on) {
  return effect("set_cloexec", call("set_cloexec", {fd_name(fd), on ? "1" : "0"}));
}

Status FakeOps::send_fds(int sock, const std::string& data, const std::vector<int>& fds) {
  std::vector<std::string> names;
  for (int fd : fds) names.push_back(fd_name(fd));
  std::string line = call("send_fds", {fd_name(sock), q(data), "[" + join(names, ", ") + "]"});
  if (int err = record("send_fds", line)) return Error::from_errno(err, line);
  sent_[fd_name(sock)] += data;
  return ok();
}

Result<sys::Ops::Received> FakeOps::recv_fds(int sock, size_t max_data, size_t max_fds) {
  std::string line = call("recv_fds", {fd_name(sock), num(static_cast<long long>(max_data)),
                                       num(static_cast<long long>(max_fds))});
  if (int err = record("recv_fds", line)) return Error::from_errno(err, line);
  Received out;
  if (recvs_.empty()) return out;  // peer closed
  auto [data, nfds] = recvs_.front();
  recvs_.erase(recvs_.begin());
  out.data = data.substr(0, max_data);
  for (int i = 0; i < nfds; ++i) out.fds.push_back(new_fd("recv:" + num(++next_id_)));
  return out;
}

}  // namespace grove::testing
