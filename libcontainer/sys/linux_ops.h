#pragma once
// sys::LinuxOps: the real sys::Ops, one thin wrapper per syscall (raw syscall(2) where glibc 2.36
// has no wrapper). The only place in grove that talks to the kernel. Each failure's innermost
// frame names the call with quoted paths and rendered flags (describe.h); fds are shown as
// `fd N` only where the path is empty. Stateless: one instance may be shared by all callers; the
// methods are as thread- and fork-safe as the syscalls themselves (see ops.h).

#include "libcontainer/sys/ops.h"

namespace grove::sys {

class LinuxOps final : public Ops {
 public:
  Result<UniqueFd> open_tree(int dirfd, const std::string& path, unsigned flags) override;
  Result<UniqueFd> open_tree_attr(int dirfd, const std::string& path, unsigned flags,
                                  const MountAttr& attr) override;
  Status move_mount(int from_dirfd, const std::string& from_path, int to_dirfd,
                    const std::string& to_path, unsigned flags) override;
  Result<UniqueFd> fsopen(const std::string& fs_name, unsigned flags) override;
  Status fsconfig_set_flag(int fsfd, const std::string& key) override;
  Status fsconfig_set_string(int fsfd, const std::string& key, const std::string& value) override;
  Status fsconfig_set_fd(int fsfd, const std::string& key, int fd) override;
  Status fsconfig_set_path(int fsfd, const std::string& key, int dirfd,
                           const std::string& path) override;
  Status fsconfig_create(int fsfd) override;
  Status fsconfig_reconfigure(int fsfd) override;
  Result<UniqueFd> fsmount(int fsfd, unsigned flags, unsigned attr_flags) override;
  Result<UniqueFd> fspick(int dirfd, const std::string& path, unsigned flags) override;
  Status mount_setattr(int dirfd, const std::string& path, unsigned flags,
                       const MountAttr& attr) override;
  Result<MountStat> statmount(uint64_t mnt_id) override;
  Result<MountStat> statmount_fd(int fd) override;
  Result<std::vector<uint64_t>> listmount(uint64_t mnt_id, unsigned flags) override;
  Result<uint64_t> statx_mnt_id(int dirfd, const std::string& path, int at_flags) override;
  Status mount(const std::string& source, const std::string& target, const std::string& fstype,
               unsigned long flags, const std::string& data) override;
  Status umount2(const std::string& target, int flags) override;
  Status pivot_root(const std::string& new_root, const std::string& put_old) override;
  Status chroot(const std::string& path) override;
  Status chdir(const std::string& path) override;
  Status fchdir(int fd) override;
  Status unshare(uint64_t flags) override;
  Status setns(int fd, int nstype) override;
  Result<CloneResult> clone3(const CloneArgs& args) override;
  Result<UniqueFd> pidfd_open(pid_t pid, unsigned flags) override;
  Status pidfd_send_signal(int pidfd, int sig) override;
  Result<WaitStatus> waitid(int idtype, int id, int options) override;
  Result<WaitStatus> waitpid(pid_t pid, int options) override;
  Status kill(pid_t pid, int sig) override;
  pid_t getpid() override;
  Status execve(const std::string& path, const std::vector<std::string>& argv,
                const std::vector<std::string>& envp) override;
  Status execveat(int dirfd, const std::string& path, const std::vector<std::string>& argv,
                  const std::vector<std::string>& envp, int flags) override;
  Status sethostname(const std::string& name) override;
  Status setdomainname(const std::string& name) override;
  Result<uint64_t> ioctl_ns_get_mntns_id(int nsfd) override;
  Status set_pdeathsig(int sig) override;
  Status set_child_subreaper(bool on) override;
  Status set_no_new_privs() override;
  Status set_dumpable(bool on) override;
  Status set_keepcaps(bool on) override;
  Result<int> get_seccomp() override;
  Status setresuid(uid_t r, uid_t e, uid_t s) override;
  Status setresgid(gid_t r, gid_t e, gid_t s) override;
  Status setgroups(const std::vector<gid_t>& groups) override;
  mode_t umask(mode_t mask) override;
  Result<int> personality(unsigned long persona) override;
  // process settings (#4)
  Status sched_setattr(pid_t pid, const SchedAttr& attr, unsigned flags) override;
  Status sched_setaffinity(pid_t pid, const std::vector<int>& cpus) override;
  Status ioprio_set(int which, int who, int ioprio) override;
  Status set_mempolicy(int mode, const std::vector<unsigned long>& nodemask,
                       unsigned long maxnode) override;
  Result<int> landlock_abi_version() override;
  Result<KernelRelease> uname() override;
  Result<UniqueFd> openat(int dirfd, const std::string& path, int flags, mode_t mode) override;
  Result<UniqueFd> openat2(int dirfd, const std::string& path, const OpenHow& how) override;
  Status mkdirat(int dirfd, const std::string& path, mode_t mode) override;
  Status mknodat(int dirfd, const std::string& path, mode_t mode, dev_t dev) override;
  Status symlinkat(const std::string& target, int dirfd, const std::string& linkpath) override;
  Result<std::string> readlinkat(int dirfd, const std::string& path) override;
  Status unlinkat(int dirfd, const std::string& path, int flags) override;
  Status renameat2(int olddirfd, const std::string& oldpath, int newdirfd,
                   const std::string& newpath, unsigned flags) override;
  Status fchownat(int dirfd, const std::string& path, uid_t uid, gid_t gid, int flags) override;
  Status fchmodat(int dirfd, const std::string& path, mode_t mode, int flags) override;
  Status fchmod(int fd, mode_t mode) override;
  Result<struct stat> fstat(int fd) override;
  Result<struct stat> fstatat(int dirfd, const std::string& path, int flags) override;
  Result<struct statfs> fstatfs(int fd) override;
  Result<struct statfs> statfs(const std::string& path) override;
  Result<std::string> read_file_at(int dirfd, const std::string& path) override;
  Status write_file_at(int dirfd, const std::string& path, const std::string& data) override;
  Result<std::string> read(int fd, size_t max) override;
  Status write(int fd, const std::string& data) override;
  Result<std::vector<std::string>> list_dir(int dirfd, const std::string& path) override;
  Status flock(int fd, int op) override;
  Status fsync(int fd) override;
  Status close_range(unsigned first, unsigned last, unsigned flags) override;
  Result<FdPair> socketpair(int domain, int type, int protocol) override;
  Result<FdPair> pipe2(int flags) override;
  Status dup3(int oldfd, int newfd, int flags) override;
  Result<UniqueFd> dup_cloexec(int fd, int min_fd) override;
  Status set_cloexec(int fd, bool on) override;
  Status send_fds(int sock, const std::string& data, const std::vector<int>& fds) override;
  Result<Received> recv_fds(int sock, size_t max_data, size_t max_fds) override;

