// e2e tests of `grove sandbox` run AS A REAL UNPRIVILEGED USER (setpriv --reuid/--regid): the
// test needs root only to switch users and to prepare a working directory the user owns.
// User with subordinate ids: grove-sbx, created (useradd + usermod --add-subuids) when missing.
// User without: nobody (65534). Every test checks that nothing is left in the state root
// afterwards.

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/console_socket.h"
#include "tests/support/run_binary.h"

namespace grove::testing {
namespace {

using ::testing::HasSubstr;

constexpr const char* kSetpriv = "/usr/bin/setpriv";

struct TestUser {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;
};

std::optional<TestUser> lookup(const std::string& name) {
  struct passwd* pw = ::getpwnam(name.c_str());
  if (pw == nullptr) return std::nullopt;
  return TestUser{name, pw->pw_uid, pw->pw_gid};
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The first "name:start:count" line of /etc/subuid for `u` (by name or uid), parsed here
// independently of grove's parser.
std::optional<std::pair<std::string, std::string>> subuid_of(const TestUser& u) {
  std::istringstream in(slurp("/etc/subuid"));
  std::string line;
  while (std::getline(in, line)) {
    auto a = line.find(':');
    auto b = line.find(':', a + 1);
    if (a == std::string::npos || b == std::string::npos) continue;
    std::string who = line.substr(0, a);
    if (who == u.name || who == std::to_string(u.uid)) {
      return std::make_pair(line.substr(a + 1, b - a - 1), line.substr(b + 1));
    }
  }
  return std::nullopt;
}

std::string userns_skip_reason() {
  std::string max = slurp("/proc/sys/user/max_user_namespaces");
  if (max.rfind("0", 0) == 0) return "user namespaces disabled (user.max_user_namespaces=0)";
  std::string clone = slurp("/proc/sys/kernel/unprivileged_userns_clone");
  if (clone.rfind("0", 0) == 0) return "kernel.unprivileged_userns_clone=0";
  return "";
}

// A user with subordinate ids, created when none exists (the test host keeps it).
std::optional<TestUser> subid_user(std::string* why) {
  // Never the clients' rootless user (tests/clients): its scenarios kill all its processes.
  if (auto u = lookup("grove-sbx"); u && subuid_of(*u)) return u;
  if (!lookup("grove-sbx") && std::system("useradd -m grove-sbx >/dev/null 2>&1") != 0) {
    *why = "useradd -m grove-sbx failed";
    return std::nullopt;
  }
  if (std::system("usermod --add-subuids 300000-365535 --add-subgids 300000-365535 grove-sbx "
                  ">/dev/null 2>&1") != 0) {
    *why = "usermod --add-subuids failed for grove-sbx";
    return std::nullopt;
  }
  return lookup("grove-sbx");
}

class SandboxE2ePrivTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0)
      GTEST_SKIP() << "requires root to switch users (euid=" << ::geteuid() << ")";
    if (::access(kSetpriv, X_OK) != 0) GTEST_SKIP() << "needs " << kSetpriv << " (util-linux)";
    if (std::string why = userns_skip_reason(); !why.empty()) GTEST_SKIP() << why;
    // Not under /tmp: the sandbox's /tmp is a new tmpfs, checked to be empty.
    char tmpl[] = "/var/tmp/grove-sandbox-e2e-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr) << std::strerror(errno);
    dir_ = tmpl;
    ASSERT_EQ(::chmod(dir_.c_str(), 0755), 0);
  }
  void TearDown() override {
    if (dir_.empty()) return;
    for (const std::string& m : host_mounts_) ::umount2(m.c_str(), MNT_DETACH);
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  // A working directory and an XDG_RUNTIME_DIR owned by `u`.
  void prepare(const TestUser& u) {
    user_ = u;
    work_ = dir_ + "/work-" + u.name;
    xdg_ = dir_ + "/xdg-" + u.name;
    ASSERT_EQ(::mkdir(work_.c_str(), 0755), 0);
    ASSERT_EQ(::mkdir(xdg_.c_str(), 0700), 0);
    ASSERT_EQ(::chown(work_.c_str(), u.uid, u.gid), 0);
    ASSERT_EQ(::chown(xdg_.c_str(), u.uid, u.gid), 0);
  }

  std::vector<std::string> argv(const std::vector<std::string>& sandbox_args) {
    std::vector<std::string> a = {kSetpriv,
                                  "--reuid=" + std::to_string(user_.uid),
                                  "--regid=" + std::to_string(user_.gid),
                                  "--init-groups",
                                  "/usr/bin/env",
                                  "-i",
                                  "PATH=/usr/bin:/bin",
                                  "XDG_RUNTIME_DIR=" + xdg_,
                                  GROVE_BIN,
                                  "sandbox"};
    a.insert(a.end(), sandbox_args.begin(), sandbox_args.end());
    return a;
  }
  RunOptions options(int terminal_fd = -1) {
    return {.out_path = dir_ + "/out",
            .err_path = dir_ + "/err",
            .cwd = work_,
            .terminal_fd = terminal_fd};
  }
  Ran sandbox(const std::vector<std::string>& args) { return run_binary(argv(args), options()); }

  // Entries of the state root other than the seccomp cache.
  std::vector<std::string> leftovers() {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(xdg_ + "/grove", ec)) {
      if (e.path().filename() != ".cache") out.push_back(e.path().filename());
    }
    return out;
  }

