#pragma once
// sys::Ops: the syscall seam. One pure virtual method per syscall grove uses, named after the
// syscall, with typed arguments, returning Result. LinuxOps (linux_ops.h) is the only real
// implementation; tests use grove::testing::FakeOps (tests/support/fake_ops.h).
//
// Common contract for every method unless stated otherwise:
// - On failure the error's code() is the syscall's errno and its innermost frame names the call
//   with quoted arguments and rendered flags, e.g. `mount_setattr("proc", RDONLY|NOSUID)`.
// - `int dirfd`/`int fd` parameters are borrowed (AT_FDCWD allowed for dirfds). New fds are
//   returned as owned UniqueFd and are always close-on-exec (the implementation adds the
//   *_CLOEXEC flag).
// - Methods are async-signal-safe where the syscall is, except for the std::string building on
//   the error path; they are safe to call between clone and execve in a single-threaded child.
// - Kernels lacking a syscall report ENOSYS (ops never emulate a missing syscall).

#include <linux/bpf.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/types.h>
#include <termios.h>

#include <cstdint>
#include <string>
#include <vector>

#include "libcontainer/base/result.h"
#include "libcontainer/base/unique_fd.h"
#include "libcontainer/sys/ops_types.h"

namespace grove::sys {

class Ops {
 public:
  virtual ~Ops() = default;

  // ---- new mount API (5.2+) ----------------------------------------------------------------
  // open_tree(2): an O_PATH fd for `path`, or with OPEN_TREE_CLONE a detached mount clone, or with
  // OPEN_TREE_NAMESPACE (7.0) a mount-namespace fd. `flags`: OPEN_TREE_*|AT_*.
  [[nodiscard]] virtual Result<UniqueFd> open_tree(int dirfd, const std::string& path,
                                                   unsigned flags) = 0;
  // open_tree_attr(2) (6.15): open_tree + mount_setattr on the new clone in one call.
  [[nodiscard]] virtual Result<UniqueFd> open_tree_attr(int dirfd, const std::string& path,
                                                        unsigned flags, const MountAttr& attr) = 0;
  // move_mount(2). `flags`: MOVE_MOUNT_* (F_EMPTY_PATH to move a detached mount fd).
  [[nodiscard]] virtual Status move_mount(int from_dirfd, const std::string& from_path,
                                          int to_dirfd, const std::string& to_path,
                                          unsigned flags) = 0;
  // fsopen(2): a filesystem-context fd for `fs_name` ("tmpfs", "proc", "erofs"). ENODEV: unknown
  // fs.
  [[nodiscard]] virtual Result<UniqueFd> fsopen(const std::string& fs_name, unsigned flags) = 0;
  // fsconfig(2) commands on an fs-context fd.
  [[nodiscard]] virtual Status fsconfig_set_flag(int fsfd, const std::string& key) = 0;
  [[nodiscard]] virtual Status fsconfig_set_string(int fsfd, const std::string& key,
                                                   const std::string& value) = 0;
  [[nodiscard]] virtual Status fsconfig_set_fd(int fsfd, const std::string& key, int fd) = 0;
  [[nodiscard]] virtual Status fsconfig_set_path(int fsfd, const std::string& key, int dirfd,
                                                 const std::string& path) = 0;
  // FSCONFIG_CMD_CREATE: creates the superblock.
  [[nodiscard]] virtual Status fsconfig_create(int fsfd) = 0;
  // FSCONFIG_CMD_RECONFIGURE (on an fspick fd).
  [[nodiscard]] virtual Status fsconfig_reconfigure(int fsfd) = 0;
  // fsmount(2): a detached mount fd (or with FSMOUNT_NAMESPACE, 7.1, a mount-namespace fd).
  // `flags`: FSMOUNT_*; `attr_flags`: MOUNT_ATTR_*.
  [[nodiscard]] virtual Result<UniqueFd> fsmount(int fsfd, unsigned flags, unsigned attr_flags) = 0;
  // fspick(2): an fs-context fd for reconfiguring the superblock at `path`. `flags`: FSPICK_*.
  [[nodiscard]] virtual Result<UniqueFd> fspick(int dirfd, const std::string& path,
                                                unsigned flags) = 0;
  // mount_setattr(2) (5.12). `flags`: AT_RECURSIVE|AT_EMPTY_PATH|AT_SYMLINK_NOFOLLOW...
  [[nodiscard]] virtual Status mount_setattr(int dirfd, const std::string& path, unsigned flags,
                                             const MountAttr& attr) = 0;
  // statmount(2) (6.8) of the mount with unique id `mnt_id` (mask: all fields in MountStat).
  // EPERM when the mount is not reachable from the caller's root and the caller lacks
  // CAP_SYS_ADMIN; ENOENT when the id does not exist in the caller's mount namespace.
  [[nodiscard]] virtual Result<MountStat> statmount(uint64_t mnt_id) = 0;
  // statmount(STATMOUNT_BY_FD) (7.0): the mount `fd` lives on, detached mounts included.
  [[nodiscard]] virtual Result<MountStat> statmount_fd(int fd) = 0;
  // listmount(2) (6.8): unique ids of the children of `mnt_id` (LSMT_ROOT: the whole namespace),
  // all of them (the implementation pages through). `flags`: LISTMOUNT_REVERSE.
  [[nodiscard]] virtual Result<std::vector<uint64_t>> listmount(uint64_t mnt_id,
                                                                unsigned flags) = 0;
  // statx(2) with STATX_MNT_ID_UNIQUE (6.8): the 64-bit unique id of the mount `path` is on (the
  // id statmount/listmount take). ENOTSUP when the kernel does not report the unique id.
  [[nodiscard]] virtual Result<uint64_t> statx_mnt_id(int dirfd, const std::string& path,
                                                      int at_flags) = 0;

