#include "tests/support/fake_ops.h"

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <initializer_list>

#include "libcontainer/base/strings.h"
#include "libcontainer/sys/describe.h"
#include "libcontainer/sys/uapi.h"

namespace grove::testing {
namespace {

using sys::describe_at_flags;

std::string call(const std::string& name, std::initializer_list<std::string> args) {
  std::string out = name + "(";
  bool first = true;
  for (const std::string& a : args) {
    if (!first) out += ", ";
    out += a;
    first = false;
  }
  return out + ")";
}

std::string num(long long v) { return std::to_string(v); }

std::string strv(const std::vector<std::string>& v) {
  std::vector<std::string> quoted;
  for (const std::string& s : v) quoted.push_back(q(s));
  return "[" + join(quoted, ", ") + "]";
}

}  // namespace

FakeOps::FakeOps() {
  devnull_ = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  if (devnull_ < 0) std::abort();  // nothing sensible a test could do without it
}

FakeOps::~FakeOps() { ::close(devnull_); }

std::string FakeOps::trace_text() const { return join(trace_, "\n"); }

int FakeOps::calls(const std::string& name) const {
  auto it = calls_.find(name);
  return it == calls_.end() ? 0 : it->second;
}

std::vector<std::string> FakeOps::open_fds() {
  std::vector<std::string> out;
  for (auto it = owned_.begin(); it != owned_.end();) {
    if (::fcntl(it->first, F_GETFD) < 0) {
      labels_.erase(it->first);
      it = owned_.erase(it);
    } else {
      out.push_back("<" + it->second + ">");
      ++it;
    }
  }
  return out;
}

void FakeOps::label_fd(int fd, std::string label) { labels_[fd] = std::move(label); }

std::string FakeOps::bare_label(int fd) const {
  auto it = labels_.find(fd);
  return it != labels_.end() ? it->second : "fd " + num(fd);
}

std::string FakeOps::fd_name(int fd) const {
  if (fd == AT_FDCWD) return "AT_FDCWD";
  if (fd < 0) return num(fd);
  return "<" + bare_label(fd) + ">";
}

UniqueFd FakeOps::make_fd(const std::string& label) { return new_fd(label); }

UniqueFd FakeOps::new_fd(const std::string& label) {
  int fd = ::fcntl(devnull_, F_DUPFD_CLOEXEC, 1000);
  if (fd < 0) std::abort();
  labels_[fd] = label;
  owned_[fd] = label;
  return UniqueFd(fd);
}

void FakeOps::fail_next(const std::string& name, int err) { failures_.insert({name, {0, err}}); }
void FakeOps::fail_at(const std::string& name, int nth, int err) {
  failures_.insert({name, {nth, err}});
}
void FakeOps::fail_always(const std::string& name, int err) { failures_.insert({name, {-1, err}}); }

// Precedence: a matching fail_at, then the oldest fail_next, then fail_always.
int FakeOps::record(const std::string& name, const std::string& line) {
  int n = ++calls_[name];
  auto [begin, end] = failures_.equal_range(name);
  auto pick = end;
  for (auto it = begin; it != end; ++it) {
    if (it->second.nth == n) {
      pick = it;
      break;
    }
  }
  if (pick == end) {
    for (auto it = begin; it != end; ++it) {
      if (it->second.nth == 0) {
        pick = it;
        break;
      }
    }
  }
  if (pick == end) {
    for (auto it = begin; it != end; ++it) {
      if (it->second.nth == -1) pick = it;
    }
  }
  int err = pick == end ? 0 : pick->second.err;
  if (pick != end && pick->second.nth >= 0) failures_.erase(pick);
  const char* ename = err ? strerrorname_np(err) : nullptr;
  trace_.push_back(err ? line + " = " + (ename ? ename : num(err)) : line);
  return err;
}

Status FakeOps::effect(const std::string& name, const std::string& line) {
  if (int err = record(name, line)) return Error::from_errno(err, line);
  return ok();
}

// ---- canned results
// ------------------------------------------------------------------------------
void FakeOps::set_file(const std::string& path, std::string content) {
  files_[path] = std::move(content);
}
void FakeOps::set_link(const std::string& path, std::string target) {
  links_[path] = std::move(target);
}
void FakeOps::set_stat(const std::string& key, const struct stat& st) { stats_[key] = st; }
void FakeOps::set_statfs(const std::string& key, long f_type) { statfs_[key] = f_type; }
void FakeOps::set_statfs_flags(const std::string& key, long f_flags) {
  statfs_flags_[key] = f_flags;
}
void FakeOps::set_dir(const std::string& path, std::vector<std::string> names) {
  dirs_[path] = std::move(names);
}
void FakeOps::set_statmount(uint64_t mnt_id, sys::MountStat st) { statmounts_[mnt_id] = st; }
void FakeOps::set_mnt_id(const std::string& path, uint64_t mnt_id) { mnt_ids_[path] = mnt_id; }
void FakeOps::set_listmount(uint64_t mnt_id, std::vector<uint64_t> children) {
  listmounts_[mnt_id] = std::move(children);
}
void FakeOps::set_statmount_fd(const std::string& label, sys::MountStat st) {
  statmount_fds_["<" + label + ">"] = st;
}
void FakeOps::queue_read(const std::string& label, std::string data) {
  reads_["<" + label + ">"].push_back(std::move(data));
}
void FakeOps::queue_recv(std::string data, int nfds) { recvs_.push_back({std::move(data), nfds}); }
void FakeOps::set_uname(const std::string& release) { release_ = release; }

// ---- mount API ---------------------------------------------------------------------------------
Result<UniqueFd> FakeOps::open_tree(int dirfd, const std::string& path, unsigned flags) {
  std::string line =
      call("open_tree", {fd_name(dirfd), q(path), sys::describe_open_tree_flags(flags)});
  if (int err = record("open_tree", line)) return Error::from_errno(err, line);
  std::string what = path.empty() ? bare_label(dirfd) : path;
  if (flags & OPEN_TREE_NAMESPACE) return new_fd("mntns:" + what);
  return new_fd(((flags & OPEN_TREE_CLONE) ? "tree:" : "path:") + what);
}

Result<UniqueFd> FakeOps::open_tree_attr(int dirfd, const std::string& path, unsigned flags,
                                         const sys::MountAttr& attr) {
  std::string line =
      call("open_tree_attr", {fd_name(dirfd), q(path), sys::describe_open_tree_flags(flags),
                              sys::describe_mount_attr(attr)});
  if (int err = record("open_tree_attr", line)) return Error::from_errno(err, line);
  return new_fd("tree:" + (path.empty() ? bare_label(dirfd) : path));
}

Status FakeOps::move_mount(int from_dirfd, const std::string& from_path, int to_dirfd,
                           const std::string& to_path, unsigned flags) {
  return effect("move_mount",
                call("move_mount", {fd_name(from_dirfd), q(from_path), fd_name(to_dirfd),
                                    q(to_path), sys::describe_move_mount_flags(flags)}));
}

Result<UniqueFd> FakeOps::fsopen(const std::string& fs_name, unsigned flags) {
  std::string line = call("fsopen", {q(fs_name), num(flags)});
  if (int err = record("fsopen", line)) return Error::from_errno(err, line);
  return new_fd("fsctx:" + fs_name);
}

Status FakeOps::fsconfig_set_flag(int fsfd, const std::string& key) {
  return effect("fsconfig_set_flag", call("fsconfig_set_flag", {fd_name(fsfd), q(key)}));
}
Status FakeOps::fsconfig_set_string(int fsfd, const std::string& key, const std::string& value) {
  return effect("fsconfig_set_string",
                call("fsconfig_set_string", {fd_name(fsfd), q(key), q(value)}));
}
Status FakeOps::fsconfig_set_fd(int fsfd, const std::string& key, int fd) {
  return effect("fsconfig_set_fd", call("fsconfig_set_fd", {fd_name(fsfd), q(key), fd_name(fd)}));
}
Status FakeOps::fsconfig_set_path(int fsfd, const std::string& key, int dirfd,
                                  const std::string& path) {
  return effect("fsconfig_set_path",
                call("fsconfig_set_path", {fd_name(fsfd), q(key), fd_name(dirfd), q(path)}));
}
Status FakeOps::fsconfig_create(int fsfd) {
  return effect("fsconfig_create", call("fsconfig_create", {fd_name(fsfd)}));
}
Status FakeOps::fsconfig_reconfigure(int fsfd) {
  return effect("fsconfig_reconfigure", call("fsconfig_reconfigure", {fd_name(fsfd)}));
}

Result<UniqueFd> FakeOps::fsmount(int fsfd, unsigned flags, unsigned attr_flags) {
  std::string line = call("fsmount", {fd_name(fsfd), sys::describe_fsmount_flags(flags),
                                      sys::describe_mount_attr_flags(attr_flags)});
  if (int err = record("fsmount", line)) return Error::from_errno(err, line);
  std::string what = bare_label(fsfd);
  if (starts_with(what, "fsctx:")) what = what.substr(6);
  return new_fd(((flags & FSMOUNT_NAMESPACE) ? "mntns:" : "fs:") + what);
}

Result<UniqueFd> FakeOps::fspick(int dirfd, const std::string& path, unsigned flags) {
  std::string line = call("fspick", {fd_name(dirfd), q(path), sys::describe_fspick_flags(flags)});
  if (int err = record("fspick", line)) return Error::from_errno(err, line);
  return new_fd("fsctx:" + (path.empty() ? bare_label(dirfd) : path));
}

Status FakeOps::mount_setattr(int dirfd, const std::string& path, unsigned flags,
                              const sys::MountAttr& attr) {
  return effect("mount_setattr", call("mount_setattr", {fd_name(dirfd), q(path),
                                                        describe_at_flags(static_cast<int>(flags)),
                                                        sys::describe_mount_attr(attr)}));
}

Result<sys::MountStat> FakeOps::statmount(uint64_t mnt_id) {
  std::string line = call("statmount", {num(static_cast<long long>(mnt_id))});
  if (int err = record("statmount", line)) return Error::from_errno(err, line);
  auto it = statmounts_.find(mnt_id);
  if (it == statmounts_.end()) return Error::from_errno(ENOENT, line);
  return it->second;
}

Result<sys::MountStat> FakeOps::statmount_fd(int fd) {
  std::string line = call("statmount_fd", {fd_name(fd)});
  if (int err = record("statmount_fd", line)) return Error::from_errno(err, line);
  auto it = statmount_fds_.find(fd_name(fd));
  if (it == statmount_fds_.end()) return Error::from_errno(ENOENT, line);
  return it->second;
}

Result<std::vector<uint64_t>> FakeOps::listmount(uint64_t mnt_id, unsigned flags) {
  std::string id = mnt_id == LSMT_ROOT ? "LSMT_ROOT" : num(static_cast<long long>(mnt_id));
  std::string line = call("listmount", {id, num(flags)});
  if (int err = record("listmount", line)) return Error::from_errno(err, line);
  auto it = listmounts_.find(mnt_id);
  if (it == listmounts_.end()) return Error::from_errno(ENOENT, line);
  return it->second;
}

Result<uint64_t> FakeOps::statx_mnt_id(int dirfd, const std::string& path, int at_flags) {
  std::string line = call("statx_mnt_id", {fd_name(dirfd), q(path), describe_at_flags(at_flags)});
  if (int err = record("statx_mnt_id", line)) return Error::from_errno(err, line);
  auto it = mnt_ids_.find(path);
  if (it == mnt_ids_.end()) return Error::from_errno(ENOENT, line);
  return it->second;
}

Status FakeOps::mount(const std::string& source, const std::string& target,
                      const std::string& fstype, unsigned long flags, const std::string& data) {
  return effect("mount", call("mount", {q(source), q(target), q(fstype),
                                        sys::describe_ms_flags(flags), q(data)}));
}
Status FakeOps::umount2(const std::string& target, int flags) {
  return effect("umount2", call("umount2", {q(target), sys::describe_umount_flags(flags)}));
}
Status FakeOps::pivot_root(const std::string& new_root, const std::string& put_old) {
  return effect("pivot_root", call("pivot_root", {q(new_root), q(put_old)}));
}
Status FakeOps::chroot(const std::string& path) {
  return effect("chroot", call("chroot", {q(path)}));
}
Status FakeOps::chdir(const std::string& path) { return effect("chdir", call("chdir", {q(path)})); }
Status FakeOps::fchdir(int fd) { return effect("fchdir", call("fchdir", {fd_name(fd)})); }

// ---- namespaces and processes
// --------------------------------------------------------------------
Status FakeOps::unshare(uint64_t flags) {
  return effect("unshare", call("unshare", {sys::describe_clone_flags(flags)}));
}
Status FakeOps::setns(int fd, int nstype) {
  return effect("setns", call("setns", {fd_name(fd),
                                        sys::describe_clone_flags(static_cast<uint32_t>(nstype))}));
}

Result<sys::CloneResult> FakeOps::clone3(const sys::CloneArgs& args) {
  uint64_t flags = args.flags | (args.want_pidfd ? CLONE_PIDFD : 0) |
                   (args.cgroup_fd >= 0 ? CLONE_INTO_CGROUP : 0);
  std::string line =
      call("clone3", {sys::describe_clone_flags(flags), sys::describe_signal(args.exit_signal),
                      fd_name(args.cgroup_fd)});
  if (int err = record("clone3", line)) return Error::from_errno(err, line);
  sys::CloneResult r;
  r.pid = clone3_pid_;
  if (r.pid > 0 && args.want_pidfd) r.pidfd = new_fd("pidfd:" + num(r.pid));
  return r;
}

Result<UniqueFd> FakeOps::pidfd_open(pid_t pid, unsigned flags) {
  std::string line = call("pidfd_open", {num(pid), num(flags)});
  if (int err = record("pidfd_open", line)) return Error::from_errno(err, line);
  return new_fd("pidfd:" + num(pid));
}
Status FakeOps::pidfd_send_signal(int pidfd, int sig) {
  return effect("pidfd_send_signal",
                call("pidfd_send_signal", {fd_name(pidfd), sys::describe_signal(sig)}));
}

Result<sys::WaitStatus> FakeOps::waitid(int idtype, int id, int options) {
  std::string target = idtype == P_PIDFD ? fd_name(id) : num(id);
  std::string line = call("waitid", {num(idtype), target, num(options)});
  if (int err = record("waitid", line)) return Error::from_errno(err, line);
  if (waits_.empty()) return sys::WaitStatus{clone3_pid_, CLD_EXITED, 0};
  sys::WaitStatus ws = waits_.front();
  waits_.erase(waits_.begin());
  return ws;
}

Result<sys::WaitStatus> FakeOps::waitpid(pid_t pid, int options) {
  std::string line = call("waitpid", {num(pid), num(options)});
  if (int err = record("waitpid", line)) return Error::from_errno(err, line);
  if (waits_.empty()) return sys::WaitStatus{pid, CLD_EXITED, 0};
  sys::WaitStatus ws = waits_.front();
  waits_.erase(waits_.begin());
  return ws;
}

Status FakeOps::kill(pid_t pid, int sig) {
  return effect("kill", call("kill", {num(pid), sys::describe_signal(sig)}));
}
pid_t FakeOps::getpid() {
  record("getpid", "getpid()");
  return pid_;
}

// execve "fails" with ENOEXEC unless the test injects something else: the fake never replaces
// the process image, and a success return would break the ops contract (execve only returns on
// failure). Tests check the trace line instead.
Status FakeOps::execve(const std::string& path, const std::vector<std::string>& argv,
                       const std::vector<std::string>& envp) {
  std::string line = call("execve", {q(path), strv(argv), strv(envp)});
  int err = record("execve", line);
  return Error::from_errno(err ? err : ENOEXEC, line);
}
Status FakeOps::execveat(int dirfd, const std::string& path, const std::vector<std::string>& argv,
                         const std::vector<std::string>& envp, int flags) {
  std::string line =
      call("execveat", {fd_name(dirfd), q(path), strv(argv), strv(envp), describe_at_flags(flags)});
  int err = record("execveat", line);
  return Error::from_errno(err ? err : ENOEXEC, line);
}

Status FakeOps::sethostname(const std::string& name) {
  return effect("sethostname", call("sethostname", {q(name)}));
}
Status FakeOps::setdomainname(const std::string& name) {
  return effect("setdomainname", call("setdomainname", {q(name)}));
}
Result<uint64_t> FakeOps::ioctl_ns_get_mntns_id(int nsfd) {
  std::string line = call("ioctl_ns_get_mntns_id", {fd_name(nsfd)});
  if (int err = record("ioctl_ns_get_mntns_id", line)) return Error::from_errno(err, line);
  return mntns_id_;
}

// ---- prctl and credentials ---------------------------------------------------------------------
Status FakeOps::set_pdeathsig(int sig) {
  return effect("set_pdeathsig", call("set_pdeathsig", {sys::describe_signal(sig)}));
}
Status FakeOps::set_child_subreaper(bool on) {
  return effect("set_child_subreaper", call("set_child_subreaper", {on ? "1" : "0"}));
}
Status FakeOps::set_no_new_privs() { return effect("set_no_new_privs", "set_no_new_privs()"); }
Status FakeOps::set_dumpable(bool on) {
  return effect("set_dumpable", call("set_dumpable", {on ? "1" : "0"}));
}
Status FakeOps::set_keepcaps(bool on) {
  return effect("set_keepcaps", call("set_keepcaps", {on ? "1" : "0"}));
}
Result<int> FakeOps::get_seccomp() {
  if (int err = record("get_seccomp", "get_seccomp()")) {
    return Error::from_errno(err, "get_seccomp()");
  }
  return seccomp_mode_;
}
Status FakeOps::setresuid(uid_t r, uid_t e, uid_t s) {
  return effect("setresuid", call("setresuid", {num(r), num(e), num(s)}));
}
Status FakeOps::setresgid(gid_t r, gid_t e, gid_t s) {
  return effect("setresgid", call("setresgid", {num(r), num(e), num(s)}));
}
Status FakeOps::setgroups(const std::vector<gid_t>& groups) {
  std::vector<std::string> g;
  for (gid_t id : groups) g.push_back(num(id));
  return effect("setgroups", "setgroups([" + join(g, ", ") + "])");
}
mode_t FakeOps::umask(mode_t mask) {
  record("umask", call("umask", {sys::describe_mode(mask)}));
  mode_t prev = umask_;
  umask_ = mask;
  return prev;
}
Result<int> FakeOps::personality(unsigned long persona) {
  std::string line = call("personality", {num(static_cast<long long>(persona))});
  if (int err = record("personality", line)) return Error::from_errno(err, line);
  return personality_;
}
Result<int> FakeOps::landlock_abi_version() {
  if (int err = record("landlock_abi_version", "landlock_abi_version()")) {
    return Error::from_errno(err, "landlock_abi_version()");
  }
  return landlock_abi_;
}
Result<sys::KernelRelease> FakeOps::uname() {
  if (int err = record("uname", "uname()")) return Error::from_errno(err, "uname()");
  sys::KernelRelease k;
  k.release = release_;
  k.machine = "x86_64";
  if (std::sscanf(release_.c_str(), "%d.%d", &k.major, &k.minor) != 2) {
    return Error::invalid("uname(): cannot parse release " + q(release_));
  }
  return k;
}

}  // namespace grove::testing