  std::optional<TestUser> subid_user_or_skip() {
    std::string why;
    auto u = subid_user(&why);
    if (!u) ADD_FAILURE() << why;
    return u;
  }

  std::string dir_, work_, xdg_;
  TestUser user_;
  std::vector<std::string> host_mounts_;  // unmounted by TearDown in order, innermost first
};

TEST_F(SandboxE2ePrivTest, ExitCodeIdentityAndSecurity) {
  auto u = lookup("nobody");
  if (!u) GTEST_SKIP() << "no user nobody";
  prepare(*u);
  Ran r = sandbox({"--", "sh", "-c",
                   "id -u; id -g; grep -E '^(NoNewPrivs|Seccomp):' /proc/self/status; "
                   "cat /proc/self/uid_map; exit 7"});
  EXPECT_EQ(r.code, 7) << r.err;
  EXPECT_THAT(r.out, HasSubstr("0\n0\n"));
  EXPECT_THAT(r.out, HasSubstr("NoNewPrivs:\t1\n"));
  EXPECT_THAT(r.out, HasSubstr("Seccomp:\t2\n"));
  // nobody has no subordinate ids: only container 0 -> 65534.
  EXPECT_THAT(r.out, ::testing::ContainsRegex("\n *0 +" + std::to_string(u->uid) + " +1\n$"));
  EXPECT_TRUE(leftovers().empty()) << ::testing::PrintToString(leftovers());
}

TEST_F(SandboxE2ePrivTest, SeccompProfileRefusesKeyctl) {
  auto u = lookup("nobody");
  if (!u) GTEST_SKIP() << "no user nobody";
  prepare(*u);
  // keyctl(2) is the first syscall of `keyctl show`; busybox has no keyctl applet, so use perl
  // or python when present, else only the filter mode is checked (previous test).
  if (::access("/usr/bin/python3", X_OK) != 0) GTEST_SKIP() << "needs /usr/bin/python3";
  Ran r = sandbox({"--", "/usr/bin/python3", "-c",
                   "import ctypes,os; l=ctypes.CDLL(None,use_errno=True); "
                   "r=l.syscall(250,0,0,0,0,0); print(r, ctypes.get_errno())"});  // x86_64 keyctl
#if defined(__x86_64__)
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("-1 1\n"));  // EPERM
#endif
  EXPECT_TRUE(leftovers().empty());
}

