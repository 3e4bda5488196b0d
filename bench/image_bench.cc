// grove-bench image: page cache of containers from two images sharing most files, with and
// without EROFS inode_share, and creation time from images vs a directory (image_bench.h).

#include "bench/image_bench.h"

#include <fcntl.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "bench/cli_internal.h"
#include "bench/cli_setup.h"
#include "bench/stats.h"
#include "libcontainer/base/defer.h"
#include "libcontainer/base/strings.h"
#include "libcontainer/image/build.h"

namespace grove::bench {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kMiB = 1024 * 1024;
constexpr int kOwnFiles = 4;
constexpr std::size_t kOwnFileSize = 64 * 1024;
constexpr const char* kDomain = "grove-bench";
// busybox dd reads with read(2); busybox cat copies with sendfile(2).
constexpr const char* kReadAll =
    "for f in /data/shared/* /data/own/*; do dd if=$f of=/dev/null bs=1M 2>/dev/null; done";
constexpr const char* kSendfileAll = "cat /data/shared/* /data/own/* > /dev/null";

// /proc/meminfo "Cached:" in bytes.
Result<int64_t> cached_bytes(sys::Ops& ops) {
  GROVE_ASSIGN_OR_RETURN(std::string info, ops.read_file_at(AT_FDCWD, "/proc/meminfo"));
  std::istringstream in(info);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("Cached:", 0) == 0) return std::atoll(line.c_str() + 7) * 1024;
  }
  return Error::plain(EIO, "no Cached: line in /proc/meminfo");
}

// One version of the tree: the bench's busybox rootfs (+ cat), `shared_mib` identical 1 MiB
// files (pseudo-random: no two pages alike) and kOwnFiles files that depend on `variant`.
Status make_tree(const std::string& rootfs, const std::string& dir, int shared_mib, char variant) {
  std::error_code ec;
  fs::copy(rootfs, dir, fs::copy_options::recursive | fs::copy_options::copy_symlinks, ec);
  if (ec) return Error::from_errno(ec.value(), "copy " + q(rootfs) + " to " + q(dir));
  fs::create_symlink("busybox", dir + "/bin/cat", ec);
  fs::create_symlink("busybox", dir + "/bin/dd", ec);
  fs::create_directories(dir + "/data/shared", ec);
  fs::create_directories(dir + "/data/own", ec);
  if (ec) return Error::from_errno(ec.value(), "mkdir " + q(dir + "/data"));
  std::string block(kMiB, '\0');
  for (int f = 0; f < shared_mib; ++f) {
    uint32_t x = 2166136261u ^ static_cast<uint32_t>(f);
    for (char& c : block) {
      x = x * 1664525u + 1013904223u;
      c = static_cast<char>(x >> 24);
    }
    std::ofstream out(dir + "/data/shared/f" + std::to_string(f), std::ios::binary);
    if (!(out << block)) return Error::plain(EIO, "write " + q(dir + "/data/shared"));
  }
  for (int f = 0; f < kOwnFiles; ++f) {
    std::ofstream out(dir + "/data/own/g" + std::to_string(f), std::ios::binary);
    if (!(out << std::string(kOwnFileSize, static_cast<char>(variant + f)))) {
      return Error::plain(EIO, "write " + q(dir + "/data/own"));
    }
  }
  return ok();
}

// Everything a run needs: the scratch dirs (CliScratch: busybox rootfs, bundles, state root,
// cgroups; all removed by its destructor), the two trees and their images.
struct Setup {
  CliScratch scratch;
  std::string root;  // grove --root
  std::string tree_a, image_a, image_b;
  std::string err;  // stderr captures
};

Result<Setup> prepare(sys::Ops& ops, const ImageBenchConfig& cfg) {
  const char* tmp = std::getenv("TMPDIR");
  std::string base = cfg.tmp_dir;
  if (base.empty()) base = tmp != nullptr && *tmp != '\0' ? tmp : "/var/tmp";
  GROVE_ASSIGN_OR_RETURN(CliScratch scratch, CliScratch::create(ops, cfg.busybox, base));
  Setup s{std::move(scratch), "", "", "", "", ""};
  GROVE_ASSIGN_OR_RETURN(s.root, s.scratch.state_root("grove"));
  s.err = s.scratch.dir() + "/stderr";
  for (char v : {'a', 'b'}) {
    const std::string tree = s.scratch.dir() + "/tree-" + std::string(1, v);
    GROVE_TRY(make_tree(s.scratch.rootfs(), tree, cfg.shared_mib, v));
    image::BuildRequest req;
    req.source = tree;
    req.output = s.scratch.dir() + "/" + std::string(1, v) + ".erofs";
    GROVE_TRY(image::build_image(ops, req).context("image " + q(req.output)));
    (v == 'a' ? s.image_a : s.image_b) = req.output;
    if (v == 'a') s.tree_a = tree;
  }
  return s;
}

std::vector<std::string> grove_argv(const ImageBenchConfig& cfg, const Setup& s,
                                    std::vector<std::string> verb) {
  std::vector<std::string> argv = {cfg.grove, "--root", s.root};
  argv.insert(argv.end(), verb.begin(), verb.end());
  return argv;
}

// A bundle whose root is `image` with cfg.upper, optionally with the sharing domain.
Result<std::string> image_bundle(const ImageBenchConfig& cfg, Setup& s, const std::string& name,
                                 const std::string& image, const std::vector<std::string>& args,
                                 bool domain) {
  nlohmann::json c = bench_config(Variant::kDefault, args, s.scratch.dir() + "/no-rootfs",
                                  s.scratch.cgroups_path("image"), nullptr);
  c["annotations"]["run.grove.rootfs.images"] = image;
  c["annotations"]["run.grove.rootfs.upper"] = cfg.upper;
  if (domain) c["annotations"]["run.grove.image.domain"] = kDomain;
  return s.scratch.bundle(name, c);
}

