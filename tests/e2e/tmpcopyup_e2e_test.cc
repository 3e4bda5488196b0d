// L3: the tmpcopyup mount option through the grove binary, once per mount strategy and path
// resolver (like mount_e2e_test.cc): a tmpfs with tmpcopyup shows the rootfs's tree (contents,
// owners, modes, symlinks, fifos, devices), writes stay in the tmpfs, it composes with
// root.readonly (podman --read-only), and symlinks out of the rootfs never copy host files.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
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
using ::testing::Not;

struct Variant {
  const char* strategy;
  bool walk;  // openat2 forced to ENOSYS: the component-walk resolver
};

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

// The mountinfo line of the topmost mount at `point`: "<options> - <fstype>" ("" if none).
std::string mount_at(const std::string& mountinfo, const std::string& point) {
  std::string found;
  std::istringstream in(mountinfo);
  for (std::string line; std::getline(in, line);) {
    std::vector<std::string> f = split(line, ' ');
    std::size_t dash = 6;
    while (dash < f.size() && f[dash] != "-") ++dash;
    if (dash + 1 < f.size() && f[4] == point) found = f[5] + " - " + f[dash + 1];
  }
  return found;
}

void write_file(const std::string& path, const std::string& data, mode_t mode, uid_t uid,
                gid_t gid) {
  std::ofstream(path) << data;
  ASSERT_EQ(::chown(path.c_str(), uid, gid), 0) << path;
  ASSERT_EQ(::chmod(path.c_str(), mode), 0) << path;  // after chown, which clears setuid
}

void make_dir(const std::string& path, mode_t mode, uid_t uid, gid_t gid) {
  fs::create_directories(path);
  ASSERT_EQ(::chown(path.c_str(), uid, gid), 0) << path;
  ASSERT_EQ(::chmod(path.c_str(), mode), 0) << path;
}