  // ---- legacy mount API ---------------------------------------------------------------------
  // mount(2). `source`/`fstype`/`data` may be "" (passed as NULL). `flags`: MS_*.
  [[nodiscard]] virtual Status mount(const std::string& source, const std::string& target,
                                     const std::string& fstype, unsigned long flags,
                                     const std::string& data) = 0;
  // umount2(2). `flags`: MNT_DETACH|MNT_FORCE|UMOUNT_NOFOLLOW.
  [[nodiscard]] virtual Status umount2(const std::string& target, int flags) = 0;
  [[nodiscard]] virtual Status pivot_root(const std::string& new_root,
                                          const std::string& put_old) = 0;
  [[nodiscard]] virtual Status chroot(const std::string& path) = 0;
  [[nodiscard]] virtual Status chdir(const std::string& path) = 0;
  [[nodiscard]] virtual Status fchdir(int fd) = 0;

  // ---- namespaces and processes --------------------------------------------------------------
  // unshare(2). `flags`: CLONE_NEW*|CLONE_FS|CLONE_FILES.
  [[nodiscard]] virtual Status unshare(uint64_t flags) = 0;
  // setns(2). `nstype`: 0 or one CLONE_NEW* bit.
  [[nodiscard]] virtual Status setns(int fd, int nstype) = 0;
  // clone3(2) without a new stack (fork-like). Returns pid 0 in the child. Fork-safety: the child
  // is a copy of a possibly multi-threaded parent: only async-signal-safe work until execve.
  [[nodiscard]] virtual Result<CloneResult> clone3(const CloneArgs& args) = 0;
  // pidfd_open(2) (5.3).
  [[nodiscard]] virtual Result<UniqueFd> pidfd_open(pid_t pid, unsigned flags) = 0;
  // pidfd_send_signal(2) (5.1). ESRCH: the process is gone.
  [[nodiscard]] virtual Status pidfd_send_signal(int pidfd, int sig) = 0;
  // waitid(2). `idtype`: P_PID/P_PIDFD/P_ALL; `options`: WEXITED|WNOHANG|... Retries EINTR.
  [[nodiscard]] virtual Result<WaitStatus> waitid(int idtype, int id, int options) = 0;
  // waitpid(2), decoded into WaitStatus. Retries EINTR.
  [[nodiscard]] virtual Result<WaitStatus> waitpid(pid_t pid, int options) = 0;
  [[nodiscard]] virtual Status kill(pid_t pid, int sig) = 0;
  // getpid(2); never fails.
  virtual pid_t getpid() = 0;
  // execve(2): only returns on failure. `argv`/`envp` are copied into NULL-terminated arrays.
  [[nodiscard]] virtual Status execve(const std::string& path, const std::vector<std::string>& argv,
                                      const std::vector<std::string>& envp) = 0;
  // execveat(2) with AT_EMPTY_PATH when `path` is "" (fexecve of a pre-opened binary).
  [[nodiscard]] virtual Status execveat(int dirfd, const std::string& path,
                                        const std::vector<std::string>& argv,
                                        const std::vector<std::string>& envp, int flags) = 0;
  [[nodiscard]] virtual Status sethostname(const std::string& name) = 0;
  [[nodiscard]] virtual Status setdomainname(const std::string& name) = 0;
  // ioctl(NS_GET_MNTNS_ID) (6.8) on a mount-namespace fd.
  [[nodiscard]] virtual Result<uint64_t> ioctl_ns_get_mntns_id(int nsfd) = 0;