  // ---- terminal (process.terminal, #3/#4)
  Status ioctl_tiocsptlck(int fd, bool lock) override;
  Result<UniqueFd> ioctl_tiocgptpeer(int fd, int flags) override;
  Result<unsigned> ioctl_tiocgptn(int fd) override;
  Status ioctl_tiocsctty(int fd, int arg) override;
  Result<struct winsize> ioctl_tiocgwinsz(int fd) override;
  Status ioctl_tiocswinsz(int fd, const struct winsize& ws) override;
  Result<struct termios> tcgetattr(int fd) override;
  Status tcsetattr(int fd, int optional_actions, const struct termios& t) override;
  Result<pid_t> setsid() override;
  Result<UniqueFd> socket(int domain, int type, int protocol) override;
  Status connect(int fd, const std::string& path) override;
  Result<int> poll(std::vector<struct pollfd>& fds, int timeout_ms) override;
  Result<sigset_t> sigprocmask(int how, const sigset_t& set) override;
  Result<UniqueFd> signalfd(const sigset_t& mask, int flags) override;
  // seccomp and its notify listener (#4)
  Result<UniqueFd> seccomp(unsigned op, unsigned flags, const std::vector<BpfInsn>& prog) override;

  // --- bpf (cgroup devices) --- linux_ops_bpf.cc
  Result<UniqueFd> bpf_prog_load(uint32_t prog_type, const std::vector<struct bpf_insn>& insns,
                                 const std::string& license) override;
  Status bpf_prog_attach(int target_fd, int prog_fd, uint32_t attach_type,
                         uint32_t flags) override;
  Status bpf_prog_detach2(int target_fd, int prog_fd, uint32_t attach_type) override;
  Result<std::vector<uint32_t>> bpf_prog_query(int target_fd, uint32_t attach_type) override;
  Result<UniqueFd> bpf_prog_get_fd_by_id(uint32_t id) override;
  // --- keyring (selinux) --- linux_ops_keyring.cc
  Result<int32_t> keyctl_join_session_keyring(const std::string& name) override;
  // --- network (sandbox) --- linux_ops_net.cc
  Status set_link_up(const std::string& name) override;
  // --- image sources (erofs) --- linux_ops_xattr.cc
  Result<std::vector<std::string>> listxattr(const std::string& path) override;
  Result<std::string> getxattr(const std::string& path, const std::string& name) override;
  Result<std::string> pread(int fd, size_t max, uint64_t offset) override;
  // --- loop devices (imgrun) --- linux_ops_loop.cc
  Result<int> ioctl_loop_ctl_get_free(int ctl_fd) override;
  Status ioctl_loop_configure(int loop_fd, int backing_fd, uint32_t lo_flags) override;
};

}  // namespace grove::sys
