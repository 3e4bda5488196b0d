// L3: crash consistency. For every fault point of libcontainer/sys/fault.h, a grove process is
// SIGKILLed at that point (GROVE_FAULT=<point> in the environment of the verb that arms it) while
// a busybox container with a cgroup under /grove-test goes through create, start, exec and
// delete. Afterwards either `grove delete --force ID` or a new `grove create` of the same id must
// succeed, and no state, cgroup, mount or process of the container may be left. This generalises
// CgroupE2ePrivTest.KilledCreateLeavesNoCgroupAfterForcedDelete, which kills `create` by timing.

#include <dirent.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "libcontainer/sys/fault.h"
#include "tests/support/e2e_fixture.h"

namespace grove::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using sys::FaultPoint;
using sys::FaultVerb;

// process.args of the container: an argument no other test process uses (ctest -j runs cases of
// this suite side by side, each in its own process), to find leaked processes.
const std::string& marker() {
  static const std::string m = std::to_string(7000000 + ::getpid());
  return m;
}

// What is done after the kill.
enum class Recovery { kForcedDelete, kCreateAgain };

struct Case {
  std::size_t point;  // index into sys::kFaultPoints
  Recovery recovery;
};

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Processes that are ours to worry about: the container's (process.args, marker()) and every grove
// process of this case (GROVE_FAULT=<point> in its environment, which children keep until exec).
std::vector<std::string> leaked_processes(std::string_view point) {
  const std::string cmdline = std::string("sleep") + '\0' + marker() + '\0';
  const std::string env = "GROVE_FAULT=" + std::string(point);
  const std::string owner = "GROVE_FAULT_OWNER=" + marker();
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator("/proc")) {
    std::string pid = e.path().filename();
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string dir = "/proc/" + pid;
    if (read_all(dir + "/cmdline") == cmdline) out.push_back(pid + " (the container's sleep)");
    std::string environ = read_all(dir + "/environ");
    std::size_t at = environ.find(env);
    if (environ.find(owner) == std::string::npos) continue;  // another test process's
    if (at != std::string::npos && (at == 0 || environ[at - 1] == '\0') &&
        (at + env.size() == environ.size() || environ[at + env.size()] == '\0')) {
      out.push_back(pid + " (" + read_all(dir + "/comm") + " with " + env + ")");
    }
  }
  return out;
}

// GROVE_FAULT set in this process's environment while a grove command runs (children inherit it).
class ArmFault {
 public:
  explicit ArmFault(std::string_view point) {
    ::setenv("GROVE_FAULT", std::string(point).c_str(), 1);
    ::setenv("GROVE_FAULT_OWNER", marker().c_str(), 1);
  }
  ~ArmFault() {
    ::unsetenv("GROVE_FAULT");
    ::unsetenv("GROVE_FAULT_OWNER");
  }
};

class FaultE2ePrivTest : public E2eFixture, public ::testing::WithParamInterface<Case> {
 protected:
  FaultE2ePrivTest() : E2eFixture(GROVE_BIN, {"sleep", marker()}) {}

  void SetUp() override {
    if (!sys::kFaultInjection) {
      GTEST_SKIP() << "built without GROVE_FAULT_INJECTION (cmake -DGROVE_FAULT_INJECTION=ON)";
    }
    E2eFixture::SetUp();
    if (!bundle_) return;
    // A pids limit, so the container has a cgroup of its own in every hierarchy grove manages.
    bundle_->spec().linux->resources.emplace();
    bundle_->spec().linux->resources->pids = oci::Pids{100};
    ASSERT_TRUE(bundle_->write_config());
  }

  const FaultPoint& point() const { return sys::kFaultPoints[GetParam().point]; }

  // One verb of the lifecycle, armed with the fault when it is the point's.
  Ran step(FaultVerb verb, const std::string& id) {
    std::optional<ArmFault> armed;
    if (verb == point().armed) armed.emplace(point().name);
    switch (verb) {
      case FaultVerb::kCreate:
        return grove({"create", "--bundle", bundle_->bundle(), id});
      case FaultVerb::kStart:
        return grove({"start", id});
      case FaultVerb::kExec:
        return grove({"exec", id, "true"});
      case FaultVerb::kDelete:
        return grove({"delete", "--force", id});
    }
    return Ran{};
  }

