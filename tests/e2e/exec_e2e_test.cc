// L3: `grove exec` and `grove ps` on busybox containers (the real binary, state under a mkdtemp
// --root). The test process is a child subreaper, so inits and detached exec'd processes
// orphaned by grove are reparented to it and reaped here. TearDown force-deletes every
// container, reaps and checks the state root is empty.

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <pty.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "libcontainer/base/strings.h"
#include "tests/support/bundle.h"
#include "tests/support/console_socket.h"
#include "tests/support/e2e_fixture.h"
#include "tests/support/files.h"
#include "tests/support/priv.h"
#include "tests/support/run_binary.h"

namespace grove::testing {
namespace {

using ::testing::Contains;
using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using Json = nlohmann::json;

class ExecE2ePrivTest : public E2eFixture {
 protected:
  ExecE2ePrivTest() : E2eFixture(GROVE_BIN, {"sleep", "100"}) {}

  void SetUp() override {
    E2eFixture::SetUp();
    if (!bundle_) return;
    // Applets the exec tests use beyond the bundle's default set.
    for (const char* applet : {"pwd", "env"}) {
      std::filesystem::create_symlink("busybox", bundle_->bundle() + "/rootfs/bin/" + applet);
    }
    ASSERT_TRUE(bundle_->write_config());
  }

  // A running `sleep 100` container named `id`.
  void run_detached(const std::string& id) {
    Ran r = grove({"run", "-d", "--bundle", bundle_->bundle(), id});
    ASSERT_EQ(r.code, 0) << r.err;
  }

