// L0/L1 tests of container status derivation (/proc/<pid>/stat parsing, pid reuse, zombies),
// the signal parser and the state JSON.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include "libcontainer/container/container.h"
#include "libcontainer/container/status.h"
#include "tests/support/fake_ops.h"

namespace grove::container {
namespace {

using ::testing::HasSubstr;

// A realistic line; comm contains spaces and a ')' to prove parsing starts at the last ')'.
std::string stat_line(char state, uint64_t start) {
  return "4242 (evil) (comm x) " + std::string(1, state) +
         " 1 4242 4242 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 " + std::to_string(start) +
         " 1000 200 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";
}

ContainerRecord rec(const std::string& phase) {
  ContainerRecord r;
  r.id = "c1";
  r.phase = phase;
  r.init_pid = 4242;
  r.init_start_time = 555;
  return r;
}

TEST(ContainerStatusTest, ParsesStateAndStartTime) {
  auto st = parse_proc_stat(stat_line('S', 555));
  ASSERT_TRUE(st) << st.error().message();
  EXPECT_EQ(st->state, 'S');
  EXPECT_EQ(st->start_time, 555u);
  EXPECT_EQ(st->flags, 4194560u);  // field 9
  EXPECT_EQ(st->flags & kPfExiting, 0u);
}

TEST(ContainerStatusTest, ParsesTheExitingFlag) {
  std::string line = stat_line('S', 555);
  line.replace(line.find(" 4194560 "), 9, " 4194564 ");  // PF_EXITING added
  auto st = parse_proc_stat(line);
  ASSERT_TRUE(st) << st.error().message();
  EXPECT_NE(st->flags & kPfExiting, 0u);
}

TEST(ContainerStatusTest, RejectsMalformedStat) {
  for (const char* bad : {"", "4242 (x", "4242 (x) S 1 2",
                          "4242 (x) S 1 2 3 4 5 6 7 8 9 10 11 12 "
                          "13 14 15 16 17 18 abc"}) {
    auto st = parse_proc_stat(bad);
    ASSERT_FALSE(st) << bad;
    EXPECT_EQ(st.error().code(), EINVAL);
  }
}

TEST(ContainerStatusTest, DerivesFromPhaseAndLiveProcess) {
  ProcStat alive{'S', 555};
  EXPECT_EQ(derive_state(rec("created"), alive), RunState::kCreated);
  EXPECT_EQ(derive_state(rec("running"), alive), RunState::kRunning);
  EXPECT_EQ(derive_state(rec("creating"), alive), RunState::kCreating);
  auto paused = rec("running");
  paused.paused = true;
  EXPECT_EQ(derive_state(paused, alive), RunState::kPaused);
}

TEST(ContainerStatusTest, GoneZombieOrReusedPidIsStopped) {
  EXPECT_EQ(derive_state(rec("running"), std::nullopt), RunState::kStopped);
  EXPECT_EQ(derive_state(rec("running"), ProcStat{'Z', 555}), RunState::kStopped);
  EXPECT_EQ(derive_state(rec("running"), ProcStat{'X', 555}), RunState::kStopped);
  EXPECT_EQ(derive_state(rec("created"), ProcStat{'S', 556}), RunState::kStopped);
  auto no_pid = rec("creating");
  no_pid.init_pid = 0;
  EXPECT_EQ(derive_state(no_pid, std::nullopt), RunState::kCreating);
}

TEST(ContainerStatusTest, CurrentStateReadsProcThroughOps) {
  testing::FakeOps ops;
  ops.set_file("/proc/4242/stat", stat_line('R', 555));
  auto st = current_state(ops, rec("running"));
  ASSERT_TRUE(st) << st.error().message();
  EXPECT_EQ(*st, RunState::kRunning);
  EXPECT_EQ(ops.trace_text(), "read_file_at(AT_FDCWD, \"/proc/4242/stat\")");
  testing::FakeOps none;  // no such file: the process is gone
  auto gone = current_state(none, rec("running"));
  ASSERT_TRUE(gone);
  EXPECT_EQ(*gone, RunState::kStopped);
  testing::FakeOps broken;
  broken.fail_next("read_file_at", EACCES);
  auto err = current_state(broken, rec("running"));
  ASSERT_FALSE(err);
  EXPECT_EQ(err.error().code(), EACCES);
}

TEST(ContainerSignalTest, ParsesNamesAndNumbers) {
  EXPECT_EQ(*parse_signal("9"), SIGKILL);
  EXPECT_EQ(*parse_signal("KILL"), SIGKILL);
  EXPECT_EQ(*parse_signal("SIGTERM"), SIGTERM);
  EXPECT_EQ(*parse_signal("sigusr1"), SIGUSR1);
  EXPECT_EQ(*parse_signal("hup"), SIGHUP);
  for (const char* bad : {"", "0", "-1", "NOPE", "999"}) {
    auto r = parse_signal(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_THAT(r.error().message(), HasSubstr("invalid signal"));
  }
}

TEST(ContainerStateJsonTest, StoppedReportsPidZero) {
  ContainerInfo info{rec("running"), RunState::kStopped};
  info.record.bundle = "/b";
  info.record.oci_version = "1.2.0";
  std::string j = state_json(info);
  EXPECT_THAT(j, HasSubstr("\"status\": \"stopped\""));
  EXPECT_THAT(j, HasSubstr("\"pid\": 0"));
  EXPECT_THAT(j, HasSubstr("\"bundle\": \"/b\""));
  info.state = RunState::kCreated;
  EXPECT_THAT(state_json(info), HasSubstr("\"pid\": 4242"));
  EXPECT_THAT(state_json(info), HasSubstr("\"status\": \"created\""));
}

}  // namespace
}  // namespace grove::container