TEST_F(SandboxE2ePrivTest, CwdTmpAndReadonlyRoot) {
  auto u = lookup("nobody");
  if (!u) GTEST_SKIP() << "no user nobody";
  prepare(*u);
  Ran r = sandbox({"--", "sh", "-c",
                   "pwd; echo hi > made-inside; ls -A /tmp | wc -l; "
                   "grep ' /tmp ' /proc/self/mounts; touch /usr/grove-sbx-probe && echo ROOT-RW"});
  EXPECT_NE(r.code, 0) << "touch on the read-only root must fail";
  EXPECT_THAT(r.out, HasSubstr(work_ + "\n"));
  EXPECT_THAT(r.out, HasSubstr("\n0\n"));  // /tmp empty
  EXPECT_THAT(r.out, HasSubstr("tmpfs /tmp tmpfs"));
  EXPECT_THAT(r.out, ::testing::Not(HasSubstr("ROOT-RW")));
  EXPECT_EQ(::access("/usr/grove-sbx-probe", F_OK), -1);
  struct stat st;
  ASSERT_EQ(::stat((work_ + "/made-inside").c_str(), &st), 0) << "cwd is not bound read-write";
  EXPECT_EQ(st.st_uid, u->uid);  // container root is the caller on the host
  EXPECT_EQ(slurp(work_ + "/made-inside"), "hi\n");
  EXPECT_TRUE(leftovers().empty());
}

