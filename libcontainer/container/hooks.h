#pragma once
// OCI hooks (runtime-spec config.md "POSIX-platform Hooks", runtime.md "Lifecycle").
//
// Where each kind runs in grove (and who runs it):
//   prestart, createRuntime  the runtime (parent), in the runtime namespaces, when the init has
//                            created its namespaces and built the mount tree but before the root
//                            switch (process/init.h: sync kHooks / kGo); prestart first, like runc
//   createContainer          the container init, in the container's namespaces, at the same point
//                            (the host root is still visible: the path resolves on the host)
//   startContainer           the container init after `start` opened the exec fifo, before the
//                            user process execs (path resolved in the container)
//   poststart                the runtime in container::start, after the exec fifo reported EOF
//   poststop                 the runtime in container::remove, after the state is removed
// Each hook gets the OCI state (oci::to_oci_state_json) on stdin, runs with exactly `env` (an
// empty environment when absent) and argv `args` (`{path}` when absent), its stdout and stderr
// captured (the first kMaxHookOutput bytes are quoted in the error). `timeout` seconds: the hook
// is SIGKILLed and the run fails with ETIMEDOUT. Failures of the first four kinds fail the
// operation; poststart/poststop failures are returned as warning strings (the library never logs).
// The caller must be single-threaded (the hook is started with clone3 without CLONE_VM).

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

#include "libcontainer/base/result.h"
#include "libcontainer/sys/ops.h"
#include "oci/spec.h"
#include "oci/state.h"

namespace grove::container {

enum class HookKind {
  kPrestart,
  kCreateRuntime,
  kCreateContainer,
  kStartContainer,
  kPoststart,
  kPoststop
};

// The config.json name: "prestart", "createRuntime", "createContainer", "startContainer",
// "poststart", "poststop".
const char* to_string(HookKind kind) noexcept;

// The hooks of one kind in `hooks`.
const std::vector<oci::Hook>& hooks_of(const oci::Hooks& hooks, HookKind kind) noexcept;

// True when any of the six lists is non-empty.
bool has_hooks(const oci::Hooks& hooks) noexcept;

// How much of a failed hook's combined stdout+stderr is quoted in its error.
inline constexpr std::size_t kMaxHookOutput = 1024;

// Runs one hook to completion: stdin is `state_json` (which must fit a pipe buffer, 64 KiB;
// EFBIG otherwise), stdout/stderr captured. Errors (no hook frame; run_hooks adds it):
//   the execve errno (`execve("/x"): ENOENT ...`) when the hook cannot be executed;
//   ECANCELED `exit status N` / `killed by signal SIGSEGV` (plus the quoted output, if any);
//   ETIMEDOUT `timed out after Ns` (the hook was SIGKILLed and reaped);
//   pipe2/clone3/poll errno. Every fd it opens is closed and the hook is always reaped.
[[nodiscard]] Status run_hook(sys::Ops& ops, const oci::Hook& hook, std::string_view state_json);

// Runs the hooks of `kind` in order and stops at the first failure, returned with the frame
// `hooks.<kind>[i] "<path>"` (e.g. `hooks.createRuntime[0] "/h": exit status 3`).
[[nodiscard]] Status run_hooks(sys::Ops& ops, const oci::Hooks& hooks, HookKind kind,
                               std::string_view state_json);

// Runs every hook of `kind` (poststart, poststop: the spec says a failure must not stop the
// others nor the lifecycle) and appends one warning per failed hook to `warnings` (may be null:
// failures are then dropped), each the rendered error with its `hooks.<kind>[i]` frame.
void run_hooks_warn(sys::Ops& ops, const oci::Hooks& hooks, HookKind kind,
                    std::string_view state_json, std::vector<std::string>* warnings);

// The state document a hook reads (runtime.md "State"): only the OCI fields. `pid` as the
// runtime sees it (poststop passes 0, as `grove state` shows for a stopped container).
std::string hook_state_json(const std::string& oci_version, const std::string& id,
                            oci::ContainerStatus status, pid_t pid, const std::string& bundle,
                            const std::map<std::string, std::string>& annotations);

}  // namespace grove::container
