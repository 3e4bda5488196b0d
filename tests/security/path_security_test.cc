// Security regression suite PATH (issue #9; reference/engines.md §5: CVE-2019-18837,
// CVE-2021-30465, CVE-2025-31133, CVE-2025-52565, CVE-2026-41579, CVE-2026-47766,
// CVE-2026-88264/5). Hostile rootfs fixtures: /dev, /dev/null, /dev/console, /dev/ptmx, /dev/pts,
// /dev/shm, mount destinations and masked/readonly paths as symlinks to a host canary directory
// (absolute, and relative with "..") — with and without the default /dev tmpfs, which hides the
// image's /dev — plus a racer swapping rootfs entries for such symlinks while containers are
// created. Whatever grove decides (refuse, or resolve inside the rootfs), the host canary tree
// must stay byte-for-byte the same, nothing may be mounted on it or left under the bundle, and a
// masked path never becomes a host file. Runs on the probe's mount strategy and on pivot (the
// existing tests/e2e/mount_e2e_test.cc covers every strategy for the basic fixture).

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/bundle.h"
#include "tests/support/console_socket.h"
#include "tests/support/files.h"
#include "tests/support/grove_cli.h"
#include "tests/support/priv.h"

namespace grove::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// Every entry of a tree with its type, mode, owner, size, mtime and (for files) content.
std::string snapshot(const std::string& dir) {
  std::ostringstream out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    struct stat st {};
    ::lstat(e.path().c_str(), &st);
    out << e.path().string() << " " << st.st_mode << " " << st.st_uid << ":" << st.st_gid << " "
        << st.st_size << " " << st.st_mtim.tv_sec << "." << st.st_mtim.tv_nsec;
    if (S_ISREG(st.st_mode)) out << " " << read_text_file(e.path());
    out << "\n";
  }
  return out.str();
}

class PathSecurityPrivTest : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    GROVE_REQUIRE_ROOT();
    GROVE_REQUIRE(missing_busybox());
    ASSERT_EQ(::prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
    cli_.emplace(GROVE_BIN);
    auto b = BusyboxBundle::make({"true"});
    ASSERT_TRUE(b) << b.error().message();
    bundle_.emplace(std::move(*b));
    rootfs_ = bundle_->bundle() + "/rootfs";
    canary_.emplace();
    const std::string c = canary_->path();
    std::ofstream(c + "/secret") << "host secret\n";
    for (const char* f : {"null", "zero", "console", "ptmx", "full", "tty"}) {
      std::ofstream(c + "/" + f) << "canary " << f << "\n";
    }
    for (const char* d : {"pts", "shm", "mqueue", "dir"}) fs::create_directory(c + "/" + d);
    std::ofstream(c + "/dir/file") << "canary file\n";
    before_ = snapshot(c);
  }

  void TearDown() override {
    if (!cli_) return;
    EXPECT_EQ(cli_->cleanup(), "");
    EXPECT_THAT(host_mounts_under(bundle_->dir()), IsEmpty());
    EXPECT_THAT(bundle_->leftover_cgroups(), IsEmpty());
    if (canary_) {
      EXPECT_EQ(snapshot(canary_->path()), before_) << "the host canary changed";
      EXPECT_THAT(host_mounts_under(canary_->path()), IsEmpty());
    }
  }

  // Drops the default /dev tmpfs so the image's own /dev is used (the case where runc and crun
  // followed /dev symlinks onto the host).
  void without_dev_mount() {
    auto& m = bundle_->spec().mounts;
    std::erase_if(m, [](const oci::Mount& x) { return x.destination == "/dev"; });
  }

  // `grove run` of `script` (sh -c) with the test's strategy; returns what grove said.
  Ran run_script(const std::string& script, const std::string& id = "p1") {
    bundle_->spec().process->args = {"sh", "-c", script};
    Status st = bundle_->write_config();
    if (!st) return Ran{.code = -1, .out = "", .err = st.error().message()};
    if (std::string(GetParam()) == "default") {
      return cli_->run({"run", "--bundle", bundle_->bundle(), id});
    }
    return cli_->run({"run", "--mount-strategy", GetParam(), "--bundle", bundle_->bundle(), id});
  }

  // Replaces rootfs/<rel> (file, dir or link) with a symlink to `target`.
  void make_link(const std::string& rel, const std::string& target) {
    fs::remove_all(rootfs_ + "/" + rel);
    fs::create_directories(fs::path(rootfs_ + "/" + rel).parent_path());
    fs::create_symlink(target, rootfs_ + "/" + rel);
  }

  // "../../..(deep enough)/<canary path>" relative escape.
  std::string dotdot(const std::string& host_path) const {
    return "../../../../../../../../../.." + host_path;
  }

  std::optional<GroveCli> cli_;
  std::optional<BusyboxBundle> bundle_;
  std::optional<TempDir> canary_;
  std::string rootfs_;
  std::string before_;
};

