// L0/L1 tests of HOME from the container's /etc/passwd (process/user_home.h).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "libcontainer/process/exec_setup.h"
#include "libcontainer/process/user_home.h"
#include "tests/support/fake_ops.h"

namespace grove::process {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr const char* kPasswd =
    "root:x:0:0:root:/root:/bin/sh\n"
    "# comment:x:7:7::/nope:\n"
    "short:x:9\n"
    "bad:x:abc:1::/bad:/bin/sh\n"
    "app:x:1000:1000:App User:/home/app:/bin/sh\n"
    "dup:x:1000:1000::/home/dup:/bin/sh\n"
    "nohome:x:1001:1001::\n";

TEST(UserHomeTest, PasswdHomeFindsTheFirstEntryForTheUid) {
  EXPECT_EQ(passwd_home(kPasswd, 0), "/root");
  EXPECT_EQ(passwd_home(kPasswd, 1000), "/home/app");
  EXPECT_EQ(passwd_home(kPasswd, 1001), "");  // present with an empty home field
  EXPECT_EQ(passwd_home(kPasswd, 7), std::nullopt);  // comment line
  EXPECT_EQ(passwd_home(kPasswd, 9), std::nullopt);  // too few fields
  EXPECT_EQ(passwd_home(kPasswd, 4242), std::nullopt);
  EXPECT_EQ(passwd_home("", 0), std::nullopt);
}

TEST(UserHomeTest, HasHomeCountsAnEmptyValue) {
  EXPECT_TRUE(has_home({"PATH=/bin", "HOME="}));
  EXPECT_TRUE(has_home({"HOME=/x"}));
  EXPECT_FALSE(has_home({"PATH=/bin", "HOMEDIR=/x", "XHOME=/y"}));
}

TEST(UserHomeTest, EnvWithHomeReadsPasswdInsideTheRoot) {
  testing::FakeOps ops;
  ops.queue_read("path:/etc/passwd", kPasswd);
  auto env = env_with_home(ops, {"PATH=/bin"}, 1000);
  EXPECT_THAT(env, ElementsAre("PATH=/bin", "HOME=/home/app"));
  // "/" of the caller (the container's root after the switch), then RESOLVE_IN_ROOT from it.
  EXPECT_THAT(ops.trace(),
              ElementsAre("openat(AT_FDCWD, \"/\", O_RDONLY|O_DIRECTORY|O_PATH, 00)",
                          "openat2(<path:/>, \"/etc/passwd\", O_RDONLY, "
                          "RESOLVE_NO_MAGICLINKS|RESOLVE_IN_ROOT)",
                          "read(<path:/etc/passwd>, 65536)", "read(<path:/etc/passwd>, 65536)"));
}

TEST(UserHomeTest, EnvWithHomeKeepsAGivenHomeAndReadsNothing) {
  testing::FakeOps ops;
  auto env = env_with_home(ops, {"HOME=/mine"}, 0);
  EXPECT_THAT(env, ElementsAre("HOME=/mine"));
  EXPECT_TRUE(ops.trace().empty()) << ops.trace_text();
}

TEST(UserHomeTest, FallsBackToSlashWithoutPasswdOrEntry) {
  {
    testing::FakeOps ops;
    ops.fail_next("openat2", ENOENT);
    EXPECT_THAT(env_with_home(ops, {}, 0), ElementsAre("HOME=/"));
  }
  {
    testing::FakeOps ops;
    ops.queue_read("path:/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");
    EXPECT_THAT(env_with_home(ops, {}, 1234), ElementsAre("HOME=/"));
  }
  {
    testing::FakeOps ops;  // read error: runc ignores it as well
    ops.fail_next("read", EIO);
    EXPECT_THAT(env_with_home(ops, {}, 0), ElementsAre("HOME=/"));
  }
}

TEST(UserHomeTest, WalksWhenOpenat2IsMissing) {
  testing::FakeOps ops;
  ops.fail_next("openat2", ENOSYS);
  EXPECT_EQ(lookup_home(ops, 0), "/");  // the walk opens "etc" then "passwd"; read gives EOF
  EXPECT_THAT(ops.trace_text(), HasSubstr("\"passwd\""));
}

// finalize_and_exec (init and exec'd processes alike) looks HOME up before the uid change and
// hands it to execve.
TEST(UserHomeTest, FinalizePassesHomeToExecve) {
  testing::FakeOps ops;
  ops.queue_read("path:/etc/passwd", kPasswd);
  oci::Process proc;
  proc.args = {"/bin/true"};
  proc.cwd = "/";
  proc.env = {"PATH=/bin"};
  proc.user.uid = 1000;
  proc.user.gid = 1000;
  Status st = finalize_and_exec(ops, proc, "/bin/true", {0, 1, 2});
  ASSERT_FALSE(st);  // FakeOps' execve returns
  const std::string t = ops.trace_text();
  EXPECT_THAT(t, HasSubstr("\"PATH=/bin\", \"HOME=/home/app\""));
  EXPECT_LT(t.find("openat2("), t.find("setresuid(")) << t;
}

}  // namespace
}  // namespace grove::process
