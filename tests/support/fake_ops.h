#pragma once
// FakeOps: a sys::Ops that records one readable line per call instead of touching the kernel.
// It implements every method. Effects (mount, mkdirat, setns, ...) succeed and are only traced;
// reads return what the test configured (or ENOENT); new fds are real (dups of /dev/null
// numbered >= 1000) and labelled, so traces read `move_mount(<fs:tmpfs>, "", <root>, "proc",
// F_EMPTY_PATH)` and open_fds() can prove the code under test closed everything it was handed.
//
// Trace line format: `name(arg, arg, ...)`, fds as `<label>` (unknown fds `<fd N>`, AT_FDCWD as
// `AT_FDCWD`), strings quoted with grove::q(), flags rendered by sys::describe_*. An injected
// failure appends ` = ENAME` to the line and returns Error::from_errno(code, line-without-result),
// so the innermost frame of the error names the call just like LinuxOps does.
// Not thread-safe; one FakeOps per test.

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "libcontainer/sys/ops.h"

namespace grove::testing {

class FakeOps : public sys::Ops {
 public:
  FakeOps();
  ~FakeOps() override;
  FakeOps(const FakeOps&) = delete;
  FakeOps& operator=(const FakeOps&) = delete;

  // ---- inspection ----------------------------------------------------------------------------
  // Every call so far, one line each, in order.
  const std::vector<std::string>& trace() const { return trace_; }
  // trace() joined with '\n' (handy for EXPECT_EQ against a raw-string golden).
  std::string trace_text() const;
  void clear_trace() { trace_.clear(); }
  // How many times method `name` has been called (failed calls included).
  int calls(const std::string& name) const;
  // Labels (`<fs:tmpfs>`) of fds this FakeOps handed out that are still open. Empty = no leak.
  std::vector<std::string> open_fds();

  // ---- fd labels -----------------------------------------------------------------------------
  // Names a borrowed fd the test passes in (e.g. label_fd(rootfs.get(), "root") -> `<root>`).
  void label_fd(int fd, std::string label);
  // The rendering used in traces: `<label>`, `<fd N>`, `AT_FDCWD` or `-1`.
  std::string fd_name(int fd) const;
  // A real, labelled fd as if returned by a syscall (for tests that need an "open" fd to pass in).
  UniqueFd make_fd(const std::string& label);

  // ---- failure injection -----------------------------------------------------------------------
  // The next call of `name` fails with `err` (queued: two fail_next calls fail the next two).
  void fail_next(const std::string& name, int err);
  // The `nth` call of `name` (1-based, counted since construction) fails with `err`.
  void fail_at(const std::string& name, int nth, int err);
  // Every call of `name` from now on fails with `err` (e.g. ENOSYS to force a fallback).
  void fail_always(const std::string& name, int err);

  // ---- canned results for read-side calls
  // -------------------------------------------------------- read_file_at(_, path) returns
  // `content` (looked up by `path` exactly as passed). Also pread(fd labelled `label`) reads the
  // content set for "<label>" (default: "", EOF).
  void set_file(const std::string& path, std::string content);
  // write_file_at calls in order: {path, data}.
  const std::vector<std::pair<std::string, std::string>>& writes() const { return writes_; }
  // readlinkat(_, path) -> target.
  void set_link(const std::string& path, std::string target);
  // fstatat(_, path) and statfs(path) results; also fstat/fstatfs of an fd labelled `label`
  // (key "<label>"). Defaults: fstatat/statfs ENOENT; fstat a 0755 directory; fstatfs f_type 0,
  // except PROC_SUPER_MAGIC for "/proc" and what is opened beneath it (labelled
  // `<path:/proc/rest>`).
  void set_stat(const std::string& key, const struct stat& st);
  void set_statfs(const std::string& key, long f_type);
  // statfs(path)'s f_flags (ST_RDONLY, ...) for a key also given to set_statfs; default 0.
  void set_statfs_flags(const std::string& key, long f_flags);
  // list_dir(_, path) -> names; list_dir(fd labelled `label`, "") -> names set for "<label>".
  void set_dir(const std::string& path, std::vector<std::string> names);
  // statmount(mnt_id) -> st; statx_mnt_id(_, path) -> id; listmount(mnt_id) -> children.
  void set_statmount(uint64_t mnt_id, sys::MountStat st);
  void set_mnt_id(const std::string& path, uint64_t mnt_id);
  void set_listmount(uint64_t mnt_id, std::vector<uint64_t> children);
  // statmount_fd(fd labelled `label`) -> st.
  void set_statmount_fd(const std::string& label, sys::MountStat st);
  // clone3 returns this pid (default 4242: the parent path); 0 takes the child path.
  void set_clone3_pid(pid_t pid) { clone3_pid_ = pid; }
  // waitid/waitpid results, consumed in order; when empty: {pid, CLD_EXITED, 0}.
  void queue_wait(sys::WaitStatus ws) { waits_.push_back(ws); }
  // read(fd, max) results (by fd label "<label>"), consumed in order; when empty "" (EOF).
  void queue_read(const std::string& label, std::string data);
  // recv_fds results, consumed in order: data plus `nfds` new fds labelled `<recv:N>`.
  void queue_recv(std::string data, int nfds);
  // Data sent with write()/send_fds(), per fd label.
  const std::map<std::string, std::string>& sent() const { return sent_; }
  void set_pid(pid_t pid) { pid_ = pid; }                    // getpid(), default 4000
  void set_uname(const std::string& release);                // default "6.18.0"
  void set_landlock_abi(int abi) { landlock_abi_ = abi; }    // default 6
  void set_seccomp_mode(int mode) { seccomp_mode_ = mode; }  // default 0
  void set_mntns_id(uint64_t id) { mntns_id_ = id; }         // default 0x4000000001
  void set_personality(int prev) { personality_ = prev; }    // default 0
  // ioctl_tiocgwinsz result (default 24x80); tcgetattr result (default: a cooked terminal,
  // ICANON|ECHO and OPOST|ONLCR set; tcsetattr stores what it is given).
  void set_winsize(unsigned short rows, unsigned short cols) {
    winsize_.ws_row = rows;
    winsize_.ws_col = cols;
  }
  const struct termios& termios_state() const { return termios_; }
  // Programs passed to seccomp(), in call order (#4).
  const std::vector<std::vector<sys::BpfInsn>>& seccomp_programs() const { return seccomp_progs_; }

