// L3: containers whose root is a stack of EROFS images (image/root_spec.h annotations) through
// the grove binary. Images are made with Debian's mkfs.erofs (erofs-utils) from a busybox rootfs
// and kept off tmpfs (file-backed EROFS needs read_folio: $TMPDIR, else /var/tmp). Checks what
// the container sees (layer order, tmpfs upper, read-only without upper, persistent dir upper),
// that N containers of one image mount each layer once, and that delete -- also after a
// create killed with SIGKILL, and after a refused create -- leaves no mount and no loop device.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "libcontainer/base/strings.h"
#include "tests/support/bundle.h"
#include "tests/support/files.h"
#include "tests/support/grove_cli.h"
#include "tests/support/image_mounts.h"
#include "tests/support/priv.h"

namespace grove::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr const char* kCache = "/run/grove-images";

std::string find_mkfs() {
  for (const char* p : {"/usr/bin/mkfs.erofs", "/sbin/mkfs.erofs", "/usr/sbin/mkfs.erofs"}) {
    if (::access(p, X_OK) == 0) return p;
  }
  return "";
}

std::string missing_tools() {
  if (find_mkfs().empty()) return "mkfs.erofs not found (apt-get install erofs-utils)";
  if (std::string m = missing_filesystem("erofs"); !m.empty()) return m;
  return missing_filesystem("overlay");
}

