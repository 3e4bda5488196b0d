// L3: every process/linux field that shapes the container's process, asserted from inside the
// container by the static probe (tests/probe/grove-probe.cc, copied into each bundle). Each test
// runs `grove run` on a busybox bundle whose process is the probe, parses the JSON it prints and
// compares it with the config. Negative cases check the error names the field and nothing is left
// behind (TearDown: no state, no process).

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/e2e_fixture.h"
#include "tests/support/files.h"
#include "tests/support/priv.h"

namespace grove::testing {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;

uint64_t ns_inode(const std::string& name) {
  struct stat st;
  return ::stat(("/proc/self/ns/" + name).c_str(), &st) == 0 ? st.st_ino : 0;
}

bool has_effective_cap(int cap) {
  std::istringstream status(read_text_file("/proc/self/status"));
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("CapEff:", 0) == 0) return (std::stoull(line.substr(7), nullptr, 16) >> cap) & 1;
  }
  return false;
}

class ProcessFieldsE2ePrivTest : public E2eFixture {
 protected:
  ProcessFieldsE2ePrivTest() : E2eFixture(GROVE_BIN, {BusyboxBundle::kProbePath}) {}

  void SetUp() override {
    E2eFixture::SetUp();
    if (!bundle_) return;
    ASSERT_TRUE(bundle_->add_probe(GROVE_PROBE));
  }

  oci::Process& process() { return *bundle_->spec().process; }
  oci::Linux& linux_() { return *bundle_->spec().linux; }

  // Writes the config, runs it as container `id` and returns the probe's report (null on
  // failure, with the reason recorded as a test failure).
  Json run_probe(const std::string& id, std::vector<std::string> extra_args = {}) {
    process().args.insert(process().args.end(), extra_args.begin(), extra_args.end());
    EXPECT_TRUE(bundle_->write_config());
    Ran r = grove({"run", "--bundle", bundle_->bundle(), id});
    EXPECT_EQ(r.code, 0) << r.err;
    if (r.code != 0) return Json();
    Json j = Json::parse(r.out, nullptr, false);
    EXPECT_TRUE(j.is_object()) << r.out;
    return j.is_object() ? j : Json();
  }

  // `grove run` expected to fail; returns its stderr.
  std::string run_failing(const std::string& id) {
    EXPECT_TRUE(bundle_->write_config());
    Ran r = grove({"run", "--bundle", bundle_->bundle(), id});
    EXPECT_EQ(r.code, 1) << r.out;
    EXPECT_FALSE(std::filesystem::exists(cli_->root() + "/" + id)) << "state dir left for " << id;
    return r.err;
  }
};

TEST_F(ProcessFieldsE2ePrivTest, UserEnvCwdUmaskHostnameAndNamespaces) {
  process().user = oci::User{1000, 1001, 027, {5, 6}};
  process().env.push_back("GROVE_PROBE_TEST=a b=c");
  process().cwd = "/tmp";
  bundle_->spec().hostname = "probe-host";
  bundle_->spec().domainname = "probe.domain";
  Json j = run_probe("c-user");
  ASSERT_TRUE(j.is_object());
  EXPECT_EQ(j["uid"], Json::array({1000, 1000, 1000}));
  EXPECT_EQ(j["gid"], Json::array({1001, 1001, 1001}));
  EXPECT_EQ(j["groups"], Json::array({5, 6}));
  EXPECT_EQ(j["umask"], 027);
  EXPECT_EQ(j["cwd"], "/tmp");
  // runc's HOME rule: the env has none and the rootfs has no /etc/passwd, so HOME=/ is added.
  std::vector<std::string> env = process().env;
  env.push_back("HOME=/");
  EXPECT_EQ(j["env"], Json(env));
  EXPECT_EQ(j["hostname"], "probe-host");
  EXPECT_EQ(j["domainname"], "probe.domain");
  EXPECT_EQ(j["pid"], 1);
  EXPECT_EQ(j["ppid"], 0);
  // default_spec: new pid, network, ipc, uts and mount namespaces; user and cgroup shared.
  for (const char* ns : {"pid", "net", "ipc", "uts", "mnt"}) {
    EXPECT_NE(j["namespaces"][ns], ns_inode(ns)) << ns;
  }
  for (const char* ns : {"user", "cgroup"}) EXPECT_EQ(j["namespaces"][ns], ns_inode(ns)) << ns;
  // Only stdio survives into the process (CVE-2024-21626).
  EXPECT_EQ(j["fds"].size(), 3u) << j["fds"].dump();
}

