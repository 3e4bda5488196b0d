#pragma once
// The on-disk container state under `--root` (default /run/grove):
//   <root>/<id>/state.json   ContainerRecord as JSON, replaced atomically (temp + rename)
//   <root>/<id>/lock         flock(LOCK_EX) held by whoever reads-modifies-writes this container
//   <root>/<id>/exec.fifo    created by create, removed by start (see container/lifecycle.cc)
//   <root>/<id>/rootfs, upper  mount points of an image root (container/image_root.h)
// create() builds the directory under <root>/.tmp-<pid> and renames it into place with the lock
// held, so <root>/<id> never exists without a held or holdable lock. Concurrent create/kill/delete
// on one id serialise on the lock; a deleted container's lock file is unlinked while held, so a
// waiter that then gets the lock sees "does not exist".
// Not thread-safe per StateStore object; safe across processes. No fd is inherited (O_CLOEXEC).

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "libcontainer/base/result.h"
#include "libcontainer/base/unique_fd.h"
#include "libcontainer/sys/ops.h"
#include "oci/spec.h"

namespace grove::container {

// What grove records per container. `phase` is what the runtime last did ("creating", "created",
// "running"); the status users see is derived from it plus the live process (status.h).
struct ContainerRecord {
  std::string oci_version;
  std::string id;
  std::string phase = "creating";
  bool paused = false;
  pid_t init_pid = 0;
  // Field 22 of /proc/<pid>/stat when init was created; a different value means pid reuse.
  uint64_t init_start_time = 0;
  std::string bundle;       // absolute bundle directory
  std::string rootfs;       // absolute rootfs path
  std::string config_path;  // absolute path of config.json
  std::string created;      // RFC 3339 UTC with nanoseconds, like runc
  std::string mount_strategy;
  // The container's cgroup (cgroup/manager.h Dirs): its path and, per hierarchy, the directory
  // ("" = cgroup2, else a v1 controller). Recorded before the directories are made, so a
  // killed create still leaves `delete --force` enough to remove them. Empty: no cgroup.
  std::string cgroup_path;
  std::map<std::string, std::string> cgroup_dirs;
  bool own_pid_ns = false;  // init is pid 1 of a namespace grove created
  // linux.intelRdt (rdt/intel_rdt.h Group): the CLOS group directory ("" = none), whether grove
  // made it (delete removes it then) and the monitoring group ("" = none).
  std::string rdt_dir;
  bool rdt_created = false;
  std::string rdt_mon_dir;
  // An image root (image/root_spec.h): the layer mount cache directory and the keys of the
  // layers this container may hold there, recorded before any is acquired so `delete --force`
  // after a killed create releases them. Empty image_cache: the rootfs is a plain directory.
  std::string image_cache;
  std::vector<std::string> image_layers;
  std::map<std::string, std::string> annotations;
  // config.json's hooks as of create: poststart and poststop run from here (runtime.md: config
  // changes after create must not affect the container; the bundle may be gone at delete).
  oci::Hooks hooks;
};

// Serialises / parses a record. parse: EINVAL with the JSON problem on a corrupt file.
std::string record_to_json(const ContainerRecord& r);
Result<ContainerRecord> record_from_json(std::string_view text);

// The state root's entry that is not a container: the compiled seccomp filter cache
// (security/seccomp_cache.cc, <root>/.cache/seccomp, as in crun).
inline constexpr std::string_view kCacheDirName = ".cache";

// runc's id rule: ^[\w+-\.]+$ (the class is "+" through "." i.e. "+,-."), and neither "." nor
// "..", nor kCacheDirName. Errors: EINVAL "invalid container ID format" (runc's string) plus the
// quoted id.
Status validate_id(std::string_view id);

// EEXIST "container with given ID already exists" (runc's string).
Error exists_error(std::string_view id);
// ENOENT `container "x" does not exist` (engines match "does not exist").
Error not_exist_error(std::string_view id);

// An exclusive flock on one container. Released (closed) on destruction. Move-only.
class Lock {
 public:
  Lock() = default;
  explicit Lock(UniqueFd fd) : fd_(std::move(fd)) {}
  bool held() const noexcept { return fd_.valid(); }
  int fd() const noexcept { return fd_.get(); }
  void release() noexcept { fd_.reset(); }

 private:
  UniqueFd fd_;
};

class StateStore {
 public:
  // `root` is created (0700, with parents) on first create(); it need not exist for reads.
  StateStore(sys::Ops& ops, std::string root);

  const std::string& root() const noexcept { return root_; }
  // <root>/<id> (no validation; call validate_id first).
  std::string dir(std::string_view id) const;

  // Creates <root>/<id> (0711) and its lock file and returns the lock held; built as
  // <root>/.tmp-<pid> and renamed (RENAME_NOREPLACE) into place. Errors: EINVAL bad id; EEXIST
  // exists_error() (also for the losers of concurrent creates); mkdir/open/flock/renameat2
  // errno. On failure nothing is left behind.
  [[nodiscard]] Result<Lock> create(std::string_view id);
  // Locks an existing container (blocks while another process holds it). Errors: EINVAL bad
  // id; ENOENT not_exist_error() (also when it was deleted while we waited); flock errno.
  [[nodiscard]] Result<Lock> lock(std::string_view id);

  // Atomically replaces state.json (write temp, rename; no fsync: runtime state need not survive
  // a power loss). The caller holds the lock. Errors: open/write/rename errno.
  [[nodiscard]] Status save(const ContainerRecord& record);
  // Reads state.json. Errors: ENOENT not_exist_error(); EINVAL corrupt JSON.
  [[nodiscard]] Result<ContainerRecord> load(std::string_view id) const;
  // Ids of every directory under root that holds a state.json, sorted. A missing root lists
  // nothing. Errors: opendir errno.
  [[nodiscard]] Result<std::vector<std::string>> list() const;
  // Removes the `.tmp-<pid>` directories of creates that were killed before their rename (their
  // pid no longer runs). Best effort: errors are ignored. `delete` calls it, the verb that
  // cleans up after a crash.
  void sweep_stale_tmp() const;
  // Removes the container directory and everything grove put in it (files, and empty
  // directories: a directory still mounted on fails with EBUSY, never recursed into). The caller
  // holds `lock`, which stays held (its file is unlinked) until released. Errors: unlink/rmdir
  // errno.
  [[nodiscard]] Status remove(std::string_view id, Lock& lock);

 private:
  void discard_dir(const std::string& d) const;
  [[nodiscard]] Result<Lock> lock_new_dir(const std::string& tmp);

  sys::Ops* ops_;
  std::string root_;
};

}  // namespace grove::container
