// L3: issue #4's last lifecycle items through the grove binary on busybox bundles: HOME from the
// container's /etc/passwd (create and exec), --pidfd-socket on create/run/exec (a receiver in the
// test gets runc's payload and a pidfd of the right process), and linux.intelRdt / update
// --l3-cache-schema refused with runc's strings on a host without resctrl (this one).

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "libcontainer/base/strings.h"
#include "tests/support/console_socket.h"
#include "tests/support/e2e_fixture.h"
#include "tests/support/files.h"

namespace grove::testing {
namespace {

using ::testing::HasSubstr;

class ProcessEnvE2ePrivTest : public E2eFixture {
 protected:
  ProcessEnvE2ePrivTest() : E2eFixture(GROVE_BIN, {"sleep", "100"}) {}

  void write_passwd(const std::string& text) {
    const std::string etc = bundle_->bundle() + "/rootfs/etc";
    std::filesystem::create_directories(etc);
    std::ofstream(etc + "/passwd") << text;
  }

  // `run` of `sh -c 'echo HOME=$HOME'` as `uid` with `env`; what it printed.
  std::string home_of_run(const std::string& id, uint32_t uid, std::vector<std::string> env) {
    oci::Process& p = *bundle_->spec().process;
    p.args = {"sh", "-c", "echo \"HOME=$HOME\""};
    p.user.uid = uid;
    p.user.gid = uid;
    p.env = std::move(env);
    EXPECT_TRUE(bundle_->write_config());
    Ran r = grove({"run", "--bundle", bundle_->bundle(), id});
    EXPECT_EQ(r.code, 0) << r.err;
    return r.out;
  }

