#pragma once
// grove-bench image (issue #7 "Measure", issue #8 "image root vs directory root"): containers
// whose roots are EROFS images grove wrote, through the grove binary.
//
// Two trees share `shared_mib` MiB of identical files (1 MiB each) and differ in a few small
// ones (two versions of one tree); each also holds the busybox rootfs. `grove image build` makes
// A.erofs and B.erofs (fingerprints on) in a scratch dir on a real filesystem.
//
// Page cache: for each sharing mode (without, then with `run.grove.image.domain`, i.e.
// inode_share,domain_id, when the kernel has it; "n/a" with the probe's reason otherwise) one
// created-but-not-started holder container per image keeps the layers mounted, then `count`
// containers (alternately of A and B) each read every data file (`reader`) and exit; the growth of
// /proc/meminfo "Cached" over the phase is the page cache the containers cost. Without sharing
// it is ~2x the shared bytes, with sharing ~1x.
//
// Creation time: `grove create` of `count` containers from image A (`upper`) and from tree A
// as a plain rootfs directory, taking turns; each is deleted (untimed) before the next.

#include <cstdint>
#include <string>
#include <vector>

#include "libcontainer/base/result.h"
#include "libcontainer/sys/features.h"
#include "libcontainer/sys/ops.h"

namespace grove::bench {

struct ImageBenchConfig {
  int count = 8;        // containers per phase (>= 2)
  int shared_mib = 32;  // identical MiB in both images (>= 1)
  std::string grove;    // the grove binary
  std::string busybox = "/bin/busybox";
  std::string tmp_dir;  // "" = $TMPDIR, else /var/tmp (never tmpfs: file-backed EROFS)
  // run.grove.rootfs.upper of every image container: "tmpfs" (overlayfs over the layer) or
  // "none" (the read-only EROFS mount itself is the root: no overlayfs in the read path).
  std::string upper = "tmpfs";
  // How the containers read the data: "read" (busybox dd: read(2)) or "sendfile" (busybox cat:
  // sendfile(2), i.e. splice). 7.1.5 shares page cache only on the read path: its EROFS
  // inode_share file ops splice from the image's own mapping (filemap_splice_read), not the
  // shared inode's, so sendfile readers cache each image's copy.
  std::string reader = "read";
};

struct CacheRow {
  std::string mode;          // "no inode_share" | "inode_share,domain_id"
  std::string na;            // not run, and why
  std::string failed;        // the error, when it failed
  int64_t cached_delta = 0;  // bytes
};

struct ImageBenchResult {
  std::string kernel;
  int pid = 0;                // the bench's pid (names its scratch and state dirs)
  uint64_t shared_bytes = 0;  // identical data bytes per image
  uint64_t own_bytes = 0;     // differing data bytes per image
  std::string how;            // how the layers were mounted ("file-backed" or "loop")
  std::vector<CacheRow> cache;
  std::vector<double> create_image_ms, create_dir_ms;
  std::string failed;  // the creation-time phase's error
  bool any_failed() const;
};

// Checks the config (count >= 2, 1 <= shared_mib <= 4096, upper tmpfs|none, reader
// read|sendfile, grove set). EINVAL
// naming the flag.
[[nodiscard]] Status validate(const ImageBenchConfig& cfg);

// Runs both measurements. Errors: setup (scratch dir, busybox missing, image build); a failing
// phase is recorded in its row instead. Leaves no container, mount, cgroup or file behind.
[[nodiscard]] Result<ImageBenchResult> run_image_bench(sys::Ops& ops, const sys::Features& features,
                                                       const ImageBenchConfig& cfg);

// The human table and the JSON document ({"mode":"image", "kernel", "pid", "count", "shared_bytes",
// "own_bytes", "page_cache": [{"mode", "cached_bytes", "ratio_to_shared", "implausible" (grew
// less than 0.9 x shared: other activity moved the counter)} | {"mode","na"} |
// {"mode","failed"}], "create_ms": {"image": {median,min,max}, "directory": {...}}}). Pure.
std::string format_image_table(const ImageBenchConfig& cfg, const ImageBenchResult& r);
std::string format_image_json(const ImageBenchConfig& cfg, const ImageBenchResult& r);

}  // namespace grove::bench

namespace grove::bench {

// `grove-bench image [--count N] [--shared-mib M] [--upper tmpfs|none] [--reader read|sendfile]
// [--grove PATH] [--busybox PATH] [--tmpdir DIR] [--json]`: parses argv (argv[1] == "image"), runs,
// prints. Returns the exit code: 0 every phase ran or was n/a, 1 a phase or the setup failed, 2 a
// usage error (`usage` is printed with it).
int run_image_mode(int argc, char** argv, const char* usage);

}  // namespace grove::bench
