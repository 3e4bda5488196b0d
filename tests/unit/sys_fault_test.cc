// L0: the fault-injection point list and its trigger (libcontainer/sys/fault.h).

#include "libcontainer/sys/fault.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>

#include <set>
#include <string>

namespace grove::sys {
namespace {

TEST(FaultPointTest, NamesAreUniqueAndNameTheirProcess) {
  std::set<std::string_view> seen;
  for (const FaultPoint& p : kFaultPoints) {
    EXPECT_TRUE(seen.insert(p.name).second) << "duplicate " << p.name;
    std::string_view process = p.name.substr(0, p.name.find('.'));
    EXPECT_NE(p.name.find('.'), std::string_view::npos) << p.name;
    EXPECT_THAT((std::set<std::string_view>{"create", "init", "start", "exec", "exec-joiner",
                                            "exec-process", "delete"}),
                ::testing::Contains(process))
        << p.name;
    // Only the init outlives the verb that armed it (cloned by create, runs on during start).
    if (process != "init") {
      EXPECT_EQ(p.armed, p.fires) << p.name;
    }
  }
}

TEST(FaultPointTest, IndexIsComputedAtCompileTime) {
  static_assert(kFaultPoints[fault_index("create.after-cgroup")].name == "create.after-cgroup");
  EXPECT_EQ(kFaultPoints[fault_index("delete.after-kill")].fires, FaultVerb::kDelete);
}

TEST(FaultPointTest, OtherPointOrNoVariableDoesNothing) {
  // Run in a child (a point that fired would kill this test binary): it must get to exit(0).
  EXPECT_EXIT(
      {
        ::unsetenv("GROVE_FAULT");
        GROVE_FAULT_POINT("create.after-lock");
        ::setenv("GROVE_FAULT", "create.after-record", 1);
        GROVE_FAULT_POINT("create.after-lock");
        ::setenv("GROVE_FAULT", "create.after-lock-and-more", 1);  // whole names only
        GROVE_FAULT_POINT("create.after-lock");
        ::_exit(0);
      },
      ::testing::ExitedWithCode(0), "");
}

TEST(FaultPointTest, NamedPointKillsTheProcess) {
  if (!kFaultInjection) GTEST_SKIP() << "built without GROVE_FAULT_INJECTION";
  EXPECT_EXIT(
      {
        ::setenv("GROVE_FAULT", "start.after-lock", 1);
        GROVE_FAULT_POINT("start.after-lock");
        ::_exit(0);
      },
      ::testing::KilledBySignal(SIGKILL), "");
}

}  // namespace
}  // namespace grove::sys
