#pragma once
// The bench's scratch area and its "host" mount table. A directory <tmp>/grove-bench.<pid>
// holds rootfs/ (the empty directories the bench container's plan mounts on: proc, dev; nothing
// is exec'd, so no binaries) and hosts/, where a tmpfs carries the extra mounts that grow the
// mount table. Not thread-safe; one per process.

#include <string>

#include "libcontainer/base/result.h"
#include "libcontainer/sys/ops.h"

namespace grove::bench {

class Scratch {
 public:
  // Creates the directories under `tmp_dir` ("" means $TMPDIR, else /tmp). Errors: mkdirat errno
  // naming the path.
  [[nodiscard]] static Result<Scratch> create(sys::Ops& ops, const std::string& tmp_dir);

  Scratch(Scratch&& other) noexcept;
  Scratch& operator=(Scratch&&) = delete;
  Scratch(const Scratch&) = delete;
  // Detaches the hosts/ tmpfs (and every extra mount under it) and removes the directories.
  ~Scratch();

  // unshare(CLONE_NEWNS), "/" MS_REC|MS_PRIVATE, and a tmpfs on hosts/: from here on, every
  // mount this process makes stays in its own namespace and dies with it. Call once, from a
  // single-threaded process. Errors: the failing step's errno.
  [[nodiscard]] Status enter_private_namespace();

  // Mounts small tmpfs instances on fresh directories under hosts/ until /proc/self/mountinfo
  // has at least `target` lines; returns the line count then (more than `target` when the table
  // was already bigger). Needs enter_private_namespace() first. Errors: mkdirat/mount errno.
  [[nodiscard]] Result<int> grow_mount_table(int target);

  const std::string& dir() const { return dir_; }
  const std::string& rootfs() const { return rootfs_; }

 private:
  explicit Scratch(sys::Ops& ops) : ops_(&ops) {}
  Result<int> count_mounts();

  sys::Ops* ops_;
  std::string dir_;     // empty after a move
  std::string rootfs_;  // dir_/rootfs
  std::string hosts_;   // dir_/hosts
  bool hosts_mounted_ = false;
  int extra_ = 0;  // extra mounts made under hosts/
};

}  // namespace grove::bench
