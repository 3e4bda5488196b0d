// L3: linux.seccomp through the grove binary on busybox bundles: an ERRNO rule fails mkdir while
// the rest works, a KILL rule kills, a NOTIFY rule reaches a seccomp agent run by this test (a
// unix socket server receiving the listener fd and the container process state), and a second
// run with the same profile reuses the compiled program from <root>/.cache/seccomp.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "libcontainer/base/defer.h"
#include "libcontainer/base/unique_fd.h"
#include "tests/support/e2e_fixture.h"
#include "tests/support/files.h"

namespace grove::testing {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;

class SeccompE2ePrivTest : public E2eFixture {
 protected:
  SeccompE2ePrivTest() : E2eFixture(GROVE_BIN) {}

  void TearDown() override {
    // The filter cache is meant to outlive containers; everything else must be gone.
    if (cli_) {
      std::error_code ec;
      std::filesystem::remove_all(cli_->root() + "/.cache", ec);
    }
    E2eFixture::TearDown();
  }

  // defaultAction ALLOW; mkdir and mkdirat get `action` (errnoRet 1 for ERRNO).
  void set_profile(const std::string& action, std::vector<std::string> args) {
    oci::Seccomp s;
    s.default_action = "SCMP_ACT_ALLOW";
    s.architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"};
    std::optional<uint32_t> err;
    if (action == "SCMP_ACT_ERRNO") err = 1;
    s.syscalls.push_back({{"mkdir", "mkdirat"}, action, err, {}});
    bundle_->spec().linux->seccomp = s;
    bundle_->spec().process->args = std::move(args);
    ASSERT_TRUE(bundle_->write_config());
  }

  std::string cache_file() {
    std::error_code ec;
    std::vector<std::string> files;
    for (const auto& e :
         std::filesystem::directory_iterator(cli_->root() + "/.cache/seccomp", ec)) {
      files.push_back(e.path());
    }
    return files.size() == 1 ? files[0] : "";
  }
};

TEST_F(SeccompE2ePrivTest, ErrnoRuleFailsMkdirAndNothingElse) {
  const std::vector<std::string> args = {
      "sh", "-c",
      "busybox mkdir /made; echo rc=$?; echo still here; ls / >/dev/null && echo ls ok"};
  set_profile("SCMP_ACT_ERRNO", args);
  Ran r = grove({"run", "-b", bundle_->bundle(), "sc-errno"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "rc=1\nstill here\nls ok\n");
  EXPECT_THAT(r.err, HasSubstr("Operation not permitted"));
  // Control: without the profile the same mkdir works.
  bundle_->spec().linux->seccomp.reset();
  ASSERT_TRUE(bundle_->write_config());
  Ran plain = grove({"run", "-b", bundle_->bundle(), "sc-plain"});
  EXPECT_EQ(plain.out, "rc=0\nstill here\nls ok\n") << plain.err;
}

TEST_F(SeccompE2ePrivTest, KillRuleKillsWithAndWithoutNoNewPrivileges) {
  for (bool nnp : {true, false}) {
    set_profile("SCMP_ACT_KILL_PROCESS", {"busybox", "mkdir", "/made"});
    bundle_->spec().process->no_new_privileges = nnp;
    ASSERT_TRUE(bundle_->write_config());
    Ran r = grove({"run", "-b", bundle_->bundle(), nnp ? "sc-kill-nnp" : "sc-kill"});
    EXPECT_EQ(r.code, 128 + SIGSYS) << "nnp=" << nnp << ": " << r.err;
  }
}

TEST_F(SeccompE2ePrivTest, SecondRunReusesTheCompiledFilter) {
  set_profile("SCMP_ACT_ERRNO", {"sh", "-c", "busybox mkdir /made; echo rc=$?"});
  Ran first = grove({"run", "-b", bundle_->bundle(), "sc-cache1"});
  EXPECT_EQ(first.out, "rc=1\n") << first.err;
  std::string file = cache_file();
  ASSERT_FALSE(file.empty()) << "no single entry in " << cli_->root() << "/.cache/seccomp";
  struct stat before, after;
  ASSERT_EQ(::stat(file.c_str(), &before), 0);
  EXPECT_EQ(before.st_mode & 07777, 0600u);
  Ran second = grove({"run", "-b", bundle_->bundle(), "sc-cache2"});
  EXPECT_EQ(second.out, "rc=1\n") << second.err;
  EXPECT_EQ(cache_file(), file);
  ASSERT_EQ(::stat(file.c_str(), &after), 0);
  EXPECT_EQ(after.st_ino, before.st_ino);
  EXPECT_EQ(after.st_mtim.tv_sec, before.st_mtim.tv_sec);
  EXPECT_EQ(after.st_mtim.tv_nsec, before.st_mtim.tv_nsec);
}

// A minimal seccomp agent: accepts one connection, takes the container process state and the
// listener fd, then answers the first notification with ENOSPC and the others with CONTINUE.
struct Agent {
  UniqueFd server;
  Json state;
  int fds_received = 0;
  int notifications = 0;
  std::string error;
  std::atomic<bool> accepted{false};  // set once a connection was taken (two agents, one socket)

  void serve() {
    struct pollfd p = {server.get(), POLLIN, 0};
    if (::poll(&p, 1, 20000) <= 0) return fail("no connection from grove");
    UniqueFd conn(::accept4(server.get(), nullptr, nullptr, SOCK_CLOEXEC));
    if (!conn) return fail("accept");
    accepted = true;
    char buf[8192];
    char control[CMSG_SPACE(sizeof(int))];
    struct iovec iov = {buf, sizeof buf};
    struct msghdr msg = {};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t n = ::recvmsg(conn.get(), &msg, MSG_CMSG_CLOEXEC);
    if (n <= 0) return fail("recvmsg");
    UniqueFd notify;
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_type != SCM_RIGHTS) continue;
      int fd;
      std::memcpy(&fd, CMSG_DATA(c), sizeof fd);
      notify.reset(fd);
      ++fds_received;
    }
    state = Json::parse(std::string(buf, static_cast<std::size_t>(n)), nullptr, false);
    // One state per connection: the runtime closes its end.
    if (::recv(conn.get(), buf, sizeof buf, 0) != 0) return fail("connection not closed");
    if (notify) answer(notify.get());
  }

