// L1: security::write_proc_file / open_proc_root (PROC class, issue #9) against FakeOps: the
// exact open sequence, and that nothing is written when /proc or the file is not a procfs, when
// a mount is crossed, or when the path is not under /proc.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "libcontainer/process/proc_settings.h"
#include "libcontainer/security/procfs.h"
#include "libcontainer/security/selinux.h"
#include "libcontainer/sys/uapi.h"
#include "tests/support/fake_ops.h"

namespace grove::security {
namespace {

using testing::FakeOps;
using ::testing::HasSubstr;

constexpr long kTmpfsMagic = 0x01021994;

TEST(ProcfsWriteTest, OpensBeneathAVerifiedProcfsAndWritesOnce) {
  FakeOps ops;
  ASSERT_TRUE(write_proc_file(ops, "/proc/thread-self/attr/exec", "label"));
  EXPECT_EQ(ops.trace_text(),
            "openat(AT_FDCWD, \"/proc\", O_RDONLY|O_DIRECTORY|O_NOFOLLOW|O_PATH, 00)\n"
            "fstatfs(<path:/proc>)\n"
            "openat2(<path:/proc>, \"thread-self/attr/exec\", O_WRONLY|O_NOCTTY, "
            "RESOLVE_NO_XDEV|RESOLVE_NO_MAGICLINKS|RESOLVE_BENEATH)\n"
            "fstatfs(<path:/proc/thread-self/attr/exec>)\n"
            "write(<path:/proc/thread-self/attr/exec>, \"label\")");
  EXPECT_EQ(ops.sent().at("<path:/proc/thread-self/attr/exec>"), "label");
  EXPECT_TRUE(ops.open_fds().empty());
}

// CVE-2019-16884 / CVE-2023-28642: /proc shadowed by a volume (or a symlink to one).
TEST(ProcfsWriteTest, RefusesAProcThatIsNotProcfs) {
  FakeOps ops;
  ops.set_statfs("<path:/proc>", kTmpfsMagic);
  Status st = write_proc_file(ops, "/proc/thread-self/attr/exec", "label");
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code(), EXDEV);
  EXPECT_THAT(st.error().message(), HasSubstr("/proc is not a procfs (f_type 0x1021994)"));
  EXPECT_EQ(ops.calls("openat2"), 0);
  EXPECT_EQ(ops.calls("write"), 0);
  EXPECT_TRUE(ops.open_fds().empty());
}

// CVE-2025-52881: a mount raced over /proc/self/attr/... (openat2 refuses the crossing).
TEST(ProcfsWriteTest, AMountCrossingIsRefused) {
  FakeOps ops;
  ops.fail_next("openat2", EXDEV);
  Status st = write_proc_file(ops, "/proc/self/oom_score_adj", "5");
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code(), EXDEV);
  EXPECT_EQ(ops.calls("write"), 0);
}

// Without openat2: openat(O_NOFOLLOW), and the file itself must still be a procfs file.
TEST(ProcfsWriteTest, FallbackChecksTheFileItself) {
  FakeOps ops;
  ops.fail_next("openat2", ENOSYS);
  ops.set_statfs("<path:/proc/self/attr/keycreate>", kTmpfsMagic);
  Status st = write_proc_file(ops, "/proc/self/attr/keycreate", "");
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code(), EXDEV);
  EXPECT_THAT(st.error().message(), HasSubstr("\"/proc/self/attr/keycreate\" is not a procfs"));
  EXPECT_THAT(ops.trace_text(), HasSubstr("openat(<path:/proc>, \"self/attr/keycreate\", "
                                          "O_WRONLY|O_NOCTTY|O_NOFOLLOW, 00)"));
  EXPECT_EQ(ops.calls("write"), 0);
  EXPECT_TRUE(ops.open_fds().empty());
}

TEST(ProcfsWriteTest, OnlyPathsUnderProc) {
  FakeOps ops;
  for (const char* bad : {"/proc", "/proc/", "/sys/kernel/x", "proc/self/x", ""}) {
    Status st = write_proc_file(ops, bad, "1");
    ASSERT_FALSE(st) << bad;
    EXPECT_EQ(st.error().code(), EINVAL) << bad;
  }
  EXPECT_TRUE(ops.trace().empty());
}

// Every procfs write grove makes goes through the check: the LSM attributes in the init and
// exec'd processes, oom_score_adj, and the keyring label.
TEST(ProcfsWriteTest, EveryWriterRefusesAFakeProc) {
  process::ProcSettings s;
  s.apparmor_profile = "p";
  s.selinux_label = "l";
  s.oom_score_adj = 3;
  FakeOps a, b, c, d;
  for (FakeOps* ops : {&a, &b, &c, &d}) ops->set_statfs("<path:/proc>", kTmpfsMagic);
  EXPECT_EQ(process::apply_init_settings(a, s).error().code(), EXDEV);
  EXPECT_EQ(process::apply_exec_label(b, s).error().code(), EXDEV);
  EXPECT_EQ(process::apply_oom_score_adj(c, 42, s).error().code(), EXDEV);
  EXPECT_EQ(set_key_label(d, "l").error().code(), EXDEV);
  for (FakeOps* ops : {&a, &b, &c, &d}) {
    EXPECT_EQ(ops->calls("write"), 0);
    EXPECT_EQ(ops->calls("write_file_at"), 0);
  }
}

}  // namespace
}  // namespace grove::security
