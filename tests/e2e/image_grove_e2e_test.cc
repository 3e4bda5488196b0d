// L3: containers from images grove itself wrote (issue #7 acceptance on the host): `grove image
// build` of a busybox rootfs, with the SHA-256 fingerprints (the default) and without, run
// read-only (upper=none) and with a tmpfs upper; and `grove image convert` of an OCI image layout
// made by a real tool (umoci, Debian's package) whose later layers delete files and replace a
// directory (plain and opaque whiteouts). After every delete nothing is left: no erofs or overlay
// mount of ours, no loop device bound to our files, no layer-cache holder. Images and the store
// sit under $TMPDIR, else /var/tmp (file-backed EROFS refuses tmpfs files: ENOTBLK).

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/wait.h>
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
constexpr const char* kUmoci = "/usr/bin/umoci";

std::string missing_umoci() {
  if (::access(kUmoci, X_OK) != 0) return "umoci not found (apt-get install umoci)";
  return "";
}

class ImageGroveE2ePrivTest : public ::testing::Test {
 protected:
  void SetUp() override {
    GROVE_REQUIRE_ROOT();
    GROVE_REQUIRE(missing_busybox());
    GROVE_REQUIRE(missing_filesystem("erofs"));
    GROVE_REQUIRE(missing_filesystem("overlay"));
    ASSERT_EQ(::prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
    cli_.emplace(GROVE_BIN);
    auto b = BusyboxBundle::make({"true"});
    ASSERT_TRUE(b) << b.error().message();
    bundle_.emplace(std::move(*b));
    dir_ = make_image_temp_dir("grove-gimg");
    ASSERT_NE(dir_, "");
    holders_before_ = cache_holders_of_root();
  }

  void TearDown() override {
    if (!cli_) return;
    EXPECT_EQ(cli_->cleanup(), "");
    expect_nothing_left("teardown");
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  // No erofs/overlay mount under our state root or backed by our files, no loop device bound to
  // one of our files, no layer-cache holder of our containers.
  void expect_nothing_left(const std::string& when) {
    EXPECT_THAT(host_mounts_under(cli_->root()), IsEmpty()) << when;
    EXPECT_THAT(image_mounts_under({cli_->root(), dir_}), IsEmpty()) << when;
    EXPECT_THAT(loops_backed_by(dir_), IsEmpty()) << when;
    EXPECT_EQ(cache_holders_of_root(), holders_before_) << when;
    // Layer mounts (named by cache key: their source is /proc/self/fd/N) left without holder,
    // and the ones this test's containers held still mounted.
    EXPECT_THAT(unheld_cache_mounts(kCache), IsEmpty()) << when;
    for (const std::string& key : cache_mount_keys(kCache)) {
      EXPECT_EQ(keys_.count(key), 0u) << when << ": layer " << key << " still mounted";
    }
  }

  // Holder files in the layer cache naming a container of this test's state root; their keys
  // are remembered in keys_.
  int cache_holders_of_root() {
    int n = 0;
    std::error_code ec;
    for (const auto& key : fs::directory_iterator(kCache, ec)) {
      for (const auto& h : fs::directory_iterator(key.path() / "holders", ec)) {
        if (read_text_file(h.path().string()).rfind(cli_->root(), 0) == 0) {
          ++n;
          keys_.insert(key.path().filename().string());
        }
      }
    }
    return n;
  }

  // Runs a tool (absolute path) with its output in the scratch dir; fails the test on non-zero.
  Ran tool(const std::vector<std::string>& argv) {
    RunOptions o{cli_->scratch() + "/tool.out", cli_->scratch() + "/tool.err", dir_};
    Ran r = run_binary(argv, o);
    EXPECT_EQ(r.code, 0) << join(argv, " ") << ": " << r.err << r.out;
    return r;
  }

  // The busybox rootfs of the bundle plus the mount points a read-only root needs and
  // /etc/which; `grove image build` of it into dir_/NAME.
  std::string build_image(const std::string& name, const std::vector<std::string>& extra) {
    std::string rootfs = bundle_->bundle() + "/rootfs";
    for (const char* d : {"/etc", "/proc", "/dev", "/sys", "/tmp"}) {
      fs::create_directories(rootfs + d);
    }
    std::ofstream(rootfs + "/etc/which") << "grove-built\n";
    std::string out = dir_ + "/" + name;
    std::vector<std::string> argv = {GROVE_BIN, "image", "build", rootfs, "-o", out};
    argv.insert(argv.end(), extra.begin(), extra.end());
    Ran r = tool(argv);
    EXPECT_THAT(r.out, HasSubstr(" inodes, uuid "));
    return out;
  }

  void use_images(const std::string& list, const std::string& upper) {
    auto& a = bundle_->spec().annotations;
    a["run.grove.rootfs.images"] = list;
    a["run.grove.rootfs.upper"] = upper;
    bundle_->spec().root->path = "no-such-rootfs";  // not used with images
  }

  // `grove run` of `script` as container `id`; the run deletes it when it exits.
  Ran run_script(const std::string& script, const std::string& id) {
    bundle_->spec().process->args = {"sh", "-c", script};
    Status st = bundle_->write_config();
    if (!st) return Ran{.code = -1, .out = "", .err = st.error().message()};
    return cli_->run({"run", "--bundle", bundle_->bundle(), id});
  }

  // Read-only (upper=none) then tmpfs upper twice: writes work, and vanish with the container.
  void run_read_only_and_tmpfs(const std::string& image) {
    use_images(image, "none");
    Ran ro = run_script(
        "cat /etc/which; if echo x > /etc/new 2>/dev/null; then echo WRITABLE; fi; "
        "busybox touch /x 2>&1; echo ====; cat /proc/self/mountinfo",
        "ro");
    ASSERT_EQ(ro.code, 0) << ro.err << ro.out;
    EXPECT_THAT(ro.out, HasSubstr("grove-built\n"));
    EXPECT_THAT(ro.out, Not(HasSubstr("WRITABLE")));
    EXPECT_THAT(ro.out, HasSubstr("Read-only file system"));
    std::string root_fs;
    for (const MountLine& m : parse_mountinfo(ro.out.substr(ro.out.find("====")))) {
      if (m.point == "/") root_fs = m.fstype + " " + m.options;
    }
    EXPECT_THAT(root_fs, HasSubstr("erofs ro")) << ro.out;
    expect_nothing_left("after the read-only run");

    use_images(image, "tmpfs");
    Ran rw = run_script("echo written > /etc/new && cat /etc/new /etc/which", "rw1");
    ASSERT_EQ(rw.code, 0) << rw.err << rw.out;
    EXPECT_EQ(rw.out, "written\ngrove-built\n");
    expect_nothing_left("after the tmpfs run");
    Ran again = run_script("if [ -e /etc/new ]; then echo STILL-THERE; else echo gone; fi", "rw2");
    ASSERT_EQ(again.code, 0) << again.err << again.out;
    EXPECT_EQ(again.out, "gone\n");
    expect_nothing_left("after the second tmpfs run");
  }

  // The umoci layout of UmociLayoutConvertsAndRuns (dir_/layout, tag bb; see there).
  std::string make_umoci_layout() {
    const std::string layout = dir_ + "/layout", ub = dir_ + "/ubundle", rootfs = ub + "/rootfs";
    tool({kUmoci, "init", "--layout", layout});
    tool({kUmoci, "new", "--image", layout + ":bb"});
    tool({kUmoci, "unpack", "--image", layout + ":bb", ub});
    // Layer 1: the busybox rootfs of the bundle, and files later layers remove or hide.
    fs::copy(bundle_->bundle() + "/rootfs", rootfs,
             fs::copy_options::recursive | fs::copy_options::copy_symlinks);
    for (const char* d : {"/etc/dir", "/etc/opq", "/proc", "/dev", "/sys"}) {
      fs::create_directories(rootfs + d);
    }
    std::ofstream(rootfs + "/etc/kept") << "kept\n";
    std::ofstream(rootfs + "/etc/gone") << "deleted by layer 2\n";
    std::ofstream(rootfs + "/etc/dir/old") << "deleted by layer 2\n";
    std::ofstream(rootfs + "/etc/opq/old") << "hidden by layer 3\n";
    tool({kUmoci, "repack", "--image", layout + ":bb", ub});
    fs::remove_all(ub);
    // Layer 2: delete a file and a directory's content.
    tool({kUmoci, "unpack", "--image", layout + ":bb", ub});
    EXPECT_TRUE(fs::exists(rootfs + "/etc/gone")) << "umoci unpack lost layer 1";
    fs::remove(rootfs + "/etc/gone");
    fs::remove(rootfs + "/etc/dir/old");
    tool({kUmoci, "repack", "--image", layout + ":bb", ub});
    fs::remove_all(ub);
    // Layer 3: /etc/opq replaced as a whole (.wh..wh..opq).
    fs::create_directories(dir_ + "/opq");
    std::ofstream(dir_ + "/opq/fresh") << "from layer 3\n";
    tool({kUmoci, "insert", "--image", layout + ":bb", "--opaque", dir_ + "/opq", "/etc/opq"});
    return layout;
  }

  std::optional<GroveCli> cli_;
  std::optional<BusyboxBundle> bundle_;
  std::string dir_;
  int holders_before_ = 0;
  std::set<std::string> keys_;  // cache keys this test's containers were seen holding
};

// The default build: every regular file carries the trusted.erofs.fingerprint xattr and the
// superblock has the page-cache sharing fields; the kernel mounts it file-backed and runs it.
TEST_F(ImageGroveE2ePrivTest, DigestImageRunsReadOnlyAndWithTmpfsUpper) {
  std::string image = build_image("busybox.erofs", {});
  run_read_only_and_tmpfs(image);
}

TEST_F(ImageGroveE2ePrivTest, NoDigestImageRunsReadOnlyAndWithTmpfsUpper) {
  std::string image = build_image("busybox-plain.erofs", {"--no-digest"});
  run_read_only_and_tmpfs(image);
}

// The page-cache sharing opt-in on a digest image: inode_share,domain_id where the kernel has it
// (7.0), a plain mount elsewhere; the container runs either way. Two containers at once share
// the layer mount.
TEST_F(ImageGroveE2ePrivTest, DigestImageWithDomainTwoContainers) {
  std::string image = build_image("busybox.erofs", {});
  use_images(image, "tmpfs");
  bundle_->spec().annotations["run.grove.image.domain"] = "grove-e2e";
  bundle_->spec().process->args = {"cat", "/etc/which"};
  ASSERT_TRUE(bundle_->write_config());
  for (const char* id : {"d1", "d2"}) {
    Ran r = cli_->run({"create", "--bundle", bundle_->bundle(), id});
    ASSERT_EQ(r.code, 0) << id << ": " << r.err;
  }
  EXPECT_EQ(cache_holders_of_root() - holders_before_, 2);
  for (const char* id : {"d1", "d2"}) {
    ASSERT_EQ(cli_->run({"start", id}).code, 0) << id;
    ASSERT_TRUE(cli_->wait_status(id, "stopped")) << id;
    ASSERT_EQ(cli_->run({"delete", id}).code, 0) << id;
  }
  expect_nothing_left("after deleting both");
}

// An OCI image layout made by umoci: layer 1 = busybox + /etc files; layer 2 (unpack, edit,
// repack) deletes /etc/gone and empties /etc/dir (plain .wh. whiteouts); layer 3 (umoci insert
// --opaque) replaces /etc/opq (an opaque-dir whiteout). Converted into a store in dir_, run from
// the converted layers: the whiteouts took effect, and nothing is left after delete.
TEST_F(ImageGroveE2ePrivTest, UmociLayoutConvertsAndRuns) {
  GROVE_REQUIRE(missing_umoci());
  const std::string layout = make_umoci_layout();
  const std::string store = dir_ + "/store";
  Ran conv = tool({GROVE_BIN, "image", "convert", layout + ":bb", "--store", store});
  std::vector<std::string> layers;
  for (const std::string& l : split(conv.out, '\n')) {
    if (!l.empty()) layers.push_back(l);
  }
  ASSERT_EQ(layers.size(), 3u) << conv.out;
  for (const std::string& l : layers) EXPECT_EQ(l.rfind(store + "/layers/", 0), 0u) << l;
  Ran ls = tool({GROVE_BIN, "image", "ls", "--store", store});
  EXPECT_THAT(ls.out, HasSubstr("bb\tsha256:"));

  use_images(join(layers, ":"), "tmpfs");
  Ran r = run_script(
      "cat /etc/kept; for f in /etc/gone /etc/dir/old /etc/opq/old; do "
      "if [ -e $f ]; then echo PRESENT $f; fi; done; ls /etc/dir; echo ==; ls /etc/opq; "
      "cat /etc/opq/fresh",
      "oci");
  ASSERT_EQ(r.code, 0) << r.err << r.out;
  EXPECT_EQ(r.out, "kept\n==\nfresh\nfrom layer 3\n");
  expect_nothing_left("after the converted image ran");
  tool({GROVE_BIN, "image", "rm", "bb", "--store", store});
  EXPECT_FALSE(fs::exists(layers[0]));
}

// Store locking: while STORE/lock is held (here by the test, as a concurrent convert or rm would
// hold it), `grove image convert` waits and writes nothing; it finishes once the lock goes.
// Likewise `grove image rm`.
TEST_F(ImageGroveE2ePrivTest, ConvertAndRmWaitForTheStoreLock) {
  GROVE_REQUIRE(missing_umoci());
  const std::string layout = make_umoci_layout();
  const std::string store = dir_ + "/store";
  fs::create_directories(store);
  for (const char* verb : {"convert", "rm"}) {
    int lock = ::open((store + "/lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    ASSERT_GE(lock, 0) << strerror(errno);
    ASSERT_EQ(::flock(lock, LOCK_EX), 0) << strerror(errno);
    std::vector<std::string> argv = {GROVE_BIN, "image", verb};
    argv.push_back(std::string(verb) == "convert" ? layout + ":bb" : "bb");
    argv.insert(argv.end(), {"--store", store});
    RunOptions o{cli_->scratch() + "/lock.out", cli_->scratch() + "/lock.err", dir_};
    pid_t pid = spawn_binary(argv, o);
    ASSERT_GT(pid, 0);
    ::usleep(1500 * 1000);
    int status = 0;
    EXPECT_EQ(::waitpid(pid, &status, WNOHANG), 0) << verb << " did not wait for the lock";
    bool recorded = fs::exists(store + "/images/bb.json");
    EXPECT_EQ(recorded, std::string(verb) == "rm") << verb << " changed the store while locked";
    ::close(lock);
    Ran r = finish_binary(pid, o);
    EXPECT_EQ(r.code, 0) << verb << ": " << r.err;
    EXPECT_EQ(fs::exists(store + "/images/bb.json"), std::string(verb) == "convert") << verb;
  }
}

}  // namespace
}  // namespace grove::testing