// A writable host file system mounted below / (as /home often is) is read-only in the sandbox,
// and so is one mounted below it: the host tree is read-only as a whole, like bwrap --ro-bind.
TEST_F(SandboxE2ePrivTest, HostSubmountsAreReadonlyToo) {
  auto u = lookup("nobody");
  if (!u) GTEST_SKIP() << "no user nobody";
  prepare(*u);
  const std::string fs = dir_ + "/hostfs";
  const std::string nested = fs + "/nested";
  ASSERT_EQ(::mkdir(fs.c_str(), 0755), 0);
  ASSERT_EQ(::mount("tmpfs", fs.c_str(), "tmpfs", 0, "mode=0777"), 0) << std::strerror(errno);
  host_mounts_.push_back(fs);
  ASSERT_EQ(::mkdir(nested.c_str(), 0755), 0);
  ASSERT_EQ(::mount("tmpfs", nested.c_str(), "tmpfs", 0, "mode=0777"), 0) << std::strerror(errno);
  host_mounts_.insert(host_mounts_.begin(), nested);  // unmounted first
  Ran r = sandbox({"--", "sh", "-c",
                   "touch " + fs + "/a 2>/dev/null && echo FS-WRITABLE; touch " + nested +
                       "/b 2>/dev/null && echo NESTED-WRITABLE; echo checked"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("checked"));
  EXPECT_THAT(r.out, ::testing::Not(HasSubstr("FS-WRITABLE")));
  EXPECT_THAT(r.out, ::testing::Not(HasSubstr("NESTED-WRITABLE")));
  EXPECT_NE(::access((fs + "/a").c_str(), F_OK), 0);
  EXPECT_NE(::access((nested + "/b").c_str(), F_OK), 0);
  // The host user can write there: the mounts themselves are writable.
  Ran host = run_binary(
      {kSetpriv, "--reuid=" + std::to_string(u->uid), "--regid=" + std::to_string(u->gid),
       "--init-groups", "/usr/bin/touch", nested + "/c"},
      options());
  EXPECT_EQ(host.code, 0) << host.err;
  EXPECT_TRUE(leftovers().empty());
}

TEST_F(SandboxE2ePrivTest, ReadonlyVolume) {
  auto u = lookup("nobody");
  if (!u) GTEST_SKIP() << "no user nobody";
  prepare(*u);
  std::string vol = dir_ + "/vol";
  ASSERT_EQ(::mkdir(vol.c_str(), 0755), 0);
  ASSERT_EQ(::chmod(vol.c_str(), 0777), 0);  // past the umask: the sandbox user writes here
  std::ofstream(vol + "/f") << "data\n";
  Ran r = sandbox({"-v", vol + ":/tmp/vol:ro", "-v", vol + ":/tmp/volrw", "--", "sh", "-c",
                   "cat /tmp/vol/f; touch /tmp/vol/x 2>/dev/null && echo RO-BROKEN; "
                   "touch /tmp/volrw/y && echo RW-OK"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("data\n"));
  EXPECT_THAT(r.out, ::testing::Not(HasSubstr("RO-BROKEN")));
  EXPECT_THAT(r.out, HasSubstr("RW-OK"));
  EXPECT_EQ(::access((vol + "/x").c_str(), F_OK), -1);
  EXPECT_EQ(::access((vol + "/y").c_str(), F_OK), 0);
  Ran bad = sandbox({"-v", vol + ":relative", "--", "true"});
  EXPECT_EQ(bad.code, 1);
  EXPECT_THAT(bad.err, HasSubstr("invalid volume"));
  EXPECT_TRUE(leftovers().empty());
}

// --net=none: a new network namespace whose loopback is up; --net=host: the host's devices.
TEST_F(SandboxE2ePrivTest, NetNoneHasOnlyAnUpLoopback) {
  auto u = lookup("nobody");
  if (!u) GTEST_SKIP() << "no user nobody";
  if (::access("/bin/busybox", X_OK) != 0) GTEST_SKIP() << "needs /bin/busybox (busybox-static)";
  prepare(*u);
  Ran r = sandbox({"--", "/bin/busybox", "ip", "-o", "link"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, ::testing::ContainsRegex("^1: lo: <LOOPBACK,UP"));
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
  Ran host = sandbox({"--net=host", "--", "/bin/busybox", "ip", "-o", "link"});
  ASSERT_EQ(host.code, 0) << host.err;
  EXPECT_GT(std::count(host.out.begin(), host.out.end(), '\n'), 1) << host.out;
  EXPECT_TRUE(leftovers().empty());
}

// The first child of `pid` whose comm is `comm` (grove -> reaper (PID 1) -> command), or 0.
pid_t descendant(pid_t pid, const std::string& comm, int depth = 3) {
  std::istringstream children(
      slurp("/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) + "/children"));
  pid_t c = 0;
  while (children >> c) {
    if (slurp("/proc/" + std::to_string(c) + "/comm") == comm + "\n") return c;
    if (depth > 1) {
      if (pid_t d = descendant(c, comm, depth - 1); d > 0) return d;
    }
  }
  return 0;
}

pid_t wait_for_descendant(pid_t pid, const std::string& comm) {
  for (int i = 0; i < 500; ++i) {
    if (pid_t d = descendant(pid, comm); d > 0) return d;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return 0;
}

TEST_F(SandboxE2ePrivTest, KilledBySignalGives128PlusN) {
  auto u = lookup("nobody");
  if (!u) GTEST_SKIP() << "no user nobody";
  prepare(*u);
  RunOptions o = options();
  pid_t grove = spawn_binary(argv({"--", "sleep", "1000"}), o);
  ASSERT_GT(grove, 0);
  pid_t sleeper = wait_for_descendant(grove, "sleep");
  ASSERT_GT(sleeper, 0) << "the sandbox never ran sleep";
  ASSERT_EQ(::kill(sleeper, SIGKILL), 0);
  Ran r = finish_binary(grove, o);
  EXPECT_EQ(r.code, 128 + SIGKILL) << r.err;
  EXPECT_TRUE(leftovers().empty()) << ::testing::PrintToString(leftovers());
}

// The command is PID 2 under grove's reaper: SIGTERM sent to grove reaches a program without
// a handler (as PID 1 it would be dropped), and grove exits 128+15.
TEST_F(SandboxE2ePrivTest, SignalToGroveReachesACommandWithoutHandlers) {
  auto u = lookup("nobody");
  if (!u) GTEST_SKIP() << "no user nobody";
  prepare(*u);
  Ran pid = sandbox({"--", "sh", "-c", "echo $$"});
  EXPECT_EQ(pid.code, 0) << pid.err;
  EXPECT_EQ(pid.out, "2\n");
  RunOptions o = options();
  pid_t grove = spawn_binary(argv({"--", "sleep", "1000"}), o);
  ASSERT_GT(grove, 0);
  ASSERT_GT(wait_for_descendant(grove, "sleep"), 0) << "the sandbox never ran sleep";
  const auto start = std::chrono::steady_clock::now();
  ASSERT_EQ(::kill(grove, SIGTERM), 0);
  Ran r = finish_binary(grove, o);
  EXPECT_EQ(r.code, 128 + SIGTERM) << r.err;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_TRUE(leftovers().empty());
}

// grove itself killed with SIGKILL cannot clean up its state, but the sandbox dies with it
// (run.grove.kill-with-runtime): nothing keeps running.
TEST_F(SandboxE2ePrivTest, SandboxDiesWithGrove) {
  auto u = lookup("nobody");
  if (!u) GTEST_SKIP() << "no user nobody";
  prepare(*u);
  RunOptions o = options();
  pid_t grove = spawn_binary(argv({"--", "sleep", "1000"}), o);
  ASSERT_GT(grove, 0);
  pid_t sleeper = wait_for_descendant(grove, "sleep");
  ASSERT_GT(sleeper, 0) << "the sandbox never ran sleep";
  ASSERT_EQ(::kill(grove, SIGKILL), 0);
  Ran r = finish_binary(grove, o);
  EXPECT_EQ(r.code, 1000 + SIGKILL);
  bool gone = false;
  for (int i = 0; i < 300 && !gone; ++i) {
    std::string stat = slurp("/proc/" + std::to_string(sleeper) + "/stat");
    gone = stat.empty() || stat.find(") Z ") != std::string::npos;
    if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(gone) << "the sandbox outlived grove";
}

TEST_F(SandboxE2ePrivTest, MultiRangeMapWithSubids) {
  auto u = subid_user_or_skip();
  if (!u) return;
  prepare(*u);
  auto range = subuid_of(*u);
  ASSERT_TRUE(range);
  if (::access("/usr/bin/newuidmap", X_OK) != 0) GTEST_SKIP() << "needs newuidmap (uidmap)";
  Ran r = sandbox({"--map=subids", "--", "sh", "-c", "cat /proc/self/uid_map; id -u"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, ::testing::ContainsRegex("^ *0 +" + std::to_string(u->uid) + " +1\n"));
  EXPECT_THAT(r.out,
              ::testing::ContainsRegex("\n *1 +" + range->first + " +" + range->second + "\n"));
  // ids past 0 are usable: chown inside a tmpfs to a subordinate id.
  Ran c =
      sandbox({"--", "sh", "-c", "touch /tmp/f && chown 1000:1000 /tmp/f && stat -c %u /tmp/f"});
  EXPECT_EQ(c.code, 0) << c.err;
  EXPECT_THAT(c.out, HasSubstr("1000\n"));
  EXPECT_TRUE(leftovers().empty());
}

TEST_F(SandboxE2ePrivTest, SubidsRequiredWithoutRangesSaysHowToAddThem) {
  auto u = lookup("nobody");
  if (!u) GTEST_SKIP() << "no user nobody";
  if (subuid_of(*u)) GTEST_SKIP() << "nobody has subordinate ids here";
  prepare(*u);
  Ran r = sandbox({"--map=subids", "--", "true"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("usermod --add-subuids 100000-165535 --add-subgids 100000-165535"));
  EXPECT_TRUE(leftovers().empty());
}

// --image as a user: refused before anything exists, with what to use instead (as root it is
// accepted and mounted: tests/e2e/image_root_e2e_test.cc). The unit tests of these refusals
// (CliSandboxTest) can only run as a user; here root runs them as nobody.
TEST_F(SandboxE2ePrivTest, ImageIsRefusedHonestlyForAUser) {
  auto u = lookup("nobody");
  if (!u) GTEST_SKIP() << "no user nobody";
  prepare(*u);
  const std::string image = work_ + "/img.erofs";
  std::ofstream(image) << "not really erofs";
  ASSERT_EQ(::chmod(image.c_str(), 0644), 0);
  Ran r = sandbox({"--image", image, "--", "true"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("not supported for an unprivileged user"));
  EXPECT_THAT(r.err, HasSubstr("user namespace"));
  EXPECT_THAT(r.err, HasSubstr("--rootfs DIR"));
  EXPECT_TRUE(leftovers().empty());
}

TEST_F(SandboxE2ePrivTest, ImageOnTmpfsSaysWhyForAUser) {
  auto u = lookup("nobody");
  if (!u) GTEST_SKIP() << "no user nobody";
  prepare(*u);
  // /dev/shm is a tmpfs on every Linux host with a normal /dev.
  char tmpl[] = "/dev/shm/grove-sandbox-img-XXXXXX";
  int fd = ::mkstemp(tmpl);
  ASSERT_GE(fd, 0) << std::strerror(errno);
  ::close(fd);
  ASSERT_EQ(::chmod(tmpl, 0644), 0);
  Ran r = sandbox({"--image", tmpl, "--", "true"});
  ::unlink(tmpl);
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("image is on tmpfs"));
  EXPECT_THAT(r.err, HasSubstr("real filesystem"));
  EXPECT_TRUE(leftovers().empty());
}

// With a terminal on stdin the command gets its own pty of the caller's size, and job control
// works (an interactive sh runs a job in the background, lists and kills it). SIGKILL: an
// interactive dash ignores SIGTERM and its forked child resets that only just before exec.
TEST_F(SandboxE2ePrivTest, TerminalSizeAndJobControl) {
  auto u = lookup("nobody");
  if (!u) GTEST_SKIP() << "no user nobody";
  prepare(*u);
  TestPty pty = open_test_pty(31, 91);
  ASSERT_TRUE(pty.master) << "openpty: " << std::strerror(errno);
  // The peer is opened by root; the sandbox runs as nobody and must be able to use it.
  ASSERT_EQ(::fchown(pty.peer.get(), u->uid, u->gid), 0);
  RunOptions o = options(pty.peer.get());
  const auto start = std::chrono::steady_clock::now();
  pid_t grove = spawn_binary(argv({"--", "sh", "-i"}), o);
  ASSERT_GT(grove, 0);
  ASSERT_EQ(::write(pty.master.get(), "stty size; tty\r", 15), 15);
  std::string out = read_pty(pty.master.get(), "/dev/pts/");
  const std::string jobs = "sleep 30 & jobs; kill -KILL %1; wait; echo JOB-DONE; exit 4\r";
  ASSERT_EQ(::write(pty.master.get(), jobs.data(), jobs.size()), static_cast<ssize_t>(jobs.size()));
  out += read_pty(pty.master.get(), "JOB-DONE");
  Ran r = finish_binary(grove, o);
  EXPECT_EQ(r.code, 4) << r.err;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20))
      << "the background job was not killed";
  EXPECT_THAT(out, HasSubstr("31 91"));
  EXPECT_THAT(out, HasSubstr("sleep 30"));  // `jobs` lists the background job
  EXPECT_THAT(out, HasSubstr("JOB-DONE"));
  EXPECT_TRUE(leftovers().empty());
}

// Ctrl-C typed on the caller's terminal ends a command without a SIGINT handler (sleep), which
// would ignore it as PID 1: grove exits 130.
TEST_F(SandboxE2ePrivTest, CtrlCEndsACommandWithoutHandlers) {
  auto u = lookup("nobody");
  if (!u) GTEST_SKIP() << "no user nobody";
  prepare(*u);
  TestPty pty = open_test_pty(24, 80);
  ASSERT_TRUE(pty.master) << "openpty: " << std::strerror(errno);
  ASSERT_EQ(::fchown(pty.peer.get(), u->uid, u->gid), 0);
  RunOptions o = options(pty.peer.get());
  pid_t grove = spawn_binary(argv({"--", "sleep", "1000"}), o);
  ASSERT_GT(grove, 0);
  ASSERT_GT(wait_for_descendant(grove, "sleep"), 0) << "the sandbox never ran sleep";
  ASSERT_EQ(::write(pty.master.get(), "\x03", 1), 1);
  Ran r = finish_binary(grove, o);
  EXPECT_EQ(r.code, 128 + SIGINT) << r.err;
  EXPECT_TRUE(leftovers().empty());
}

}  // namespace
}  // namespace grove::testing
