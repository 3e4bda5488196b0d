#pragma once
// The parent side of container-init creation: namespaces from the spec, clone3(CLONE_NEW* |
// CLONE_PIDFD), user-namespace id maps, and the wait for the init's `ready`.
// The caller must be single-threaded at clone time (style.md §2.8).

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "libcontainer/base/result.h"
#include "libcontainer/base/unique_fd.h"
#include "libcontainer/process/init.h"
#include "libcontainer/sys/ops.h"
#include "oci/spec.h"

namespace grove::process {

struct SpawnOptions {
  const oci::Spec* spec = nullptr;  // borrowed; process and root must be set
  std::string rootfs;               // absolute host path
  int state_dir_fd = -1;            // borrowed O_PATH|O_DIRECTORY fd of <root>/<id>
  int inherit_fds = 0;              // --preserve-fds + LISTEN_FDS: fds 3.. kept for the process
  const plan::MountPlan* mount_plan = nullptr;  // borrowed; required with a mount namespace
  bool no_new_keyring = false;
  // OCI hooks (container/hooks.h). `create_runtime_hooks`, when set, runs in this process at the
  // init's hook point (kHooks: namespaces and mounts ready, before the root switch) with the
  // init's pid; its failure kills the init and fails spawn_init with that error (no `container
  // init` frame: it is not the init's). The two others run in the init (InitConfig).
  std::function<Status(pid_t init_pid)> create_runtime_hooks;
  std::function<Status(sys::Ops&, pid_t host_pid)> create_container_hooks;
  std::function<Status(sys::Ops&, pid_t host_pid)> start_container_hooks;
  const ProcSettings* settings = nullptr;  // borrowed; plan_proc_settings() result (optional)
  // linux.seccomp compiled by the caller (borrowed; nullptr: none), see InitConfig::seccomp.
  const security::SeccompProgram* seccomp = nullptr;
  // Called with the init's pid and the notify listener fd when `seccomp` uses SCMP_ACT_NOTIFY,
  // before the init reports ready (it delivers the fd to listenerPath). An error fails the spawn.
  std::function<Status(pid_t, UniqueFd)> on_seccomp_fd;
  // The container's cgroup (container/cgroups.h). `cgroup_fd` (borrowed, -1 = none): a cgroup2
  // directory the init is cloned into (clone3 CLONE_INTO_CGROUP). `join_cgroup`, when set, moves
  // the init into the remaining cgroups (v1 hierarchies) before it goes on: the init then waits
  // for kGo, and a new cgroup namespace is unshared by the init after the move rather than at
  // clone (its root must be the container's cgroup in every hierarchy). An error fails the spawn.
  int cgroup_fd = -1;
  std::function<Status(pid_t)> join_cgroup;
  // linux.netDevices (net/net_devices.h): when set, runs with the init's pid after the cgroup
  // and id maps and before the init goes on (the init then waits for kGo), so the devices are
  // in its network namespace before hooks, sysctls and the process. An error fails the spawn.
  std::function<Status(pid_t)> setup_network;
  // When set, runs with the init's pid right after the clone, before anything else of the spawn
  // (the caller records the pid, so a runtime killed from then on leaves the init findable). An
  // error kills the init and fails the spawn.
  std::function<Status(pid_t)> on_cloned;
};

struct Spawned {
  pid_t pid = 0;
  UniqueFd pidfd;    // owned, close-on-exec
  UniqueFd console;  // process.terminal: the pty master the init sent (owned); else empty
};

// The CLONE_NEW* flags for the namespaces the spec asks to create (entries without a path).
// Pure. CLONE_NEWTIME is included (spawn_init drops it when linux.timeOffsets are set: see
// time_ns.h). With the
// open-tree-namespace strategy CLONE_NEWNS is left out: the init gets its mount namespace from
// open_tree(OPEN_TREE_NAMESPACE) + setns instead of copying the host's.
uint64_t clone_flags(const oci::Spec& spec, const plan::MountPlan* mount_plan = nullptr);

// Whether the init creates its cgroup namespace itself, after the parent placed it in its cgroups
// (spawn_init with join_cgroup and a new cgroup namespace): clone_flags() minus CLONE_NEWCGROUP.
bool unshare_cgroupns_late(const oci::Spec& spec, bool join_cgroup);

// "<containerID> <hostID> <size>\n" lines for /proc/<pid>/{uid,gid}_map. Pure.
std::string format_id_map(const std::vector<oci::IdMapping>& mappings);

// Opens the namespaces the spec joins by path, user first (so the init gains the rights to
// join the others), the pid namespace excluded (joined by the parent, see spawn_init).
// Errors: open errno with a `linux.namespaces "<type>" "<path>"` frame.
[[nodiscard]] Result<std::vector<std::pair<UniqueFd, JoinNamespace>>> open_join_namespaces(
    sys::Ops& ops, const oci::Spec& spec);

// Clones the container init and waits until it reports `ready` (set up, blocked on the exec
// fifo); with process.terminal the init's console master is received first (Spawned::console). A pid namespace given by path is entered by the parent for the clone (setns only sets
// pid_for_children) and left again afterwards. On an init failure the child is reaped and its
// error is returned with a `container init` frame; the error codes are the init's.
[[nodiscard]] Result<Spawned> spawn_init(sys::Ops& ops, const SpawnOptions& opts);

}  // namespace grove::process
