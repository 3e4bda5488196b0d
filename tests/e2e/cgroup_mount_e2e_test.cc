// L3: what a container sees at /sys/fs/cgroup (the spec's "cgroup" mount) on a hybrid or legacy
// host, through the grove binary: its OWN cgroup directories, one per host hierarchy under the
// host's names (runc's mountCgroupV1), the cgroup2 directory at "unified" on a hybrid host, the
// limits of linux.resources readable, read-only when the mount is, nothing of the host's other
// cgroups; with and without a cgroup namespace, per strategy. A pure v2 host (the VM suite)
// keeps a fresh cgroup2 instance, covered by the unit tests and skipped here with the reason.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "libcontainer/base/strings.h"
#include "libcontainer/cgroup/manager.h"
#include "libcontainer/sys/linux_ops.h"
#include "oci/default_spec.h"
#include "tests/support/e2e_fixture.h"
#include "tests/support/priv.h"

namespace grove::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  std::string t = s.str();
  while (!t.empty() && t.back() == '\n') t.pop_back();
  return t;
}

// The part of `out` after the line "== name ==" up to the next such line.
std::string section(const std::string& out, const std::string& name) {
  std::string mark = "== " + name + " ==\n";
  std::size_t at = out.find(mark);
  if (at == std::string::npos) return "";
  at += mark.size();
  std::size_t end = out.find("\n== ", at - 1);  // from the mark's own newline: may be empty
  return out.substr(at, end == std::string::npos ? std::string::npos : end + 1 - at);
}

class CgroupMountE2ePrivTest : public E2eFixture {
 protected:
  CgroupMountE2ePrivTest() : E2eFixture(GROVE_BIN) {}

  void SetUp() override {
    E2eFixture::SetUp();
    if (!bundle_) return;
    sys::LinuxOps ops;
    auto layout = cgroup::detect_layout(ops);
    ASSERT_TRUE(layout) << layout.error().message();
    layout_ = *layout;
    if (layout_.mode() != cgroup::Mode::kHybrid && layout_.mode() != cgroup::Mode::kLegacy) {
      GTEST_SKIP() << "needs cgroup v1 hierarchies (hybrid or legacy host); a pure v2 host "
                      "mounts a fresh cgroup2 instance (unit tests: PlanCgroupMountTest)";
    }
    auto dirs = cgroup::detect_dirs(ops, layout_, bundle_->cgroup_path());
    ASSERT_TRUE(dirs) << dirs.error().message();
    dirs_ = *dirs;
    auto& res = bundle_->spec().linux->resources.emplace();
    res.memory.emplace().limit = 48 << 20;
    res.pids = oci::Pids{20};
  }

  // The names /sys/fs/cgroup must list: the basenames of the host's mount points, the parts of
  // co-mounted ones, and (hybrid) the cgroup2 mount point's.
  std::set<std::string> expected_names() const {
    std::set<std::string> names;
    auto base = [](const std::string& p) { return p.substr(p.rfind('/') + 1); };
    for (const cgroup::V1Mount& m : layout_.v1) {
      names.insert(base(m.mountpoint));
      for (const std::string& part : split(base(m.mountpoint), ',')) names.insert(part);
    }
    if (!layout_.unified.empty()) names.insert(base(layout_.unified));
    return names;
  }

  // Runs `script` (sh -c) in the bundle to completion.
  Ran run_script(const std::string& script, const std::string& id,
                 const std::vector<std::string>& extra = {}) {
    bundle_->spec().process->args = {"sh", "-c", script};
    Status st = bundle_->write_config();
    if (!st) return Ran{.code = -1, .out = "", .err = st.error().message()};
    std::vector<std::string> args = {"run"};
    args.insert(args.end(), extra.begin(), extra.end());
    args.insert(args.end(), {"--bundle", bundle_->bundle(), id});
    return grove(args);
  }