  Json state(const std::string& id) { return cli_->state(id); }
  bool wait_status(const std::string& id, const std::string& want) {
    return cli_->wait_status(id, want);
  }
  const std::string& root() const { return cli_->root(); }
  const std::string& scratch() const { return cli_->scratch(); }
};

TEST_F(ExecE2ePrivTest, OutputAndExitCodes) {
  run_detached("x-codes");
  Ran hi = grove({"exec", "x-codes", "echo", "hi"});
  EXPECT_EQ(hi.code, 0) << hi.err;
  EXPECT_EQ(hi.out, "hi\n");
  // Flags end at the id: "-c" belongs to sh.
  Ran seven = grove({"exec", "x-codes", "sh", "-c", "exit 7"});
  EXPECT_EQ(seven.code, 7) << seven.err;
  Ran killed = grove({"exec", "x-codes", "sh", "-c", "kill -TERM $$"});
  EXPECT_EQ(killed.code, 128 + SIGTERM) << killed.err;
}

TEST_F(ExecE2ePrivTest, SeesTheContainersHostnameAndPidNamespace) {
  run_detached("x-ns");
  Ran host = grove({"exec", "x-ns", "hostname"});
  EXPECT_EQ(host.code, 0) << host.err;
  EXPECT_EQ(host.out, bundle_->spec().hostname + "\n");
  Ran pid = grove({"exec", "x-ns", "sh", "-c", "echo $$"});
  ASSERT_EQ(pid.code, 0) << pid.err;
  long long n = 0;
  ASSERT_TRUE(parse_int64(pid.out.substr(0, pid.out.size() - 1), &n)) << pid.out;
  EXPECT_GT(n, 1);
  EXPECT_LT(n, 100) << "not in the container's pid namespace";
  Ran init = grove({"exec", "x-ns", "cat", "/proc/1/cmdline"});
  EXPECT_EQ(init.code, 0) << init.err;
  EXPECT_EQ(init.out, std::string("sleep\0" "100\0", 10));
}

TEST_F(ExecE2ePrivTest, EnvCwdAndUserFlagsTakeEffect) {
  run_detached("x-flags");
  Ran r = grove({"exec", "--env", "FOO=bar", "-e", "PATH=/bin", "--cwd", "/bin", "-u", "1000:1001",
                 "--additional-gids", "1002", "x-flags", "sh", "-c",
                 "echo $FOO; pwd; id -u; id -g; id -G"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "bar\n/bin\n1000\n1001\n1001 1002\n");
  Ran env = grove({"exec", "-e", "ONLY=here", "x-flags", "env"});
  EXPECT_EQ(env.code, 0) << env.err;
  EXPECT_THAT(env.out, HasSubstr("ONLY=here\n"));
}

TEST_F(ExecE2ePrivTest, ProcessFileIsUsedVerbatim) {
  run_detached("x-file");
  std::string file = scratch() + "/process.json";
  std::ofstream(file) << R"({"args": ["sh", "-c", "echo from-file $X; pwd"], "cwd": "/bin",
                            "env": ["X=1", "PATH=/bin"], "user": {"uid": 0, "gid": 0}})";
  // The trailing command is ignored with --process, as in runc.
  Ran r = grove({"exec", "--process", file, "x-file"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "from-file 1\n/bin\n");
}

TEST_F(ExecE2ePrivTest, OnlyStdioReachesTheProcess) {
  run_detached("x-fds");
  // ls opens /proc/self/fd itself (fd 3); nothing else of the runtime may be there.
  Ran r = grove({"exec", "x-fds", "ls", "/proc/self/fd"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "0\n1\n2\n3\n");
}

TEST_F(ExecE2ePrivTest, PreserveFdsPassesExactlyTheExtraFds) {
  run_detached("x-preserve");
  // fd 3 (and 5, not preserved) are open in grove; only 3 may reach the process, where ls's own
  // directory fd then is 4.
  std::string cmd = std::string(GROVE_BIN) + " --root " + root() +
                    " exec --preserve-fds 1 x-preserve ls /proc/self/fd 3</dev/null 5</dev/null";
  RunOptions o{.out_path = scratch() + "/sh.out", .err_path = scratch() + "/sh.err"};
  Ran r = run_shell(cmd, o);
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "0\n1\n2\n3\n4\n");
}

TEST_F(ExecE2ePrivTest, DetachWritesThePidFileAndPsListsTheProcess) {
  run_detached("x-detach");
  std::string pid_file = scratch() + "/exec.pid";
  Ran r = grove({"exec", "--detach", "--pid-file", pid_file, "x-detach", "sleep", "50"});
  ASSERT_EQ(r.code, 0) << r.err;
  long long pid = 0;
  ASSERT_TRUE(parse_int64(read_text_file(pid_file), &pid)) << read_text_file(pid_file);
  EXPECT_EQ(::kill(static_cast<pid_t>(pid), 0), 0) << "exec'd process not alive";
  Ran ps = grove({"ps", "--format", "json", "x-detach"});
  ASSERT_EQ(ps.code, 0) << ps.err;
  Json pids = Json::parse(ps.out, nullptr, false);
  ASSERT_TRUE(pids.is_array()) << ps.out;
  EXPECT_THAT(pids.get<std::vector<long long>>(), Contains(pid));
  EXPECT_THAT(pids.get<std::vector<long long>>(),
              Contains(state("x-detach")["pid"].get<long long>()));
  EXPECT_EQ(pids.size(), 2u) << ps.out;
  Ran table = grove({"ps", "x-detach"});
  ASSERT_EQ(table.code, 0) << table.err;
  EXPECT_THAT(table.out, HasSubstr("PID"));
  EXPECT_THAT(table.out, HasSubstr("sleep 50"));
  EXPECT_THAT(table.out, HasSubstr("sleep 100"));
  Ran cols = grove({"ps", "x-detach", "-o", "pid,comm"});
  ASSERT_EQ(cols.code, 0) << cols.err;
  EXPECT_EQ(std::count(cols.out.begin(), cols.out.end(), '\n'), 3) << cols.out;
  // The detached process is ours now (subreaper). A pid-namespace init killed by delete only
  // exits once every process of its namespace is reaped, so reap it here first.
  ASSERT_EQ(::kill(static_cast<pid_t>(pid), SIGKILL), 0);
  EXPECT_EQ(::waitpid(static_cast<pid_t>(pid), nullptr, 0), pid);
}

TEST_F(ExecE2ePrivTest, MissingExecutableFailsLikeRunc) {
  run_detached("x-nope");
  Ran r = grove({"exec", "x-nope", "nope"});
  EXPECT_EQ(r.code, 255);
  EXPECT_THAT(r.err, HasSubstr("exec failed: "));
  EXPECT_THAT(r.err, HasSubstr("unable to start container process: exec: \\\"nope\\\": "
                               "executable file not found in $PATH"));
  Ran cwd = grove({"exec", "--cwd", "/no/such/dir", "x-nope", "true"});
  EXPECT_EQ(cwd.code, 255);
  EXPECT_THAT(cwd.err, HasSubstr("ENOENT"));
  // The container is untouched by the failures.
  EXPECT_EQ(state("x-nope")["status"], "running");
}

TEST_F(ExecE2ePrivTest, CreatedContainersAcceptExecStoppedOnesRefuse) {
  Ran c = grove({"create", "--bundle", bundle_->bundle(), "x-created"});
  ASSERT_EQ(c.code, 0) << c.err;
  Ran hi = grove({"exec", "x-created", "echo", "early"});
  EXPECT_EQ(hi.code, 0) << hi.err;
  EXPECT_EQ(hi.out, "early\n");
  EXPECT_EQ(state("x-created")["status"], "created");
  EXPECT_EQ(grove({"start", "x-created"}).code, 0);
  EXPECT_EQ(grove({"kill", "x-created", "KILL"}).code, 0);
  ASSERT_TRUE(wait_status("x-created", "stopped"));
  Ran stopped = grove({"exec", "x-created", "true"});
  EXPECT_EQ(stopped.code, 255);
  EXPECT_THAT(stopped.err, HasSubstr("cannot exec in a stopped container"));
  Ran ps = grove({"ps", "--format", "json", "x-created"});
  EXPECT_EQ(ps.code, 0) << ps.err;
  EXPECT_EQ(ps.out, "null\n");  // runc 1.1.5 prints the same
}

// runc's checkTerminal strings (with grove's name), exit 255 like every exec failure, and no
// process left in the container.
TEST_F(ExecE2ePrivTest, TerminalFlagCombinationsAreRefusedLikeRunc) {
  run_detached("x-ttyflags");
  const std::string sock = scratch() + "/c.sock";
  UniqueFd listener = listen_at(sock);
  ASSERT_TRUE(listener);
  Ran detached = grove({"exec", "-d", "-t", "x-ttyflags", "true"});
  EXPECT_EQ(detached.code, 255);
  EXPECT_THAT(detached.err,
              HasSubstr("cannot allocate tty if grove will detach without setting console socket"));
  for (std::vector<std::string> flags : {std::vector<std::string>{"-d"}, {"-t"}, {}}) {
    std::vector<std::string> args = {"exec", "--console-socket", sock};
    args.insert(args.end(), flags.begin(), flags.end());
    args.insert(args.end(), {"x-ttyflags", "true"});
    Ran r = grove(args);
    EXPECT_EQ(r.code, 255) << flags.size();
    EXPECT_THAT(r.err,
                HasSubstr("cannot use console socket if grove will not detach or allocate tty"));
  }
  Ran ps = grove({"ps", "--format", "json", "x-ttyflags"});
  Json pids = Json::parse(ps.out, nullptr, false);
  ASSERT_TRUE(pids.is_array()) << ps.out;
  EXPECT_EQ(pids.size(), 1u) << "a refused exec left a process: " << ps.out;
}

// exec -d -t --console-socket: the pty comes from the container's devpts (not /dev/console),
// is the process's stdio and controlling terminal, and its master reaches the socket.
TEST_F(ExecE2ePrivTest, DetachedTtyHandsTheMasterToTheConsoleSocket) {
  run_detached("x-ttysock");
  const std::string sock = scratch() + "/c.sock";
  UniqueFd listener = listen_at(sock);
  ASSERT_TRUE(listener);
  const std::string pid_file = scratch() + "/tty.pid";
  Ran r = grove({"exec", "-d", "-t", "--console-socket", sock, "--pid-file", pid_file,
                 "x-ttysock", "sh", "-c",
                 "busybox tty; test -t 1 && echo isatty; read line; echo got:$line"});
  ASSERT_EQ(r.code, 0) << r.err;
  long long pid = 0;
  ASSERT_TRUE(parse_int64(read_text_file(pid_file), &pid)) << read_text_file(pid_file);
  std::optional<Received> got = accept_console(listener.get());
  ASSERT_TRUE(got);
  EXPECT_EQ(got->payload, "/dev/pts/ptmx");
  ASSERT_EQ(got->fds.size(), 1u);
  int master = got->fds[0].get();
  std::string out = read_pty(master, "isatty");
  ASSERT_EQ(::write(master, "hello\n", 6), 6);
  out += read_pty(master, "got:hello");
  EXPECT_THAT(out, ContainsRegex("/dev/pts/[0-9]+"));
  EXPECT_THAT(out, HasSubstr("isatty"));
  EXPECT_THAT(out, HasSubstr("got:hello"));
  // Reaped here (we are its subreaper): the container's pid namespace cannot finish dying, and
  // `delete` would wait, while it is an unreaped zombie.
  int status = 0;
  EXPECT_EQ(::waitpid(static_cast<pid_t>(pid), &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
}

// Foreground exec -t attaches the caller's terminal like `run`: its size, its input, the
// process's exit code, and the caller's terminal mode restored afterwards.
TEST_F(ExecE2ePrivTest, ForegroundTtyAttachesTheCallersTerminal) {
  run_detached("x-ttyfg");
  TestPty pty = open_test_pty(31, 79);
  ASSERT_TRUE(pty.master) << "openpty: " << std::strerror(errno);
  const int master = pty.master.get();
  const int peer = pty.peer.get();
  struct termios before;
  ASSERT_EQ(::tcgetattr(peer, &before), 0);
  RunOptions o{.out_path = scratch() + "/fg.out", .err_path = scratch() + "/fg.err"};
  o.terminal_fd = peer;
  std::vector<std::string> argv = {GROVE_BIN, "--root", root(), "exec", "-t", "x-ttyfg", "sh", "-c",
                                   "busybox stty size; read line; echo got:$line; exit 7"};
  pid_t pid = spawn_binary(argv, o);
  ASSERT_GT(pid, 0);
  std::string out = read_pty(master, "31 79");
  ASSERT_EQ(::write(master, "hello\r", 6), 6);  // raw terminal: Enter sends CR
  // Up to the line end: "got:hello" and its "\r\n" may arrive in two reads.
  out += read_pty(master, "got:hello\r\n");
  Ran r = finish_binary(pid, o);
  EXPECT_EQ(r.code, 7) << r.err;
  EXPECT_THAT(out, HasSubstr("31 79"));
  EXPECT_THAT(out, HasSubstr("got:hello\r\n"));
  struct termios after;
  ASSERT_EQ(::tcgetattr(peer, &after), 0);
  EXPECT_EQ(after.c_lflag, before.c_lflag) << "terminal mode not restored";
  EXPECT_EQ(state("x-ttyfg")["status"], "running");
}

// Without a terminal to attach, exec -t fails before starting anything.
TEST_F(ExecE2ePrivTest, ForegroundTtyWithoutATerminalFails) {
  run_detached("x-notty");
  Ran r = grove({"exec", "-t", "x-notty", "true"});
  EXPECT_EQ(r.code, 255);
  EXPECT_THAT(r.err, HasSubstr("no terminal to attach"));
}

// The exec'd process gets the container's seccomp filter (runc's setns init loads it too).
TEST_F(ExecE2ePrivTest, ExecdProcessHasTheContainersSeccompFilter) {
  oci::Seccomp sc;
  sc.default_action = "SCMP_ACT_ALLOW";
  sc.architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"};
  sc.syscalls.push_back({{"mkdir", "mkdirat"}, "SCMP_ACT_ERRNO", 1, {}});
  bundle_->spec().linux->seccomp = sc;
  ASSERT_TRUE(bundle_->write_config());
  run_detached("x-seccomp");
  Ran r = grove({"exec", "x-seccomp", "sh", "-c", "busybox mkdir /made; echo rc=$?"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "rc=1\n");
  EXPECT_THAT(r.err, HasSubstr("Operation not permitted"));
  // --no-new-privs changes where the filter is loaded, not whether.
  Ran nnp = grove({"exec", "--no-new-privs", "x-seccomp", "sh", "-c",
                   "busybox mkdir /made; echo rc=$?"});
  EXPECT_EQ(nnp.out, "rc=1\n") << nnp.err;
  Ran status = grove({"exec", "x-seccomp", "busybox", "grep", "Seccomp:", "/proc/self/status"});
  EXPECT_THAT(status.out, HasSubstr("Seccomp:\t2"));
  std::filesystem::remove_all(root() + "/.cache");  // create's compiled-filter cache
}

// process.execCPUAffinity.initial is the exec'd process's affinity (runtime-spec: only exec'd
// processes, never the init).
TEST_F(ExecE2ePrivTest, ExecCpuAffinityApplies) {
  if (std::thread::hardware_concurrency() < 2) GTEST_SKIP() << "needs two cpus to tell";
  bundle_->spec().process->exec_cpu_affinity = oci::CpuAffinity{"0", ""};
  ASSERT_TRUE(bundle_->write_config());
  run_detached("x-affinity");
  Ran r = grove({"exec", "x-affinity", "busybox", "grep", "Cpus_allowed_list", "/proc/self/status"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "Cpus_allowed_list:\t0\n");
  Ran init = grove({"exec", "x-affinity", "busybox", "grep", "Cpus_allowed_list", "/proc/1/status"});
  EXPECT_NE(init.out, "Cpus_allowed_list:\t0\n") << "the init must keep its affinity";
}

}  // namespace
}  // namespace grove::testing