class TmpcopyupE2ePrivTest : public ::testing::TestWithParam<Variant> {
 protected:
  void SetUp() override {
    GROVE_REQUIRE_ROOT();
    GROVE_REQUIRE(missing_busybox());
    if (std::string(GetParam().strategy) == "open-tree-namespace") {
      GROVE_REQUIRE(missing_open_tree_namespace());
    }
    if (GetParam().walk) GROVE_REQUIRE(missing_openat2());
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

  Ran run_script(const std::string& script) {
    bundle_->spec().process->args = {"sh", "-c", script};
    Status st = bundle_->write_config();
    if (!st) return Ran{.code = -1, .out = "", .err = st.error().message()};
    return cli_->run({"--debug", "run", "--bundle", bundle_->bundle(), "--mount-strategy",
                      GetParam().strategy, "c1"});
  }

  std::optional<GroveCli> cli_;
  std::optional<BusyboxBundle> bundle_;
  std::string rootfs_;
};

// The tmpfs root takes /data's mode but keeps its own owner (root), like runc. The container's
// root keeps runc's default capabilities (no CAP_DAC_OVERRIDE), so the modes are
// chosen to let uid 0 traverse what the script stats.
TEST_P(TmpcopyupE2ePrivTest, CopiesTheTreeWithOwnersAndModes) {
  std::string d = rootfs_ + "/data";
  make_dir(d, 0751, 0, 1234);
  make_dir(d + "/sub", 0751, 1234, 1234);
  make_dir(d + "/sub/nested", 0700, 0, 0);
  write_file(d + "/sub/nested/deep.txt", "deep\n", 0644, 0, 0);
  write_file(d + "/plain", "plain text\n", 0644, 0, 0);
  write_file(d + "/secret", "only 1234\n", 0600, 1234, 1234);
  write_file(d + "/suid", "#!/bin/sh\n", 04755, 0, 0);
  fs::create_symlink("sub/nested/deep.txt", d + "/link");
  ASSERT_EQ(::lchown((d + "/link").c_str(), 1234, 1234), 0);
  ASSERT_EQ(::mkfifo((d + "/fifo").c_str(), 0640), 0);
  ASSERT_EQ(::mknod((d + "/null").c_str(), S_IFCHR | 0666, makedev(1, 3)), 0);
  ASSERT_EQ(::chmod((d + "/null").c_str(), 0666), 0);  // past the test's umask
  bundle_->spec().mounts.push_back({"/data", "tmpfs", "tmpfs", {"tmpcopyup", "nosuid"}, {}, {}});
  Ran r = run_script(
      "cd /data && busybox stat -c '%n %a %u:%g %F %t:%T' . sub sub/nested sub/nested/deep.txt "
      "plain secret suid link fifo null; busybox readlink link; cat link plain; "
      "echo changed > plain && echo new > newfile && cat plain newfile; echo ====; "
      "cat /proc/self/mountinfo");
  ASSERT_EQ(r.code, 0) << r.err << r.out;
  for (const char* want :
       {". 751 0:0 directory 0:0", "sub 751 1234:1234 directory", "sub/nested 700 0:0 directory",
        "sub/nested/deep.txt 644 0:0 regular", "plain 644 0:0 regular",
        "secret 600 1234:1234 regular", "suid 4755 0:0 regular", "link 777 1234:1234 symbolic link",
        "fifo 640 0:0 fifo", "null 666 0:0 character special file 1:3",
        "\nsub/nested/deep.txt\ndeep\nplain text\nchanged\nnew\n"}) {
    EXPECT_THAT(r.out, HasSubstr(want)) << r.out;
  }
  std::string mountinfo = r.out.substr(r.out.find("===="));
  std::string data = mount_at(mountinfo, "/data");
  EXPECT_THAT(data, HasSubstr(" - tmpfs")) << mountinfo;
  EXPECT_THAT(data, HasSubstr("nosuid")) << data;
  // The bundle's rootfs is untouched: writes went to the tmpfs.
  EXPECT_EQ(read_text_file(d + "/plain"), "plain text\n");
  EXPECT_FALSE(fs::exists(d + "/newfile"));
}

// podman --read-only: a read-only root with /run (and /tmp, /var/tmp) as tmpcopyup tmpfs.
TEST_P(TmpcopyupE2ePrivTest, ReadonlyRootWithCopiedRun) {
  make_dir(rootfs_ + "/run/lock", 0755, 0, 0);
  write_file(rootfs_ + "/run/marker", "from the image\n", 0644, 0, 0);
  make_dir(rootfs_ + "/var/tmp", 01777, 0, 0);
  bundle_->spec().root->readonly = true;
  for (const char* dest : {"/run", "/tmp", "/var/tmp"}) {
    bundle_->spec().mounts.push_back(
        {dest, "tmpfs", "tmpfs", {"rw", "rprivate", "nosuid", "nodev", "tmpcopyup"}, {}, {}});
  }
  Ran r = run_script(
      "cat /run/marker; busybox stat -c '%n %a' /run /run/lock /var/tmp; "
      "echo x > /run/lock/pid && echo run-writable; "
      "if busybox touch /rootfile 2>/dev/null; then echo ROOT-WRITABLE; fi; echo ====; "
      "cat /proc/self/mountinfo");
  ASSERT_EQ(r.code, 0) << r.err << r.out;
  EXPECT_THAT(r.out, HasSubstr("from the image\n/run 755\n/run/lock 755\n/var/tmp 1777\n"));
  EXPECT_THAT(r.out, HasSubstr("run-writable"));
  EXPECT_THAT(r.out, Not(HasSubstr("ROOT-WRITABLE")));
  std::string mountinfo = r.out.substr(r.out.find("===="));
  EXPECT_THAT(mount_at(mountinfo, "/"), HasSubstr("ro")) << mountinfo;
  for (const char* dest : {"/run", "/tmp", "/var/tmp"}) {
    EXPECT_THAT(mount_at(mountinfo, dest), HasSubstr(" - tmpfs")) << dest << "\n" << mountinfo;
  }
  EXPECT_FALSE(fs::exists(rootfs_ + "/run/lock/pid"));
}

// A read-only tmpcopyup tmpfs is filled before it becomes read-only.
TEST_P(TmpcopyupE2ePrivTest, ReadonlyTmpfsIsFilledFirst) {
  write_file(rootfs_ + "/etc/motd", "hello\n", 0644, 0, 0);
  bundle_->spec().mounts.push_back({"/etc", "tmpfs", "tmpfs", {"tmpcopyup", "ro"}, {}, {}});
  Ran r = run_script("cat /etc/motd; if echo x > /etc/new; then echo ETC-WRITABLE; fi 2>/dev/null");
  ASSERT_EQ(r.code, 0) << r.err << r.out;
  EXPECT_THAT(r.out, HasSubstr("hello\n"));
  EXPECT_THAT(r.out, Not(HasSubstr("ETC-WRITABLE")));
}

// Symlinks out of the rootfs (the destination itself, absolute and relative, and entries inside
// the copied tree) resolve inside the rootfs: no host file is ever copied or changed. The rootfs
// has its own directory at the canary's path, which is what the destinations resolve to.
TEST_P(TmpcopyupE2ePrivTest, HostileSymlinksNeverCopyHostFiles) {
  TempDir canary;
  std::ofstream(canary.path() + "/secret") << "host secret\n";
  fs::create_directories(rootfs_ + canary.path());
  std::ofstream(rootfs_ + canary.path() + "/inside") << "rootfs file\n";
  fs::create_directory_symlink(canary.path(), rootfs_ + "/abs");
  fs::create_directory_symlink("../../../../../../../../.." + canary.path(), rootfs_ + "/rel");
  fs::create_directories(rootfs_ + "/tree");
  fs::create_symlink(canary.path() + "/secret", rootfs_ + "/tree/evil");
  fs::create_directory_symlink("../../../../../../../../.." + canary.path(),
                               rootfs_ + "/tree/evildir");
  // /etcdata -> /etc: the rootfs's /etc (one file), never the host's.
  std::ofstream(rootfs_ + "/etc/only-in-rootfs") << "rootfs etc\n";
  std::vector<std::string> etc;
  for (const auto& e : fs::directory_iterator(rootfs_ + "/etc")) {
    etc.push_back(e.path().filename().string());
  }
  std::sort(etc.begin(), etc.end());
  fs::create_directory_symlink("/etc", rootfs_ + "/etcdata");
  for (const char* dest : {"/abs", "/rel", "/tree", "/etcdata"}) {
    bundle_->spec().mounts.push_back({dest, "tmpfs", "tmpfs", {"tmpcopyup"}, {}, {}});
  }
  std::string before = read_text_file(canary.path() + "/secret");
  Ran r = run_script(
      "ls /abs/ /rel/ /tree/ /tree/evildir/ 2>&1; cat /abs/* /tree/evil /tree/evildir/* 2>&1; "
      "busybox readlink /tree/evil; echo ETC; ls /etcdata/; echo END");
  ASSERT_EQ(r.code, 0) << r.err << r.out;
  EXPECT_THAT(r.out, HasSubstr("ETC\n" + join(etc, "\n") + "\nEND\n"));
  EXPECT_THAT(r.out, HasSubstr("rootfs file\n"));
  EXPECT_THAT(r.out, HasSubstr("evil\nevildir\n"));
  EXPECT_THAT(r.out, HasSubstr(canary.path() + "/secret\n"));  // the link's text, copied as is
  EXPECT_THAT(r.out, Not(HasSubstr("host secret"))) << r.out;
  EXPECT_EQ(read_text_file(canary.path() + "/secret"), before);
  EXPECT_EQ(std::distance(fs::directory_iterator(canary.path()), fs::directory_iterator{}), 1);
  EXPECT_THAT(host_mounts_under(canary.path()), ::testing::IsEmpty());
}

// Only a tmpfs can take tmpcopyup; the error names the mount.
TEST_P(TmpcopyupE2ePrivTest, RefusedOnBindMounts) {
  TempDir host;
  bundle_->spec().mounts.push_back({"/data", "bind", host.path(), {"rbind", "tmpcopyup"}, {}, {}});
  Ran r = run_script("true");
  EXPECT_NE(r.code, 0);
  EXPECT_THAT(r.err, HasSubstr("/data"));
  EXPECT_THAT(r.err, HasSubstr("tmpcopyup is only valid on tmpfs"));
}

INSTANTIATE_TEST_SUITE_P(Strategies, TmpcopyupE2ePrivTest,
                         ::testing::Values(Variant{"open-tree-namespace", false},
                                           Variant{"open-tree-namespace", true},
                                           Variant{"pivot", false}, Variant{"pivot", true},
                                           Variant{"chroot", false}, Variant{"chroot", true}),
                         variant_name);

}  // namespace
}  // namespace grove::testing
