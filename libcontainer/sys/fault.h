#pragma once
// Fault injection for the crash-consistency tests (tests/e2e/fault_e2e_test.cc): named points in
// create, start, exec and delete where a grove process kills itself with SIGKILL when the
// environment variable GROVE_FAULT names that point, so a test can stop grove at every step and
// check that `delete --force` (or a new `create` of the same id) leaves nothing behind.
//
// Compiled in only when GROVE_FAULT_INJECTION is defined (the CMake option of that name, ON in
// builds with tests, which scripts/test uses; packagers configure -DGROVE_BUILD_TESTS=OFF or
// -DGROVE_FAULT_INJECTION=OFF and every point becomes an empty inline function). Enabled, a point
// costs one getenv() (a scan of environ, no allocation, no lock: safe between clone and execve).
//
// Points are named "<process>.<where>"; the list below is the single source of truth: a
// GROVE_FAULT_POINT with a name missing from it does not compile, and the test iterates it.

#include <cstddef>
#include <string_view>
#include <type_traits>

namespace grove::sys {

// The grove verbs involved: the one whose environment carries GROVE_FAULT (`armed`) and the one
// during which the point is reached (`fires`). They differ for the container init, which is
// cloned by `create` (and keeps its environment) but runs its last steps during `start`.
enum class FaultVerb { kCreate, kStart, kExec, kDelete };

struct FaultPoint {
  std::string_view name;
  FaultVerb armed;
  FaultVerb fires;
};

inline constexpr FaultPoint kFaultPoints[] = {
    // `grove create`, the CLI process.
    {"create.after-lock", FaultVerb::kCreate, FaultVerb::kCreate},    // dir + lock, no state.json
    {"create.after-record", FaultVerb::kCreate, FaultVerb::kCreate},  // state.json "creating"
    {"create.after-fifo", FaultVerb::kCreate, FaultVerb::kCreate},
    {"create.after-cgroup", FaultVerb::kCreate, FaultVerb::kCreate},  // cgroup dirs made
    {"create.after-clone", FaultVerb::kCreate, FaultVerb::kCreate},   // init exists, not joined
    {"create.after-join-cgroup", FaultVerb::kCreate, FaultVerb::kCreate},
    {"create.after-spawn", FaultVerb::kCreate, FaultVerb::kCreate},   // init ready, pid unsaved
    {"create.after-save-created", FaultVerb::kCreate, FaultVerb::kCreate},  // before --pid-file
    // The container init (cloned by create), before and after each setup stage.
    {"init.after-close-fds", FaultVerb::kCreate, FaultVerb::kCreate},
    {"init.after-namespaces", FaultVerb::kCreate, FaultVerb::kCreate},
    {"init.after-rootfs", FaultVerb::kCreate, FaultVerb::kCreate},  // mounts built, root not switched
    {"init.after-switch-root", FaultVerb::kCreate, FaultVerb::kCreate},
    {"init.after-settings", FaultVerb::kCreate, FaultVerb::kCreate},  // before `ready`
    {"init.after-ready", FaultVerb::kCreate, FaultVerb::kStart},  // create may not see it die
    {"init.after-fifo-open", FaultVerb::kCreate, FaultVerb::kStart},  // `start` is reading
    {"init.before-exec", FaultVerb::kCreate, FaultVerb::kStart},
    // `grove start`.
    {"start.after-lock", FaultVerb::kStart, FaultVerb::kStart},
    {"start.after-fifo-open", FaultVerb::kStart, FaultVerb::kStart},
    {"start.after-read", FaultVerb::kStart, FaultVerb::kStart},  // init exec'd, state "created"
    // `grove exec`: the CLI, the joiner child (setns) and the process it clones.
    {"exec.after-lock", FaultVerb::kExec, FaultVerb::kExec},
    {"exec.after-pid", FaultVerb::kExec, FaultVerb::kExec},  // process cloned, waiting for `go`
    {"exec.after-go", FaultVerb::kExec, FaultVerb::kExec},
    {"exec-joiner.after-setns", FaultVerb::kExec, FaultVerb::kExec},
    {"exec-process.before-exec", FaultVerb::kExec, FaultVerb::kExec},
    // `grove delete`.
    {"delete.after-lock", FaultVerb::kDelete, FaultVerb::kDelete},
    {"delete.after-kill", FaultVerb::kDelete, FaultVerb::kDelete},
    {"delete.after-cgroup", FaultVerb::kDelete, FaultVerb::kDelete},  // state dir still there
    {"delete.after-state-unlink", FaultVerb::kDelete, FaultVerb::kDelete},  // dir + lock left
};

// The index of `name` in kFaultPoints; evaluated at compile time by GROVE_FAULT_POINT, where an
// unknown name is a compile error (the throw is not a constant expression).
constexpr std::size_t fault_index(std::string_view name) {
  for (std::size_t i = 0; i < std::size(kFaultPoints); ++i) {
    if (kFaultPoints[i].name == name) return i;
  }
  throw "unknown fault point: add it to kFaultPoints";
}

#ifdef GROVE_FAULT_INJECTION
// True in builds with fault injection compiled in.
inline constexpr bool kFaultInjection = true;
// If GROVE_FAULT equals kFaultPoints[index].name: kill(getpid(), SIGKILL). A pid namespace's init
// ignores SIGKILL from inside its namespace (itself included), so it then _exit(137)s, which
// ends it and its namespace just the same. Otherwise returns at once. Async-signal-safe.
void fault_point(std::size_t index) noexcept;
#else
inline constexpr bool kFaultInjection = false;
inline void fault_point(std::size_t) noexcept {}
#endif

}  // namespace grove::sys

// A named fault point (see above); `name` must be a string literal listed in kFaultPoints.
#define GROVE_FAULT_POINT(name) \
  ::grove::sys::fault_point(std::integral_constant<std::size_t, ::grove::sys::fault_index(name)>::value)