  // The pid a pidfd received from grove refers to (its /proc/self/fdinfo "Pid:" line).
  static std::string pidfd_pid(int fd) {
    std::string info = read_text_file("/proc/self/fdinfo/" + std::to_string(fd));
    std::size_t at = info.find("Pid:\t");
    if (at == std::string::npos) return "";
    return info.substr(at + 5, info.find('\n', at) - at - 5);
  }
};

constexpr const char* kPasswd =
    "root:x:0:0:root:/root:/bin/sh\n"
    "app:x:1000:1000:App:/home/app:/bin/sh\n";

TEST_F(ProcessEnvE2ePrivTest, HomeComesFromTheContainersPasswd) {
  write_passwd(kPasswd);
  EXPECT_EQ(home_of_run("home-root", 0, {"PATH=/bin"}), "HOME=/root\n");
  EXPECT_EQ(home_of_run("home-app", 1000, {"PATH=/bin"}), "HOME=/home/app\n");
  EXPECT_EQ(home_of_run("home-none", 4242, {"PATH=/bin"}), "HOME=/\n");  // no entry: runc's "/"
  EXPECT_EQ(home_of_run("home-given", 1000, {"PATH=/bin", "HOME=/custom"}), "HOME=/custom\n");
}

TEST_F(ProcessEnvE2ePrivTest, HomeWithoutPasswdIsSlashAndHostPasswdIsNotRead) {
  // The host's /etc/passwd has root at /root: an answer of "/" shows the container's (missing)
  // file was the one looked up.
  std::filesystem::remove(bundle_->bundle() + "/rootfs/etc/passwd");
  EXPECT_EQ(home_of_run("home-nopw", 0, {"PATH=/bin"}), "HOME=/\n");
}

TEST_F(ProcessEnvE2ePrivTest, ExecGetsHomeForItsUser) {
  write_passwd(kPasswd);
  bundle_->spec().process->env = {"PATH=/bin"};
  ASSERT_TRUE(bundle_->write_config());
  ASSERT_EQ(grove({"run", "-d", "--bundle", bundle_->bundle(), "home-exec"}).code, 0);
  Ran root = grove({"exec", "home-exec", "sh", "-c", "echo \"HOME=$HOME\""});
  EXPECT_EQ(root.out, "HOME=/root\n") << root.err;
  Ran app = grove({"exec", "-u", "1000:1000", "home-exec", "sh", "-c", "echo \"HOME=$HOME\""});
  EXPECT_EQ(app.out, "HOME=/home/app\n") << app.err;
  Ran given = grove({"exec", "-e", "HOME=/x", "home-exec", "sh", "-c", "echo \"HOME=$HOME\""});
  EXPECT_EQ(given.out, "HOME=/x\n") << given.err;
  EXPECT_EQ(grove({"delete", "--force", "home-exec"}).code, 0);
}

TEST_F(ProcessEnvE2ePrivTest, CreateSendsTheInitsPidfd) {
  ASSERT_TRUE(bundle_->write_config());
  const std::string sock = cli_->scratch() + "/pidfd.sock";
  UniqueFd listener = listen_at(sock);
  ASSERT_TRUE(listener);
  pid_t create = cli_->spawn(
      {"create", "--pidfd-socket", sock, "--bundle", bundle_->bundle(), "pidfd-c"}, "create");
  std::optional<Received> got = accept_console(listener.get());
  Ran created = cli_->finish(create, "create");
  ASSERT_EQ(created.code, 0) << created.err;
  ASSERT_TRUE(got.has_value()) << "nothing received on the pidfd socket";
  EXPECT_EQ(got->payload, "standard");  // runc's initType payload
  ASSERT_EQ(got->fds.size(), 1u);
  const int pid = cli_->state("pidfd-c")["pid"].get<int>();
  EXPECT_EQ(pidfd_pid(got->fds[0].get()), std::to_string(pid));
  // It is a working pidfd: killing the init makes it readable.
  ASSERT_EQ(grove({"kill", "pidfd-c", "KILL"}).code, 0);
  struct pollfd p = {got->fds[0].get(), POLLIN, 0};
  EXPECT_EQ(::poll(&p, 1, 10000), 1);
  EXPECT_EQ(grove({"delete", "--force", "pidfd-c"}).code, 0);
}

TEST_F(ProcessEnvE2ePrivTest, ExecSendsTheProcessesPidfd) {
  ASSERT_TRUE(bundle_->write_config());
  ASSERT_EQ(grove({"run", "-d", "--bundle", bundle_->bundle(), "pidfd-e"}).code, 0);
  const std::string sock = cli_->scratch() + "/pidfd-exec.sock";
  const std::string pid_file = cli_->scratch() + "/exec.pid";
  UniqueFd listener = listen_at(sock);
  ASSERT_TRUE(listener);
  pid_t exec = cli_->spawn({"exec", "-d", "--pid-file", pid_file, "--pidfd-socket", sock,
                            "pidfd-e", "sleep", "50"},
                           "exec");
  std::optional<Received> got = accept_console(listener.get());
  Ran done = cli_->finish(exec, "exec");
  ASSERT_EQ(done.code, 0) << done.err;
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->payload, "setns");
  ASSERT_EQ(got->fds.size(), 1u);
  EXPECT_EQ(pidfd_pid(got->fds[0].get()), read_text_file(pid_file));
  EXPECT_EQ(grove({"delete", "--force", "pidfd-e"}).code, 0);
}

TEST_F(ProcessEnvE2ePrivTest, UnreachablePidfdSocketFailsAndLeavesNothing) {
  ASSERT_TRUE(bundle_->write_config());
  const std::string sock = cli_->scratch() + "/nobody.sock";
  Ran r = grove({"run", "-d", "--pidfd-socket", sock, "--bundle", bundle_->bundle(), "pidfd-x"});
  EXPECT_EQ(r.code, 1);
  // The log line escapes the quotes of the frame: match the flag and the path apart.
  EXPECT_THAT(r.err, HasSubstr("--pidfd-socket "));
  EXPECT_THAT(r.err, HasSubstr(sock));
  EXPECT_THAT(r.err, HasSubstr("ENOENT"));
  EXPECT_EQ(grove({"state", "pidfd-x"}).code, 1);
}

bool host_has_resctrl() {
  return read_text_file("/proc/self/mountinfo").find(" - resctrl ") != std::string::npos;
}

TEST_F(ProcessEnvE2ePrivTest, IntelRdtRefusedWithoutResctrl) {
  if (host_has_resctrl()) GTEST_SKIP() << "this host has resctrl mounted: the refusal is moot";
  oci::IntelRdt rdt;
  rdt.clos_id = "grove-test";
  rdt.l3_cache_schema = "L3:0=f";
  bundle_->spec().linux->intel_rdt = rdt;
  ASSERT_TRUE(bundle_->write_config());
  Ran r = grove({"create", "--bundle", bundle_->bundle(), "rdt-c"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("linux.intelRdt: intelRdt is specified in config, but Intel RDT "
                               "is not supported or enabled"));
  EXPECT_EQ(grove({"state", "rdt-c"}).code, 1);
  EXPECT_TRUE(bundle_->leftover_cgroups().empty());
  Ran features = grove({"features"});
  nlohmann::json doc = nlohmann::json::parse(features.out, nullptr, false);
  ASSERT_TRUE(doc.is_object()) << features.out;
  EXPECT_EQ(doc["linux"]["intelRdt"]["enabled"], false);
}

TEST_F(ProcessEnvE2ePrivTest, UpdateL3SchemaRefusedWithoutResctrl) {
  if (host_has_resctrl()) GTEST_SKIP() << "this host has resctrl mounted: the refusal is moot";
  ASSERT_TRUE(bundle_->write_config());
  ASSERT_EQ(grove({"run", "-d", "--bundle", bundle_->bundle(), "rdt-u"}).code, 0);
  Ran l3 = grove({"update", "--l3-cache-schema", "L3:0=f", "rdt-u"});
  EXPECT_EQ(l3.code, 1);
  EXPECT_THAT(l3.err, HasSubstr("Intel RDT/CAT: l3 cache schema is not enabled"));
  Ran mb = grove({"update", "--mem-bw-schema", "MB:0=50", "rdt-u"});
  EXPECT_EQ(mb.code, 1);
  EXPECT_THAT(mb.err, HasSubstr("Intel RDT/MBA: memory bandwidth schema is not enabled"));
  EXPECT_EQ(grove({"delete", "--force", "rdt-u"}).code, 0);
}

}  // namespace
}  // namespace grove::testing
