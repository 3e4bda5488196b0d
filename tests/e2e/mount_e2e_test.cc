// L3: the mount engine through the grove binary. Every test runs once per mount strategy
// (open-tree-namespace, pivot, chroot) and per path resolver (openat2, and the O_NOFOLLOW walk
// forced by running grove under grove-enosys with openat2 answering ENOSYS), so each fallback has
// a forced run (style.md §2.7). A strategy the kernel lacks is skipped with the probe's reason.
// Busybox containers print what they see (/proc/self/mountinfo, ls -l); the test checks it, and
// that nothing reached the host: no mount, no file created, changed or removed, no state left.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "libcontainer/base/strings.h"
#include "tests/support/bundle.h"
#include "tests/support/files.h"
#include "tests/support/grove_cli.h"
#include "tests/support/priv.h"

namespace grove::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

struct Variant {
  const char* strategy;
  bool walk;  // openat2 forced to ENOSYS: the component-walk resolver
};

// gtest prints parameters through PrintTo (else a byte dump).
void PrintTo(const Variant& v, std::ostream* os) {
  *os << v.strategy << (v.walk ? " (walk)" : " (openat2)");
}

std::string variant_name(const ::testing::TestParamInfo<Variant>& info) {
  std::string name = info.param.strategy;
  for (char& c : name) {
    if (c == '-') c = '_';
  }
  return name + (info.param.walk ? "_walk" : "_openat2");
}

// One line of /proc/self/mountinfo, the fields the tests look at.
struct MountLine {
  std::string point;
  std::string options;  // per-mount options (field 6)
  std::string fstype;
  std::string super_options;
};

std::map<std::string, MountLine> parse_mountinfo(const std::string& text) {
  std::map<std::string, MountLine> out;  // the topmost mount wins: later lines overwrite
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    std::vector<std::string> f = split(line, ' ');
    // id parent dev root point options [optional...] - fstype source super-options
    std::size_t dash = 6;
    while (dash < f.size() && f[dash] != "-") ++dash;
    if (dash + 3 >= f.size()) continue;
    out[f[4]] = MountLine{f[4], f[5], f[dash + 1], f[dash + 3]};
  }
  return out;
}

bool has_option(const std::string& options, const std::string& opt) {
  for (const std::string& o : split(options, ',')) {
    if (o == opt) return true;
  }
  return false;
}

// What a directory tree looks like, to prove the host was not touched.
std::string snapshot(const std::string& dir) {
  std::ostringstream out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    struct stat st {};
    ::lstat(e.path().c_str(), &st);
    out << e.path().string() << " " << st.st_mode << " " << st.st_uid << ":" << st.st_gid << " "
        << st.st_size << " " << st.st_mtim.tv_sec << "." << st.st_mtim.tv_nsec << "\n";
  }
  return out.str();
}