  // ---- sys::Ops ------------------------------------------------------------------------------
  Result<UniqueFd> open_tree(int dirfd, const std::string& path, unsigned flags) override;
  Result<UniqueFd> open_tree_attr(int dirfd, const std::string& path, unsigned flags,
                                  const sys::MountAttr& attr) override;
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
                       const sys::MountAttr& attr) override;
  Result<sys::MountStat> statmount(uint64_t mnt_id) override;
  Result<sys::MountStat> statmount_fd(int fd) override;
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
  Result<sys::CloneResult> clone3(const sys::CloneArgs& args) override;
  Result<UniqueFd> pidfd_open(pid_t pid, unsigned flags) override;
  Status pidfd_send_signal(int pidfd, int sig) override;
  Result<sys::WaitStatus> waitid(int idtype, int id, int options) override;
  Result<sys::WaitStatus> waitpid(pid_t pid, int options) override;
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
  Status sched_setattr(pid_t pid, const sys::SchedAttr& attr, unsigned flags) override;
  Status sched_setaffinity(pid_t pid, const std::vector<int>& cpus) override;
  Status ioprio_set(int which, int who, int ioprio) override;
  Status set_mempolicy(int mode, const std::vector<unsigned long>& nodemask,
                       unsigned long maxnode) override;
  Result<int> landlock_abi_version() override;
  Result<sys::KernelRelease> uname() override;
  Result<UniqueFd> openat(int dirfd, const std::string& path, int flags, mode_t mode) override;
  Result<UniqueFd> openat2(int dirfd, const std::string& path, const sys::OpenHow& how) override;
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
  Result<sys::FdPair> socketpair(int domain, int type, int protocol) override;
  Result<sys::FdPair> pipe2(int flags) override;
  Status dup3(int oldfd, int newfd, int flags) override;
  Result<UniqueFd> dup_cloexec(int fd, int min_fd) override;
  Status set_cloexec(int fd, bool on) override;
  Status send_fds(int sock, const std::string& data, const std::vector<int>& fds) override;
  Result<Received> recv_fds(int sock, size_t max_data, size_t max_fds) override;
  // seccomp and its notify listener (#4): fake_ops_seccomp.cc
  Result<UniqueFd> seccomp(unsigned op, unsigned flags,
                           const std::vector<sys::BpfInsn>& prog) override;

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

