// L1 tests of process/console against FakeOps: the container-side console steps and their
// order, the console-socket messages, the caller's terminal modes and the attach loop.

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/sysmacros.h>

#include <cstring>
#include <string>
#include <vector>

#include "libcontainer/process/console.h"
#include "libcontainer/process/sync.h"
#include "tests/support/fake_ops.h"

namespace grove::process {
namespace {

using testing::FakeOps;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr const char* kPtmxLabel = "<path:/dev/pts/ptmx>";

// Makes the fake's /dev/pts/ptmx look like the devpts ptmx (char 5:2 on devpts).
void good_ptmx(FakeOps& ops) {
  struct stat st;
  std::memset(&st, 0, sizeof st);
  st.st_mode = S_IFCHR | 0666;
  st.st_rdev = makedev(5, 2);
  st.st_ino = 2;
  ops.set_stat(kPtmxLabel, st);
  ops.set_statfs(kPtmxLabel, 0x1cd1);
}

// Index of the first trace line starting with `prefix`, or -1.
int index_of(const FakeOps& ops, const std::string& prefix) {
  const auto& t = ops.trace();
  for (size_t i = 0; i < t.size(); ++i) {
    if (t[i].rfind(prefix, 0) == 0) return static_cast<int>(i);
  }
  return -1;
}

struct Fixture {
  FakeOps ops;
  UniqueFd sync_fd = ops.make_fd("sync");
  SyncSocket sync{ops.make_fd("sync-end")};
};

TEST(ProcessConsoleTest, InitStepsRunInRuncsOrder) {
  Fixture f;
  good_ptmx(f.ops);
  ConsoleSetup setup;
  setup.size = oci::ConsoleSize{40, 120};
  setup.owner = 1000;
  ASSERT_TRUE(setup_console(f.ops, setup, f.sync));
  std::vector<std::string> order = {"setsid()",
                                    "openat(AT_FDCWD, \"/dev/pts/ptmx\"",
                                    "fstat(",
                                    "fstatfs(",
                                    "ioctl_tiocsptlck(<path:/dev/pts/ptmx>, 0)",
                                    "ioctl_tiocgptpeer(<path:/dev/pts/ptmx>",
                                    "ioctl_tiocswinsz(<path:/dev/pts/ptmx>, 40x120)",
                                    "open_tree(<peer:path:/dev/pts/ptmx>",
                                    "move_mount(",
                                    "send_fds(<sync-end>",
                                    "dup3(<peer:path:/dev/pts/ptmx>, 0",
                                    "dup3(<peer:path:/dev/pts/ptmx>, 1",
                                    "dup3(<peer:path:/dev/pts/ptmx>, 2",
                                    "ioctl_tiocsctty(<fd 0>, 0)",
                                    "fchownat(<peer:path:/dev/pts/ptmx>, \"\", 1000"};
  int last = -1;
  for (const std::string& step : order) {
    int at = index_of(f.ops, step);
    ASSERT_GE(at, 0) << "missing " << step << "\n" << f.ops.trace_text();
    EXPECT_GT(at, last) << step << " out of order\n" << f.ops.trace_text();
    last = at;
  }
  // The master crosses as the one fd of a kConsole message.
  EXPECT_THAT(f.ops.trace()[index_of(f.ops, "send_fds(")], HasSubstr("[<path:/dev/pts/ptmx>]"));
  auto msg =
      decode_sync(f.ops.sent().at("<sync-end>").data(), f.ops.sent().at("<sync-end>").size());
  ASSERT_TRUE(msg);
  EXPECT_EQ(msg->kind, SyncKind::kConsole);
  EXPECT_TRUE(f.ops.open_fds().size() <= 2u) << "pty fds leaked";
}

TEST(ProcessConsoleTest, NoSizeNoBindNoChownWhenNotAsked) {
  Fixture f;
  good_ptmx(f.ops);
  ConsoleSetup setup;
  setup.bind_console = false;  // what exec will do
  ASSERT_TRUE(setup_console(f.ops, setup, f.sync));
  EXPECT_EQ(f.ops.calls("ioctl_tiocswinsz"), 0);
  EXPECT_EQ(f.ops.calls("open_tree"), 0);
  EXPECT_EQ(f.ops.calls("move_mount"), 0);
  EXPECT_EQ(f.ops.calls("fchownat"), 0);
  EXPECT_EQ(f.ops.calls("send_fds"), 1);
}

TEST(ProcessConsoleTest, AZeroConsoleSizeIsNotApplied) {
  Fixture f;
  good_ptmx(f.ops);
  ConsoleSetup setup;
  setup.bind_console = false;
  setup.size = oci::ConsoleSize{0, 80};  // runc resizes only when both are set
  ASSERT_TRUE(setup_console(f.ops, setup, f.sync));
  EXPECT_EQ(f.ops.calls("ioctl_tiocswinsz"), 0);
}

TEST(ProcessConsoleTest, APtmxThatIsNotTheDevptsDeviceIsRefusedBeforeOpening) {
  Fixture f;  // default fstat: a directory, as a hostile image could plant
  auto st = setup_console(f.ops, ConsoleSetup{}, f.sync);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code(), ENODEV);
  EXPECT_THAT(st.error().message(), HasSubstr("not the devpts ptmx"));
  EXPECT_EQ(index_of(f.ops, "openat(AT_FDCWD, \"/dev/pts/ptmx\", O_RDWR"), -1);
  EXPECT_EQ(f.ops.calls("send_fds"), 0);
}

TEST(ProcessConsoleTest, PeerFailureStopsBeforeAnythingIsSent) {
  Fixture f;
  good_ptmx(f.ops);
  f.ops.fail_next("ioctl_tiocgptpeer", ENOTTY);
  auto st = setup_console(f.ops, ConsoleSetup{}, f.sync);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code(), ENOTTY);
  EXPECT_THAT(st.error().message(), HasSubstr("ioctl_tiocgptpeer"));
  EXPECT_EQ(f.ops.calls("send_fds"), 0);
  EXPECT_EQ(f.ops.calls("dup3"), 0);
}

