// Security regression suite PROC (issue #9; reference/engines.md §5: CVE-2019-16884,
// CVE-2019-19921, CVE-2023-27561, CVE-2023-28642, CVE-2025-52881): every procfs write grove makes
// (LSM attributes, keycreate, sysctls, oom_score_adj, uid_map/gid_map, setgroups,
// timens_offsets) goes through security::write_proc_file (or the sysctl writer's private
// procfs), which refuses a /proc that is not a procfs and any mount crossing inside it.
//
// ProcfsWritePrivTest: the helper on the real kernel, /proc shadowed by a tmpfs and a file
//   bind-mounted over a procfs file, in a private mount namespace.
// ProcSecurityPrivTest: containers whose rootfs has /proc and /sys as symlinks (to a directory
//   of fake procfs files inside the rootfs, and to the host) and whose config tries to shadow
//   /proc with mounts: the settings land on the real procfs (checked from the host through the
//   container's namespaces) or grove refuses, and no fake or host file changes.

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "libcontainer/security/procfs.h"
#include "libcontainer/sys/linux_ops.h"
#include "tests/support/e2e_fixture.h"
#include "tests/support/files.h"
#include "tests/support/priv.h"

namespace grove::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using Json = nlohmann::json;

// The names in `dir`, one a line, sorted.
std::string snapshot_names(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename());
  std::sort(names.begin(), names.end());
  std::string out;
  for (const std::string& n : names) out += n + "\n";
  return out;
}

Status expect_code(const Status& st, int code, const std::string& what) {
  if (st) return Error::invalid(what + ": succeeded, wanted errno " + std::to_string(code));
  if (st.error().code() != code) {
    return Error::invalid(what + ": wanted errno " + std::to_string(code) + ", got " +
                          st.error().message());
  }
  return ok();
}

TEST(ProcfsWritePrivTest, ShadowedProcAndBindOverAProcFileAreRefused) {
  GROVE_REQUIRE_ROOT();
  Status st = run_in_private_mntns([]() -> Status {
    sys::LinuxOps ops;
    // The real procfs first: a harmless write (the current value) goes through.
    std::string adj = read_text_file("/proc/self/oom_score_adj");
    while (!adj.empty() && adj.back() == '\n') adj.pop_back();
    GROVE_TRY(security::write_proc_file(ops, "/proc/self/oom_score_adj", adj));
    // A regular file bind-mounted over a procfs file (a raced shared mount): EXDEV.
    TempDir tmp;
    std::ofstream(tmp.path() + "/fake") << "fake";
    std::string target = "/proc/" + std::to_string(::getpid()) + "/oom_score_adj";
    if (::mount((tmp.path() + "/fake").c_str(), target.c_str(), nullptr, MS_BIND, nullptr) != 0) {
      return Error::last("bind over " + target);
    }
    GROVE_TRY(expect_code(security::write_proc_file(ops, "/proc/self/oom_score_adj", "5"), EXDEV,
                          "bind over oom_score_adj"));
    if (read_text_file(tmp.path() + "/fake") != "fake") return Error::invalid("fake file written");
    ::umount2(target.c_str(), MNT_DETACH);
    // /proc shadowed by a tmpfs holding look-alike files: EXDEV before any open below it.
    if (::mount("tmpfs", "/proc", "tmpfs", 0, nullptr) != 0) return Error::last("tmpfs on /proc");
    fs::create_directories("/proc/self/attr");
    std::ofstream("/proc/self/attr/exec") << "unconfined";
    GROVE_TRY(expect_code(security::write_proc_file(ops, "/proc/self/attr/exec", "label"), EXDEV,
                          "tmpfs /proc"));
    if (read_text_file("/proc/self/attr/exec") != "unconfined") {
      return Error::invalid("look-alike attr/exec written");
    }
    return ok();
  });
  EXPECT_TRUE(st) << st.error().message();
}

class ProcSecurityPrivTest : public E2eFixture {
 protected:
  ProcSecurityPrivTest() : E2eFixture(GROVE_BIN, {BusyboxBundle::kProbePath}) {}
  void SetUp() override {
    E2eFixture::SetUp();
    if (!bundle_) return;
    ASSERT_TRUE(bundle_->add_probe(GROVE_PROBE));
    rootfs_ = bundle_->bundle() + "/rootfs";
  }
  std::string rootfs_;
};

