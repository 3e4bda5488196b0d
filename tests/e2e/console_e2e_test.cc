// L3: process.terminal through the grove binary. A console-socket server in the test process
// (what containerd's shim and conmon run) receives the pty master from `grove create
// --console-socket` and reads what the container prints through it; `grove run` in the
// foreground is given a pty of the test as its terminal. E2eFixture: mkdtemp --root, the test
// is a child subreaper, every container is force-deleted in TearDown.

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <pty.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "libcontainer/base/unique_fd.h"
#include "tests/support/console_socket.h"
#include "tests/support/e2e_fixture.h"
#include "tests/support/files.h"
#include "tests/support/run_binary.h"

namespace grove::testing {
namespace {

using ::testing::ContainsRegex;
using ::testing::HasSubstr;

class ConsoleE2ePrivTest : public E2eFixture {
 protected:
  ConsoleE2ePrivTest() : E2eFixture(GROVE_BIN) {}

  void configure(std::vector<std::string> args, bool terminal) {
    oci::Process& p = *bundle_->spec().process;
    p.args = std::move(args);
    p.terminal = terminal;
    if (terminal) p.console_size = oci::ConsoleSize{40, 120};
    ASSERT_TRUE(bundle_->write_config());
  }

  // create --console-socket + start, reading the container's output through the master.
  void check_console_socket(bool no_pivot);
};

// The pivot strategy (default) and the chroot one (--no-pivot) both bind the pty on
// /dev/console after their root switch.
TEST_F(ConsoleE2ePrivTest, CreateSendsTheMasterOverTheConsoleSocket) {
  for (bool no_pivot : {false, true}) {
    SCOPED_TRACE(no_pivot ? "--no-pivot" : "pivot");
    check_console_socket(no_pivot);
  }
}

void ConsoleE2ePrivTest::check_console_socket(bool no_pivot) {
  configure({"sh", "-c",
             "busybox tty; busybox stty size; [ -t 0 ] && [ -t 1 ] && echo STDIO-IS-TTY; "
             "[ /dev/console -ef \"$(busybox tty)\" ] && echo CONSOLE-IS-PTY; echo done"},
            true);
  const std::string id = no_pivot ? "c1-np" : "c1";
  const std::string sock = cli_->scratch() + "/" + id + ".sock";
  UniqueFd listener = listen_at(sock);
  ASSERT_TRUE(listener) << std::strerror(errno);
  std::vector<std::string> args = {"create", "--console-socket", sock, "--bundle",
                                   bundle_->bundle()};
  if (no_pivot) args.push_back("--no-pivot");
  args.push_back(id);
  pid_t create = cli_->spawn(args, "create");
  std::optional<Received> got = accept_console(listener.get());
  Ran created = cli_->finish(create, "create");
  ASSERT_EQ(created.code, 0) << created.err;
  ASSERT_TRUE(got.has_value()) << "nothing received on the console socket";
  ASSERT_EQ(got->fds.size(), 1u) << "exactly one SCM_RIGHTS fd";
  EXPECT_EQ(got->payload, "/dev/pts/ptmx");  // runc's payload: the master's name
  int master = got->fds[0].get();
  EXPECT_EQ(::isatty(master), 1);
  Ran started = grove({"start", id});
  ASSERT_EQ(started.code, 0) << started.err;
  std::string out = read_pty(master, "done");
  EXPECT_THAT(out, ContainsRegex("/dev/pts/[0-9]+\r\n"));
  EXPECT_THAT(out, HasSubstr("40 120\r\n"));  // process.consoleSize
  EXPECT_THAT(out, HasSubstr("STDIO-IS-TTY"));
  EXPECT_THAT(out, HasSubstr("CONSOLE-IS-PTY"));
}

TEST_F(ConsoleE2ePrivTest, ContainerReadsInputFromTheMaster) {
  configure({"sh", "-c", "read line; echo got:$line; exit 5"}, true);
  const std::string sock = cli_->scratch() + "/console.sock";
  UniqueFd listener = listen_at(sock);
  ASSERT_TRUE(listener);
  pid_t create =
      cli_->spawn({"create", "--console-socket", sock, "-b", bundle_->bundle(), "c2"}, "create");
  std::optional<Received> got = accept_console(listener.get());
  ASSERT_EQ(cli_->finish(create, "create").code, 0);
  ASSERT_TRUE(got && got->fds.size() == 1);
  ASSERT_EQ(grove({"start", "c2"}).code, 0);
  ASSERT_EQ(::write(got->fds[0].get(), "hello\n", 6), 6);
  EXPECT_THAT(read_pty(got->fds[0].get(), "got:hello"), HasSubstr("got:hello"));
}

TEST_F(ConsoleE2ePrivTest, CreateWithTerminalNeedsAConsoleSocket) {
  configure({"true"}, true);
  Ran r = grove({"create", "-b", bundle_->bundle(), "c3"});
  EXPECT_NE(r.code, 0);
  EXPECT_THAT(r.err,
              HasSubstr("cannot allocate tty if grove will detach without setting console socket"));
  Ran d = grove({"run", "--detach", "-b", bundle_->bundle(), "c3"});
  EXPECT_NE(d.code, 0);
  EXPECT_THAT(d.err,
              HasSubstr("cannot allocate tty if grove will detach without setting console socket"));
  EXPECT_EQ(grove({"state", "c3"}).code, 1) << "nothing may be left behind";
}

TEST_F(ConsoleE2ePrivTest, ConsoleSocketWithoutTerminalIsRefused) {
  configure({"true"}, false);
  const std::string sock = cli_->scratch() + "/console.sock";
  UniqueFd listener = listen_at(sock);
  ASSERT_TRUE(listener);
  for (const std::vector<std::string>& verb :
       {std::vector<std::string>{"create"}, std::vector<std::string>{"run", "--detach"}}) {
    std::vector<std::string> args = verb;
    args.insert(args.end(), {"--console-socket", sock, "-b", bundle_->bundle(), "c4"});
    Ran r = grove(args);
    EXPECT_NE(r.code, 0) << verb[0];
    EXPECT_THAT(r.err,
                HasSubstr("cannot use console socket if grove will not detach or allocate tty"));
  }
  // A foreground run does not detach: a console socket is refused even with a terminal.
  configure({"true"}, true);
  Ran r = grove({"run", "--console-socket", sock, "-b", bundle_->bundle(), "c4"});
  EXPECT_NE(r.code, 0);
  EXPECT_THAT(r.err,
              HasSubstr("cannot use console socket if grove will not detach or allocate tty"));
  EXPECT_EQ(grove({"state", "c4"}).code, 1);
}

TEST_F(ConsoleE2ePrivTest, UnreachableConsoleSocketFailsCreateCleanly) {
  configure({"true"}, true);
  Ran r = grove({"create", "--console-socket", cli_->scratch() + "/nobody.sock", "-b",
                 bundle_->bundle(), "c5"});
  EXPECT_NE(r.code, 0);
  EXPECT_THAT(r.err, HasSubstr("nobody.sock"));
  EXPECT_EQ(grove({"state", "c5"}).code, 1) << "nothing may be left behind";
}

// `grove run` in the foreground with the test's pty as its terminal: input typed on the
// terminal reaches the container, its output comes back, the terminal's size is copied to the
// container's pty, the exit code is the process's and the terminal mode is restored.
TEST_F(ConsoleE2ePrivTest, RunAttachesTheCallersTerminal) {
  configure({"sh", "-c", "busybox stty size; read line; echo got:$line; exit 7"}, true);
  TestPty pty = open_test_pty(33, 77);
  ASSERT_TRUE(pty.master) << "openpty: " << std::strerror(errno);
  const int master = pty.master.get();
  const int peer = pty.peer.get();
  struct termios before;
  ASSERT_EQ(::tcgetattr(peer, &before), 0);
  ASSERT_NE(before.c_lflag & ICANON, 0u);
  pid_t run = cli_->spawn({"run", "-b", bundle_->bundle(), "c6"}, "run", peer);
  std::string out = read_pty(master, "33 77");
  ASSERT_EQ(::write(master, "hello\r", 6), 6);  // raw terminal: Enter sends CR
  out += read_pty(master, "got:hello");
  Ran r = cli_->finish(run, "run");
  EXPECT_EQ(r.code, 7) << r.err;
  EXPECT_THAT(out, HasSubstr("33 77"));          // the caller's size, not consoleSize
  EXPECT_THAT(out, HasSubstr("got:hello\r\n"));  // as runc: no staircase output
  struct termios after;
  ASSERT_EQ(::tcgetattr(peer, &after), 0);
  EXPECT_EQ(after.c_lflag, before.c_lflag) << "terminal mode not restored";
  EXPECT_EQ(after.c_oflag, before.c_oflag);
  EXPECT_EQ(grove({"state", "c6"}).code, 1) << "run deletes the container";
}

TEST_F(ConsoleE2ePrivTest, RunWithoutATerminalFailsAndLeavesNothing) {
  configure({"true"}, true);
  // stdin /dev/null, stdout/stderr files, and no controlling terminal: nothing to attach.
  std::vector<std::string> argv = {
      "/usr/bin/setsid", GROVE_BIN, "--root", cli_->root(), "run", "-b", bundle_->bundle(), "c7"};
  if (::access(argv[0].c_str(), X_OK) != 0) GTEST_SKIP() << "needs /usr/bin/setsid (util-linux)";
  Ran r = run_binary(
      argv, {.out_path = cli_->scratch() + "/run.out", .err_path = cli_->scratch() + "/run.err"});
  EXPECT_NE(r.code, 0);
  EXPECT_THAT(r.err, HasSubstr("/dev/tty"));
  EXPECT_EQ(grove({"state", "c7"}).code, 1);
}

}  // namespace
}  // namespace grove::testing