TEST(ProcessConsoleTest, SendMasterIsOneMessageWithRuncsPayloadAndOneFd) {
  FakeOps ops;
  UniqueFd sock = ops.make_fd("console-sock");
  UniqueFd master = ops.make_fd("master");
  ASSERT_TRUE(send_console_master(ops, sock.get(), master.get()));
  ASSERT_EQ(ops.calls("send_fds"), 1);
  EXPECT_EQ(ops.trace().back(), "send_fds(<console-sock>, \"/dev/pts/ptmx\", [<master>])");
}

TEST(ProcessConsoleTest, ConnectFailureNamesTheSocket) {
  FakeOps ops;
  ops.fail_next("connect", ENOENT);
  auto r = connect_console_socket(ops, "/run/x.sock");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ENOENT);
  EXPECT_THAT(r.error().message(), HasSubstr("console socket \"/run/x.sock\""));
}

TEST(ProcessConsoleTest, ReceiveNeedsExactlyOneFd) {
  FakeOps ops;
  UniqueFd sock = ops.make_fd("sock");
  ops.queue_recv("/dev/pts/ptmx", 1);
  ops.queue_recv("/dev/pts/ptmx", 0);
  ops.queue_recv("/dev/pts/ptmx", 2);
  auto one = receive_console_master(ops, sock.get());
  ASSERT_TRUE(one) << one.error().message();
  EXPECT_TRUE(one->valid());
  auto none = receive_console_master(ops, sock.get());
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code(), EPROTO);
  auto two = receive_console_master(ops, sock.get());
  ASSERT_FALSE(two);
  one->reset();
  EXPECT_TRUE(ops.open_fds().size() == 1u) << "extra fds must be closed";
}

TEST(ProcessConsoleTest, SyncExpectFdReturnsTheInitsErrorInstead) {
  FakeOps ops;
  SyncSocket parent(ops.make_fd("parent"));
  char buf[kSyncMaxMessage];
  Error e = Error::from_errno(ENODEV, "openat(\"/dev/pts/ptmx\")");
  std::size_t n = encode_sync(SyncKind::kError, 0, &e, buf, sizeof buf);
  ops.queue_recv(std::string(buf, n), 0);
  auto r = parent.expect_fd(ops, SyncKind::kConsole);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ENODEV);
  EXPECT_THAT(r.error().message(), StartsWith("container init: openat"));
  n = encode_sync(SyncKind::kConsole, 0, nullptr, buf, sizeof buf);
  ops.queue_recv(std::string(buf, n), 1);
  auto fd = parent.expect_fd(ops, SyncKind::kConsole);
  ASSERT_TRUE(fd) << fd.error().message();
  EXPECT_TRUE(fd->valid());
}

