#include "libcontainer/process/console.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#include <cstring>

#include "libcontainer/base/strings.h"
#include "libcontainer/mount/apply.h"

namespace grove::process {
namespace {

constexpr const char* kPtmx = "/dev/pts/ptmx";
constexpr long kDevptsMagic = 0x1cd1;  // DEVPTS_SUPER_MAGIC
constexpr std::size_t kChunk = 4096;

// runc's checkPtmxHandle: a char device 5:2 (TTYAUX_MAJOR, the ptmx minor) on a devpts mount.
Status check_ptmx(sys::Ops& ops, int fd) {
  GROVE_ASSIGN_OR_RETURN(struct stat st, ops.fstat(fd));
  GROVE_ASSIGN_OR_RETURN(struct statfs sfs, ops.fstatfs(fd));
  if (!S_ISCHR(st.st_mode) || st.st_rdev != makedev(5, 2) ||
      static_cast<long>(sfs.f_type) != kDevptsMagic) {
    return Error::plain(ENODEV, std::string(kPtmx) + " is not the devpts ptmx device");
  }
  return ok();
}

// Opens the container's ptmx. The O_PATH handle is checked before anything is opened for real:
// opening a fifo or an arbitrary device planted by the image could block or have side effects.
// Nothing else runs in the container yet, so the path cannot change between the two opens; the
// second is checked to be the same inode anyway.
Result<UniqueFd> open_ptmx(sys::Ops& ops) {
  GROVE_ASSIGN_OR_RETURN(UniqueFd handle, ops.openat(AT_FDCWD, kPtmx, O_PATH | O_NOFOLLOW, 0));
  GROVE_TRY(check_ptmx(ops, handle.get()));
  GROVE_ASSIGN_OR_RETURN(UniqueFd ptmx,
                         ops.openat(AT_FDCWD, kPtmx, O_RDWR | O_NOCTTY | O_NOFOLLOW, 0));
  GROVE_ASSIGN_OR_RETURN(struct stat a, ops.fstat(handle.get()));
  GROVE_ASSIGN_OR_RETURN(struct stat b, ops.fstat(ptmx.get()));
  if (a.st_dev != b.st_dev || a.st_ino != b.st_ino) {
    return Error::plain(ENODEV, std::string(kPtmx) + " changed while it was opened");
  }
  return ptmx;
}

Status dup_stdio(sys::Ops& ops, int peer) {
  for (int target = 0; target <= 2; ++target) GROVE_TRY(ops.dup3(peer, target, 0));
  return ok();
}

// cfmakeraw(3), as containerd/console's SetRaw (runc puts the caller's terminal in raw mode).
struct termios raw_mode(struct termios t) {
  t.c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
  t.c_oflag &= ~OPOST;
  t.c_lflag &= ~(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
  t.c_cflag &= ~(CSIZE | PARENB);
  t.c_cflag |= CS8;
  t.c_cc[VMIN] = 1;
  t.c_cc[VTIME] = 0;
  return t;
}

}  // namespace

Status setup_console(sys::Ops& ops, const ConsoleSetup& setup, const SyncSocket& sync) {
  // A new session so the pty can become our controlling terminal (runc's nsexec setsid()s
  // every init; grove only needs it for a terminal).
  GROVE_TRY(ops.setsid().context("new session"));
  GROVE_ASSIGN_OR_RETURN(UniqueFd master, open_ptmx(ops));
  GROVE_TRY(ops.ioctl_tiocsptlck(master.get(), false));
  GROVE_ASSIGN_OR_RETURN(UniqueFd peer, ops.ioctl_tiocgptpeer(master.get(), O_RDWR | O_NOCTTY));
  if (setup.size && setup.size->height != 0 && setup.size->width != 0) {
    struct winsize ws;
    std::memset(&ws, 0, sizeof ws);
    ws.ws_row = static_cast<unsigned short>(setup.size->height);
    ws.ws_col = static_cast<unsigned short>(setup.size->width);
    GROVE_TRY(ops.ioctl_tiocswinsz(master.get(), ws).context("process.consoleSize"));
  }
  if (setup.bind_console) {
    GROVE_ASSIGN_OR_RETURN(UniqueFd root, ops.openat(AT_FDCWD, "/", O_PATH | O_DIRECTORY, 0));
    GROVE_TRY(mount::bind_console(ops, root.get(), "/dev/console", peer.get(), setup.resolve)
                  .context("bind console on \"/dev/console\""));
  }
  GROVE_TRY(sync.send_fd(ops, SyncKind::kConsole, master.get()).context("send console master"));
  master.reset();
  GROVE_TRY(dup_stdio(ops, peer.get()));
  GROVE_TRY(ops.ioctl_tiocsctty(0, 0).context("controlling terminal"));
  // runc's fixStdioPermissions: the process user must own its terminal (to open /dev/tty,
  // change its modes); the group stays devpts's gid= (tty).
  if (setup.owner != 0) {
    GROVE_TRY(ops.fchownat(peer.get(), "", setup.owner, static_cast<gid_t>(-1), AT_EMPTY_PATH)
                  .context("console owner"));
  }
  return ok();
}

Result<UniqueFd> connect_console_socket(sys::Ops& ops, const std::string& path) {
  auto frame = [&] { return "console socket " + q(path); };
  GROVE_ASSIGN_OR_RETURN(UniqueFd sock, ops.socket(AF_UNIX, SOCK_STREAM, 0).context(frame));
  GROVE_TRY(ops.connect(sock.get(), path).context(frame));
  return sock;
}

Status send_console_master(sys::Ops& ops, int sock, int master) {
  return ops.send_fds(sock, kConsolePayload, {master}).context("console socket");
}

Result<UniqueFd> receive_console_master(sys::Ops& ops, int sock) {
  GROVE_ASSIGN_OR_RETURN(sys::Ops::Received got, ops.recv_fds(sock, kChunk, 1));
  if (got.fds.size() != 1) {
    return Error::plain(EPROTO,
                        "console socket: expected one fd, got " + std::to_string(got.fds.size()));
  }
  return std::move(got.fds[0]);
}

// ---- HostTerminal --------------------------------------------------------------------------

Result<HostTerminal> HostTerminal::open(sys::Ops& ops) {
  for (int fd : {2, 1, 0}) {
    if (ops.tcgetattr(fd)) return HostTerminal(ops, fd, UniqueFd());
  }
  // All three redirected: the controlling terminal is still reachable as /dev/tty.
  GROVE_ASSIGN_OR_RETURN(
      UniqueFd tty,
      ops.openat(AT_FDCWD, "/dev/tty", O_RDWR | O_NOCTTY, 0).context("no terminal to attach"));
  int fd = tty.get();
  return HostTerminal(ops, fd, std::move(tty));
}

HostTerminal::HostTerminal(HostTerminal&& other) noexcept
    : ops_(other.ops_), fd_(other.fd_), owned_(std::move(other.owned_)), saved_(other.saved_) {
  other.saved_.reset();
  other.fd_ = -1;
}

HostTerminal::~HostTerminal() { (void)restore(); }

Status HostTerminal::make_raw() {
  GROVE_ASSIGN_OR_RETURN(struct termios t, ops_->tcgetattr(fd_));
  GROVE_TRY(ops_->tcsetattr(fd_, TCSANOW, raw_mode(t)));
  if (!saved_) saved_ = t;
  return ok();
}

Status HostTerminal::restore() {
  if (!saved_ || fd_ < 0) return ok();
  struct termios t = *saved_;
  saved_.reset();
  return ops_->tcsetattr(fd_, TCSANOW, t);
}

// ---- BlockedSignals ------------------------------------------------------------------------

Result<BlockedSignals> BlockedSignals::block(sys::Ops& ops, const std::vector<int>& signals) {
  sigset_t set;
  sigemptyset(&set);
  for (int sig : signals) sigaddset(&set, sig);
  GROVE_ASSIGN_OR_RETURN(sigset_t old, ops.sigprocmask(SIG_BLOCK, set));
  auto fd = ops.signalfd(set, 0);
  if (!fd) {
    (void)ops.sigprocmask(SIG_SETMASK, old);
    return std::move(fd).error();
  }
  return BlockedSignals(ops, std::move(*fd), old);
}

BlockedSignals::BlockedSignals(BlockedSignals&& other) noexcept
    : ops_(other.ops_), fd_(std::move(other.fd_)), old_(other.old_), active_(other.active_) {
  other.active_ = false;
}

BlockedSignals::~BlockedSignals() {
  if (!active_) return;
  fd_.reset();
  (void)ops_->sigprocmask(SIG_SETMASK, old_);
}

}  // namespace grove::process