  // The common checks: own limits readable, cpu resolves, read-only, no host cgroups listed.
  void expect_own_read_only_view(const std::string& id, const std::vector<std::string>& extra) {
    const std::string script =
        "echo '== limit =='; cat /sys/fs/cgroup/memory/memory.limit_in_bytes; "
        "echo '== pids =='; cat /sys/fs/cgroup/pids/pids.max; "
        "echo '== cpu =='; cd /sys/fs/cgroup/cpu && ls cpu.shares && cd /; "
        "echo '== write =='; "
        "if echo 1073741824 > /sys/fs/cgroup/memory/memory.limit_in_bytes; then echo WROTE; fi; "
        "if echo x > /sys/fs/cgroup/new-file; then echo TMPFS-WRITABLE; fi; "
        "echo '== names =='; ls /sys/fs/cgroup; "
        "echo '== memory =='; ls /sys/fs/cgroup/memory; "
        "echo '== unified =='; ls /sys/fs/cgroup/unified && cat "
        "/sys/fs/cgroup/unified/cgroup.procs; "
        "echo '== end =='";
    Ran r = run_script(script, id, extra);
    ASSERT_EQ(r.code, 0) << r.out << r.err;
    EXPECT_EQ(section(r.out, "limit"), std::to_string(48 << 20) + "\n") << r.out;
    EXPECT_EQ(section(r.out, "pids"), "20\n") << r.out;
    EXPECT_EQ(section(r.out, "cpu"), "cpu.shares\n") << r.out;
    EXPECT_EQ(section(r.out, "write"), "") << r.out;
    EXPECT_THAT(r.out + r.err, HasSubstr("Read-only file system"));
    // Exactly the host's hierarchy names, nothing else (no grove-test, no other cgroups).
    std::set<std::string> listed;
    for (const std::string& n : split(section(r.out, "names"), '\n')) {
      if (!n.empty()) listed.insert(n);
    }
    EXPECT_EQ(listed, expected_names()) << section(r.out, "names");
    // Inside a hierarchy: the container's own directory (its files, no child cgroups of others).
    const std::string memory = section(r.out, "memory");
    EXPECT_THAT(memory, HasSubstr("memory.limit_in_bytes"));
    EXPECT_THAT(memory, Not(HasSubstr("grove-test")));
    EXPECT_THAT(memory, Not(HasSubstr("process_api")));
    if (layout_.mode() == cgroup::Mode::kHybrid) {
      const std::string unified = section(r.out, "unified");
      EXPECT_THAT(unified, HasSubstr("cgroup.procs"));
      EXPECT_THAT(unified, Not(HasSubstr("grove-test")));
      EXPECT_THAT(unified, Not(HasSubstr("process_api")));
    }
  }

  cgroup::Layout layout_;
  cgroup::Dirs dirs_;
};

TEST_F(CgroupMountE2ePrivTest, ContainerSeesItsOwnCgroupsReadOnly) {
  expect_own_read_only_view("cgm-pivot", {});
}

TEST_F(CgroupMountE2ePrivTest, ChrootStrategySeesTheSameView) {
  expect_own_read_only_view("cgm-chroot", {"--no-pivot"});
}

TEST_F(CgroupMountE2ePrivTest, CgroupNamespaceSeesItsCgroupAsTheRoot) {
  bundle_->spec().linux->namespaces.push_back({oci::NamespaceType::kCgroup, ""});
  expect_own_read_only_view("cgm-cgns", {});
  // In the namespace the binds' roots are the namespace root, and so is /proc/self/cgroup.
  Ran r = run_script("cat /proc/self/cgroup; echo '== mountinfo =='; cat /proc/self/mountinfo",
                     "cgm-cgns2");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr(":memory:/\n"));
  EXPECT_THAT(r.out, Not(HasSubstr("grove-test")));
  EXPECT_THAT(section(r.out, "mountinfo"), HasSubstr(" / /sys/fs/cgroup/memory "));
}

// The binds are cloned by the init inside its user namespace (pivot strategy): same view.
TEST_F(CgroupMountE2ePrivTest, UserAndCgroupNamespacesSeeTheSameView) {
  ASSERT_EQ(::chmod(bundle_->dir().c_str(), 0755), 0);  // container root is host uid 100000
  auto& linux = *bundle_->spec().linux;
  linux.namespaces.push_back({oci::NamespaceType::kUser, ""});
  linux.namespaces.push_back({oci::NamespaceType::kCgroup, ""});
  linux.uid_mappings = {{0, 100000, 65536}};
  linux.gid_mappings = {{0, 100000, 65536}};
  expect_own_read_only_view("cgm-userns", {});
}

TEST_F(CgroupMountE2ePrivTest, ReadWriteMountLetsTheContainerSetItsLimits) {
  bundle_->spec().mounts.back().options = {"nosuid", "noexec", "nodev", "relatime", "rw"};
  ASSERT_EQ(bundle_->spec().mounts.back().destination, "/sys/fs/cgroup");
  Ran r = run_script(
      "echo 33554432 > /sys/fs/cgroup/memory/memory.limit_in_bytes && "
      "cat /sys/fs/cgroup/memory/memory.limit_in_bytes && sleep 100",
      "cgm-rw", {"-d"});
  ASSERT_EQ(r.code, 0) << r.err;
  // The container's own cgroup on the host took the write.
  std::string limit;
  for (int i = 0; i < 100 && limit != std::to_string(32 << 20); ++i) {
    limit = read_text(dirs_.v1.at("memory") + "/memory.limit_in_bytes");
    ::usleep(20000);
  }
  EXPECT_EQ(limit, std::to_string(32 << 20));
  EXPECT_EQ(grove({"delete", "--force", "cgm-rw"}).code, 0);
  EXPECT_THAT(bundle_->leftover_cgroups(), ::testing::IsEmpty());
}