// /proc and /sys in the image are symlinks: to a directory of fake procfs files inside the rootfs
// and to a host directory. The sysctl and oom_score_adj land on the real procfs (or grove
// refuses); neither the fakes nor the host directory change.
TEST_F(ProcSecurityPrivTest, ProcAndSysSymlinkedInTheImage) {
  TempDir host;
  std::ofstream(host.path() + "/canary") << "host\n";
  fs::create_directories(rootfs_ + "/fakeproc/sys/net/ipv4");
  fs::create_directories(rootfs_ + "/fakeproc/self/attr");
  std::ofstream(rootfs_ + "/fakeproc/sys/net/ipv4/ip_forward") << "fake\n";
  std::ofstream(rootfs_ + "/fakeproc/self/oom_score_adj") << "fake\n";
  std::ofstream(rootfs_ + "/fakeproc/self/attr/exec") << "fake\n";
  fs::remove_all(rootfs_ + "/proc");
  fs::remove_all(rootfs_ + "/sys");
  fs::create_directory_symlink("/fakeproc", rootfs_ + "/proc");
  fs::create_directory_symlink(host.path(), rootfs_ + "/sys");
  bundle_->spec().linux->sysctl["net.ipv4.ip_forward"] = "1";
  bundle_->spec().process->oom_score_adj = 7;
  bundle_->spec().process->args = {BusyboxBundle::kProbePath, "--sysctl=net.ipv4.ip_forward"};
  ASSERT_TRUE(bundle_->write_config());
  Ran r = grove({"run", "--bundle", bundle_->bundle(), "proc-link"});
  if (r.code == 0) {
    Json j = Json::parse(r.out, nullptr, false);
    ASSERT_TRUE(j.is_object()) << r.out;
    EXPECT_EQ(j["sysctl"]["net.ipv4.ip_forward"], "1");
    EXPECT_EQ(j["oom_score_adj"], 7);
  } else {
    EXPECT_THAT(r.err, ::testing::AnyOf(HasSubstr("/proc"), HasSubstr("/sys"))) << r.err;
  }
  for (const char* f : {"sys/net/ipv4/ip_forward", "self/oom_score_adj", "self/attr/exec"}) {
    EXPECT_EQ(read_text_file(rootfs_ + "/fakeproc/" + f), "fake\n") << f;
  }
  EXPECT_EQ(snapshot_names(host.path()), "canary\n");
  EXPECT_EQ(read_text_file(host.path() + "/canary"), "host\n");
  EXPECT_THAT(host_mounts_under(host.path()), ::testing::IsEmpty());
}

// Config mounts that would shadow /proc or files in it (the volume of CVE-2019-16884) are
// refused before anything is created, naming the mount.
TEST_F(ProcSecurityPrivTest, MountsShadowingProcAreRefused) {
  TempDir vol;
  fs::create_directories(vol.path() + "/self/attr");
  const std::vector<oci::Mount> shadows = {
      {"/proc", "tmpfs", "tmpfs", {}, {}, {}},
      {"/proc", "bind", vol.path(), {"rbind"}, {}, {}},
      {"/proc/self/attr", "bind", vol.path() + "/self/attr", {"bind"}, {}, {}},
      {"/proc/sys", "tmpfs", "tmpfs", {}, {}, {}},
      {"/proc/thread-self/attr/exec", "bind", "/dev/null", {"bind"}, {}, {}},
      {"//proc/./sysrq-trigger", "bind", "/dev/null", {"bind"}, {}, {}},
  };
  const auto base = bundle_->spec().mounts;
  for (std::size_t i = 0; i < shadows.size(); ++i) {
    bundle_->spec().mounts = base;
    bundle_->spec().mounts.push_back(shadows[i]);
    ASSERT_TRUE(bundle_->write_config());
    const std::string id = "shadow-" + std::to_string(i);
    Ran r = grove({"create", "--bundle", bundle_->bundle(), id});
    EXPECT_EQ(r.code, 1) << shadows[i].destination;
    EXPECT_THAT(r.err, HasSubstr("/mounts/" + std::to_string(base.size()) + "/destination"))
        << r.err;
    EXPECT_FALSE(fs::exists(cli_->root() + "/" + id));
  }
  // lxcfs's files stay allowed (runc's list), as does a procfs on /proc.
  bundle_->spec().mounts = base;
  TempDir lxcfs;
  std::ofstream(lxcfs.path() + "/meminfo") << "MemTotal: 1 kB\n";
  bundle_->spec().mounts.push_back(
      {"/proc/meminfo", "bind", lxcfs.path() + "/meminfo", {"bind", "ro"}, {}, {}});
  bundle_->spec().process->args = {"cat", "/proc/meminfo"};
  ASSERT_TRUE(bundle_->write_config());
  Ran ok_run = grove({"run", "--bundle", bundle_->bundle(), "lxcfs"});
  EXPECT_EQ(ok_run.code, 0) << ok_run.err;
  EXPECT_EQ(ok_run.out, "MemTotal: 1 kB\n");
}

}  // namespace
}  // namespace grove::testing