  // ---- prctl and credentials ----------------------------------------------------------------
  [[nodiscard]] virtual Status set_pdeathsig(int sig) = 0;        // PR_SET_PDEATHSIG
  [[nodiscard]] virtual Status set_child_subreaper(bool on) = 0;  // PR_SET_CHILD_SUBREAPER
  [[nodiscard]] virtual Status set_no_new_privs() = 0;            // PR_SET_NO_NEW_PRIVS 1
  [[nodiscard]] virtual Status set_dumpable(bool on) = 0;         // PR_SET_DUMPABLE
  [[nodiscard]] virtual Status set_keepcaps(bool on) = 0;         // PR_SET_KEEPCAPS
  // PR_GET_SECCOMP: 0 disabled, 2 filter mode (a seccomp'd caller of mode 1 is killed instead).
  [[nodiscard]] virtual Result<int> get_seccomp() = 0;
  // Raw setres[ug]id(2)/setgroups(2) syscalls: per-thread, unlike glibc's all-threads wrappers
  // (what a single-threaded container init wants).
  [[nodiscard]] virtual Status setresuid(uid_t r, uid_t e, uid_t s) = 0;
  [[nodiscard]] virtual Status setresgid(gid_t r, gid_t e, gid_t s) = 0;
  [[nodiscard]] virtual Status setgroups(const std::vector<gid_t>& groups) = 0;
  // umask(2): returns the previous mask; never fails.
  virtual mode_t umask(mode_t mask) = 0;
  // personality(2): returns the previous persona.
  [[nodiscard]] virtual Result<int> personality(unsigned long persona) = 0;
  // ---- scheduling, io priority, numa (process settings #4) ---------------------------------
  // sched_setattr(2) (3.14) of `pid` (0: the caller). EINVAL: a policy/param the kernel refuses
  // (SCHED_ISO is not in mainline); EPERM: a real-time policy without CAP_SYS_NICE.
  [[nodiscard]] virtual Status sched_setattr(pid_t pid, const SchedAttr& attr, unsigned flags) = 0;
  // sched_setaffinity(2) of `pid` (0: the caller) to the cpu numbers in `cpus` (any order).
  // EINVAL: none of them is online/allowed.
  [[nodiscard]] virtual Status sched_setaffinity(pid_t pid, const std::vector<int>& cpus) = 0;
  // ioprio_set(2) with `which` IOPRIO_WHO_*, `who` (0: the caller), `ioprio` the packed
  // IOPRIO_PRIO_VALUE(class, data).
  [[nodiscard]] virtual Status ioprio_set(int which, int who, int ioprio) = 0;
  // set_mempolicy(2): `mode` MPOL_* | MPOL_F_* flags, `nodemask` bit words (may be empty),
  // `maxnode` the number of bits the kernel reads. ENOSYS: kernel without NUMA.
  [[nodiscard]] virtual Status set_mempolicy(int mode, const std::vector<unsigned long>& nodemask,
                                             unsigned long maxnode) = 0;
  // landlock_create_ruleset(NULL, 0, LANDLOCK_CREATE_RULESET_VERSION): the ABI version (5.13).
  // ENOSYS: not built; EOPNOTSUPP: built but disabled at boot.
  [[nodiscard]] virtual Result<int> landlock_abi_version() = 0;
  // uname(2), with the major.minor parsed from `release`.
  [[nodiscard]] virtual Result<KernelRelease> uname() = 0;

