// L0 tests of the reaper's pure parts (process/reaper.h): when a spec asks for it, and the exit
// code it reports.

#include <gtest/gtest.h>
#include <signal.h>

#include "libcontainer/process/reaper.h"

namespace grove::process {
namespace {

oci::Spec spec_with(const char* value, bool own_pidns) {
  oci::Spec s;
  s.linux.emplace();
  if (own_pidns) s.linux->namespaces.push_back({oci::NamespaceType::kPid, ""});
  if (value != nullptr) s.annotations["run.grove.init"] = value;
  return s;
}

TEST(ProcessReaperTest, WantedOnlyWithTheAnnotationAndAPidNamespace) {
  EXPECT_TRUE(wants_reaper(spec_with("reaper", true)));
  EXPECT_FALSE(wants_reaper(spec_with(nullptr, true)));
  EXPECT_FALSE(wants_reaper(spec_with("tini", true)));
  EXPECT_FALSE(wants_reaper(spec_with("reaper", false)));  // no PID 1 of ours
  oci::Spec joined = spec_with("reaper", false);
  joined.linux->namespaces.push_back({oci::NamespaceType::kPid, "/proc/1/ns/pid"});
  EXPECT_FALSE(wants_reaper(joined));
}

TEST(ProcessReaperTest, KillWithRuntimeOnlyWhenTrue) {
  oci::Spec s = spec_with("reaper", true);
  EXPECT_FALSE(wants_kill_with_runtime(s));
  s.annotations["run.grove.kill-with-runtime"] = "yes";
  EXPECT_FALSE(wants_kill_with_runtime(s));
  s.annotations["run.grove.kill-with-runtime"] = "true";
  EXPECT_TRUE(wants_kill_with_runtime(s));
}

TEST(ProcessReaperTest, ExitCodeLikeAShell) {
  sys::WaitStatus exited;
  exited.code = 1;  // CLD_EXITED
  exited.status = 7;
  EXPECT_EQ(reaper_exit_code(exited), 7);
  sys::WaitStatus killed;
  killed.code = 2;  // CLD_KILLED
  killed.status = SIGTERM;
  EXPECT_EQ(reaper_exit_code(killed), 128 + SIGTERM);
}

}  // namespace
}  // namespace grove::process
