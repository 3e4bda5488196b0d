// L2: device control on the real kernel. cgroup v2: apply_device_program on a fresh directory of
// the cgroup2 hierarchy (BPF device programs need no enabled controller), a child that joins it
// opens /dev/null but not /dev/zero; an update (apply again) lets /dev/zero through and leaves
// exactly one program attached. cgroup v1: the plan_devices_v1 writes on a fresh devices cgroup,
// the same checks, and a minimal update computed from devices.list. Test cgroups live under
// <hierarchy>/grove-test/<unique> and are removed (children reaped first) even on failure.

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <linux/bpf.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "libcontainer/base/strings.h"
#include "libcontainer/cgroup/devices.h"
#include "libcontainer/sys/linux_ops.h"
#include "tests/support/priv.h"

namespace grove::cgroup {
namespace {

using ::testing::ElementsAre;

// Mount point of the first mount in /proc/self/mountinfo with `fstype` whose super options
// contain `option` ("" = any); "" when there is none.
std::string find_mount(const std::string& fstype, const std::string& option) {
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    size_t sep = line.find(" - ");
    if (sep == std::string::npos) continue;
    std::istringstream pre(line.substr(0, sep)), post(line.substr(sep + 3));
    std::string id, parent, devno, root, mnt, type, source, opts;
    pre >> id >> parent >> devno >> root >> mnt;
    post >> type >> source >> opts;
    if (type != fstype) continue;
    if (!option.empty()) {
      std::vector<std::string> o = split(opts, ',');
      if (std::find(o.begin(), o.end(), option) == o.end()) continue;
    }
    return mnt;
  }
  return "";
}

// What a child placed in the cgroup got from open(2): 0 or the errno.
struct Probe {
  int null_rdwr = -1;
  int zero_rdonly = -1;
};

class CgroupDevicesPrivTest : public ::testing::Test {
 protected:
  // Creates <hierarchy>/grove-test/<unique> and opens it; false (with a gtest failure) if not.
  bool make_cgroup(const std::string& hierarchy) {
    parent_ = hierarchy + "/grove-test";
    if (::mkdir(parent_.c_str(), 0755) != 0 && errno != EEXIST) {
      ADD_FAILURE() << "mkdir " << parent_ << ": " << std::strerror(errno);
      return false;
    }
    static int counter = 0;
    dir_ = parent_ + "/devices-" + std::to_string(::getpid()) + "-" + std::to_string(++counter);
    if (::mkdir(dir_.c_str(), 0755) != 0) {
      ADD_FAILURE() << "mkdir " << dir_ << ": " << std::strerror(errno);
      dir_.clear();
      return false;
    }
    auto fd = ops_.openat(AT_FDCWD, dir_, O_RDONLY | O_DIRECTORY, 0);
    if (!fd) {
      ADD_FAILURE() << fd.error().message();
      return false;
    }
    fd_ = std::move(*fd);
    return true;
  }

  void TearDown() override {
    if (child_ > 0) {  // an assertion left a child running: kill and reap it first
      ::kill(child_, SIGKILL);
      ::waitpid(child_, nullptr, 0);
    }
    fd_.reset();
    if (!dir_.empty() && ::rmdir(dir_.c_str()) != 0) {
      ADD_FAILURE() << "rmdir " << dir_ << ": " << std::strerror(errno);
    }
    if (!parent_.empty()) ::rmdir(parent_.c_str());  // fine to keep when others use it
  }

  // Forks a child that joins the cgroup (writes its pid to cgroup.procs, which on v1 is the
  // devices hierarchy's), opens /dev/null O_RDWR and /dev/zero O_RDONLY and reports the errnos.
  Probe probe() {
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0) {
      ADD_FAILURE() << "pipe2: " << std::strerror(errno);
      return {};
    }
    std::string procs = dir_ + "/cgroup.procs";
    child_ = ::fork();
    if (child_ == 0) {  // only async-signal-safe calls from here on
      ::close(p[0]);
      int r[3] = {0, 0, 0};
      char pid[16];
      int n = 0;
      for (pid_t v = ::getpid(); v > 0; v /= 10) pid[n++] = static_cast<char>('0' + v % 10);
      for (int i = 0; i < n / 2; ++i) std::swap(pid[i], pid[n - 1 - i]);
      int fd = ::open(procs.c_str(), O_WRONLY | O_CLOEXEC);
      if (fd < 0 || ::write(fd, pid, n) != n) r[0] = errno ? errno : EIO;
      int a = ::open("/dev/null", O_RDWR | O_CLOEXEC);
      r[1] = a < 0 ? errno : 0;
      int b = ::open("/dev/zero", O_RDONLY | O_CLOEXEC);
      r[2] = b < 0 ? errno : 0;
      (void)!::write(p[1], r, sizeof r);
      ::_exit(0);
    }
    ::close(p[1]);
    int r[3] = {-1, -1, -1};
    ssize_t got = child_ > 0 ? ::read(p[0], r, sizeof r) : -1;
    ::close(p[0]);
    if (child_ > 0) ::waitpid(child_, nullptr, 0);
    child_ = 0;
    EXPECT_EQ(got, static_cast<ssize_t>(sizeof r)) << "child did not report";
    EXPECT_EQ(r[0], 0) << "joining " << dir_ << ": " << std::strerror(r[0]);
    return {r[1], r[2]};
  }

