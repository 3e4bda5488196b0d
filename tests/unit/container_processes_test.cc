// L0/L1: `grove ps` without cgroups: /proc/<pid>/stat ppid parsing, the selection rule (own pid
// namespace vs descendants), runc's JSON and table filtering, and the /proc provider on FakeOps.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "libcontainer/container/processes.h"
#include "tests/support/fake_ops.h"

namespace grove::container {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

TEST(ContainerProcessesTest, ParsesPpidAfterTheLastParenthesis) {
  auto p = parse_stat_ppid("123 (we) ird) S 77 123 123 0 -1 4194560 0 0");
  ASSERT_TRUE(p) << p.error().message();
  EXPECT_EQ(*p, 77);
  EXPECT_FALSE(parse_stat_ppid("123 no-parens S 1"));
  EXPECT_FALSE(parse_stat_ppid("123 (x) S"));
  EXPECT_FALSE(parse_stat_ppid("123 (x) S abc"));
}

TEST(ContainerProcessesTest, OwnPidNamespaceSelectsEveryProcessInIt) {
  std::vector<ProcEntry> procs = {{1, 0, "pid:[1]"},     {500, 1, "pid:[1]"},
                                  {900, 1, "pid:[9]"},   {901, 900, "pid:[9]"},
                                  {950, 600, "pid:[9]"}, {960, 500, "pid:[1]"}};
  // 950 is an exec'd process: its parent is the runtime, not the init.
  EXPECT_THAT(select_container_pids(900, true, procs), ElementsAre(900, 901, 950));
}

TEST(ContainerProcessesTest, SharedPidNamespaceSelectsTheInitAndItsDescendants) {
  std::vector<ProcEntry> procs = {{1, 0, "pid:[1]"},     {300, 1, "pid:[1]"}, {310, 300, "pid:[1]"},
                                  {305, 310, "pid:[1]"}, {400, 1, "pid:[1]"}, {20, 305, "pid:[1]"}};
  // 20 < its parent: pids wrap, so the walk must not depend on order.
  EXPECT_THAT(select_container_pids(300, false, procs), ElementsAre(20, 300, 305, 310));
}

TEST(ContainerProcessesTest, ExitedInitSelectsNothing) {
  std::vector<ProcEntry> procs = {{1, 0, "pid:[1]"}};
  EXPECT_THAT(select_container_pids(300, true, procs), IsEmpty());
}

TEST(ContainerProcessesTest, JsonIsGosEncoding) {
  EXPECT_EQ(pids_json({}), "null\n");
  EXPECT_EQ(pids_json({900, 950}), "[900,950]\n");
}

TEST(ContainerProcessesTest, TableKeepsHeaderAndRowsWhosePidIsTheContainers) {
  std::string out =
      "UID          PID    PPID  C STIME TTY          TIME CMD\n"
      "root           1       0  0 00:00 ?        00:00:01 /sbin/init\n"
      "root         900     880  0 01:00 ?        00:00:00 sleep 100\n"
      "root         950       1  0 01:00 ?        00:00:00 sleep 50\n"
      "\n";
  auto t = filter_ps_output(out, {900, 950});
  ASSERT_TRUE(t) << t.error().message();
  EXPECT_EQ(*t,
            "UID          PID    PPID  C STIME TTY          TIME CMD\n"
            "root         900     880  0 01:00 ?        00:00:00 sleep 100\n"
            "root         950       1  0 01:00 ?        00:00:00 sleep 50\n");
}

TEST(ContainerProcessesTest, TableErrorsUseRuncsStrings) {
  auto no_pid = filter_ps_output("USER COMMAND\nroot x\n", {1});
  ASSERT_FALSE(no_pid);
  EXPECT_THAT(no_pid.error().message(), HasSubstr("couldn't find PID field in ps output"));
  auto bad = filter_ps_output("PID CMD\nabc x\n", {1});
  ASSERT_FALSE(bad);
  EXPECT_THAT(bad.error().message(), HasSubstr("unable to parse pid"));
}

TEST(ContainerProcessesTest, ProviderReadsStatAndNamespaceAndSkipsVanished) {
  testing::FakeOps ops;
  ops.set_dir("/proc", {"1", "self", "42", "43", "sys"});
  ops.set_file("/proc/1/stat", "1 (init) S 0 1 1");
  ops.set_link("/proc/1/ns/pid", "pid:[1]");
  ops.set_file("/proc/42/stat", "42 (sleep) S 1 42 42");
  ops.set_link("/proc/42/ns/pid", "pid:[7]");
  // 43 exited between the listing and the read: no stat file.
  auto entries = read_proc_entries(ops);
  ASSERT_TRUE(entries) << entries.error().message();
  ASSERT_EQ(entries->size(), 2u);
  std::sort(entries->begin(), entries->end(),
            [](const ProcEntry& a, const ProcEntry& b) { return a.pid < b.pid; });
  EXPECT_EQ((*entries)[1].pid, 42);
  EXPECT_EQ((*entries)[1].ppid, 1);
  EXPECT_EQ((*entries)[1].pid_ns, "pid:[7]");
}

TEST(ContainerProcessesTest, MissingContainerDoesNotExist) {
  testing::FakeOps ops;
  auto r = processes(ops, "/nonexistent-grove-root", "c1");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ENOENT);
  EXPECT_THAT(r.error().message(), HasSubstr("ps container \"c1\""));
}

}  // namespace
}  // namespace grove::container