TEST_P(PathSecurityPrivTest, DevIsASymlinkToTheHost) {
  without_dev_mount();
  make_link("dev", canary_->path());
  Ran r = run_script("ls -la /dev; cat /dev/null");
  EXPECT_THAT(r.out, ::testing::Not(HasSubstr("canary")));
}

TEST_P(PathSecurityPrivTest, DevIsARelativeSymlinkOutOfTheRootfs) {
  without_dev_mount();
  make_link("dev", dotdot(canary_->path()));
  Ran r = run_script("ls -la /dev");
  EXPECT_THAT(r.out, ::testing::Not(HasSubstr("canary")));
}

TEST_P(PathSecurityPrivTest, DevNodesAreSymlinksToTheHost) {
  for (bool dev_mount : {false, true}) {
    SCOPED_TRACE(dev_mount ? "with the /dev tmpfs" : "image /dev");
    auto saved = bundle_->spec().mounts;
    if (!dev_mount) without_dev_mount();
    for (const char* f : {"null", "zero", "full", "tty", "console", "ptmx"}) {
      make_link(std::string("dev/") + f, canary_->path() + "/" + f);
    }
    make_link("dev/pts", canary_->path() + "/pts");
    make_link("dev/shm", dotdot(canary_->path() + "/shm"));
    make_link("dev/mqueue", canary_->path() + "/mqueue");
    Ran r = run_script(
        "echo pwned > /dev/null; echo pwned > /dev/console; cat /dev/zero | head -c1;"
        " ls /dev/pts /dev/shm; true",
        dev_mount ? "with-dev" : "image-dev");
    EXPECT_THAT(r.out, ::testing::Not(HasSubstr("canary")));
    bundle_->spec().mounts = saved;
  }
}

