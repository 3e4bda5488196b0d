// Security regression suite CG (issue #9; reference/engines.md §5: CVE-2023-25809): a rootless
// container (grove run by an unprivileged user, setpriv --reuid/--regid as in
// tests/e2e/sandbox_e2e_test.cc) must not be able to write the host's cgroup hierarchy: from
// inside, with and without a cgroup namespace, every cgroup.procs/tasks file it can see refuses
// its pid and no directory can be made anywhere under /sys/fs/cgroup. The host side is checked
// too: no directory named by the attempt appears in any hierarchy. The test needs root only to
// switch users and to prepare what the user owns.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "oci/default_spec.h"
#include "tests/support/bundle.h"
#include "tests/support/files.h"
#include "tests/support/grove_cli.h"
#include "tests/support/priv.h"
#include "tests/support/run_binary.h"

namespace grove::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kSetpriv = "/usr/bin/setpriv";
constexpr const char* kEscape = "grove-cg-escape";

// Tries every cgroup.procs/tasks the container sees (moving itself: harmless where refused, a
// finding where not) and a mkdir in every directory down to depth 3. Prints WROTE/MADE lines
// for what succeeded and "tried N" at the end.
constexpr const char* kAttack =
    "n=0; for f in /sys/fs/cgroup/cgroup.procs /sys/fs/cgroup/tasks /sys/fs/cgroup/*/cgroup.procs"
    " /sys/fs/cgroup/*/tasks /sys/fs/cgroup/*/*/cgroup.procs /sys/fs/cgroup/*/*/tasks; do"
    "  [ -e \"$f\" ] || continue; n=$((n+1));"
    "  if (echo $$ > \"$f\") 2>/dev/null; then echo \"WROTE $f\"; fi; done;"
    " for d in /sys/fs/cgroup /sys/fs/cgroup/* /sys/fs/cgroup/*/*; do"
    "  [ -d \"$d\" ] || continue; n=$((n+1));"
    "  if mkdir \"$d/grove-cg-escape\" 2>/dev/null; then echo \"MADE $d\"; fi; done;"
    " echo \"tried $n\"";

std::string userns_skip_reason() {
  if (read_text_file("/proc/sys/user/max_user_namespaces").rfind("0", 0) == 0) {
    return "user namespaces disabled (user.max_user_namespaces=0)";
  }
  if (read_text_file("/proc/sys/kernel/unprivileged_userns_clone").rfind("0", 0) == 0) {
    return "kernel.unprivileged_userns_clone=0";
  }
  return "";
}

// Every directory named kEscape in the host's hierarchies (removed after being listed).
std::vector<std::string> host_escapes() {
  std::vector<std::string> found;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(
           "/sys/fs/cgroup", fs::directory_options::skip_permission_denied, ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    if (it.depth() > 3) it.disable_recursion_pending();
    if (it->path().filename() == kEscape) found.push_back(it->path());
  }
  for (const std::string& d : found) ::rmdir(d.c_str());
  return found;
}

class CgroupSecurityPrivTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    GROVE_REQUIRE_ROOT();
    GROVE_REQUIRE(missing_busybox());
    if (::access(kSetpriv, X_OK) != 0) GTEST_SKIP() << "needs " << kSetpriv << " (util-linux)";
    GROVE_REQUIRE(userns_skip_reason());
    ASSERT_EQ(::prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
    struct passwd* pw = ::getpwnam("grove-sbx");
    if (pw == nullptr) pw = ::getpwnam("nobody");
    if (pw == nullptr) GTEST_SKIP() << "no unprivileged user (grove-sbx or nobody)";
    uid_ = pw->pw_uid;
    gid_ = pw->pw_gid;
    char tmpl[] = "/var/tmp/grove-cg-sec-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr) << std::strerror(errno);
    dir_ = tmpl;
    ASSERT_EQ(::chmod(dir_.c_str(), 0755), 0);
    xdg_ = dir_ + "/xdg";
    ASSERT_EQ(::mkdir(xdg_.c_str(), 0700), 0);
    ASSERT_EQ(::chown(xdg_.c_str(), uid_, gid_), 0);
    auto b = BusyboxBundle::make({"sh", "-c", kAttack});
    ASSERT_TRUE(b) << b.error().message();
    bundle_.emplace(std::move(*b));
    oci::Spec spec = oci::default_spec(true, uid_, gid_);
    spec.process->terminal = false;
    spec.process->args = {"sh", "-c", kAttack};
    spec.process->env = {"PATH=/bin"};
    spec.root->readonly = false;
    if (GetParam()) spec.linux->namespaces.push_back({oci::NamespaceType::kCgroup, ""});
    bundle_->spec() = spec;
    ASSERT_TRUE(bundle_->write_config());
    for (const auto& e : fs::recursive_directory_iterator(bundle_->dir())) {
      ASSERT_EQ(::lchown(e.path().c_str(), uid_, gid_), 0) << e.path();
    }
    ASSERT_EQ(::chown(bundle_->dir().c_str(), uid_, gid_), 0);
  }

  void TearDown() override {
    if (!dir_.empty()) {
      // Whatever the container left (it should be gone: `run` waits for it).
      RunOptions o{.out_path = dir_ + "/del.out", .err_path = dir_ + "/del.err"};
      (void)run_binary(as_user({"delete", "--force", "cg"}), o);
      EXPECT_THAT(host_mounts_under(bundle_ ? bundle_->dir() : dir_), ::testing::IsEmpty());
      std::error_code ec;
      fs::remove_all(dir_, ec);
    }
  }

  std::vector<std::string> as_user(const std::vector<std::string>& grove_args) const {
    std::vector<std::string> a = {kSetpriv,
                                  "--reuid=" + std::to_string(uid_),
                                  "--regid=" + std::to_string(gid_),
                                  "--clear-groups",
                                  "/usr/bin/env",
                                  "-i",
                                  "PATH=/usr/bin:/bin",
                                  "XDG_RUNTIME_DIR=" + xdg_,
                                  GROVE_BIN};
    a.insert(a.end(), grove_args.begin(), grove_args.end());
    return a;
  }

  uid_t uid_ = 0;
  gid_t gid_ = 0;
  std::string dir_, xdg_;
  std::optional<BusyboxBundle> bundle_;
};

TEST_P(CgroupSecurityPrivTest, RootlessContainerCannotWriteTheHostHierarchy) {
  ASSERT_THAT(host_escapes(), ::testing::IsEmpty()) << "left by an earlier run";
  RunOptions o{.out_path = dir_ + "/run.out", .err_path = dir_ + "/run.err"};
  Ran r = run_binary(as_user({"run", "--bundle", bundle_->bundle(), "cg"}), o);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("tried "));
  EXPECT_THAT(r.out, Not(HasSubstr("tried 0"))) << "the container saw no cgroup files: " << r.out;
  EXPECT_THAT(r.out, Not(HasSubstr("WROTE"))) << r.out;
  EXPECT_THAT(r.out, Not(HasSubstr("MADE"))) << r.out;
  EXPECT_THAT(host_escapes(), ::testing::IsEmpty());
}

INSTANTIATE_TEST_SUITE_P(CgroupNs, CgroupSecurityPrivTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& i) {
                           return std::string(i.param ? "with_cgroupns" : "host_cgroupns");
                         });

}  // namespace
}  // namespace grove::testing