TEST(ProcessConsoleTest, HostTerminalGoesRawAndBack) {
  FakeOps ops;
  {
    auto host = HostTerminal::open(ops);
    ASSERT_TRUE(host);
    EXPECT_EQ(host->fd(), 2);  // stderr first, like runc
    ASSERT_TRUE(host->make_raw());
    EXPECT_EQ(ops.trace().back(), "tcsetattr(<fd 2>, 0, -icanon -echo -opost +onlcr)");
  }  // the destructor restores
  EXPECT_EQ(ops.trace().back(), "tcsetattr(<fd 2>, 0, +icanon +echo +opost +onlcr)");
}

TEST(ProcessConsoleTest, HostTerminalFallsBackToDevTty) {
  FakeOps ops;
  ops.fail_next("tcgetattr", ENOTTY);
  ops.fail_next("tcgetattr", ENOTTY);
  ops.fail_next("tcgetattr", ENOTTY);
  ops.fail_next("openat", ENXIO);
  auto host = HostTerminal::open(ops);
  ASSERT_FALSE(host);
  EXPECT_EQ(host.error().code(), ENXIO);
  EXPECT_THAT(host.error().message(), HasSubstr("no terminal to attach"));
  EXPECT_THAT(host.error().message(), HasSubstr("/dev/tty"));
}

std::string siginfo(int sig) {
  struct signalfd_siginfo info;
  std::memset(&info, 0, sizeof info);
  info.ssi_signo = static_cast<uint32_t>(sig);
  return std::string(reinterpret_cast<const char*>(&info), sizeof info);
}

TEST(ProcessConsoleTest, AttachCopiesBothWaysResizesForwardsAndEndsOnExit) {
  FakeOps ops;
  UniqueFd master = ops.make_fd("master");
  UniqueFd in = ops.make_fd("in");
  UniqueFd out = ops.make_fd("out");
  UniqueFd host = ops.make_fd("host");
  UniqueFd sig = ops.make_fd("sig");
  ops.set_winsize(50, 132);
  ops.queue_read("master", "hello\r\n");
  ops.queue_read("in", "ls\r");
  ops.queue_read("sig", siginfo(SIGWINCH));
  ops.queue_read("sig", siginfo(SIGTERM));
  ops.queue_read("sig", siginfo(SIGCHLD));
  ops.queue_wait(sys::WaitStatus{0, 0, 0});     // the first check: still running
  ops.queue_wait(sys::WaitStatus{4242, 1, 3});  // after SIGCHLD: exited 3
  AttachOptions o;
  o.master = master.get();
  o.in = in.get();
  o.out = out.get();
  o.winsize_from = host.get();
  o.pid = 4242;
  o.signal_fd = sig.get();
  auto ws = attach_terminal(ops, o);
  ASSERT_TRUE(ws) << ws.error().message() << "\n" << ops.trace_text();
  EXPECT_TRUE(ws->exited());
  EXPECT_EQ(ws->status, 3);
  EXPECT_EQ(ops.sent().at("<out>"), "hello\r\n");
  EXPECT_EQ(ops.sent().at("<master>"), "ls\r");
  EXPECT_EQ(ops.calls("ioctl_tiocswinsz"), 2);  // at start and on SIGWINCH
  EXPECT_GE(index_of(ops, "ioctl_tiocswinsz(<master>, 50x132)"), 0);
  EXPECT_GE(index_of(ops, "kill(4242, SIGTERM)"), 0) << ops.trace_text();
  EXPECT_EQ(index_of(ops, "kill(4242, SIGCHLD)"), -1);
  EXPECT_EQ(index_of(ops, "kill(4242, SIGWINCH)"), -1);
}

}  // namespace
}  // namespace grove::process