// CVE-2025-52565: with process.terminal the pty is bind-mounted on /dev/console; an image
// /dev/console that is a symlink to a host file (absolute, or ".." out of the rootfs) must not
// carry that bind mount (nor the container's writes) onto the host. Image /dev and the default
// /dev tmpfs; create --console-socket + start, the output read through the master.
TEST_P(PathSecurityPrivTest, TerminalConsoleIsASymlinkToTheHost) {
  const std::string script =
      "echo pwned > /dev/console; cat /dev/console </dev/null >/dev/null 2>&1 & "
      "[ /dev/console -ef \"$(busybox tty)\" ] && echo CONSOLE-IS-PTY; echo done";
  int n = 0;
  for (bool dev_mount : {false, true}) {
    for (bool relative : {false, true}) {
      SCOPED_TRACE(std::string(dev_mount ? "with the /dev tmpfs" : "image /dev") +
                   (relative ? ", relative link" : ", absolute link"));
      auto saved = bundle_->spec().mounts;
      if (!dev_mount) without_dev_mount();
      const std::string target = canary_->path() + "/console";
      make_link("dev/console", relative ? dotdot(target) : target);
      bundle_->spec().process->args = {"sh", "-c", script};
      bundle_->spec().process->terminal = true;
      ASSERT_TRUE(bundle_->write_config());
      const std::string id = "tty" + std::to_string(n++);
      const std::string sock = bundle_->dir() + "/" + id + ".sock";
      UniqueFd listener = listen_at(sock);
      ASSERT_TRUE(listener);
      std::vector<std::string> args = {"create", "--console-socket", sock, "--bundle",
                                       bundle_->bundle()};
      if (std::string(GetParam()) != "default") {
        args.insert(args.begin() + 1, {"--mount-strategy", GetParam()});
      }
      args.push_back(id);
      pid_t create = cli_->spawn(args, id);
      std::optional<Received> got = accept_console(listener.get());
      Ran created = cli_->finish(create, id);
      // The /dev tmpfs hides the image's link: the container must run there.
      if (dev_mount) {
        EXPECT_EQ(created.code, 0) << created.err;
      }
      if (created.code == 0) {
        // Refusing the link is fine too; running, the console must be the pty, not the host.
        ASSERT_TRUE(got && got->fds.size() == 1) << "no pty master on the console socket";
        ASSERT_EQ(cli_->run({"start", id}).code, 0);
        const std::string out = read_pty(got->fds[0].get(), "done");
        EXPECT_THAT(out, HasSubstr("CONSOLE-IS-PTY")) << out;
        EXPECT_THAT(out, HasSubstr("pwned")) << "the write went to the pty: " << out;
      } else {
        EXPECT_THAT(created.err, HasSubstr("/dev/console")) << created.err;
        EXPECT_THAT(created.err, HasSubstr("ELOOP")) << created.err;
      }
      (void)cli_->run({"delete", "--force", id});
      EXPECT_EQ(snapshot(canary_->path()), before_) << "the host canary changed";
      bundle_->spec().mounts = saved;
      bundle_->spec().process->terminal = false;
    }
  }
}

// CVE-2025-31133: masked paths are bind mounts of "/dev/null"; an image /dev/null that points to
// a procfs file would make that file appear (writable) at every masked path.
TEST_P(PathSecurityPrivTest, MaskedPathsNeverUseTheImagesDevNull) {
  without_dev_mount();
  const std::string core_pattern = read_text_file("/proc/sys/kernel/core_pattern");
  make_link("dev/null", "/proc/sys/kernel/core_pattern");
  make_link("masked-link", canary_->path() + "/secret");
  bundle_->spec().linux->masked_paths.push_back("/masked-link");
  bundle_->spec().linux->readonly_paths.push_back("/ro-link");
  make_link("ro-link", dotdot(canary_->path() + "/dir"));
  Ran r = run_script(
      "for p in /proc/kcore /proc/timer_list /proc/keys /masked-link; do "
      "  [ -e $p ] || continue; c=$(head -c 64 $p 2>/dev/null); echo \"$p=[$c]\"; "
      "  (echo '|/tmp/pwn' > $p) 2>/dev/null; echo \"$p after=[$(head -c 64 $p 2>/dev/null)]\"; "
      "done; "
      "touch /ro-link/new 2>/dev/null && echo RO-WRITABLE; true");
  EXPECT_THAT(r.out, ::testing::Not(HasSubstr("host secret")));
  EXPECT_THAT(r.out, ::testing::Not(HasSubstr("RO-WRITABLE")));
  EXPECT_EQ(read_text_file("/proc/sys/kernel/core_pattern"), core_pattern);
  // Masked files are the host's /dev/null: they read empty and writes vanish.
  EXPECT_THAT(r.out, ::testing::Not(HasSubstr("pwn"))) << r.out;
  if (r.code == 0) {
    EXPECT_THAT(r.out, HasSubstr(" after=[]")) << r.out;
  }
}

TEST_P(PathSecurityPrivTest, MountDestinationsThroughSymlinks) {
  TempDir source;
  std::ofstream(source.path() + "/payload") << "payload\n";
  make_link("mnt", canary_->path());
  make_link("data", dotdot(canary_->path() + "/dir"));
  make_link("opt/deep", "../../../../../../.." + canary_->path() + "/dir");
  bundle_->spec().mounts.push_back({"/mnt/x", "tmpfs", "tmpfs", {}, {}, {}});
  bundle_->spec().mounts.push_back({"/data/y", "bind", source.path(), {"rbind"}, {}, {}});
  bundle_->spec().mounts.push_back({"/opt/deep/z", "bind", source.path(), {"bind"}, {}, {}});
  bundle_->spec().mounts.push_back({"/data", "bind", source.path(), {"bind"}, {}, {}});
  Ran r = run_script("cat /data/payload 2>/dev/null; ls /mnt /data /opt/deep 2>&1; true");
  EXPECT_THAT(r.out, ::testing::Not(HasSubstr("canary")));
}