// One page-cache phase: holders keep both images mounted while `count` readers run.
Result<int64_t> cache_phase(sys::Ops& ops, const ImageBenchConfig& cfg, Setup& s, bool domain) {
  const std::string tag = domain ? "share" : "plain";
  std::string bundles[2];
  for (int i = 0; i < 2; ++i) {
    GROVE_ASSIGN_OR_RETURN(
        bundles[i],
        image_bundle(cfg, s, tag + (i == 0 ? "-a" : "-b"), i == 0 ? s.image_a : s.image_b,
                     {"sh", "-c", cfg.reader == "read" ? kReadAll : kSendfileAll}, domain));
  }
  Sample ignored;
  std::vector<std::string> made;
  Defer cleanup([&] {
    for (const std::string& id : made) {
      (void)spawn_wait(grove_argv(cfg, s, {"delete", "--force", id}), s.err, &ignored);
    }
  });
  for (int i = 0; i < 2; ++i) {
    std::string id = tag + "-hold-" + std::to_string(i);
    GROVE_TRY(
        spawn_wait(grove_argv(cfg, s, {"create", "--bundle", bundles[i], id}), s.err, &ignored));
    made.push_back(id);
  }
  GROVE_ASSIGN_OR_RETURN(int64_t before, cached_bytes(ops));
  for (int i = 0; i < cfg.count; ++i) {
    std::string id = tag + "-read-" + std::to_string(i);
    GROVE_TRY(
        spawn_wait(grove_argv(cfg, s, {"run", "--bundle", bundles[i % 2], id}), s.err, &ignored));
  }
  GROVE_ASSIGN_OR_RETURN(int64_t after, cached_bytes(ops));
  return after - before;
}

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

// `grove create` timed, then an untimed delete; image and directory roots take turns after
// one untimed warm-up each.
Status create_phase(const ImageBenchConfig& cfg, Setup& s, ImageBenchResult* r) {
  GROVE_ASSIGN_OR_RETURN(std::string img,
                         image_bundle(cfg, s, "create-image", s.image_a, {"true"}, false));
  GROVE_ASSIGN_OR_RETURN(
      std::string dir,
      s.scratch.bundle("create-dir", bench_config(Variant::kDefault, {"true"}, s.tree_a,
                                                  s.scratch.cgroups_path("dir"), nullptr)));
  Sample ignored;
  for (int i = -1; i < cfg.count; ++i) {
    for (int k = 0; k < 2; ++k) {
      std::string id = std::string(k == 0 ? "ci-" : "cd-") + std::to_string(i + 1);
      auto t0 = std::chrono::steady_clock::now();
      GROVE_TRY(spawn_wait(grove_argv(cfg, s, {"create", "--bundle", k == 0 ? img : dir, id}),
                           s.err, &ignored));
      double ms = ms_since(t0);
      GROVE_TRY(spawn_wait(grove_argv(cfg, s, {"delete", "--force", id}), s.err, &ignored));
      if (i >= 0) (k == 0 ? r->create_image_ms : r->create_dir_ms).push_back(ms);
    }
  }
  return ok();
}

}  // namespace

bool ImageBenchResult::any_failed() const {
  if (!failed.empty()) return true;
  for (const CacheRow& c : cache) {
    if (!c.failed.empty()) return true;
  }
  return false;
}

Status validate(const ImageBenchConfig& cfg) {
  if (cfg.count < 2) return Error::invalid("--count: at least 2 (one container per image)");
  if (cfg.shared_mib < 1 || cfg.shared_mib > 4096) {
    return Error::invalid("--shared-mib: 1..4096, not " + std::to_string(cfg.shared_mib));
  }
  if (cfg.grove.empty()) return Error::invalid("--grove: empty path");
  if (cfg.upper != "tmpfs" && cfg.upper != "none") {
    return Error::invalid("--upper: tmpfs or none, not " + q(cfg.upper));
  }
  if (cfg.reader != "read" && cfg.reader != "sendfile") {
    return Error::invalid("--reader: read or sendfile, not " + q(cfg.reader));
  }
  return ok();
}

Result<ImageBenchResult> run_image_bench(sys::Ops& ops, const sys::Features& features,
                                         const ImageBenchConfig& cfg) {
  GROVE_TRY(validate(cfg));
  GROVE_ASSIGN_OR_RETURN(Setup s, prepare(ops, cfg));
  ImageBenchResult r;
  auto rel = ops.uname();
  r.kernel = rel ? rel->release : "?";
  r.pid = ops.getpid();
  r.shared_bytes = static_cast<uint64_t>(cfg.shared_mib) * kMiB;
  r.own_bytes = kOwnFiles * kOwnFileSize;
  r.how = features.erofs_file_backed ? "file-backed (loop on ENOTBLK)" : "loop device";
  for (bool domain : {false, true}) {
    CacheRow row;
    row.mode = domain ? "inode_share,domain_id" : "no inode_share";
    if (domain && !features.erofs_inode_share) {
      row.na = features.erofs_inode_share.reason;
    } else {
      auto delta = cache_phase(ops, cfg, s, domain);
      if (delta) {
        row.cached_delta = *delta;
      } else {
        row.failed = delta.error().message();
      }
    }
    r.cache.push_back(row);
  }
  Status st = create_phase(cfg, s, &r);
  if (!st) r.failed = st.error().message();
  return r;
}

}  // namespace grove::bench