class MountE2ePrivTest : public ::testing::TestWithParam<Variant> {
 protected:
  void SetUp() override {
    GROVE_REQUIRE_ROOT();
    GROVE_REQUIRE(missing_busybox());
    if (std::string(GetParam().strategy) == "open-tree-namespace") {
      GROVE_REQUIRE(missing_open_tree_namespace());
    }
    if (GetParam().walk) GROVE_REQUIRE(missing_openat2());  // nothing to force on old kernels
    ASSERT_EQ(::prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
    std::vector<std::string> prefix;
    if (GetParam().walk) prefix = {GROVE_ENOSYS, "openat2", "--"};
    cli_.emplace(GROVE_BIN, prefix);
    auto b = BusyboxBundle::make({"true"});
    ASSERT_TRUE(b) << b.error().message();
    bundle_.emplace(std::move(*b));
    rootfs_ = bundle_->bundle() + "/rootfs";
  }

  void TearDown() override {
    if (!cli_) return;
    EXPECT_EQ(cli_->cleanup(), "");
    EXPECT_THAT(host_mounts_under(bundle_->dir()), ::testing::IsEmpty());
  }

  // `grove --debug run` of the bundle with `script` as `sh -c` and the variant's strategy.
  Ran run_script(const std::string& script, const std::string& id = "m1") {
    bundle_->spec().process->args = {"sh", "-c", script};
    Status st = bundle_->write_config();
    if (!st) return Ran{.code = -1, .out = "", .err = st.error().message()};
    return cli_->run({"--debug", "run", "--bundle", bundle_->bundle(), "--mount-strategy",
                      GetParam().strategy, id});
  }

  std::optional<GroveCli> cli_;
  std::optional<BusyboxBundle> bundle_;
  std::string rootfs_;
};

TEST_P(MountE2ePrivTest, DefaultTreeIsComplete) {
  Ran r = run_script("cat /proc/self/mountinfo; echo ====; ls -l /dev /dev/pts");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr(std::string("mount strategy ") + GetParam().strategy));
  std::string mountinfo = r.out.substr(0, r.out.find("===="));
  std::string dev = r.out.substr(r.out.find("===="));
  auto m = parse_mountinfo(mountinfo);
  const std::map<std::string, std::string> want = {
      {"/proc", "proc"},   {"/dev", "tmpfs"},      {"/dev/pts", "devpts"},
      {"/dev/shm", "tmpfs"}, {"/dev/mqueue", "mqueue"}, {"/sys", "sysfs"}};
  for (const auto& [point, type] : want) {
    ASSERT_TRUE(m.count(point)) << point << " missing in\n" << mountinfo;
    EXPECT_EQ(m[point].fstype, type) << point;
  }
  // runc's default maskedPaths: files get the host /dev/null, directories a read-only tmpfs.
  // Which of them exist depends on the kernel's config (missing ones are skipped), so at least
  // one of each kind must be masked.
  auto masked = [&](std::initializer_list<const char*> paths, bool dir) {
    for (const char* p : paths) {
      if (!m.count(p)) continue;
      if (!dir || (m[p].fstype == "tmpfs" && has_option(m[p].options, "ro"))) return true;
    }
    return false;
  };
  EXPECT_TRUE(masked({"/proc/keys", "/proc/timer_list", "/proc/kcore", "/proc/sched_debug"}, false))
      << mountinfo;
  EXPECT_TRUE(masked({"/proc/acpi", "/proc/scsi", "/sys/firmware"}, true)) << mountinfo;
  ASSERT_TRUE(m.count("/proc/sys")) << mountinfo;
  EXPECT_TRUE(has_option(m["/proc/sys"].options, "ro")) << m["/proc/sys"].options;
  EXPECT_TRUE(has_option(m["/sys"].options, "ro")) << m["/sys"].options;
  for (const char* node : {" null", " zero", " full", " random", " urandom", " tty"}) {
    std::istringstream lines(dev);
    bool found = false;
    for (std::string line; std::getline(lines, line);) {
      if (line.size() > 4 && line[0] == 'c' && line.ends_with(node)) found = true;
    }
    EXPECT_TRUE(found) << "character device" << node << " missing in\n" << dev;
  }
  EXPECT_THAT(dev, HasSubstr("ptmx -> pts/ptmx"));
  EXPECT_THAT(dev, HasSubstr("fd -> /proc/self/fd"));
  EXPECT_THAT(dev, HasSubstr("stdin -> /proc/self/fd/0"));
}

TEST_P(MountE2ePrivTest, BindMountsHonourTheirOptions) {
  TempDir host;
  std::ofstream(host.path() + "/hello") << "from the host\n";
  bundle_->spec().mounts.push_back({"/data-rw", "bind", host.path(), {"rbind", "rw"}, {}, {}});
  bundle_->spec().mounts.push_back(
      {"/data-ro", "bind", host.path(), {"bind", "ro", "nosuid", "nodev", "noexec"}, {}, {}});
  Ran r = run_script(
      "cat /data-ro/hello && echo made > /data-rw/new && "
      "if echo x > /data-ro/other; then echo RO-WRITABLE; fi; cat /proc/self/mountinfo");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("from the host"));
  EXPECT_THAT(r.out, ::testing::Not(HasSubstr("RO-WRITABLE")));
  EXPECT_EQ(read_text_file(host.path() + "/new"), "made\n");
  EXPECT_FALSE(fs::exists(host.path() + "/other"));
  auto m = parse_mountinfo(r.out);
  ASSERT_TRUE(m.count("/data-ro")) << r.out;
  for (const char* opt : {"ro", "nosuid", "nodev", "noexec"}) {
    EXPECT_TRUE(has_option(m["/data-ro"].options, opt)) << opt << " in " << m["/data-ro"].options;
  }
  EXPECT_TRUE(has_option(m["/data-rw"].options, "rw")) << m["/data-rw"].options;
}