class ImageRootE2ePrivTest : public ::testing::Test {
 protected:
  void SetUp() override {
    GROVE_REQUIRE_ROOT();
    GROVE_REQUIRE(missing_busybox());
    GROVE_REQUIRE(missing_tools());
    ASSERT_EQ(::prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
    cli_.emplace(GROVE_BIN);
    auto b = BusyboxBundle::make({"true"});
    ASSERT_TRUE(b) << b.error().message();
    bundle_.emplace(std::move(*b));
    const char* tmp = ::getenv("TMPDIR");
    std::string tmpl = std::string(tmp != nullptr && *tmp ? tmp : "/var/tmp") + "/grove-img.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr) << tmpl;
    images_ = tmpl;
    // base: the busybox rootfs plus /etc/which; top: what it overrides and adds.
    std::string rootfs = bundle_->bundle() + "/rootfs";
    // Mount points the default spec needs: a read-only root (upper=none) cannot get them later.
    for (const char* d : {"/etc", "/proc", "/dev", "/sys"}) fs::create_directories(rootfs + d);
    std::ofstream(rootfs + "/etc/which") << "base\n";
    std::ofstream(rootfs + "/etc/base-only") << "from base\n";
    fs::create_directories(images_ + "/top/etc");
    std::ofstream(images_ + "/top/etc/which") << "top\n";
    std::ofstream(images_ + "/top/etc/top-only") << "from top\n";
    mkfs(images_ + "/base.erofs", rootfs);
    mkfs(images_ + "/top.erofs", images_ + "/top");
    mounts_before_ = erofs_cache_mounts();
  }

  void TearDown() override {
    if (!cli_) return;
    EXPECT_EQ(cli_->cleanup(), "");
    EXPECT_THAT(host_mounts_under(cli_->root()), IsEmpty());
    EXPECT_THAT(loops_backed_by(images_), IsEmpty());
    EXPECT_EQ(erofs_cache_mounts(), mounts_before_);
    EXPECT_THAT(unheld_cache_mounts(kCache), IsEmpty());
    if (!images_.empty()) fs::remove_all(images_);
  }

  void mkfs(const std::string& out, const std::string& dir) {
    Ran r = run_binary({find_mkfs(), "--quiet", out, dir},
                       {cli_->scratch() + "/mkfs.out", cli_->scratch() + "/mkfs.err", ""});
    ASSERT_EQ(r.code, 0) << r.err;
  }

  // Number of EROFS mounts in the layer cache of the keys this test's containers hold or held
  // (keys_, refreshed here): other tests mount layers of their own side by side (ctest -j).
  int erofs_cache_mounts() {
    (void)our_holders();
    int n = 0;
    for (const std::string& key : cache_mount_keys(kCache)) n += static_cast<int>(keys_.count(key));
    return n;
  }

  // Cache entries (key -> holders) held by containers of this test's root.
  std::map<std::string, int> our_holders() {
    std::map<std::string, int> out;
    std::error_code ec;
    for (const auto& key : fs::directory_iterator(kCache, ec)) {
      if (!key.is_directory()) continue;
      for (const auto& h : fs::directory_iterator(key.path() / "holders", ec)) {
        if (read_text_file(h.path().string()).rfind(cli_->root(), 0) == 0) {
          ++out[key.path().filename().string()];
          keys_.insert(key.path().filename().string());
        }
      }
    }
    return out;
  }

  void use_images(const std::string& list, const std::string& upper = "") {
    auto& a = bundle_->spec().annotations;
    a["run.grove.rootfs.images"] = list;
    if (!upper.empty()) a["run.grove.rootfs.upper"] = upper;
    // root.path is not used with images: point it nowhere to prove it.
    bundle_->spec().root->path = "no-such-rootfs";
  }

  Ran run_script(const std::string& script, const std::string& id = "c1") {
    bundle_->spec().process->args = {"sh", "-c", script};
    Status st = bundle_->write_config();
    if (!st) return Ran{.code = -1, .out = "", .err = st.error().message()};
    return cli_->run({"run", "--bundle", bundle_->bundle(), id});
  }

  std::optional<GroveCli> cli_;
  std::optional<BusyboxBundle> bundle_;
  std::string images_;
  int mounts_before_ = 0;
  std::set<std::string> keys_;  // cache keys this test's containers were seen holding
};

TEST_F(ImageRootE2ePrivTest, TwoLayersWithTmpfsUpper) {
  use_images(images_ + "/top.erofs:" + images_ + "/base.erofs");
  Ran r = run_script(
      "cat /etc/which /etc/top-only /etc/base-only; echo written > /etc/new && cat /etc/new; "
      "echo changed > /etc/which && cat /etc/which; echo ====; cat /proc/self/mountinfo");
  ASSERT_EQ(r.code, 0) << r.err << r.out;
  EXPECT_THAT(r.out, HasSubstr("top\nfrom top\nfrom base\nwritten\nchanged\n"));
  std::string root_fs;
  for (const MountLine& m : parse_mountinfo(r.out.substr(r.out.find("====")))) {
    if (m.point == "/") root_fs = m.fstype + " " + m.options;
  }
  EXPECT_THAT(root_fs, HasSubstr("overlay rw")) << r.out;
}

// The stack is a plain rootfs path for every mount strategy (the ones this kernel has).
TEST_F(ImageRootE2ePrivTest, EveryMountStrategy) {
  use_images(images_ + "/top.erofs:" + images_ + "/base.erofs");
  bundle_->spec().process->args = {"sh", "-c", "cat /etc/which /etc/base-only"};
  ASSERT_TRUE(bundle_->write_config());
  for (const char* strategy : {"pivot", "chroot", "open-tree-namespace"}) {
    if (std::string(strategy) == "open-tree-namespace" && !missing_open_tree_namespace().empty()) {
      continue;  // 7.0+: runs under tests/vm
    }
    Ran r = cli_->run({"run", "--bundle", bundle_->bundle(), "--mount-strategy", strategy, "c1"});
    EXPECT_EQ(r.code, 0) << strategy << ": " << r.err;
    EXPECT_EQ(r.out, "top\nfrom base\n") << strategy;
  }
}

// run.grove.image.domain: the layers mount with inode_share,domain_id on kernels that have it
// (Debian's mkfs.erofs 1.5 writes no fingerprints, so the kernel then turns sharing off for
// these images) and without it elsewhere; either way the container runs.
TEST_F(ImageRootE2ePrivTest, DomainIsAcceptedWhereverTheKernelStands) {
  use_images(images_ + "/top.erofs:" + images_ + "/base.erofs");
  bundle_->spec().annotations["run.grove.image.domain"] = "grove-test";
  Ran r = run_script("cat /etc/which");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "top\n");
}

TEST_F(ImageRootE2ePrivTest, NoUpperIsReadOnlyErofs) {
  use_images(images_ + "/top.erofs:" + images_ + "/base.erofs", "none");
  Ran r = run_script(
      "cat /etc/which; if echo x > /etc/new 2>/dev/null; then echo WRITABLE; fi; "
      "busybox touch /x 2>&1; echo ====; cat /proc/self/mountinfo");
  ASSERT_EQ(r.code, 0) << r.err << r.out;
  EXPECT_THAT(r.out, HasSubstr("top\n"));
  EXPECT_THAT(r.out, Not(HasSubstr("WRITABLE")));
  EXPECT_THAT(r.out, HasSubstr("Read-only file system"));
}

TEST_F(ImageRootE2ePrivTest, SingleLayerWithoutUpperIsTheErofsMount) {
  use_images(images_ + "/base.erofs", "none");
  Ran r = run_script("cat /etc/which; echo ====; cat /proc/self/mountinfo");
  ASSERT_EQ(r.code, 0) << r.err << r.out;
  EXPECT_THAT(r.out, HasSubstr("base\n"));
  std::string root_fs;
  for (const MountLine& m : parse_mountinfo(r.out.substr(r.out.find("====")))) {
    if (m.point == "/") root_fs = m.fstype + " " + m.options;
  }
  EXPECT_THAT(root_fs, HasSubstr("erofs ro")) << r.out;
}