TEST_F(ProcessFieldsE2ePrivTest, AllFiveCapabilitySets) {
  // A non-root process keeps only what ambient carries across execve; bounding and inheritable
  // are kept as configured.
  process().user = oci::User{1000, 1000};
  process().capabilities =
      oci::Capabilities{.bounding = {"CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"},
                        .effective = {"CAP_KILL", "CAP_NET_BIND_SERVICE"},
                        .inheritable = {"CAP_NET_BIND_SERVICE"},
                        .permitted = {"CAP_KILL", "CAP_NET_BIND_SERVICE"},
                        .ambient = {"CAP_NET_BIND_SERVICE"}};
  Json j = run_probe("c-caps");
  ASSERT_TRUE(j.is_object());
  EXPECT_EQ(j["caps"]["CapBnd"], "0000000000000421");  // CHOWN(0) | KILL(5) | NET_BIND(10)
  EXPECT_EQ(j["caps"]["CapInh"], "0000000000000400");
  EXPECT_EQ(j["caps"]["CapAmb"], "0000000000000400");
  EXPECT_EQ(j["caps"]["CapPrm"], "0000000000000400");
  EXPECT_EQ(j["caps"]["CapEff"], "0000000000000400");
}

TEST_F(ProcessFieldsE2ePrivTest, RlimitsAndNoNewPrivileges) {
  process().rlimits = {{"RLIMIT_NOFILE", 2048, 1024}, {"RLIMIT_CORE", 0, 0}};
  process().no_new_privileges = true;
  Json j = run_probe("c-rlim");
  ASSERT_TRUE(j.is_object());
  EXPECT_EQ(j["rlimits"]["RLIMIT_NOFILE"], Json::array({1024, 2048}));
  EXPECT_EQ(j["rlimits"]["RLIMIT_CORE"], Json::array({0, 0}));
  EXPECT_EQ(j["no_new_privs"], 1);
  EXPECT_EQ(j["seccomp"], "0");
}

TEST_F(ProcessFieldsE2ePrivTest, OomScoreSchedulerIoPriorityAndPersonality) {
  // A value below the runtime's own needs CAP_SYS_RESOURCE (written by the parent, see
  // apply_oom_score_adj); some sandboxes run root without it, and then only raising works.
  const int oom = has_effective_cap(24 /* CAP_SYS_RESOURCE */) ? -123 : 123;
  process().oom_score_adj = oom;
  process().scheduler = oci::Scheduler{.policy = "SCHED_BATCH", .nice = 7};
  process().io_priority = oci::IoPriority{"IOPRIO_CLASS_BE", 3};
  linux_().personality = oci::Personality{"LINUX32", {}};
  Json j = run_probe("c-sched");
  ASSERT_TRUE(j.is_object());
  EXPECT_EQ(j["oom_score_adj"], oom);
  EXPECT_EQ(j["scheduler"]["policy"], 3);  // SCHED_BATCH
  EXPECT_EQ(j["scheduler"]["nice"], 7);
  EXPECT_EQ(j["ioprio"]["class"], 2);  // IOPRIO_CLASS_BE
  EXPECT_EQ(j["ioprio"]["priority"], 3);
  EXPECT_EQ(j["personality"], 8);  // PER_LINUX32
  EXPECT_EQ(j["machine"], "i686");
}