TEST_P(MountE2ePrivTest, ReadonlyRootAndTmpfsOptions) {
  bundle_->spec().root->readonly = true;
  bundle_->spec().mounts.push_back(
      {"/scratch", "tmpfs", "tmpfs", {"size=1m", "mode=750", "noexec"}, {}, {}});
  Ran r = run_script(
      "if busybox touch /rootfile 2>/dev/null; then echo ROOT-WRITABLE; fi; "
      "busybox touch /scratch/ok && echo scratch-ok; cat /proc/self/mountinfo");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, ::testing::Not(HasSubstr("ROOT-WRITABLE")));
  EXPECT_THAT(r.out, HasSubstr("scratch-ok"));
  EXPECT_FALSE(fs::exists(rootfs_ + "/rootfile"));
  auto m = parse_mountinfo(r.out);
  ASSERT_TRUE(m.count("/")) << r.out;
  EXPECT_TRUE(has_option(m["/"].options, "ro")) << m["/"].options;
  ASSERT_TRUE(m.count("/scratch")) << r.out;
  EXPECT_TRUE(has_option(m["/scratch"].options, "noexec"));
  EXPECT_TRUE(has_option(m["/scratch"].super_options, "size=1024k")) << m["/scratch"].super_options;
  EXPECT_TRUE(has_option(m["/scratch"].super_options, "mode=750")) << m["/scratch"].super_options;
}

TEST_P(MountE2ePrivTest, SpecDevicesAreCreated) {
  oci::Device fuse;
  fuse.path = "/dev/fuse";
  fuse.type = "c";
  fuse.major = 10;
  fuse.minor = 229;
  fuse.file_mode = 0600;
  fuse.uid = 0;
  fuse.gid = 0;
  bundle_->spec().linux->devices.push_back(fuse);
  Ran r = run_script("ls -l /dev/fuse");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, ::testing::StartsWith("crw-------"));
  EXPECT_THAT(r.out, HasSubstr("10, 229"));
}

TEST_P(MountE2ePrivTest, FailedMountLeavesNothingBehind) {
  std::string missing = cli_->scratch() + "/does-not-exist";
  bundle_->spec().mounts.push_back({"/data", "bind", missing, {"rbind"}, {}, {}});
  Ran r = run_script("true");
  EXPECT_NE(r.code, 0);
  EXPECT_THAT(r.err, HasSubstr("/data"));
  EXPECT_THAT(r.err, HasSubstr(missing));
  EXPECT_THAT(r.err, HasSubstr("ENOENT"));
  EXPECT_EQ(cli_->run({"list", "-q"}).out, "");
  // TearDown checks that no state dir and no mount under the bundle remain.
}

// A hostile image: every path the runtime writes to is a symlink out of the rootfs (absolute and
// relative escapes) to a host canary directory. Whatever grove decides (refuse or resolve inside
// the rootfs), the canary must stay byte-for-byte as it was and get no mount.
TEST_P(MountE2ePrivTest, HostileSymlinksNeverTouchTheHost) {
  TempDir canary;
  std::ofstream(canary.path() + "/secret") << "host secret\n";
  fs::create_directory(canary.path() + "/pts");
  fs::remove(rootfs_ + "/dev");
  fs::remove_all(rootfs_ + "/proc");
  fs::create_directory_symlink(canary.path(), rootfs_ + "/dev");
  fs::create_directory_symlink("../../../../../../../../.." + canary.path(), rootfs_ + "/proc");
  fs::create_directory_symlink(canary.path(), rootfs_ + "/mnt");
  fs::create_symlink(canary.path() + "/secret", rootfs_ + "/masked");
  fs::create_symlink("/../../.." + canary.path() + "/secret", rootfs_ + "/ro");
  bundle_->spec().mounts.push_back({"/mnt/x", "tmpfs", "tmpfs", {}, {}, {}});
  bundle_->spec().linux->masked_paths.push_back("/masked");
  bundle_->spec().linux->readonly_paths.push_back("/ro");
  std::string before = snapshot(canary.path());
  Ran r = run_script("cat /masked 2>&1; true");
  EXPECT_THAT(r.out, ::testing::Not(HasSubstr("host secret")));
  EXPECT_EQ(snapshot(canary.path()), before) << "host canary changed; grove said: " << r.err;
  EXPECT_THAT(host_mounts_under(canary.path()), ::testing::IsEmpty());
}

