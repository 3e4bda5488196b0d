#pragma once
// What image roots leave on the host, for the image e2e and priv tests: mountinfo lines parsed
// into {mount point, fstype, super options}, and the loop devices bound to files under a
// directory (/sys/block/loop*/loop/backing_file). Read-only; no root needed to call.

#include <set>
#include <string>
#include <vector>

namespace grove::testing {

struct MountLine {
  std::string point;    // field 5: the mount point
  std::string options;  // field 6: the per-mount options
  std::string fstype;   // the first field after " - "
  std::string source;   // the second field after " - "
};

// Parses /proc/<pid>/mountinfo text; lines without a " - " separator are skipped.
std::vector<MountLine> parse_mountinfo(const std::string& text);

// The loop devices (names like "loop3") whose backing file path starts with `dir`.
std::vector<std::string> loops_backed_by(const std::string& dir);

// Mounts of this process (/proc/self/mountinfo) of type erofs or overlay whose mount point or
// source starts with one of `prefixes`, one "fstype point source" line each.
std::vector<std::string> image_mounts_under(const std::vector<std::string>& prefixes);

// The layer mount cache (image/mount_cache.h) as tests see it. Both are safe while other tests
// use the cache at the same time (ctest -j).
// Keys (entry names under `cache`) whose <cache>/<key>/mnt is an erofs mount of this process.
std::set<std::string> cache_mount_keys(const std::string& cache);
// Keys mounted without any holder file: a leak whoever made it. Read under <cache>/lock (the
// flock acquire/release hold), so an entry half-way through an acquire or release is not seen.
// Empty when there is no cache.
std::vector<std::string> unheld_cache_mounts(const std::string& cache);

// mkdtemp of <base>/<prefix>.XXXXXX where base is $TMPDIR, else /var/tmp: a disk filesystem
// for EROFS images (file-backed mounts refuse tmpfs files with ENOTBLK; the tests/vm guest has
// TMPDIR=/tmp on ext4 and no /var/tmp). "" when mkdtemp fails.
std::string make_image_temp_dir(const std::string& prefix);

}  // namespace grove::testing