TEST_F(ProcessFieldsE2ePrivTest, ExecCpuAffinityDoesNotApplyToTheInit) {
  // runtime-spec config.md: "not applicable to the container's init process".
  cpu_set_t host;
  ASSERT_EQ(::sched_getaffinity(0, sizeof host, &host), 0);
  Json want = Json::array();
  for (int c = 0; c < CPU_SETSIZE; ++c) {
    if (CPU_ISSET(c, &host)) want.push_back(c);
  }
  process().exec_cpu_affinity = oci::CpuAffinity{"0", "0"};
  Json j = run_probe("c-aff");
  ASSERT_TRUE(j.is_object());
  EXPECT_EQ(j["cpu_affinity"], want);
}

TEST_F(ProcessFieldsE2ePrivTest, SysctlsAreSetInTheContainerOnly) {
  std::string host_forward = read_text_file("/proc/sys/net/ipv4/ip_forward");
  std::string host_shmmni = read_text_file("/proc/sys/kernel/shmmni");
  linux_().sysctl["net.ipv4.ip_forward"] = host_forward == "1\n" ? "0" : "1";
  linux_().sysctl["kernel/shmmni"] = "1234";
  // default_spec's readonlyPaths include /proc/sys: the writes must still land.
  ASSERT_THAT(linux_().readonly_paths, ::testing::Contains("/proc/sys"));
  Json j = run_probe("c-sysctl", {"--sysctl=net.ipv4.ip_forward", "--sysctl=kernel.shmmni"});
  ASSERT_TRUE(j.is_object());
  EXPECT_EQ(j["sysctl"]["net.ipv4.ip_forward"], linux_().sysctl["net.ipv4.ip_forward"]);
  EXPECT_EQ(j["sysctl"]["kernel.shmmni"], "1234");
  EXPECT_EQ(read_text_file("/proc/sys/net/ipv4/ip_forward"), host_forward);
  EXPECT_EQ(read_text_file("/proc/sys/kernel/shmmni"), host_shmmni);
}

TEST_F(ProcessFieldsE2ePrivTest, BadSysctlsFailNamingTheKey) {
  linux_().sysctl["kernel.panic"] = "1";  // not namespaced: refused before anything exists
  // The CLI's log line escapes quotes, so the key is matched on its own.
  std::string err = run_failing("c-bad1");
  EXPECT_THAT(err, HasSubstr("linux.sysctl"));
  EXPECT_THAT(err, HasSubstr("kernel.panic"));
  EXPECT_THAT(err, HasSubstr("sysctl is not in a separate kernel namespace"));
  linux_().sysctl.clear();
  linux_().sysctl["net.ipv4.no_such_knob"] = "1";  // namespaced but absent: fails in the init
  err = run_failing("c-bad2");
  EXPECT_THAT(err, HasSubstr("container init: linux.sysctl"));
  EXPECT_THAT(err, HasSubstr("net.ipv4.no_such_knob"));
  EXPECT_THAT(err, HasSubstr("ENOENT"));
  linux_().sysctl.clear();
  linux_().sysctl["kernel.hostname"] = "x";
  err = run_failing("c-bad3");
  EXPECT_THAT(err, HasSubstr("kernel.hostname"));
  EXPECT_THAT(err, HasSubstr("conflicts with the OCI"));
}

TEST_F(ProcessFieldsE2ePrivTest, TimeOffsetsShiftTheContainersClocks) {
  GROVE_REQUIRE(ns_inode("time") == 0 ? "kernel without time namespaces (needs >= 5.6)" : "");
  linux_().namespaces.push_back({oci::NamespaceType::kTime, ""});
  linux_().time_offsets["monotonic"] = {864000, 0};
  linux_().time_offsets["boottime"] = {1728000, 5};
  struct timespec mono;
  ::clock_gettime(CLOCK_MONOTONIC, &mono);
  Json j = run_probe("c-time");
  ASSERT_TRUE(j.is_object());
  EXPECT_EQ(j["timens_offsets"]["monotonic"], Json::array({864000, 0}));
  EXPECT_EQ(j["timens_offsets"]["boottime"], Json::array({1728000, 5}));
  EXPECT_NE(j["namespaces"]["time"], ns_inode("time"));
  EXPECT_GE(j["clock"]["monotonic"].get<long long>(), mono.tv_sec + 864000);
  EXPECT_LT(j["clock"]["monotonic"].get<long long>(), mono.tv_sec + 864000 + 60);
  // The runtime went back to its own time namespace: a second container without offsets sees
  // the host's clocks.
  struct timespec after;
  ::clock_gettime(CLOCK_MONOTONIC, &after);
  EXPECT_LT(after.tv_sec, mono.tv_sec + 60);
}