TEST_F(ImageRootE2ePrivTest, DirUpperKeepsWritesAfterDelete) {
  std::string upper = images_ + "/persist";
  use_images(images_ + "/top.erofs:" + images_ + "/base.erofs", upper);
  Ran r = run_script("echo kept > /etc/kept && cat /etc/kept");
  ASSERT_EQ(r.code, 0) << r.err << r.out;
  EXPECT_EQ(read_text_file(upper + "/upper/etc/kept"), "kept\n");
  Ran again = run_script("cat /etc/kept", "c2");
  ASSERT_EQ(again.code, 0) << again.err;
  EXPECT_EQ(again.out, "kept\n");
}

// Three created containers of one 2-layer image: two layer mounts, three holders each; the
// mounts stay until the last delete, then nothing is left.
TEST_F(ImageRootE2ePrivTest, ThreeContainersMountEachLayerOnce) {
  use_images(images_ + "/top.erofs:" + images_ + "/base.erofs");
  bundle_->spec().process->args = {"sh", "-c", "cat /etc/which"};
  ASSERT_TRUE(bundle_->write_config());
  for (const char* id : {"c1", "c2", "c3"}) {
    Ran r = cli_->run({"create", "--bundle", bundle_->bundle(), id});
    ASSERT_EQ(r.code, 0) << id << ": " << r.err;
  }
  EXPECT_EQ(erofs_cache_mounts() - mounts_before_, 2);
  std::map<std::string, int> held = our_holders();
  ASSERT_EQ(held.size(), 2u);
  for (const auto& [key, n] : held) EXPECT_EQ(n, 3) << key;
  EXPECT_EQ(host_mounts_under(cli_->root()).size(), 3u);  // one root per container
  ASSERT_EQ(cli_->run({"delete", "c1"}).code, 0);
  ASSERT_EQ(cli_->run({"delete", "c2"}).code, 0);
  EXPECT_EQ(erofs_cache_mounts() - mounts_before_, 2);
  for (const auto& [key, n] : our_holders()) EXPECT_EQ(n, 1) << key;
  Ran start = cli_->run({"start", "c3"});
  ASSERT_EQ(start.code, 0) << start.err;
  ASSERT_TRUE(cli_->wait_status("c3", "stopped"));
  ASSERT_EQ(cli_->run({"delete", "c3"}).code, 0);
  EXPECT_EQ(erofs_cache_mounts(), mounts_before_);
  EXPECT_THAT(our_holders(), IsEmpty());
  for (const auto& key : held) EXPECT_FALSE(fs::exists(std::string(kCache) + "/" + key.first));
}

// `grove create` killed with SIGKILL while its layers are mounted (a createRuntime hook makes
// it wait): `delete --force` releases what the state names.
TEST_F(ImageRootE2ePrivTest, ForceDeleteAfterKilledCreate) {
  use_images(images_ + "/top.erofs:" + images_ + "/base.erofs");
  std::string marker = cli_->scratch() + "/hook-pid";
  bundle_->spec().hooks.create_runtime.push_back(
      {"/bin/busybox", {"sh", "-c", "echo $$ > " + marker + ".tmp; mv " + marker + ".tmp " +
                                        marker + "; exec sleep 30"},
       {}, std::nullopt});
  ASSERT_TRUE(bundle_->write_config());
  pid_t create = cli_->spawn({"create", "--bundle", bundle_->bundle(), "c1"}, "create");
  ASSERT_GT(create, 0);
  for (int i = 0; i < 200 && !fs::exists(marker); ++i) ::usleep(50 * 1000);
  ASSERT_TRUE(fs::exists(marker)) << "the hook did not run";
  EXPECT_EQ(erofs_cache_mounts() - mounts_before_, 2);
  ASSERT_EQ(::kill(create, SIGKILL), 0);
  cli_->finish(create, "create");
  Ran del = cli_->run({"delete", "--force", "c1"});
  EXPECT_EQ(del.code, 0) << del.err;
  EXPECT_EQ(erofs_cache_mounts(), mounts_before_);
  EXPECT_THAT(our_holders(), IsEmpty());
  // The hook outlived its killed runtime: end it by its own pid.
  long hook = std::atol(read_text_file(marker).c_str());
  if (hook > 1) (void)::kill(static_cast<pid_t>(hook), SIGKILL);
}