// A racer swaps rootfs entries (RENAME_EXCHANGE) between what the image had and symlinks to the
// host while containers are created: /dev (image /dev in use), /dev/null and a mount
// destination's parent (the CVE-2021-30465 / CVE-2025-52565 window).
TEST_P(PathSecurityPrivTest, RacerSwapsSymlinksDuringCreate) {
  without_dev_mount();
  fs::create_directories(rootfs_ + "/dev");
  fs::create_directories(rootfs_ + "/mnt/x");
  ASSERT_EQ(::mknod((rootfs_ + "/dev/null").c_str(), S_IFCHR | 0666, makedev(1, 3)), 0);
  fs::create_directory_symlink(canary_->path(), rootfs_ + "/dev-evil");
  fs::create_symlink(canary_->path() + "/null", rootfs_ + "/null-evil");
  fs::create_directory_symlink(canary_->path() + "/dir", rootfs_ + "/mnt-evil");
  bundle_->spec().mounts.push_back({"/mnt/x", "tmpfs", "tmpfs", {}, {}, {}});
  std::atomic<bool> stop{false};
  std::atomic<int> swaps{0};
  auto racer = [&](std::string a, std::string b) {
    return std::thread([&, a, b] {
      while (!stop.load()) {
        if (::renameat2(AT_FDCWD, a.c_str(), AT_FDCWD, b.c_str(), RENAME_EXCHANGE) == 0) ++swaps;
      }
    });
  };
  std::vector<std::thread> racers;
  racers.push_back(racer(rootfs_ + "/dev", rootfs_ + "/dev-evil"));
  racers.push_back(racer(rootfs_ + "/mnt", rootfs_ + "/mnt-evil"));
  int succeeded = 0;
  for (int i = 0; i < 12; ++i) {
    Ran r = run_script("echo pwned > /dev/null 2>/dev/null; true", "race" + std::to_string(i));
    if (r.code == 0) ++succeeded;
  }
  stop = true;
  for (std::thread& t : racers) t.join();
  // Put the image back as it was (an odd number of swaps leaves the symlinks in place), so the
  // racer below, whose path goes through rootfs/dev, stays inside the rootfs.
  for (const char* name : {"/dev", "/mnt"}) {
    std::string a = rootfs_ + name, b = a + "-evil";
    if (fs::is_symlink(a)) {
      ASSERT_EQ(::renameat2(AT_FDCWD, a.c_str(), AT_FDCWD, b.c_str(), RENAME_EXCHANGE), 0);
    }
  }
  ASSERT_FALSE(fs::is_symlink(rootfs_ + "/dev"));
  // A last round swapping the device node itself.
  stop = false;
  racers.clear();
  racers.push_back(racer(rootfs_ + "/dev/null", rootfs_ + "/null-evil"));
  for (int i = 0; i < 6; ++i) {
    Ran r = run_script("echo pwned > /dev/null 2>/dev/null; true", "race-null" + std::to_string(i));
    if (r.code == 0) ++succeeded;
  }
  stop = true;
  for (std::thread& t : racers) t.join();
  EXPECT_GT(swaps.load(), 0);
  RecordProperty("succeeded", succeeded);
}

INSTANTIATE_TEST_SUITE_P(Strategies, PathSecurityPrivTest, ::testing::Values("default", "pivot"),
                         [](const ::testing::TestParamInfo<const char*>& i) {
                           std::string n = i.param;
                           std::replace(n.begin(), n.end(), '-', '_');
                           return n;
                         });

}  // namespace
}  // namespace grove::testing
