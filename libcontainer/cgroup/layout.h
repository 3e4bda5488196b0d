#pragma once
// Where the host's cgroup hierarchies are and where a container's cgroup goes in them. Pure
// parsers of /proc/self/mountinfo and /proc/self/cgroup plus runc's cgroupsPath rules; the
// manager (manager.h) turns the result into directories.
//
// Modes: a pure v2 host has one cgroup2 mount and no v1 controller mount; a hybrid host (this
// project's CI machine: memory/pids/cpu/... on v1, an empty cgroup2 at /sys/fs/cgroup/unified)
// has both; a legacy host has only v1. Resource limits go to v2 only on a pure v2 host
// (kUnifiedOnly); otherwise the v1 controllers take them and the cgroup2 directory, when there
// is one, is still used for what needs no controller (cgroup.procs, cgroup.kill, clone3
// CLONE_INTO_CGROUP, device BPF programs are not used there: v1 devices is).

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "libcontainer/base/result.h"

namespace grove::cgroup {

// One mounted v1 hierarchy: its mount point and the controllers it carries ("cpu", "cpuacct",
// ... and named hierarchies as "name=systemd").
struct V1Mount {
  std::string mountpoint;
  std::vector<std::string> controllers;
  bool operator==(const V1Mount&) const = default;
};

enum class Mode { kNone, kUnifiedOnly, kHybrid, kLegacy };

struct Layout {
  std::string unified;      // cgroup2 mount point ("" = none)
  std::vector<V1Mount> v1;  // in mountinfo order, one per hierarchy
  Mode mode() const;
  // The v1 mount carrying `controller`, or nullptr.
  const V1Mount* v1_mount(std::string_view controller) const;
  bool operator==(const Layout&) const = default;
};

// The host's hierarchies from mountinfo text: the first mount of each hierarchy whose root is
// "/" (bind mounts of sub-cgroups, e.g. inside containers, are skipped). Pure. Errors: EINVAL on
// a malformed line (with its number).
[[nodiscard]] Result<Layout> parse_layout(std::string_view mountinfo);

// /proc/self/cgroup: hierarchy key -> path. Keys: "" for the v2 line ("0::/x"), each controller
// of a v1 line ("4:memory:/a" -> "memory"), named hierarchies as "name=systemd". Pure.
[[nodiscard]] Result<std::map<std::string, std::string>> parse_proc_cgroup(std::string_view text);

// runc's utils.CleanPath: lexical clean; a relative path is cleaned as if rooted so ".." cannot
// climb above it ("../../a" -> "a"). "" stays "". Pure.
std::string clean_path(std::string_view path);

// The container's cgroup path from linux.cgroupsPath (cgroupfs driver, runc's rules): an
// absolute path is used as is (cleaned); a relative one is joined under the runtime's own
// cgroup of each hierarchy (resolve_dir()); "" means "/<id>" (crun's default: runc's would be
// relative to the runtime's cgroup, which on a shared machine is somebody else's). A systemd
// "slice:prefix:name" path is refused with ENOTSUP here (no systemd driver; see README).
// Errors: EINVAL naming linux.cgroupsPath for "." / "/" (the root cgroup is never a container's).
[[nodiscard]] Result<std::string> container_path(std::string_view cgroups_path,
                                                 std::string_view id);

// The absolute directory of `path` (from container_path) in a hierarchy mounted at
// `mountpoint`, whose own-cgroup entry for this process is `own` (used for relative paths; on
// v2 runc takes the parent of the own cgroup, which holds no processes). Pure.
std::string resolve_dir(std::string_view mountpoint, std::string_view path, std::string_view own,
                        bool unified);

}  // namespace grove::cgroup