// A mount destination whose parent is swapped between a directory and a symlink to the host
// (renameat2 RENAME_EXCHANGE) while containers are created: the race CVE-2019-19921 and
// CVE-2021-30465 won. Every run may fail or succeed, the host canary never changes.
TEST_P(MountE2ePrivTest, SymlinkSwapRaceNeverEscapes) {
  TempDir canary;
  std::ofstream(canary.path() + "/secret") << "host secret\n";
  fs::create_directories(rootfs_ + "/mnt/x");
  fs::create_directory_symlink(canary.path(), rootfs_ + "/mnt-evil");
  bundle_->spec().mounts.push_back({"/mnt/x", "tmpfs", "tmpfs", {}, {}, {}});
  std::string before = snapshot(canary.path());
  std::atomic<bool> stop{false};
  std::atomic<int> swaps{0};
  std::thread swapper([&] {
    std::string a = rootfs_ + "/mnt", b = rootfs_ + "/mnt-evil";
    while (!stop.load()) {
      if (::renameat2(AT_FDCWD, a.c_str(), AT_FDCWD, b.c_str(), RENAME_EXCHANGE) == 0) ++swaps;
    }
  });
  int succeeded = 0;
  for (int i = 0; i < 15; ++i) {
    Ran r = run_script("true", "race" + std::to_string(i));
    if (r.code == 0) ++succeeded;
  }
  stop = true;
  swapper.join();
  EXPECT_GT(swaps.load(), 0);
  EXPECT_EQ(snapshot(canary.path()), before) << "host canary changed";
  EXPECT_THAT(host_mounts_under(canary.path()), ::testing::IsEmpty());
  RecordProperty("succeeded", succeeded);
}

INSTANTIATE_TEST_SUITE_P(Strategies, MountE2ePrivTest,
                         ::testing::Values(Variant{"open-tree-namespace", false},
                                           Variant{"open-tree-namespace", true},
                                           Variant{"pivot", false}, Variant{"pivot", true},
                                           Variant{"chroot", false}, Variant{"chroot", true}),
                         variant_name);

// Without --mount-strategy or the annotation the probe decides: open-tree-namespace where the
// kernel has it (and the spec allows it), pivot elsewhere, reported with --debug.
TEST(MountStrategyE2eTest, ChosenFromTheProbeWithoutAFlag) {
  GROVE_REQUIRE_ROOT();
  GROVE_REQUIRE(missing_busybox());
  ASSERT_EQ(::prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
  GroveCli cli(GROVE_BIN);
  Ran features = cli.run({"features"});
  ASSERT_EQ(features.code, 0) << features.err;
  auto doc = nlohmann::json::parse(features.out);
  bool otn = doc["annotations"]["run.grove.probe.open-tree-namespace"] == "true";
  auto b = BusyboxBundle::make({"true"});
  ASSERT_TRUE(b) << b.error().message();
  ASSERT_TRUE(b->write_config());
  Ran r = cli.run({"--debug", "run", "--bundle", b->bundle(), "auto"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr(std::string("mount strategy ") +
                               (otn ? "open-tree-namespace" : "pivot") + " ("));
  EXPECT_EQ(cli.cleanup(), "");
}

// The forced fallback is real: under grove-enosys the probe reports openat2 as missing.
TEST(MountFallbackE2eTest, EnosysShimHidesOpenat2FromTheProbe) {
  GROVE_REQUIRE(missing_openat2());
  TempDir tmp;
  RunOptions o{.out_path = tmp.path() + "/out", .err_path = tmp.path() + "/err"};
  Ran r = run_binary({GROVE_ENOSYS, "openat2", "--", GROVE_BIN, "features"}, o);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("\"run.grove.probe.openat2\": \"false"));
  Ran native = run_binary({GROVE_BIN, "features"}, o);
  EXPECT_THAT(native.out, HasSubstr("\"run.grove.probe.openat2\": \"true\""));
}

}  // namespace
}  // namespace grove::testing