constexpr uid_t kRootlessUser = 65534;

// "" or why the rootless scenarios cannot run: they need root (to run grove as another,
// unprivileged user), busybox, setpriv, and a host of `mode`s.
std::string missing_rootless(bool v1_host) {
  if (::geteuid() != 0) return "requires root (euid=" + std::to_string(::geteuid()) + ")";
  std::string why = missing_busybox();
  if (!why.empty()) return why;
  if (::access("/usr/bin/setpriv", X_OK) != 0) return "needs /usr/bin/setpriv";
  sys::LinuxOps ops;
  auto layout = cgroup::detect_layout(ops);
  if (!layout) return layout.error().message();
  bool v1 = layout->mode() == cgroup::Mode::kHybrid || layout->mode() == cgroup::Mode::kLegacy;
  if (v1_host && !v1) return "needs cgroup v1 hierarchies (hybrid or legacy host)";
  if (!v1_host && layout->mode() != cgroup::Mode::kUnifiedOnly) {
    return "needs a pure cgroup v2 host (tests/vm runs it there)";
  }
  return "";
}

// `grove run` of `script` by kRootlessUser (setpriv) with runc's rootless spec.
Ran run_rootless(const std::string& script, const std::string& id) {
  EXPECT_EQ(::prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
  const std::string ids = std::to_string(kRootlessUser);
  GroveCli cli(GROVE_BIN,
               {"/usr/bin/setpriv", "--reuid=" + ids, "--regid=" + ids, "--clear-groups", "--"});
  auto b = BusyboxBundle::make({"sh", "-c", script});
  EXPECT_TRUE(b) << b.error().message();
  if (!b) return Ran{};
  oci::Spec rootless = oci::default_spec(true, kRootlessUser, kRootlessUser);
  b->spec().mounts = rootless.mounts;
  b->spec().linux->namespaces = rootless.linux->namespaces;
  b->spec().linux->uid_mappings = rootless.linux->uid_mappings;
  b->spec().linux->gid_mappings = rootless.linux->gid_mappings;
  b->spec().linux->resources.reset();
  EXPECT_TRUE(b->write_config());
  for (const std::string& dir : {b->dir(), cli.scratch()}) {
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
      EXPECT_EQ(::lchown(e.path().c_str(), kRootlessUser, kRootlessUser), 0) << e.path();
    }
    EXPECT_EQ(::chown(dir.c_str(), kRootlessUser, kRootlessUser), 0) << dir;
  }
  Ran r = cli.run({"run", "--bundle", b->bundle(), id});
  EXPECT_EQ(cli.cleanup(), "");
  EXPECT_THAT(host_mounts_under(b->dir()), ::testing::IsEmpty());
  EXPECT_THAT(b->leftover_cgroups(), ::testing::IsEmpty());
  return r;
}

// Rootless without a writable cgroup: grove run by an unprivileged uid (setpriv) with runc's
// rootless spec cannot make /grove-test/..., runs the container without a cgroup (a warning),
// and the container's /sys/fs/cgroup is an empty read-only tmpfs, not the host's hierarchies.
TEST(CgroupMountRootlessE2ePrivTest, NoWritableCgroupShowsAnEmptyReadOnlyTmpfs) {
  GROVE_REQUIRE(missing_rootless(true));
  Ran r = run_rootless("ls -a /sys/fs/cgroup; echo x > /sys/fs/cgroup/f || echo RO",
                       "cgm-rootless");
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr("rootless: running without a cgroup"));
  EXPECT_EQ(r.out, ".\n..\nRO\n");
  EXPECT_THAT(r.err, HasSubstr("Read-only file system"));
}

// Pure v2: a user namespace without its own cgroup namespace may not mount cgroup2 (EPERM); the
// host's cgroup2 mount point is bound read-only instead (runc's mountCgroupV2 fallback).
TEST(CgroupMountRootlessE2ePrivTest, Cgroup2RefusedInAUserNamespaceBindsTheHostsReadOnly) {
  GROVE_REQUIRE(missing_rootless(false));
  Ran r = run_rootless("test -e /sys/fs/cgroup/cgroup.controllers && echo cgroup2; "
                       "grep -q ' /sys/fs/cgroup ro,' /proc/self/mountinfo && echo ro; "
                       "echo x > /sys/fs/cgroup/cgroup.procs || echo RO",
                       "cgm-rootless-v2");
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "cgroup2\nro\nRO\n");
}

}  // namespace
}  // namespace grove::testing