  // Runs the lifecycle up to the verb the point fires in and returns the first failure (the
  // one the fault caused), or a Ran with code 0 when every verb succeeded.
  Ran run_until_fault(const std::string& id) {
    const FaultVerb order[] = {FaultVerb::kCreate, FaultVerb::kStart, FaultVerb::kExec,
                               FaultVerb::kDelete};
    for (FaultVerb verb : order) {
      Ran r = step(verb, id);
      if (r.code != 0) return r;
      if (verb == point().fires) break;
    }
    return Ran{0, "", ""};
  }

  // Nothing of the container may be left: state under --root (tmp dirs included), its cgroup,
  // mounts under the bundle, processes.
  void expect_nothing_left(const std::string& when) {
    reap_children();
    std::vector<std::string> state;
    for (const auto& e : std::filesystem::directory_iterator(cli_->root())) {
      std::string name = e.path().filename();
      if (name != ".cache") state.push_back(name);  // the seccomp program cache may stay
    }
    EXPECT_THAT(state, IsEmpty()) << when;
    EXPECT_THAT(bundle_->leftover_cgroups(), IsEmpty()) << when;
    EXPECT_THAT(host_mounts_under(bundle_->dir()), IsEmpty()) << when;
    EXPECT_THAT(leaked_processes(point().name), IsEmpty()) << when;
  }
};

TEST_P(FaultE2ePrivTest, KilledAtPointLeavesNothingAfterRecovery) {
  const std::string id = "fault";
  const std::string name(point().name);
  Ran failed = run_until_fault(id);
  // The point must be reached: the verb that runs it fails. A grove CLI process dies of SIGKILL;
  // an init or exec child that dies makes its verb fail with an error (an init killed after
  // opening the exec fifo closes it without the exec marker, and `start` says so).
  ASSERT_NE(failed.code, 0) << name << " was never reached";
  if (name == "init.after-fifo-open" || name == "init.before-exec") {
    EXPECT_THAT(failed.err, HasSubstr("container init exited before exec")) << name;
  }
  const bool cli_point = name.starts_with("create.") || name.starts_with("start.") ||
                         name.starts_with("exec.") || name.starts_with("delete.");
  if (cli_point) {
    EXPECT_EQ(failed.code, 1000 + SIGKILL) << failed.err;
  }
  reap_children();

  if (GetParam().recovery == Recovery::kForcedDelete) {
    Ran del = grove({"delete", "--force", id});
    // A verb that cleaned up after its own failure (an init killed during create) leaves no
    // container: then "does not exist" is the right answer.
    if (del.code != 0) {
      EXPECT_THAT(del.err, HasSubstr("does not exist")) << name;
    }
    expect_nothing_left(name + ", after delete --force");
  } else {
    // A create that died before it finished must not block the id (nor a delete that died
    // after removing state.json). Once the record said "created" (create.after-save-created
    // and every later verb) the container exists until deleted, as in runc.
    const bool exists = (point().fires != FaultVerb::kCreate ||
                         name == "create.after-save-created") &&
                        name != "delete.after-state-unlink";
    Ran again = grove({"create", "--bundle", bundle_->bundle(), id});
    if (exists) {
      EXPECT_NE(again.code, 0);
      EXPECT_THAT(again.err, HasSubstr("already exists")) << name;
    } else {
      EXPECT_EQ(again.code, 0) << name << ": " << again.err;
      Ran start = grove({"start", id});
      EXPECT_EQ(start.code, 0) << name << ": " << start.err;
    }
    Ran del = grove({"delete", "--force", id});
    EXPECT_EQ(del.code, 0) << name << ": " << del.err;
    expect_nothing_left(name + ", after create again and delete --force");
  }
}

std::vector<Case> all_cases() {
  std::vector<Case> out;
  for (std::size_t i = 0; i < std::size(sys::kFaultPoints); ++i) {
    out.push_back({i, Recovery::kForcedDelete});
    out.push_back({i, Recovery::kCreateAgain});
  }
  return out;
}

std::string case_name(const ::testing::TestParamInfo<Case>& info) {
  std::string n(sys::kFaultPoints[info.param.point].name);
  for (char& c : n) {
    if (c == '.' || c == '-') c = '_';
  }
  return n + (info.param.recovery == Recovery::kForcedDelete ? "_delete" : "_recreate");
}

INSTANTIATE_TEST_SUITE_P(Points, FaultE2ePrivTest, ::testing::ValuesIn(all_cases()), case_name);

}  // namespace
}  // namespace grove::testing