  // ---- files ---------------------------------------------------------------------------------
  // openat(2); O_CLOEXEC is always added.
  [[nodiscard]] virtual Result<UniqueFd> openat(int dirfd, const std::string& path, int flags,
                                                mode_t mode) = 0;
  // openat2(2) (5.6); O_CLOEXEC is always added. EXDEV/ELOOP when RESOLVE_* refuses the path.
  [[nodiscard]] virtual Result<UniqueFd> openat2(int dirfd, const std::string& path,
                                                 const OpenHow& how) = 0;
  [[nodiscard]] virtual Status mkdirat(int dirfd, const std::string& path, mode_t mode) = 0;
  [[nodiscard]] virtual Status mknodat(int dirfd, const std::string& path, mode_t mode,
                                       dev_t dev) = 0;
  // symlinkat(2): creates `linkpath` (relative to dirfd) pointing at `target`.
  [[nodiscard]] virtual Status symlinkat(const std::string& target, int dirfd,
                                         const std::string& linkpath) = 0;
  [[nodiscard]] virtual Result<std::string> readlinkat(int dirfd, const std::string& path) = 0;
  // unlinkat(2). `flags`: 0 or AT_REMOVEDIR.
  [[nodiscard]] virtual Status unlinkat(int dirfd, const std::string& path, int flags) = 0;
  // renameat2(2). `flags`: RENAME_NOREPLACE|RENAME_EXCHANGE or 0.
  [[nodiscard]] virtual Status renameat2(int olddirfd, const std::string& oldpath, int newdirfd,
                                         const std::string& newpath, unsigned flags) = 0;
  [[nodiscard]] virtual Status fchownat(int dirfd, const std::string& path, uid_t uid, gid_t gid,
                                        int flags) = 0;
  // fchmodat(2) (flags 0 only; to chmod an fd use path "" with a /proc-free fchmod).
  [[nodiscard]] virtual Status fchmodat(int dirfd, const std::string& path, mode_t mode,
                                        int flags) = 0;
  [[nodiscard]] virtual Status fchmod(int fd, mode_t mode) = 0;
  [[nodiscard]] virtual Result<struct stat> fstat(int fd) = 0;
  // fstatat(2). `flags`: AT_SYMLINK_NOFOLLOW|AT_EMPTY_PATH.
  [[nodiscard]] virtual Result<struct stat> fstatat(int dirfd, const std::string& path,
                                                    int flags) = 0;
  [[nodiscard]] virtual Result<struct statfs> fstatfs(int fd) = 0;
  [[nodiscard]] virtual Result<struct statfs> statfs(const std::string& path) = 0;
  // Reads a whole (small, e.g. /proc or cgroup) file: openat(O_RDONLY|O_NOCTTY) + read to EOF.
  [[nodiscard]] virtual Result<std::string> read_file_at(int dirfd, const std::string& path) = 0;
  // Writes `data` to an existing file with one write(2) (as procfs/cgroupfs want):
  // openat(O_WRONLY|O_NOCTTY) + write; a short write is EIO.
  [[nodiscard]] virtual Status write_file_at(int dirfd, const std::string& path,
                                             const std::string& data) = 0;
  // read(2) up to `max` bytes (retries EINTR); "" at EOF.
  [[nodiscard]] virtual Result<std::string> read(int fd, size_t max) = 0;
  // write(2) all of `data` (loops over short writes, retries EINTR).
  [[nodiscard]] virtual Status write(int fd, const std::string& data) = 0;
  // Entry names of a directory (without "." and ".."), unsorted. Does not take `dirfd`'s offset.
  [[nodiscard]] virtual Result<std::vector<std::string>> list_dir(int dirfd,
                                                                  const std::string& path) = 0;
  // flock(2). `op`: LOCK_SH|LOCK_EX|LOCK_UN [|LOCK_NB] (EWOULDBLOCK when held).
  [[nodiscard]] virtual Status flock(int fd, int op) = 0;
  [[nodiscard]] virtual Status fsync(int fd) = 0;

