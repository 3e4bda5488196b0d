#pragma once
// The container init: spawned by clone3 from the runtime process (no re-exec), it sets the
// container up, reports `ready` over the sync socket, blocks opening the exec fifo until
// `grove start`, then finalises the process and execve()s process.args.
//
// Exec fifo protocol (runc's exec.fifo, with error reporting added): init opens
// <state dir>/exec.fifo for writing (blocking until `start` opens it for reading). If anything
// after that fails (hooks, ids, caps, execve) init writes one encoded sync kError message to the
// fifo and _exit(255)s. Just before its last steps (seccomp, ids, caps, execve) it writes the
// marker byte kExecMarker (as runc writes "0"); the fifo fd is close-on-exec, so `start` reads
// the marker then EOF when execve succeeded, and EOF without the marker when init died first.

#include <sys/types.h>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "libcontainer/base/result.h"
#include "libcontainer/base/unique_fd.h"
#include "libcontainer/process/proc_settings.h"
#include "libcontainer/process/sync.h"
#include "libcontainer/plan/mount_plan.h"
#include "libcontainer/security/seccomp.h"
#include "libcontainer/sys/ops.h"
#include "oci/spec.h"

namespace grove::process {

inline constexpr const char* kExecFifoName = "exec.fifo";

// A namespace to join: setns(fd, nstype) in the init. `fd` is owned by the parent; the child
// closes its copy after joining.
struct JoinNamespace {
  int nstype = 0;  // CLONE_NEW*
  int fd = -1;
  std::string path;  // for error messages
};

// Everything the init needs, prepared by the parent before clone (the child only reads it).
struct InitConfig {
  const oci::Spec* spec = nullptr;  // borrowed; spec->process must be set
  std::string rootfs;               // absolute host path of the rootfs
  // The mount plan made by the parent (plan::plan_mounts); borrowed, required when
  // setup_mounts. Its strategy says how the rootfs becomes "/" (mount/open_tree_ns.h).
  const plan::MountPlan* mount_plan = nullptr;
  int state_dir_fd = -1;            // borrowed O_PATH|O_DIRECTORY fd of <root>/<id>
  std::vector<JoinNamespace> join;  // in setns order (user first)
  bool wait_for_go = false;   // wait for kGo (id maps written, cgroups joined) before going on
  bool new_userns = false;    // the init was cloned into a new user namespace
  bool unshare_cgroupns = false;  // unshare CLONE_NEWCGROUP after kGo and the namespace joins
  bool setup_mounts = false;        // a mount namespace: run mount::setup_rootfs
  bool set_hostname = false;        // a new or joined uts namespace
  bool new_session_keyring = true;  // !--no-new-keyring
  // A new network namespace: set its loopback device up (runc's "loopback" network, which
  // specconv adds for every new network namespace) once the user namespace is ours.
  bool loopback_up = false;
  // run.grove.init=reaper (reaper.h): after `start`, fork; the child becomes the process and
  // this init stays PID 1 as a signal-forwarding reaper.
  bool reaper = false;
  // With `reaper`: run.grove.kill-with-runtime=true, the reaper gets PR_SET_PDEATHSIG SIGKILL.
  bool kill_with_runtime = false;
  std::vector<int> inherit;         // fds the process keeps (0-2, preserved, LISTEN_FDS)
  // OCI hooks (container/hooks.h). Hook protocol, after the namespaces are joined/created:
  //   need_host_pid: the init expects a kPid message with its pid as the runtime sees it (after
  //     kGo when wait_for_go), used in the state the in-container hooks read;
  //   hook_point: once the mount tree is built but before the root switch (mount::prepare_root /
  //     switch_root), the init sends kHooks and waits for kGo (the parent runs prestart and
  //     createRuntime hooks meanwhile and kills the init if one fails);
  //   create_container_hooks: run by the init right after that point (host root still visible);
  //   start_container_hooks: run by the init after `start` opened the exec fifo, before the
  //     process is finalised and exec'd; a failure goes to the exec fifo like other
  //     post-start failures. Both get the init's host pid; empty functions run nothing.
  bool need_host_pid = false;
  bool hook_point = false;
  std::function<Status(sys::Ops&, pid_t host_pid)> create_container_hooks;
  std::function<Status(sys::Ops&, pid_t host_pid)> start_container_hooks;
  const ProcSettings* settings = nullptr;  // borrowed; planned process/linux settings (optional)
  // linux.seccomp compiled by the parent (borrowed; nullptr: none). A notify filter is loaded
  // at the end of prepare_init() and its listener fd sent as kSeccompFd before `ready`; any
  // other filter is loaded by finalize_and_exec() in runc's order.
  const security::SeccompProgram* seccomp = nullptr;
};

// The init's whole life after clone: never returns. Setup failures are sent through `sync`
// (kError) and exit 1; failures after `start` go to the exec fifo and exit 255 (runc's code).
[[noreturn]] void run_init(sys::Ops& ops, const InitConfig& cfg, const SyncSocket& sync);

// Setup until `ready` (exposed for tests of the ordering with FakeOps): closes stray fds,
// waits for `go` if asked, joins namespaces, builds the mount tree, stops at the hook point
// (kHooks/kGo, createContainer hooks) when asked, switches the root, sets the hostname, resolves
// the executable, and loads a notify seccomp filter (sending its fd). Returns the resolved
// executable path; `host_pid` (optional) receives the pid from kPid when cfg.need_host_pid.
// Errors: the failing step with its frame.
[[nodiscard]] Result<std::string> prepare_init(sys::Ops& ops, const InitConfig& cfg,
                                               const SyncSocket& sync, pid_t* host_pid = nullptr);

// Decodes what `start` read from the exec fifo: kExecMarker alone is success (init exec'd);
// nothing at all is ESRCH (init died before the marker: killed, or crashed); anything else,
// after the marker or not, must be one sync kError message, returned with a `container init`
// frame.
[[nodiscard]] Status decode_fifo_result(std::string_view data);

}  // namespace grove::process