// An image on tmpfs cannot back a file-backed mount (no read_folio: ENOTBLK): grove falls back to
// an autoclear loop device, which is gone after delete.
TEST_F(ImageRootE2ePrivTest, ImageOnTmpfsGoesThroughALoopDevice) {
  char tmpl[] = "/dev/shm/grove-img-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) GTEST_SKIP() << "cannot create a directory in /dev/shm";
  std::string shm = tmpl;
  fs::copy_file(images_ + "/base.erofs", shm + "/base.erofs");
  use_images(images_ + "/top.erofs:" + shm + "/base.erofs");
  bundle_->spec().process->args = {"cat", "/etc/base-only"};
  ASSERT_TRUE(bundle_->write_config());
  Ran r = cli_->run({"create", "--bundle", bundle_->bundle(), "c1"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(loops_backed_by(shm).size(), r.code == 0 ? 1u : 0u);
  EXPECT_EQ(cli_->run({"start", "c1"}).code, 0);
  EXPECT_TRUE(cli_->wait_status("c1", "stopped"));
  EXPECT_EQ(cli_->run({"delete", "c1"}).code, 0);
  // Autoclear detaches the device once the last mount of it is gone (asynchronously on some
  // kernels: give it a moment).
  for (int i = 0; i < 50 && !loops_backed_by(shm).empty(); ++i) ::usleep(20 * 1000);
  EXPECT_THAT(loops_backed_by(shm), IsEmpty());
  fs::remove_all(shm);
}

// `grove sandbox --image` as root: the image is the root, with a tmpfs upper.
TEST_F(ImageRootE2ePrivTest, SandboxImageAsRoot) {
  Ran r = cli_->run({"sandbox", "--image", images_ + "/base.erofs", "--", "sh", "-c",
                     "cat /etc/which; echo x > /etc/new && cat /etc/new"});
  ASSERT_EQ(r.code, 0) << r.err << r.out;
  EXPECT_EQ(r.out, "base\nx\n");
  // The sandbox's seccomp profile is cached under the state root on purpose: not a leftover.
  fs::remove_all(cli_->root() + "/.cache");
}

// Refused before anything exists: the error names the annotation, nothing is mounted.
TEST_F(ImageRootE2ePrivTest, InvalidAnnotationsFailCleanly) {
  std::ofstream(images_ + "/not-erofs") << "plain text, not an image\n";
  fs::create_directories(images_ + "/dir");
  struct Case {
    std::map<std::string, std::string> annotations;
    const char* want;
  };
  const std::string base = images_ + "/base.erofs";
  const Case cases[] = {
      {{{"run.grove.rootfs.images", ""}}, "empty layer list"},
      {{{"run.grove.rootfs.images", base + "::" + base}}, "empty layer"},
      {{{"run.grove.rootfs.images", images_ + "/missing.erofs"}}, "missing.erofs"},
      {{{"run.grove.rootfs.images", images_ + "/dir"}}, "is not a regular file"},
      {{{"run.grove.rootfs.images", "/dev/null"}}, "is not a regular file"},
      {{{"run.grove.rootfs.images", base}, {"run.grove.image.domain", "a,dax=always"}},
       "run.grove.image.domain"},
      {{{"run.grove.rootfs.images", base}, {"run.grove.rootfs.upper", ""}},
       "run.grove.rootfs.upper"},
      {{{"run.grove.rootfs.upper", "none"}}, "set without"},
      // A file that is no EROFS image passes the checks and is refused by the kernel.
      {{{"run.grove.rootfs.images", images_ + "/not-erofs:" + base}}, "not-erofs"},
      // ... also after a good layer was mounted: it is released again.
      {{{"run.grove.rootfs.images", base + ":" + images_ + "/not-erofs"}}, "not-erofs"},
  };
  for (const Case& c : cases) {
    bundle_->spec().annotations = c.annotations;
    ASSERT_TRUE(bundle_->write_config());
    Ran r = cli_->run({"create", "--bundle", bundle_->bundle(), "bad"});
    EXPECT_NE(r.code, 0) << c.want;
    EXPECT_THAT(r.err, HasSubstr(c.want));
    EXPECT_EQ(erofs_cache_mounts(), mounts_before_) << c.want;
    EXPECT_THAT(unheld_cache_mounts(kCache), IsEmpty()) << c.want;
    EXPECT_THAT(our_holders(), IsEmpty()) << c.want;
    EXPECT_THAT(host_mounts_under(cli_->root()), IsEmpty()) << c.want;
    EXPECT_EQ(cli_->run({"state", "bad"}).code, 1) << c.want << ": state left";
  }
}

}  // namespace
}  // namespace grove::testing