  // ---- fds -----------------------------------------------------------------------------------
  // close_range(2) (5.9). `flags`: CLOSE_RANGE_CLOEXEC|CLOSE_RANGE_UNSHARE.
  [[nodiscard]] virtual Status close_range(unsigned first, unsigned last, unsigned flags) = 0;
  // socketpair(2); SOCK_CLOEXEC is always added.
  [[nodiscard]] virtual Result<FdPair> socketpair(int domain, int type, int protocol) = 0;
  // pipe2(2); O_CLOEXEC is always added. first = read end, second = write end.
  [[nodiscard]] virtual Result<FdPair> pipe2(int flags) = 0;
  // dup3(2) onto a fixed number (stdio setup). The caller owns `newfd` afterwards.
  [[nodiscard]] virtual Status dup3(int oldfd, int newfd, int flags) = 0;
  // fcntl(F_DUPFD_CLOEXEC, min_fd): an owned duplicate numbered >= min_fd.
  [[nodiscard]] virtual Result<UniqueFd> dup_cloexec(int fd, int min_fd) = 0;
  // fcntl(F_SETFD) clearing or setting FD_CLOEXEC on a borrowed fd.
  [[nodiscard]] virtual Status set_cloexec(int fd, bool on) = 0;
  // sendmsg(2) of `data` (non-empty) plus SCM_RIGHTS `fds` (borrowed) over a unix socket.
  [[nodiscard]] virtual Status send_fds(int sock, const std::string& data,
                                        const std::vector<int>& fds) = 0;
  // recvmsg(2) of up to `max_data` bytes and up to `max_fds` SCM_RIGHTS fds (owned, cloexec).
  // "" with no fds means the peer closed.
  struct Received {
    std::string data;
    std::vector<UniqueFd> fds;
  };
  [[nodiscard]] virtual Result<Received> recv_fds(int sock, size_t max_data, size_t max_fds) = 0;