TEST_F(ProcessFieldsE2ePrivTest, SettingsInAUserNamespace) {
  GROVE_REQUIRE(ns_inode("time") == 0 ? "kernel without time namespaces (needs >= 5.6)" : "");
  // The container's root is host uid 100000: it must be able to reach the rootfs.
  ASSERT_EQ(::chmod(bundle_->dir().c_str(), 0755), 0);
  linux_().namespaces.push_back({oci::NamespaceType::kUser, ""});
  linux_().namespaces.push_back({oci::NamespaceType::kTime, ""});
  linux_().uid_mappings = {{0, 100000, 65536}};
  linux_().gid_mappings = {{0, 100000, 65536}};
  // This test is about the settings, not /sys: leave out the default sysfs/cgroup mounts, which
  // runc's rootless spec replaces with binds in user namespaces.
  std::erase_if(bundle_->spec().mounts, [](const oci::Mount& m) {
    return m.destination == "/sys" || m.destination == "/sys/fs/cgroup";
  });
  linux_().sysctl["net.ipv4.ip_forward"] = "1";
  linux_().time_offsets["monotonic"] = {1000, 0};
  process().oom_score_adj = 200;
  Json j = run_probe("c-userns", {"--sysctl=net.ipv4.ip_forward"});
  ASSERT_TRUE(j.is_object());
  EXPECT_EQ(j["uid"], Json::array({0, 0, 0}));
  EXPECT_NE(j["namespaces"]["user"], ns_inode("user"));
  EXPECT_EQ(j["sysctl"]["net.ipv4.ip_forward"], "1");
  EXPECT_EQ(j["timens_offsets"]["monotonic"], Json::array({1000, 0}));
  EXPECT_EQ(j["oom_score_adj"], 200);
}

TEST_F(ProcessFieldsE2ePrivTest, MemoryPolicy) {
  int mode = 0;
  if (::syscall(SYS_get_mempolicy, &mode, nullptr, 0, nullptr, 0) != 0) {
    GTEST_SKIP() << "kernel without NUMA memory policies (get_mempolicy: " << errno << ")";
  }
  linux_().memory_policy = oci::MemoryPolicy{"MPOL_BIND", "0", {}};
  Json j = run_probe("c-mpol");
  ASSERT_TRUE(j.is_object());
  EXPECT_EQ(j["mempolicy"]["mode"], 2);  // MPOL_BIND
  EXPECT_EQ(j["mempolicy"]["nodes"], Json::array({0}));
}

TEST_F(ProcessFieldsE2ePrivTest, SecurityLabelsFollowTheHost) {
  bool apparmor = read_text_file("/sys/module/apparmor/parameters/enabled").rfind("Y", 0) == 0;
  bool selinux = std::filesystem::exists("/sys/fs/selinux/enforce");
  if (apparmor || selinux) GTEST_SKIP() << "checks the disabled-LSM behaviour; this host has one";
  process().selinux_label = "system_u:system_r:container_t:s0";  // a no-op while SELinux is off
  Json j = run_probe("c-selinux");
  EXPECT_TRUE(j.is_object());
  process().apparmor_profile = "grove-test";
  EXPECT_THAT(run_failing("c-aa"),
              HasSubstr("process.apparmorProfile: apparmor is not enabled on this system"));
}

}  // namespace
}  // namespace grove::testing
