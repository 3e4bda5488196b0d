// L2: LinuxOps scheduling, io priority and memory policy syscalls (process settings, #4) on the
// real kernel, each in a forked child (run_in_private_mntns) so the test process keeps its own.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "libcontainer/sys/linux_ops.h"
#include "tests/support/priv.h"

namespace grove::sys {
namespace {

using ::testing::HasSubstr;

TEST(SysLinuxOpsSchedPrivTest, SchedSetattrIoprioAndAffinityChangeTheCaller) {
  GROVE_REQUIRE_ROOT();
  Status st = testing::run_in_private_mntns([]() -> Status {
    LinuxOps ops;
    GROVE_TRY(ops.sched_setattr(0, SchedAttr{.policy = SCHED_BATCH, .nice = 4}, 0));
    if (::sched_getscheduler(0) != SCHED_BATCH || ::getpriority(PRIO_PROCESS, 0) != 4) {
      return Error::invalid("sched_setattr did not take effect");
    }
    GROVE_TRY(ops.ioprio_set(1 /* IOPRIO_WHO_PROCESS */, 0, (3 << 13) | 0));  // IDLE
    if (::syscall(SYS_ioprio_get, 1, 0) != (3 << 13)) {
      return Error::invalid("ioprio_set did not take effect");
    }
    GROVE_TRY(ops.sched_setaffinity(0, {0}));
    cpu_set_t set;
    if (::sched_getaffinity(0, sizeof set, &set) != 0 || CPU_COUNT(&set) != 1 ||
        !CPU_ISSET(0, &set)) {
      return Error::invalid("sched_setaffinity did not take effect");
    }
    return ok();
  });
  EXPECT_TRUE(st) << st.error().message();
}

TEST(SysLinuxOpsSchedPrivTest, FailuresNameTheCall) {
  GROVE_REQUIRE_ROOT();
  LinuxOps ops;
  // SCHED_ISO is reserved but not implemented by mainline kernels.
  Status st = ops.sched_setattr(0, SchedAttr{.policy = 4}, 0);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code(), EINVAL);
  EXPECT_THAT(st.error().message(), HasSubstr("sched_setattr(0, policy=4"));
  Status aff = ops.sched_setaffinity(0, {8191});
  ASSERT_FALSE(aff);
  EXPECT_THAT(aff.error().message(), HasSubstr("sched_setaffinity(0, [8191])"));
  Status mp = ops.set_mempolicy(99, {}, 0);
  ASSERT_FALSE(mp);
  EXPECT_THAT(mp.error().message(), HasSubstr("set_mempolicy(99"));
}

}  // namespace
}  // namespace grove::sys
