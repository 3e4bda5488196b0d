#pragma once
// What a `"type": "cgroup"` mount shows on a host with cgroup v1 hierarchies (hybrid or legacy):
// the container's OWN cgroups, laid out like the host's /sys/fs/cgroup (runc 1.1
// libcontainer/rootfs_linux.go mountCgroupV1). A plain value computed outside the planner from
// the container's cgroup directories (container/cgroups.h cgroup_mount_view) and handed to it in
// PlanOptions::cgroup_view. On a pure cgroup v2 host there is no view: the mount is a fresh
// cgroup2 instance, whose root is the container's cgroup namespace root.

#include <string>
#include <vector>

namespace grove::plan {

// One hierarchy of the view: the container's directory in it, bound at <dest>/<name>.
struct CgroupViewDir {
  std::string name;                // basename of the host mount point: "memory", "cpu,cpuacct",
                                   // "systemd" (name=systemd), "unified" (hybrid cgroup2)
  std::string host_dir;            // the container's cgroup directory there (a host path)
  std::vector<std::string> links;  // <dest>/<link> -> name: "cpu", "cpuacct" for "cpu,cpuacct"
  bool operator==(const CgroupViewDir&) const = default;
};

// The planned mount (plan_mounts) for a view with directories, at destination D:
//   tmpfs "tmpfs" on D, mode=755, nosuid|nodev|noexec (runc's tmpfs; SELinux mount label)
//   for each dir: recursive bind of host_dir on D/name with the spec mount's attributes
//   for each link: symlink D/link -> name
//   when the spec mount is read-only: D (tmpfs and binds) made read-only last (ReadonlyPath)
// An empty `dirs` (the container has no cgroup: rootless without a writable one) plans the
// tmpfs alone, read-only: an honest empty view, never the host's hierarchy roots.
struct CgroupView {
  std::vector<CgroupViewDir> dirs;  // v1 hierarchies in host mount order, then cgroup2
  bool operator==(const CgroupView&) const = default;
};

}  // namespace grove::plan
