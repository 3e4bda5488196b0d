// conmon (Debian 2.1), the monitor CRI-O and podman put between themselves and the runtime,
// driving grove the way CRI-O does: `conmon -r <runtime> -b <bundle> ...` with the sync pipe in
// _OCI_SYNCPIPE (fd 3), the container's pid reported as {"data": N}, then `<runtime> start`,
// the exit code in <exit-dir>/<id>, stdout/stderr in a k8s-file log, exec through
// `conmon --exec --exec-process-spec` with its exit code on the sync pipe, and -t with conmon's
// console socket. Every scenario runs with grove and with crun (in crun's private mount
// namespace, see client_env.h) and the observable results are compared.

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>

#include "tests/clients/client_env.h"
#include "tests/support/bundle.h"
#include "tests/support/files.h"

namespace grove::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

// What one runtime saw in a conmon scenario.
struct Outcome {
  std::string create_sync;  // conmon's first sync message after create
  std::string exit_file;    // <exit-dir>/<id> once the container exited
  std::string log;          // the k8s-file log
  std::string exec_sync;    // messages of an exec (pid, then exit code)
  std::string exec_log;
};

class ConmonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    GROVE_CLIENT_SKIP_UNLESS_ROOT();
    std::string why = missing_programs({"conmon", "crun"});
    if (!why.empty()) GTEST_SKIP() << why;
    why = missing_busybox();
    if (!why.empty()) GTEST_SKIP() << why;
    ASSERT_EQ(env_.init(GROVE_BIN), "");
  }

  // The runtime command line: grove directly; crun through the wrapper that gives it a private
  // mount namespace without /sys/fs/cgroup/unified.
  std::string runtime_of(bool crun) {
    if (!crun) return env_.grove();
    std::string wrapper = env_.dir() + "/crun-wrapper";
    std::ofstream(wrapper) << "#!/bin/sh\nexec unshare -m --propagation private /bin/sh -c "
                              "'umount -l /sys/fs/cgroup/unified 2>/dev/null; exec crun \"$@\"'"
                              " crun \"$@\"\n";
    fs::permissions(wrapper, fs::perms(0755));
    return wrapper;
  }

  // Starts conmon with `args` and fd 3 as its sync pipe; returns the pipe's read end.
  int spawn_conmon(const std::vector<std::string>& args) {
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0) return -1;
    pid_t pid = ::fork();
    if (pid == 0) {
      ::dup2(p[1], 3);  // dup2 clears FD_CLOEXEC on the copy
      int devnull = ::open("/dev/null", O_RDWR);
      ::dup2(devnull, 0);
      ::dup2(devnull, 1);
      ::setenv("_OCI_SYNCPIPE", "3", 1);
      std::vector<char*> argv;
      std::vector<std::string> all = {"conmon"};
      all.insert(all.end(), args.begin(), args.end());
      for (std::string& a : all) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execvp("conmon", argv.data());
      ::_exit(127);
    }
    ::close(p[1]);
    int status = 0;
    ::waitpid(pid, &status, 0);  // conmon's first process exits once the monitor is forked
    return p[0];
  }

  // One sync message (a line), waiting up to 20 s.
  static std::string read_sync(int fd) {
    std::string line;
    for (int waited = 0; waited < 20000;) {
      struct pollfd p = {fd, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) {
        waited += 100;
        continue;
      }
      char c;
      if (::read(fd, &c, 1) != 1) break;
      if (c == '\n') break;
      line += c;
    }
    return line;
  }

  static std::string wait_for_file(const std::string& path) {
    for (int i = 0; i < 200 && !fs::exists(path); ++i) ::usleep(50 * 1000);
    ::usleep(50 * 1000);
    return read_text_file(path);
  }

  std::vector<std::string> common(const std::string& id, const std::string& bundle,
                                  const std::string& runtime, const std::string& root) {
    std::string d = env_.dir() + "/" + id;
    fs::create_directories(d + "/exits");
    fs::create_directories(d + "/socks");
    return {"--api-version", "1", "-c", id, "-n", id, "-r", runtime, "-b", bundle,
            "--socket-dir-path", d + "/socks", "--log-level", "error", "--syslog=false",
            "--runtime-arg", "--root=" + root};
  }

  // Creates container `id` through conmon, starts it, optionally execs into it while it runs
  // and collects everything conmon reported.
  Outcome scenario(bool crun, const std::string& id, const std::vector<std::string>& args,
                   bool terminal, const std::vector<std::string>& exec_args = {}) {
    Outcome out;
    auto bundle = BusyboxBundle::make(args);
    if (!bundle) return out;
    bundle->spec().process->terminal = terminal;
    // Debian's crun 1.8.1 refuses newer spec versions ("unknown version specified").
    bundle->spec().oci_version = "1.0.2";
    (void)bundle->write_config();
    std::string runtime = runtime_of(crun);
    std::string root = env_.dir() + (crun ? "/state-crun" : "/state-grove");
    std::string d = env_.dir() + "/" + id;
    std::vector<std::string> a = common(id, bundle->bundle(), runtime, root);
    std::vector<std::string> create = {"-u", id, "-p", d + "/pidfile", "-l",
                                       "k8s-file:" + d + "/ctr.log", "--exit-dir", d + "/exits",
                                       "--container-pidfile", d + "/pidfile", "-P",
                                       d + "/conmon.pid"};
    a.insert(a.end(), create.begin(), create.end());
    if (terminal) a.push_back("-t");
    int sync = spawn_conmon(a);
    out.create_sync = read_sync(sync);
    ::close(sync);
    if (out.create_sync.find("\"data\": -1") != std::string::npos) return out;  // nothing ran
    (void)env_.sh(runtime + " --root " + root + " start " + id);
    if (!exec_args.empty()) {
      std::string spec = d + "/exec.json";
      std::string argv;
      for (const std::string& e : exec_args) argv += (argv.empty() ? "\"" : ", \"") + e + "\"";
      std::ofstream(spec) << "{\"args\": [" << argv << "], \"cwd\": \"/\", \"env\": "
                          << "[\"PATH=/bin\"], \"user\": {\"uid\": 0, \"gid\": 0}}";
      std::vector<std::string> e = common(id, bundle->bundle(), runtime, root);
      std::vector<std::string> extra = {"-u", id + "-exec", "-p", d + "/exec.pid", "-l",
                                        "k8s-file:" + d + "/exec.log", "--exit-dir",
                                        d + "/exec-exits", "--exec", "--exec-process-spec", spec};
      e.insert(e.end(), extra.begin(), extra.end());
      fs::create_directories(d + "/exec-exits");
      int es = spawn_conmon(e);
      std::string pid = read_sync(es);
      std::string code = read_sync(es);
      ::close(es);
      out.exec_sync = (pid.find("\"data\": -1") == std::string::npos ? "pid ok; " : pid) + code;
      out.exec_log = read_text_file(d + "/exec.log");
      (void)env_.sh(runtime + " --root " + root + " kill " + id + " KILL");
    }
    out.exit_file = wait_for_file(d + "/exits/" + id);
    out.log = read_text_file(d + "/ctr.log");
    (void)env_.sh(runtime + " --root " + root + " delete -f " + id + " 2>/dev/null");
    return out;
  }

  ClientEnv env_;
};

