#pragma once
// The container lifecycle API the CLI calls: create, start, state, list, kill, delete, pause,
// resume, update, stats.
// runc's semantics and error strings, because engines match on them (engines.md §2.5):
//   missing id        ENOENT  `container "x" does not exist`
//   bad id            EINVAL  `invalid container ID format: "x"`
//   duplicate id      EEXIST  `container with given ID already exists: "x"`
//   kill when stopped ESRCH   `container not running`
//   delete running    EBUSY   `cannot delete container x that is not stopped: running`
//   start not created EINVAL  `cannot start an already running container` / `... stopped` / ...
// Every function locks the container's state (flock) for its whole read-modify-write, so
// concurrent calls on one id serialise. The caller must be single-threaded (create clones).

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "libcontainer/base/result.h"
#include "libcontainer/cgroup/cgroup.h"
#include "libcontainer/container/state_store.h"
#include "libcontainer/container/status.h"
#include "libcontainer/plan/mount_plan.h"
#include "libcontainer/sys/ops.h"
#include "oci/spec.h"

namespace grove::container {

// The annotation that forces a mount strategy for one container (like --mount-strategy).
inline constexpr std::string_view kMountStrategyAnnotation = "run.grove.mount-strategy";

struct CreateOptions {
  std::string id;
  std::string bundle;          // bundle directory; made absolute
  oci::Spec spec;              // parsed and validated config.json of the bundle
  std::string root;            // state root (--root)
  std::string pid_file;        // "" = none; written (atomically) before create returns
  // process.terminal: where the console master goes, one SCM_RIGHTS fd (console.h). Either a
  // unix socket path (--console-socket; connected before anything is created) or an already
  // connected socket (borrowed; `run` in the foreground passes one end of a socketpair, like
  // runc's recvtty). Exactly one is required with process.terminal, none without.
  std::string console_socket;
  int console_socket_fd = -1;
  // --pidfd-socket (runc 1.2+): a unix socket path the init's pidfd is sent to (process/
  // pidfd_socket.h; connected before anything is created, sent before create returns). "" = none.
  std::string pidfd_socket;
  int preserve_fds = 0;        // --preserve-fds: fds 3..3+n-1 (after LISTEN_FDS) reach the process
  int listen_fds = 0;     // LISTEN_FDS of the runtime's environment (systemd socket activation)
  bool no_pivot = false;  // --no-pivot: MS_MOVE + chroot instead of pivot_root
  bool no_new_keyring = false;
  // --rootless: true/false force it; nullopt = detect (container/rootless.h is_rootless "auto").
  // Rootless: devices are bound instead of mknod'ed, a cgroup that cannot be made is a warning.
  std::optional<bool> rootless;
  // --mount-strategy: "open-tree-namespace", "pivot" or "chroot"; "" = the spec's
  // run.grove.mount-strategy annotation, else chosen from the kernel probe.
  std::string mount_strategy;
  // When set, receives the strategy used and why (for --debug); borrowed.
  plan::StrategyChoice* chosen_strategy = nullptr;
  // Receives one line per failed poststop hook when create fails after the container existed
  // (runtime.md: a failed createRuntime/createContainer hook continues the lifecycle at
  // destroy + poststop); the library never logs them. May be null.
  std::vector<std::string>* warnings = nullptr;
};

// What `state` and `list` report.
struct ContainerInfo {
  ContainerRecord record;
  RunState state = RunState::kStopped;
};

// Creates the container: state dir + exec fifo, clones the init (namespaces, rootfs, hostname,
// executable lookup), writes state.json and the pid file, and returns the init's pid with init
// blocked until start(). On failure nothing is left behind (init reaped, state dir removed) and
// the error carries `create container "x"` plus, for init failures, `container init` and the
// init's frames. OCI hooks run as container/hooks.h says; a failing prestart/createRuntime/
// createContainer hook fails create (`hooks.createRuntime[0] "/h": exit status 3`) and the
// poststop hooks then run (warnings in opts.warnings).
// Errors: see the header comment; EINVAL for a spec without process/root, for
// process.terminal without a console socket and for a console socket without it; the console
// socket's (and --pidfd-socket's) connect/sendmsg errno; the init's errors.
[[nodiscard]] Result<pid_t> create(sys::Ops& ops, const CreateOptions& opts);

// Makes a created container's init execve process.args and returns once the exec happened
// (or with the init's error, e.g. EPERM from setuid, or a failed startContainer hook). The
// state becomes running. Then runs the poststart hooks: their failures do not fail start
// (runtime.md) and are appended to `warnings` (may be null) for the caller to log.
// Errors: ENOENT does not exist; EINVAL when not created (runc's strings); init errors.
[[nodiscard]] Status start(sys::Ops& ops, const std::string& root, std::string_view id,
                           std::vector<std::string>* warnings = nullptr);

// The record and derived status. Errors: ENOENT does not exist; EINVAL bad id/corrupt state.
[[nodiscard]] Result<ContainerInfo> state(sys::Ops& ops, const std::string& root,
                                          std::string_view id);

// Every container under root, sorted by id (containers deleted meanwhile are skipped).
[[nodiscard]] Result<std::vector<ContainerInfo>> list(sys::Ops& ops, const std::string& root);

// Sends `signal` to the init (pidfd_send_signal after checking the pid's start time, so a
// reused pid is never signalled). `all`: every process of the container (cgroup procs when
// known, else every process in the init's pid namespace; with a shared pid namespace only init).
// Errors: ENOENT does not exist; ESRCH `container not running` (stopped, or created and
// all == false is fine: runc allows signalling a created init); pidfd errors.
[[nodiscard]] Status kill(sys::Ops& ops, const std::string& root, std::string_view id, int signal,
                          bool all);

// Deletes a container. stopped: removes the state. created: kills init first (runc does).
// running/paused: EBUSY `cannot delete container x that is not stopped: running` unless
// `force`, which SIGKILLs and waits (up to ~10 s) for the init to die. Errors: ENOENT does not
// exist (engines treat "does not exist" on delete as success); ETIMEDOUT init did not die.
// After the state is gone the poststop hooks stored at create run (from the state record, so
// a deleted bundle does not matter); their failures are appended to `warnings` (may be null).
[[nodiscard]] Status remove(sys::Ops& ops, const std::string& root, std::string_view id,
                            bool force, std::vector<std::string>* warnings = nullptr);

// Removes what a create of `id` killed before it finished left (a state directory without
// state.json, or a record still "creating" while nobody holds its lock): kills its init, removes
// its cgroup and state and runs poststop, as `remove(force)` does. create() calls it when the id
// is taken, so a killed create never blocks its id. Blocks while a create of `id` runs. Errors:
// EEXIST exists_error() when `id` is a container that was created; ENOENT when it is gone; those
// of remove().
[[nodiscard]] Status reclaim_killed_create(sys::Ops& ops, const std::string& root,
                                           std::string_view id,
                                           std::vector<std::string>* warnings = nullptr);

// Freezes every process of a running container (pause) or thaws a paused one (resume), through
// its cgroup's freezer, and records the paused state. runc's errors: EINVAL "container not
// running" for pause of a non-running container, "container not paused" for resume of a
// non-paused one. ENOTSUP when the container has no cgroup (rootless without delegation). A
// freeze that does not complete is undone (cgroup/manager.h) and fails with EBUSY.
[[nodiscard]] Status pause(sys::Ops& ops, const std::string& root, std::string_view id);
[[nodiscard]] Status resume(sys::Ops& ops, const std::string& root, std::string_view id);

// Writes new limits into a created/running/paused container's cgroup (container/cgroups.h
// update_cgroup). Errors: ENOENT does not exist; EINVAL "container not running" when stopped
// (runc's string); the planner's EINVAL naming the linux.resources field; the failing write.
[[nodiscard]] Status update(sys::Ops& ops, const std::string& root, std::string_view id,
                            const oci::Resources& resources);

// `update --l3-cache-schema/--mem-bw-schema` (runc's update): checks the host first (EINVAL
// "Intel RDT/CAT: l3 cache schema is not enabled", "Intel RDT/MBA: memory bandwidth schema is not
// enabled", runc's strings, also without resctrl), then writes the schemata of the container's
// CLOS group; a container created without linux.intelRdt gets a group named after its id with
// its init in it first, as runc does. Empty strings are left alone. Errors: ENOENT does not
// exist; EINVAL "container not running" when stopped; rdt::setup/update_schemata errors.
[[nodiscard]] Status update_intel_rdt(sys::Ops& ops, const std::string& root, std::string_view id,
                                      const std::string& l3_cache_schema,
                                      const std::string& mem_bw_schema);

// The container's cgroup statistics (`events --stats`). Errors: ENOENT does not exist; EINVAL
// "container not running" when stopped; ENOTSUP without a cgroup.
[[nodiscard]] Result<cgroup::Stats> stats(sys::Ops& ops, const std::string& root,
                                          std::string_view id);

// Parses a signal given as a name ("KILL", "SIGKILL", "sigterm") or number ("9"), as runc's
// `kill` does. Errors: EINVAL `invalid signal "x"`.
[[nodiscard]] Result<int> parse_signal(std::string_view text);

// The OCI state JSON for `grove state` (ociVersion, id, status, pid, bundle, annotations, plus
// runc's rootfs/created/owner). pid is 0 when stopped, like runc.
std::string state_json(const ContainerInfo& info);

}  // namespace grove::container