  // ---- terminal: ptys, controlling tty, the attach loop (process.terminal, #3/#4) -------------
  // ioctl(TIOCSPTLCK) on a pty master: lock (true) or unlock (unlockpt(3)) its peer.
  [[nodiscard]] virtual Status ioctl_tiocsptlck(int fd, bool lock) = 0;
  // ioctl(TIOCGPTPEER) (4.13): opens the peer of pty master `fd` without a path lookup (so a
  // swapped /dev/pts/N cannot be substituted). `flags`: O_RDWR|O_NOCTTY...; O_CLOEXEC is added.
  [[nodiscard]] virtual Result<UniqueFd> ioctl_tiocgptpeer(int fd, int flags) = 0;
  // ioctl(TIOCGPTN): the index N of pty master `fd` (its peer is /dev/pts/N of its devpts).
  [[nodiscard]] virtual Result<unsigned> ioctl_tiocgptn(int fd) = 0;
  // ioctl(TIOCSCTTY, arg): makes terminal `fd` the controlling terminal of the calling session
  // leader. EPERM: not a session leader, or the tty belongs to another session and !arg.
  [[nodiscard]] virtual Status ioctl_tiocsctty(int fd, int arg) = 0;
  // ioctl(TIOCGWINSZ) / ioctl(TIOCSWINSZ): a terminal's window size. ENOTTY: not a terminal.
  [[nodiscard]] virtual Result<struct winsize> ioctl_tiocgwinsz(int fd) = 0;
  [[nodiscard]] virtual Status ioctl_tiocswinsz(int fd, const struct winsize& ws) = 0;
  // tcgetattr(3) / tcsetattr(3) (ioctl TCGETS / TCSETS*). ENOTTY: not a terminal.
  // `optional_actions`: TCSANOW|TCSADRAIN|TCSAFLUSH.
  [[nodiscard]] virtual Result<struct termios> tcgetattr(int fd) = 0;
  [[nodiscard]] virtual Status tcsetattr(int fd, int optional_actions,
                                         const struct termios& t) = 0;
  // setsid(2): the new session id. EPERM: already a process-group leader.
  [[nodiscard]] virtual Result<pid_t> setsid() = 0;
  // socket(2); SOCK_CLOEXEC is always added.
  [[nodiscard]] virtual Result<UniqueFd> socket(int domain, int type, int protocol) = 0;
  // connect(2) of an AF_UNIX socket to the filesystem path `path` (ENAMETOOLONG when it does not
  // fit sun_path). Retries EINTR.
  [[nodiscard]] virtual Status connect(int fd, const std::string& path) = 0;
  // poll(2) on `fds` (revents filled in); the number of ready entries, 0 on timeout. EINTR is
  // returned, not retried (the caller's loop decides).
  [[nodiscard]] virtual Result<int> poll(std::vector<struct pollfd>& fds, int timeout_ms) = 0;
  // sigprocmask(2) for the calling thread: returns the previous mask. `how`: SIG_BLOCK|
  // SIG_UNBLOCK|SIG_SETMASK.
  [[nodiscard]] virtual Result<sigset_t> sigprocmask(int how, const sigset_t& set) = 0;
  // signalfd(2) for `mask` (a new fd; SFD_CLOEXEC is always added). `flags`: SFD_NONBLOCK.
  [[nodiscard]] virtual Result<UniqueFd> signalfd(const sigset_t& mask, int flags) = 0;
  // ---- seccomp and its notify listener (#4) ---------------------------------------------------
  // seccomp(2) with `op` SECCOMP_SET_MODE_FILTER, `flags` SECCOMP_FILTER_FLAG_* and the cBPF
  // program `prog` (<= 4096 instructions). With SECCOMP_FILTER_FLAG_NEW_LISTENER the notify fd
  // the kernel returns (close-on-exec); otherwise an empty UniqueFd. EACCES: neither
  // no_new_privs nor CAP_SYS_ADMIN; EINVAL: bad program or flag unknown to the kernel.
  [[nodiscard]] virtual Result<UniqueFd> seccomp(unsigned op, unsigned flags,
                                                 const std::vector<BpfInsn>& prog) = 0;

  // --- bpf (cgroup devices) ---
  // bpf(BPF_PROG_LOAD) of the eBPF program `insns` with `prog_type` (BPF_PROG_TYPE_*, e.g.
  // CGROUP_DEVICE) and `license` ("GPL", "Apache"): the program fd (close-on-exec). When the
  // verifier rejects the program (EACCES/EINVAL) the load is retried with a verifier log and the
  // error's frame ends with the start of that log. EPERM: no CAP_BPF/CAP_SYS_ADMIN; E2BIG: too
  // many instructions.
  [[nodiscard]] virtual Result<UniqueFd> bpf_prog_load(uint32_t prog_type,
                                                       const std::vector<struct bpf_insn>& insns,
                                                       const std::string& license) = 0;
  // bpf(BPF_PROG_ATTACH): attaches program `prog_fd` (borrowed) to `target_fd` (borrowed; a
  // cgroup v2 directory fd for cgroup attach types) as `attach_type` (BPF_CGROUP_*), `flags`
  // BPF_F_ALLOW_MULTI|BPF_F_ALLOW_OVERRIDE|... . EPERM: a non-multi program is attached there.
  [[nodiscard]] virtual Status bpf_prog_attach(int target_fd, int prog_fd, uint32_t attach_type,
                                               uint32_t flags) = 0;
  // bpf(BPF_PROG_DETACH) of the program `prog_fd` (borrowed) from `target_fd`/`attach_type`.
  // ENOENT: that program is not attached there.
  [[nodiscard]] virtual Status bpf_prog_detach2(int target_fd, int prog_fd,
                                                uint32_t attach_type) = 0;
  // bpf(BPF_PROG_QUERY): the ids of the programs attached to `target_fd` as `attach_type`
  // (directly, not inherited), in attach order; all of them (the implementation grows its
  // buffer on ENOSPC).
  [[nodiscard]] virtual Result<std::vector<uint32_t>> bpf_prog_query(int target_fd,
                                                                     uint32_t attach_type) = 0;
  // bpf(BPF_PROG_GET_FD_BY_ID): an fd (close-on-exec) for the loaded program `id`. ENOENT: no
  // such program (anymore).
  [[nodiscard]] virtual Result<UniqueFd> bpf_prog_get_fd_by_id(uint32_t id) = 0;

