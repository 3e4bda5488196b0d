#pragma once
// What the client tests (podman, containerd's ctr, conmon driving the grove binary) share: a
// private work directory, a copy of grove any user can run, a busybox rootfs, shell helpers that
// capture output, the test user for rootless scenarios, and crun run the only way it works on
// this project's hybrid-cgroup machines (a private mount namespace without
// /sys/fs/cgroup/unified, DEVELOPERS.md) so every scenario can compare grove with crun.
//
// Every engine is driven through its real CLI, as a user would. Nothing here touches the host's
// own cgroups: containers go under /grove-test/<work dir name>.

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

#include "tests/support/run_binary.h"

// Skips a client test unless running as root, saying so.
#define GROVE_CLIENT_SKIP_UNLESS_ROOT()                                                       \
  do {                                                                                        \
    if (::geteuid() != 0) GTEST_SKIP() << "client scenarios need root (euid=" << ::geteuid() \
                                       << ")";                                                \
  } while (0)

namespace grove::testing {

// "" when every program in `programs` is on PATH (as root) and executable, else why not:
// "needs podman (Debian package podman)".
std::string missing_programs(const std::vector<std::string>& programs);

// Single-quotes `s` for /bin/sh.
std::string shq(const std::string& s);

// The test user of the rootless scenarios.
struct TestUser {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;
  std::string home;
  std::string runtime_dir;  // its XDG_RUNTIME_DIR (/run/user/<uid>, made 0700 and owned by it)
  unsigned long subuid_start = 0;  // its first /etc/subuid range
};

// The rootless test user "grove-podman" (its own: its scenarios kill all its processes): created with useradd when missing (Debian's useradd gives
// it subordinate ids), given ranges (usermod --add-subuids/--add-subgids 400000-465535) when it
// still has none, and a runtime dir.
// Returns "" and fills `user`, or the reason it cannot be had (not root, useradd failed, user
// namespaces disabled by sysctl).
std::string ensure_test_user(TestUser* user);

// Kills every process of `user` (rootless podman leaves a pause process and conmons behind).
void kill_user_processes(const TestUser& user);

class ClientEnv {
 public:
  // Makes a mkdtemp work directory /tmp/grove-clients-XXXXXX (mode 0755), copies the grove
  // binary to <dir>/bin/grove (0755, so a rootless user can run it wherever the build tree is),
  // and builds <dir>/rootfs: static busybox with its applets. Returns "" or why it failed.
  std::string init(const std::string& grove_binary);
  // Unmounts whatever is left under dir() (lazily), removes it and the cgroups of
  // cgroup_parent() in every hierarchy.
  ~ClientEnv();

  const std::string& dir() const { return dir_; }
  const std::string& grove() const { return grove_; }    // <dir>/bin/grove
  const std::string& rootfs() const { return rootfs_; }  // <dir>/rootfs
  // "/grove-test/<basename of dir()>": the cgroup parent of every container of the test.
  const std::string& cgroup_parent() const { return cgroup_parent_; }

  // Runs `command` with /bin/sh -c, environment `env` added to ours, output captured.
  Ran sh(const std::string& command, const std::map<std::string, std::string>& env = {}) const;
  // The same with a terminal: the command's stdin/stdout are the peer of a new pty whose master
  // is read until the command exits; `out` of the result holds what the terminal showed.
  Ran sh_tty(const std::string& command, const std::map<std::string, std::string>& env = {}) const;
  // `command` as `user` (setpriv to its uid/gid and groups), with a clean environment: HOME,
  // USER, PATH, XDG_RUNTIME_DIR of the user plus `env`.
  Ran sh_as(const TestUser& user, const std::string& command,
            const std::map<std::string, std::string>& env = {}) const;

  // `command` in a private mount namespace with /sys/fs/cgroup/unified unmounted, where Debian's
  // crun 1.8.1 accepts this host's hybrid cgroup layout (it refuses it otherwise).
  Ran sh_crun(const std::string& command, const std::map<std::string, std::string>& env = {}) const;

  // The cgroup directories of cgroup_parent() and below that exist now, in every hierarchy.
  std::vector<std::string> leftover_cgroups() const;
  // Mount points under dir() that exist now.
  std::vector<std::string> leftover_mounts() const;

 private:
  std::string dir_;
  std::string grove_;
  std::string rootfs_;
  std::string cgroup_parent_;
  mutable int seq_ = 0;
  RunOptions next_options() const;
};

}  // namespace grove::testing