// Only the k8s-file payloads: "stdout F text" per line, timestamps dropped.
std::string payloads(const std::string& log) {
  std::string out;
  std::istringstream in(log);
  for (std::string line; std::getline(in, line);) {
    size_t sp = line.find(' ');
    if (sp != std::string::npos) out += line.substr(sp + 1) + "\n";
  }
  return out;
}

TEST_F(ConmonTest, CreateStartExitCodeAndLogsLikeCrun) {
  std::vector<std::string> args = {"sh", "-c", "echo out-line; echo err-line >&2; exit 3"};
  Outcome g = scenario(false, "cm-grove", args, false);
  Outcome c = scenario(true, "cm-crun", args, false);
  EXPECT_THAT(g.create_sync, ::testing::MatchesRegex("\\{\"data\": [1-9][0-9]*\\}"));
  EXPECT_EQ(g.exit_file, "3");
  EXPECT_EQ(payloads(g.log), "stdout F out-line\nstderr F err-line\n");
  EXPECT_EQ(g.exit_file, c.exit_file);
  EXPECT_EQ(payloads(g.log), payloads(c.log));
  EXPECT_THAT(c.create_sync, ::testing::MatchesRegex("\\{\"data\": [1-9][0-9]*\\}"));
}

TEST_F(ConmonTest, ExecReportsItsExitCodeLikeCrun) {
  std::vector<std::string> args = {"sleep", "1000"};
  std::vector<std::string> exec = {"sh", "-c", "echo exec-out; exit 5"};
  Outcome g = scenario(false, "ex-grove", args, false, exec);
  Outcome c = scenario(true, "ex-crun", args, false, exec);
  EXPECT_EQ(g.exec_sync, "pid ok; {\"data\": 5}");
  EXPECT_EQ(payloads(g.exec_log), "stdout F exec-out\n");
  EXPECT_EQ(g.exit_file, "137");  // killed after the exec
  EXPECT_EQ(g.exec_sync, c.exec_sync);
  EXPECT_EQ(payloads(g.exec_log), payloads(c.exec_log));
  EXPECT_EQ(g.exit_file, c.exit_file);
}

TEST_F(ConmonTest, TerminalThroughConmonsConsoleSocketLikeCrun) {
  std::vector<std::string> args = {"sh", "-c", "tty; exit 2"};
  Outcome g = scenario(false, "tty-grove", args, true);
  Outcome c = scenario(true, "tty-crun", args, true);
  EXPECT_THAT(g.create_sync, ::testing::MatchesRegex("\\{\"data\": [1-9][0-9]*\\}"));
  EXPECT_EQ(g.exit_file, "2");
  EXPECT_THAT(g.log, HasSubstr("/dev/pts/0"));
  EXPECT_EQ(g.exit_file, c.exit_file);
  EXPECT_EQ(payloads(g.log), payloads(c.log));
}

TEST_F(ConmonTest, FailedCreateIsReportedOnTheSyncPipeLikeCrun) {
  std::vector<std::string> args = {"/no/such/binary"};
  Outcome g = scenario(false, "bad-grove", args, false);
  Outcome c = scenario(true, "bad-crun", args, false);
  // conmon reports a failed create as data -1 with the runtime's message; crun fails create
  // too (the executable is looked up before start), so both say -1.
  EXPECT_THAT(g.create_sync, HasSubstr("\"data\": -1"));
  EXPECT_THAT(g.create_sync, HasSubstr("/no/such/binary"));
  EXPECT_THAT(c.create_sync, HasSubstr("\"data\": -1"));
  EXPECT_TRUE(env_.sh(env_.grove() + " --root " + env_.dir() + "/state-grove list -q").out.empty());
}

}  // namespace
}  // namespace grove::testing