  void answer(int fd) {
    for (;;) {
      struct pollfd p = {fd, POLLIN, 0};
      if (::poll(&p, 1, 10000) <= 0) return fail("poll timed out");
      if (p.revents & POLLHUP) return;  // the container is gone
      struct seccomp_notif req = {};
      if (::ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, &req) != 0) {
        if (errno == ENOENT || errno == EINTR) continue;
        return;
      }
      struct seccomp_notif_resp resp = {};
      resp.id = req.id;
      if (notifications++ == 0) {
        resp.error = -ENOSPC;
      } else {
        resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
      }
      (void)::ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, &resp);
    }
  }

  void fail(const char* what) { error = std::string(what) + ": " + std::strerror(errno); }
};

TEST_F(SeccompE2ePrivTest, NotifyRuleReachesTheAgent) {
  const std::string sock = cli_->scratch() + "/agent.sock";
  Agent agent;
  agent.server.reset(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  struct sockaddr_un addr = {};
  addr.sun_family = AF_UNIX;
  ASSERT_LT(sock.size(), sizeof addr.sun_path);
  std::memcpy(addr.sun_path, sock.c_str(), sock.size());
  ASSERT_EQ(::bind(agent.server.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(agent.server.get(), 1), 0);
  set_profile("SCMP_ACT_NOTIFY", {"sh", "-c",
                                  "busybox mkdir /n1; echo rc1=$?; busybox mkdir /n2; echo "
                                  "rc2=$?; test -d /n2 && echo made"});
  bundle_->spec().linux->seccomp->listener_path = sock;
  bundle_->spec().linux->seccomp->listener_metadata = "agent-metadata";
  ASSERT_TRUE(bundle_->write_config());
  std::thread serving([&] { agent.serve(); });
  Ran r = grove({"run", "-b", bundle_->bundle(), "sc-notify"});
  serving.join();
  EXPECT_EQ(agent.error, "");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "rc1=1\nrc2=0\nmade\n");
  EXPECT_THAT(r.err, HasSubstr("No space left on device"));
  EXPECT_EQ(agent.fds_received, 1);
  EXPECT_GE(agent.notifications, 2);
  ASSERT_TRUE(agent.state.is_object()) << agent.state;
  EXPECT_EQ(agent.state["ociVersion"], "1.3.0");
  EXPECT_EQ(agent.state["fds"], Json::array({"seccompFd"}));
  EXPECT_EQ(agent.state["metadata"], "agent-metadata");
  EXPECT_GT(agent.state["pid"].get<int>(), 0);
  EXPECT_EQ(agent.state["state"]["id"], "sc-notify");
  EXPECT_EQ(agent.state["state"]["status"], "creating");
  EXPECT_EQ(agent.state["state"]["pid"], agent.state["pid"]);
  EXPECT_EQ(agent.state["state"]["bundle"], bundle_->bundle());
}

// exec in a container with a NOTIFY profile: the exec'd process loads the filter too and its
// listener reaches the agent (a second connection) with the container's state and the process's
// own pid, as runc's setns process does; the agent answers its first mkdir with ENOSPC.
TEST_F(SeccompE2ePrivTest, ExecHandsItsListenerToTheAgent) {
  const std::string sock = cli_->scratch() + "/agent.sock";
  UniqueFd server(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  struct sockaddr_un addr = {};
  addr.sun_family = AF_UNIX;
  ASSERT_LT(sock.size(), sizeof addr.sun_path);
  std::memcpy(addr.sun_path, sock.c_str(), sock.size());
  ASSERT_EQ(::bind(server.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(server.get(), 2), 0);
  set_profile("SCMP_ACT_NOTIFY", {"sleep", "100"});
  bundle_->spec().linux->seccomp->listener_path = sock;
  ASSERT_TRUE(bundle_->write_config());
  // One agent per connection, on the same socket: the init's, then the exec'd process's.
  Agent for_init;
  for_init.server.reset(::dup(server.get()));
  std::thread init_agent([&] { for_init.serve(); });
  // An ASSERT below must not destroy a joinable thread (std::terminate); the agents give up on
  // their own (poll timeouts).
  Defer join_init([&] {
    if (init_agent.joinable()) init_agent.join();
  });
  Ran c = grove({"run", "-d", "-b", bundle_->bundle(), "sc-notify-exec"});
  ASSERT_EQ(c.code, 0) << c.err;
  const int init_pid = cli_->state("sc-notify-exec")["pid"].get<int>();
  for (int i = 0; i < 1000 && !for_init.accepted; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(for_init.accepted) << "the init's connection was not taken";
  Agent for_exec;
  for_exec.server.reset(::dup(server.get()));
  std::thread exec_agent([&] { for_exec.serve(); });
  Defer join_exec([&] {
    if (exec_agent.joinable()) exec_agent.join();
  });
  const std::string pid_file = cli_->scratch() + "/exec.pid";
  Ran r = grove({"exec", "--pid-file", pid_file, "sc-notify-exec", "sh", "-c",
                 "busybox mkdir /e1; echo rc1=$?; busybox mkdir /e2; echo rc2=$?"});
  exec_agent.join();
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "rc1=1\nrc2=0\n");
  EXPECT_EQ(for_exec.error, "");
  EXPECT_EQ(for_exec.fds_received, 1);
  EXPECT_GE(for_exec.notifications, 2);
  ASSERT_TRUE(for_exec.state.is_object()) << for_exec.state;
  EXPECT_EQ(std::to_string(for_exec.state["pid"].get<int>()), read_text_file(pid_file));
  EXPECT_EQ(for_exec.state["state"]["id"], "sc-notify-exec");
  EXPECT_EQ(for_exec.state["state"]["status"], "running");
  EXPECT_EQ(for_exec.state["state"]["pid"], init_pid);
  EXPECT_EQ(grove({"delete", "--force", "sc-notify-exec"}).code, 0);
  // The init's listener hangs up once the init is reaped (we are its subreaper).
  for (int i = 0; i < 500 && ::waitpid(-1, nullptr, WNOHANG) >= 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  init_agent.join();
  EXPECT_EQ(for_init.fds_received, 1);
  EXPECT_EQ(for_init.state["state"]["status"], "creating");
}

TEST_F(SeccompE2ePrivTest, UnreachableListenerFailsCreateAndLeavesNothing) {
  set_profile("SCMP_ACT_NOTIFY", {"true"});
  bundle_->spec().linux->seccomp->listener_path = cli_->scratch() + "/nobody.sock";
  ASSERT_TRUE(bundle_->write_config());
  Ran r = grove({"create", "-b", bundle_->bundle(), "sc-nolistener"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("linux.seccomp.listenerPath"));
  EXPECT_THAT(r.err, HasSubstr("ENOENT"));
  EXPECT_EQ(grove({"state", "sc-nolistener"}).code, 1);
}

}  // namespace
}  // namespace grove::testing