  // --- keyring (selinux) ---
  // keyctl(KEYCTL_JOIN_SESSION_KEYRING, name): joins the session keyring `name`, creating it if
  // needed; an empty `name` passes NULL (a fresh anonymous keyring). The keyring's SELinux label
  // is /proc/self/attr/keycreate at that moment. Returns the keyring's serial. ENOSYS: keyrings
  // are not built into the kernel; EDQUOT: the user's key quota is exhausted.
  [[nodiscard]] virtual Result<int32_t> keyctl_join_session_keyring(const std::string& name) = 0;

  // --- network (sandbox) ---
  // Sets IFF_UP on the network device `name` of the caller's network namespace (an AF_INET
  // datagram socket + ioctl SIOCGIFFLAGS/SIOCSIFFLAGS, as `ip link set lo up` does without
  // netlink). ENODEV: no such device; EPERM: no CAP_NET_ADMIN over the namespace.
  [[nodiscard]] virtual Status set_link_up(const std::string& name) = 0;

  // ---- image sources (erofs) ----
  // listxattr(2) on `path`, following a final symlink: pass "/proc/self/fd/N" of an O_PATH fd to
  // read the xattrs of that inode itself (a symlink, a device, a socket). Names as the kernel
  // lists them (only the namespaces the caller may read). EOPNOTSUPP: fs without xattrs.
  [[nodiscard]] virtual Result<std::vector<std::string>> listxattr(const std::string& path) = 0;
  // getxattr(2) on `path` (same resolution as listxattr): the value. ENODATA when absent.
  [[nodiscard]] virtual Result<std::string> getxattr(const std::string& path,
                                                     const std::string& name) = 0;
  // pread(2) up to `max` bytes at `offset` (retries EINTR); "" at EOF.
  [[nodiscard]] virtual Result<std::string> pread(int fd, size_t max, uint64_t offset) = 0;

  // ---- loop devices (imgrun) ------------------------------------------------------------------
  // ioctl(LOOP_CTL_GET_FREE) on /dev/loop-control (`ctl_fd`): the number N of a free
  // /dev/loopN (allocated if needed). ENOSPC/ENODEV: none can be had.
  [[nodiscard]] virtual Result<int> ioctl_loop_ctl_get_free(int ctl_fd) = 0;
  // ioctl(LOOP_CONFIGURE) (5.8) of the loop device `loop_fd` onto the file `backing_fd` (both
  // borrowed) with `lo_flags` LO_FLAGS_READ_ONLY|LO_FLAGS_AUTOCLEAR|LO_FLAGS_DIRECT_IO. EBUSY:
  // the device is already bound (someone took it after LOOP_CTL_GET_FREE); EINVAL/ENOTTY: a
  // kernel without LOOP_CONFIGURE.
  [[nodiscard]] virtual Status ioctl_loop_configure(int loop_fd, int backing_fd,
                                                    uint32_t lo_flags) = 0;
};

}  // namespace grove::sys