  // --- bpf (cgroup devices) --- fake_ops_bpf.cc. Loaded programs get ids 100, 101, ... and fds
  // labelled `<bpf:prog:ID>`; attach/detach update a per-target list that query returns.
  Result<UniqueFd> bpf_prog_load(uint32_t prog_type, const std::vector<struct bpf_insn>& insns,
                                 const std::string& license) override;
  Status bpf_prog_attach(int target_fd, int prog_fd, uint32_t attach_type,
                         uint32_t flags) override;
  Status bpf_prog_detach2(int target_fd, int prog_fd, uint32_t attach_type) override;
  Result<std::vector<uint32_t>> bpf_prog_query(int target_fd, uint32_t attach_type) override;
  Result<UniqueFd> bpf_prog_get_fd_by_id(uint32_t id) override;
  // Programs passed to bpf_prog_load, in call order.
  const std::vector<std::vector<struct bpf_insn>>& bpf_programs() const { return bpf_progs_; }
  // The ids attached to the fd labelled `target_label` (bare, e.g. "cgroup"), in attach order;
  // set_bpf_attached presets them (programs that "exist" and get_fd_by_id can open).
  std::vector<uint32_t> bpf_attached(const std::string& target_label) const;
  void set_bpf_attached(const std::string& target_label, std::vector<uint32_t> ids);
  // --- keyring (selinux) --- fake_ops_keyring.cc. Records the call; returns serial 7.
  Result<int32_t> keyctl_join_session_keyring(const std::string& name) override;
  // --- network (sandbox) --- fake_ops_net.cc
  Status set_link_up(const std::string& name) override;
  // --- image sources (erofs) --- fake_ops_image.cc. Record the call; the fake holds no xattrs
  // (listxattr EOPNOTSUPP, getxattr ENODATA) and pread is at EOF ("").
  Result<std::vector<std::string>> listxattr(const std::string& path) override;
  Result<std::string> getxattr(const std::string& path, const std::string& name) override;
  Result<std::string> pread(int fd, size_t max, uint64_t offset) override;
  // --- loop devices (imgrun) --- fake_ops_loop.cc. get_free returns 7 (then 8, ...).
  Result<int> ioctl_loop_ctl_get_free(int ctl_fd) override;
  Status ioctl_loop_configure(int loop_fd, int backing_fd, uint32_t lo_flags) override;

 private:
  // Records `line` for method `name`; returns the injected errno for this call or 0.
  int record(const std::string& name, const std::string& line);
  // record() and turn an injected errno into a Status.
  Status effect(const std::string& name, const std::string& line);
  // A labelled dup of /dev/null >= 1000.
  UniqueFd new_fd(const std::string& label);
  // The label of `fd` without the angle brackets ("fs:tmpfs"), or "fd N".
  std::string bare_label(int fd) const;
  std::string opened_label(int dirfd, const std::string& path) const;

  struct Failure {
    int nth = 0;  // 0: next call (fail_next); -1: always; else the nth call
    int err = 0;
  };
  std::vector<std::string> trace_;
  std::map<std::string, int> calls_;
  std::multimap<std::string, Failure> failures_;
  std::map<int, std::string> labels_;  // every labelled fd (handed out or test-provided)
  std::map<int, std::string> owned_;   // fds we handed out -> label
  int devnull_ = -1;
  int next_id_ = 0;

  std::map<std::string, std::string> files_;
  std::vector<std::pair<std::string, std::string>> writes_;
  std::map<std::string, std::string> links_;
  std::map<std::string, struct stat> stats_;
  std::map<std::string, long> statfs_;
  std::map<std::string, long> statfs_flags_;
  std::map<std::string, std::vector<std::string>> dirs_;
  std::map<uint64_t, sys::MountStat> statmounts_;
  std::map<std::string, sys::MountStat> statmount_fds_;
  std::map<std::string, uint64_t> mnt_ids_;
  std::map<uint64_t, std::vector<uint64_t>> listmounts_;
  std::vector<sys::WaitStatus> waits_;
  std::map<std::string, std::vector<std::string>> reads_;
  std::vector<std::pair<std::string, int>> recvs_;
  struct winsize winsize_ = {24, 80, 0, 0};
  struct termios termios_ = {0, OPOST | ONLCR, 0, ICANON | ECHO, 0, {}, 0, 0};
  std::map<std::string, std::string> sent_;
  pid_t clone3_pid_ = 4242;
  pid_t pid_ = 4000;
  std::string release_ = "6.18.0";
  int landlock_abi_ = 6;
  int seccomp_mode_ = 0;
  uint64_t mntns_id_ = 0x4000000001ULL;
  int personality_ = 0;
  mode_t umask_ = 022;
  std::vector<std::vector<sys::BpfInsn>> seccomp_progs_;
  // bpf (cgroup devices)
  std::vector<std::vector<struct bpf_insn>> bpf_progs_;
  std::map<std::string, std::vector<uint32_t>> bpf_attached_;  // target label -> ids
  std::set<uint32_t> bpf_known_ids_;                           // loaded or preset ids
  uint32_t next_bpf_id_ = 100;
  int next_loop_ = 7;  // loop devices (imgrun)
};

}  // namespace grove::testing