  sys::LinuxOps ops_;
  std::string parent_, dir_;
  UniqueFd fd_;
  pid_t child_ = 0;
  // /dev/null allowed, /dev/zero not (deny-all first, as a spec would say).
  std::vector<DeviceRule> null_only_ = {{'a', -1, -1, "rwm", false}, {'c', 1, 3, "rwm", true}};
  std::vector<DeviceRule> null_and_zero_ = {
      {'a', -1, -1, "rwm", false}, {'c', 1, 3, "rwm", true}, {'c', 1, 5, "r", true}};
};

TEST_F(CgroupDevicesPrivTest, V2BpfProgramFiltersAndUpdateReplacesIt) {
  GROVE_REQUIRE_ROOT();
  std::string unified = find_mount("cgroup2", "");
  if (unified.empty()) GTEST_SKIP() << "no cgroup2 mount in /proc/self/mountinfo";
  ASSERT_TRUE(make_cgroup(unified));

  Status st = apply_device_program(ops_, fd_.get(), null_only_);
  ASSERT_TRUE(st) << st.error().message();
  Probe before = probe();
  EXPECT_EQ(before.null_rdwr, 0) << std::strerror(before.null_rdwr);
  EXPECT_EQ(before.zero_rdonly, EPERM) << std::strerror(before.zero_rdonly);

  st = apply_device_program(ops_, fd_.get(), null_and_zero_);  // `update`
  ASSERT_TRUE(st) << st.error().message();
  Probe after = probe();
  EXPECT_EQ(after.null_rdwr, 0) << std::strerror(after.null_rdwr);
  EXPECT_EQ(after.zero_rdonly, 0) << std::strerror(after.zero_rdonly);

  auto ids = ops_.bpf_prog_query(fd_.get(), BPF_CGROUP_DEVICE);
  ASSERT_TRUE(ids) << ids.error().message();
  EXPECT_EQ(ids->size(), 1u);
}

TEST_F(CgroupDevicesPrivTest, V2RejectedProgramCarriesVerifierLog) {
  GROVE_REQUIRE_ROOT();
  // A program that returns without setting R0: the verifier refuses it ("R0 !read_ok").
  std::vector<struct bpf_insn> bad(1);
  bad[0].code = BPF_JMP | BPF_EXIT;
  auto fd = ops_.bpf_prog_load(BPF_PROG_TYPE_CGROUP_DEVICE, bad, kDeviceProgramLicense);
  ASSERT_FALSE(fd);
  EXPECT_EQ(fd.error().code(), EACCES);
  EXPECT_THAT(fd.error().message(),
              ::testing::HasSubstr("bpf(BPF_PROG_LOAD, cgroup_device, 1 insns) verifier log \""));
  EXPECT_THAT(fd.error().message(), ::testing::HasSubstr("R0"));
}

TEST_F(CgroupDevicesPrivTest, V2VerifierAcceptsEveryBlockShape) {
  GROVE_REQUIRE_ROOT();
  // The default spec (deny-all, runc's defaults: wildcard, access-tested and exact blocks) and a
  // blacklist (the deny block's overlap test) both load.
  oci::Spec spec;
  spec.linux.emplace().resources.emplace().devices = {{.allow = false, .access = "rwm"}};
  auto defaults = device_rules(spec);
  ASSERT_TRUE(defaults);
  std::vector<std::vector<DeviceRule>> sets = {
      *defaults, {{'a', -1, -1, "rwm", true}, {'b', 8, -1, "w", false}, {'c', 1, 1, "rwm", false}}};
  for (const auto& rules : sets) {
    auto prog = device_program(rules);
    ASSERT_TRUE(prog) << prog.error().message();
    auto fd = ops_.bpf_prog_load(BPF_PROG_TYPE_CGROUP_DEVICE, *prog, kDeviceProgramLicense);
    EXPECT_TRUE(fd) << fd.error().message();
  }
}

TEST_F(CgroupDevicesPrivTest, V1WritesFilterAndUpdateFromDevicesList) {
  GROVE_REQUIRE_ROOT();
  std::string devices = find_mount("cgroup", "devices");
  if (devices.empty()) GTEST_SKIP() << "no cgroup v1 devices hierarchy (pure cgroup v2 host)";
  ASSERT_TRUE(make_cgroup(devices));

  auto plan = plan_devices_v1(null_only_);
  ASSERT_TRUE(plan) << plan.error().message();
  for (const Write& w : *plan) {
    Status st = ops_.write_file_at(fd_.get(), w.file, w.value);
    ASSERT_TRUE(st) << describe(w) << ": " << st.error().message();
  }
  auto list = ops_.read_file_at(fd_.get(), "devices.list");
  ASSERT_TRUE(list);
  EXPECT_EQ(*list, "c 1:3 rwm\n");
  Probe before = probe();
  EXPECT_EQ(before.null_rdwr, 0) << std::strerror(before.null_rdwr);
  EXPECT_EQ(before.zero_rdonly, EPERM) << std::strerror(before.zero_rdonly);

  // `update`: from the current devices.list only the new allow is written (no deny-all window).
  auto update = plan_devices_v1(null_and_zero_, *list);
  ASSERT_TRUE(update) << update.error().message();
  std::vector<std::string> lines;
  for (const Write& w : *update) lines.push_back(describe(w));
  EXPECT_THAT(lines, ElementsAre("v1 devices/devices.allow=c 1:5 r"));
  for (const Write& w : *update) {
    Status st = ops_.write_file_at(fd_.get(), w.file, w.value);
    ASSERT_TRUE(st) << describe(w) << ": " << st.error().message();
  }
  Probe after = probe();
  EXPECT_EQ(after.null_rdwr, 0) << std::strerror(after.null_rdwr);
  EXPECT_EQ(after.zero_rdonly, 0) << std::strerror(after.zero_rdonly);
}

}  // namespace
}  // namespace grove::cgroup
