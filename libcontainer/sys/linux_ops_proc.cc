// LinuxOps: namespaces, processes, prctl and credentials.

#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

#include "libcontainer/sys/describe.h"
#include "libcontainer/sys/linux_ops.h"
#include "libcontainer/sys/linux_ops_internal.h"
#include "libcontainer/sys/uapi.h"

namespace grove::sys {

using internal::at;
using internal::check;
using internal::fd_str;

namespace {

// NULL-terminated argv/envp arrays pointing into `strings` (which must outlive the result).
std::vector<char*> c_array(const std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (const std::string& s : strings) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

std::string argv_frame(const std::vector<std::string>& argv) {
  std::string out = "[";
  for (size_t i = 0; i < argv.size() && i < 4; ++i) out += (i ? ", " : "") + q(argv[i]);
  if (argv.size() > 4) out += ", ...";
  return out + "]";
}

}  // namespace

Status LinuxOps::unshare(uint64_t flags) {
  return check(::unshare(static_cast<int>(flags)),
               [&] { return "unshare(" + describe_clone_flags(flags) + ")"; });
}

Status LinuxOps::setns(int fd, int nstype) {
  return check(::setns(fd, nstype), [&] {
    return "setns(" + fd_str(fd) + ", " + describe_clone_flags(static_cast<uint32_t>(nstype)) + ")";
  });
}

// Raw clone3 without a stack behaves like fork(2) but skips glibc's atfork handlers; the child may
// only do async-signal-safe work (as with vfork-style runtimes such as crun). The caller must be
// single-threaded or accept that locks held by other threads stay held in the child.
Result<CloneResult> LinuxOps::clone3(const CloneArgs& args) {
  struct clone_args ka;
  std::memset(&ka, 0, sizeof(ka));
  int pidfd = -1;
  ka.flags = args.flags | (args.want_pidfd ? CLONE_PIDFD : 0);
  ka.pidfd = reinterpret_cast<uint64_t>(&pidfd);
  ka.exit_signal = static_cast<uint64_t>(args.exit_signal);
  if (args.cgroup_fd >= 0) {
    ka.flags |= CLONE_INTO_CGROUP;
    ka.cgroup = static_cast<uint64_t>(args.cgroup_fd);
  }
  long rc = syscall(__NR_clone3, &ka, sizeof(ka));
  if (rc < 0) {
    int err = errno;
    std::string frame = "clone3(" + describe_clone_flags(ka.flags);
    if (args.cgroup_fd >= 0) frame += ", cgroup=" + fd_str(args.cgroup_fd);
    return Error::from_errno(err, frame + ")");
  }
  CloneResult out;
  out.pid = static_cast<pid_t>(rc);
  if (rc > 0 && args.want_pidfd) out.pidfd.reset(pidfd);
  return out;
}

Result<UniqueFd> LinuxOps::pidfd_open(pid_t pid, unsigned flags) {
  long rc = syscall(__NR_pidfd_open, pid, flags);
  return internal::check_fd(rc, [&] { return "pidfd_open(" + std::to_string(pid) + ")"; });
}

Status LinuxOps::pidfd_send_signal(int pidfd, int sig) {
  long rc = syscall(__NR_pidfd_send_signal, pidfd, sig, nullptr, 0);
  return check(
      rc, [&] { return "pidfd_send_signal(" + fd_str(pidfd) + ", " + describe_signal(sig) + ")"; });
}

Result<WaitStatus> LinuxOps::waitid(int idtype, int id, int options) {
  siginfo_t si;
  std::memset(&si, 0, sizeof(si));
  int rc;
  do {
    rc = ::waitid(static_cast<idtype_t>(idtype), static_cast<id_t>(id), &si, options);
  } while (rc < 0 && errno == EINTR);
  if (rc < 0) {
    return Error::last("waitid(" + std::to_string(idtype) + ", " + std::to_string(id) + ")");
  }
  return WaitStatus{si.si_pid, si.si_code, si.si_status};
}

Result<WaitStatus> LinuxOps::waitpid(pid_t pid, int options) {
  int status = 0;
  pid_t rc;
  do {
    rc = ::waitpid(pid, &status, options);
  } while (rc < 0 && errno == EINTR);
  if (rc < 0) return Error::last("waitpid(" + std::to_string(pid) + ")");
  WaitStatus ws;
  ws.pid = rc;
  if (rc == 0) return ws;
  if (WIFEXITED(status)) {
    ws.code = CLD_EXITED;
    ws.status = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    ws.code = WCOREDUMP(status) ? CLD_DUMPED : CLD_KILLED;
    ws.status = WTERMSIG(status);
  } else if (WIFSTOPPED(status)) {
    ws.code = CLD_STOPPED;
    ws.status = WSTOPSIG(status);
  } else {
    ws.code = CLD_CONTINUED;
  }
  return ws;
}

Status LinuxOps::kill(pid_t pid, int sig) {
  return check(::kill(pid, sig),
               [&] { return "kill(" + std::to_string(pid) + ", " + describe_signal(sig) + ")"; });
}

pid_t LinuxOps::getpid() { return ::getpid(); }

Status LinuxOps::execve(const std::string& path, const std::vector<std::string>& argv,
                        const std::vector<std::string>& envp) {
  std::vector<char*> a = c_array(argv);
  std::vector<char*> e = c_array(envp);
  ::execve(path.c_str(), a.data(), e.data());
  return Error::last("execve(" + q(path) + ", " + argv_frame(argv) + ")");
}

Status LinuxOps::execveat(int dirfd, const std::string& path, const std::vector<std::string>& argv,
                          const std::vector<std::string>& envp, int flags) {
  std::vector<char*> a = c_array(argv);
  std::vector<char*> e = c_array(envp);
  if (path.empty()) flags |= AT_EMPTY_PATH;
  syscall(SYS_execveat, dirfd, path.c_str(), a.data(), e.data(), flags);
  return Error::last("execveat(" + at(dirfd, path) + ", " + argv_frame(argv) + ")");
}

Status LinuxOps::sethostname(const std::string& name) {
  return check(::sethostname(name.data(), name.size()),
               [&] { return "sethostname(" + q(name) + ")"; });
}

Status LinuxOps::setdomainname(const std::string& name) {
  return check(::setdomainname(name.data(), name.size()),
               [&] { return "setdomainname(" + q(name) + ")"; });
}

Result<uint64_t> LinuxOps::ioctl_ns_get_mntns_id(int nsfd) {
  uint64_t id = 0;
  if (::ioctl(nsfd, NS_GET_MNTNS_ID, &id) < 0) {
    return Error::last("ioctl(" + fd_str(nsfd) + ", NS_GET_MNTNS_ID)");
  }
  return id;
}

Status LinuxOps::set_pdeathsig(int sig) {
  return check(::prctl(PR_SET_PDEATHSIG, static_cast<unsigned long>(sig), 0, 0, 0),
               [&] { return "prctl(PR_SET_PDEATHSIG, " + describe_signal(sig) + ")"; });
}

Status LinuxOps::set_child_subreaper(bool on) {
  return check(::prctl(PR_SET_CHILD_SUBREAPER, on ? 1UL : 0UL, 0, 0, 0), [&] {
    return std::string("prctl(PR_SET_CHILD_SUBREAPER, ") + (on ? "1" : "0") + ")";
  });
}

Status LinuxOps::set_no_new_privs() {
  return check(::prctl(PR_SET_NO_NEW_PRIVS, 1UL, 0UL, 0UL, 0UL),
               [] { return "prctl(PR_SET_NO_NEW_PRIVS, 1)"; });
}

Status LinuxOps::set_dumpable(bool on) {
  return check(::prctl(PR_SET_DUMPABLE, on ? 1UL : 0UL, 0, 0, 0),
               [&] { return std::string("prctl(PR_SET_DUMPABLE, ") + (on ? "1" : "0") + ")"; });
}

Status LinuxOps::set_keepcaps(bool on) {
  return check(::prctl(PR_SET_KEEPCAPS, on ? 1UL : 0UL, 0, 0, 0),
               [&] { return std::string("prctl(PR_SET_KEEPCAPS, ") + (on ? "1" : "0") + ")"; });
}

Result<int> LinuxOps::get_seccomp() {
  int rc = ::prctl(PR_GET_SECCOMP, 0, 0, 0, 0);
  if (rc < 0) return Error::last("prctl(PR_GET_SECCOMP)");
  return rc;
}

// Raw syscalls on purpose: glibc's setresuid/setgroups broadcast to every thread (setxid
// signal); the container init is single-threaded and must not depend on that machinery.
Status LinuxOps::setresuid(uid_t r, uid_t e, uid_t s) {
  return check(syscall(SYS_setresuid, r, e, s), [&] {
    return "setresuid(" + std::to_string(r) + ", " + std::to_string(e) + ", " + std::to_string(s) +
           ")";
  });
}

Status LinuxOps::setresgid(gid_t r, gid_t e, gid_t s) {
  return check(syscall(SYS_setresgid, r, e, s), [&] {
    return "setresgid(" + std::to_string(r) + ", " + std::to_string(e) + ", " + std::to_string(s) +
           ")";
  });
}

Status LinuxOps::setgroups(const std::vector<gid_t>& groups) {
  return check(syscall(SYS_setgroups, groups.size(), groups.data()), [&] {
    std::string out = "setgroups([";
    for (size_t i = 0; i < groups.size(); ++i) out += (i ? ", " : "") + std::to_string(groups[i]);
    return out + "])";
  });
}

mode_t LinuxOps::umask(mode_t mask) { return ::umask(mask); }

Result<int> LinuxOps::personality(unsigned long persona) {
  int rc = ::personality(persona);
  if (rc < 0) return Error::last("personality(" + std::to_string(persona) + ")");
  return rc;
}

Result<int> LinuxOps::landlock_abi_version() {
  long rc = syscall(__NR_landlock_create_ruleset, nullptr, 0, LANDLOCK_CREATE_RULESET_VERSION);
  if (rc < 0) return Error::last("landlock_create_ruleset(NULL, 0, VERSION)");
  return static_cast<int>(rc);
}

Result<KernelRelease> LinuxOps::uname() {
  struct utsname u;
  if (::uname(&u) < 0) return Error::last("uname()");
  KernelRelease k;
  k.release = u.release;
  k.machine = u.machine;
  if (std::sscanf(u.release, "%d.%d", &k.major, &k.minor) != 2) {
    return Error::invalid("uname(): cannot parse release " + q(k.release));
  }
  return k;
}

}  // namespace grove::sys
