#include "bench/scratch.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>

#include <algorithm>
#include <cstdlib>

#include "libcontainer/base/strings.h"

namespace grove::bench {

Result<Scratch> Scratch::create(sys::Ops& ops, const std::string& tmp_dir) {
  std::string base = tmp_dir;
  if (base.empty()) {
    const char* env = std::getenv("TMPDIR");
    base = env != nullptr && *env != '\0' ? env : "/tmp";
  }
  Scratch s(ops);
  const std::string dir = base + "/grove-bench." + std::to_string(ops.getpid());
  GROVE_TRY(ops.mkdirat(AT_FDCWD, dir, 0700).context("scratch directory " + q(dir)));
  s.dir_ = dir;  // from here on the destructor cleans up
  s.rootfs_ = dir + "/rootfs";
  s.hosts_ = dir + "/hosts";
  for (const std::string& d : {s.rootfs_, s.rootfs_ + "/proc", s.rootfs_ + "/dev", s.hosts_}) {
    GROVE_TRY(ops.mkdirat(AT_FDCWD, d, 0755).context("scratch directory " + q(d)));
  }
  return s;
}

Scratch::Scratch(Scratch&& other) noexcept
    : ops_(other.ops_),
      dir_(std::move(other.dir_)),
      rootfs_(std::move(other.rootfs_)),
      hosts_(std::move(other.hosts_)),
      hosts_mounted_(other.hosts_mounted_),
      extra_(other.extra_) {
  other.dir_.clear();
  other.hosts_mounted_ = false;
}

Scratch::~Scratch() {
  if (dir_.empty()) return;
  // Best effort: the private namespace (and so every mount) dies with the process anyway.
  if (hosts_mounted_) (void)ops_->umount2(hosts_, MNT_DETACH);
  for (const std::string& d : {rootfs_ + "/proc", rootfs_ + "/dev", rootfs_, hosts_, dir_}) {
    (void)ops_->unlinkat(AT_FDCWD, d, AT_REMOVEDIR);
  }
}

Status Scratch::enter_private_namespace() {
  GROVE_TRY(ops_->unshare(CLONE_NEWNS).context("private mount namespace"));
  GROVE_TRY(ops_->mount("", "/", "", MS_REC | MS_PRIVATE, "").context("private mount namespace"));
  // One tmpfs holds every extra mount point, so nothing but hosts/ itself touches the disk.
  GROVE_TRY(
      ops_->mount("grove-bench", hosts_, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0755")
          .context("host mounts tmpfs"));
  hosts_mounted_ = true;
  return ok();
}

Result<int> Scratch::count_mounts() {
  GROVE_ASSIGN_OR_RETURN(std::string info, ops_->read_file_at(AT_FDCWD, "/proc/self/mountinfo"));
  return static_cast<int>(std::count(info.begin(), info.end(), '\n'));
}

Result<int> Scratch::grow_mount_table(int target) {
  GROVE_ASSIGN_OR_RETURN(int now, count_mounts().context("host mount count"));
  for (; now < target; ++now, ++extra_) {
    const std::string m = hosts_ + "/m" + std::to_string(extra_);
    GROVE_TRY(ops_->mkdirat(AT_FDCWD, m, 0755).context("host mount " + q(m)));
    GROVE_TRY(ops_->mount("grove-bench", m, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                          "size=4k,mode=0755")
                  .context("host mount " + q(m)));
  }
  return count_mounts().context("host mount count");
}

}  // namespace grove::bench
