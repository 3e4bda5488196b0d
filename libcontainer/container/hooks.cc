// The hook runner (hooks.h): clone3 + execve of one hook with the state on stdin, output captured,
// waited for on its pidfd with poll(2) so a timeout can SIGKILL it (runc libcontainer/configs
// Command.Run: exec.Cmd + timer + Process.Kill; crun run_hooks: fork + waitpid with alarm).

#include "libcontainer/container/hooks.h"

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "libcontainer/base/strings.h"
#include "libcontainer/process/sync.h"

namespace grove::container {
namespace {

// The default pipe capacity (pipe(7)): the whole state is written before the hook starts, so a
// hook that exits without reading stdin can never make the runtime block or take SIGPIPE.
constexpr std::size_t kMaxState = 65536;

// The hook's side of the clone: stdio, then execve. An execve failure is sent as a sync kError
// datagram-style record on `err_fd` (close-on-exec: EOF there means the exec happened).
[[noreturn]] void hook_child(sys::Ops& ops, const oci::Hook& hook, int in_fd, int out_fd,
                             int err_fd) {
  // A hook starts with no blocked signals, whatever the runtime blocks meanwhile (grove run
  // blocks the forwarded ones from start on).
  sigset_t none;
  sigemptyset(&none);
  auto reset = ops.sigprocmask(SIG_SETMASK, none);
  Status st = reset ? ok() : Status(std::move(reset).error());
  if (st) st = ops.dup3(in_fd, 0, 0);
  if (st) st = ops.dup3(out_fd, 1, 0);
  if (st) st = ops.dup3(out_fd, 2, 0);
  if (st) {
    std::vector<std::string> argv = hook.args.empty() ? std::vector<std::string>{hook.path}
                                                      : hook.args;
    st = ops.execve(hook.path, argv, hook.env);
    if (st) st = Error::plain(EPROTO, "execve returned");  // only a fake can "succeed"
  }
  char buf[process::kSyncMaxMessage];
  std::size_t n = process::encode_sync(process::SyncKind::kError, 0, &st.error(), buf, sizeof buf);
  (void)ops.write(err_fd, std::string(buf, n));
  ::_exit(127);
}

int64_t now_ms() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

// Reads what the hook wrote so far (up to kMaxHookOutput kept); false at EOF.
bool read_output(sys::Ops& ops, int fd, std::string* out) {
  auto chunk = ops.read(fd, 4096);
  if (!chunk || chunk->empty()) return false;
  if (out->size() < kMaxHookOutput) out->append(chunk->substr(0, kMaxHookOutput - out->size()));
  return true;
}

// Waits for the hook's exit while draining its output. ETIMEDOUT after `timeout_s` (> 0), the
// hook being killed and reaped. The pidfd turning readable means the hook exited; its output
// pipe may stay open longer (a background child of the hook), so EOF there is not awaited.
Status wait_hook(sys::Ops& ops, pid_t pid, int pidfd, UniqueFd& out, int timeout_s,
                 std::string* output) {
  const int64_t deadline = timeout_s > 0 ? now_ms() + int64_t{timeout_s} * 1000 : -1;
  for (;;) {
    int wait_ms = -1;
    if (deadline >= 0) wait_ms = static_cast<int>(std::max<int64_t>(0, deadline - now_ms()));
    std::vector<struct pollfd> fds = {{pidfd, POLLIN, 0}};
    if (out) fds.push_back({out.get(), POLLIN, 0});
    auto polled = ops.poll(fds, wait_ms);
    // Ops::poll hands EINTR back; the deadline is recomputed on the next turn.
    if (!polled && polled.error().code() == EINTR) continue;
    GROVE_ASSIGN_OR_RETURN(int ready, std::move(polled));
    if (ready == 0) {
      (void)ops.pidfd_send_signal(pidfd, SIGKILL);
      (void)ops.waitpid(pid, 0);
      return Error::plain(ETIMEDOUT, "timed out after " + std::to_string(timeout_s) + "s");
    }
    if (out && (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) &&
        !read_output(ops, out.get(), output)) {
      out.reset();
    }
    if (fds[0].revents & POLLIN) return ok();
  }
}

// Whatever is already buffered in the output pipe once the hook has exited.
void drain_output(sys::Ops& ops, UniqueFd& out, std::string* output) {
  for (int i = 0; out && i < 16; ++i) {
    std::vector<struct pollfd> fds = {{out.get(), POLLIN, 0}};
    auto ready = ops.poll(fds, 0);
    if (!ready || *ready == 0 || !read_output(ops, out.get(), output)) break;
  }
}

Status exit_error(const sys::WaitStatus& ws, const std::string& output) {
  if (ws.exited() && ws.status == 0) return ok();
  std::string what;
  if (ws.exited()) {
    what = "exit status " + std::to_string(ws.status);
  } else {
    const char* name = sigabbrev_np(ws.status);
    what = "killed by signal " + (name ? "SIG" + std::string(name) : std::to_string(ws.status));
  }
  std::string trimmed = output;
  while (!trimmed.empty() && (trimmed.back() == '\n' || trimmed.back() == ' '))
    trimmed.pop_back();
  if (!trimmed.empty()) what += ", output: " + q(trimmed);
  return Error::plain(ECANCELED, std::move(what));
}

// The exec error the child reported, or ok() when the pipe reached EOF (execve succeeded).
Status exec_result(sys::Ops& ops, int err_fd) {
  GROVE_ASSIGN_OR_RETURN(std::string data, ops.read(err_fd, process::kSyncMaxMessage));
  if (data.empty()) return ok();
  GROVE_ASSIGN_OR_RETURN(process::SyncMessage msg, process::decode_sync(data.data(), data.size()));
  if (!msg.error) return Error::plain(EPROTO, "hook: unexpected exec report");
  return std::move(*msg.error);
}

}  // namespace

const char* to_string(HookKind kind) noexcept {
  switch (kind) {
    case HookKind::kPrestart: return "prestart";
    case HookKind::kCreateRuntime: return "createRuntime";
    case HookKind::kCreateContainer: return "createContainer";
    case HookKind::kStartContainer: return "startContainer";
    case HookKind::kPoststart: return "poststart";
    case HookKind::kPoststop: return "poststop";
  }
  return "unknown";
}

const std::vector<oci::Hook>& hooks_of(const oci::Hooks& hooks, HookKind kind) noexcept {
  switch (kind) {
    case HookKind::kPrestart: return hooks.prestart;
    case HookKind::kCreateRuntime: return hooks.create_runtime;
    case HookKind::kCreateContainer: return hooks.create_container;
    case HookKind::kStartContainer: return hooks.start_container;
    case HookKind::kPoststart: return hooks.poststart;
    case HookKind::kPoststop: return hooks.poststop;
  }
  return hooks.poststop;
}

bool has_hooks(const oci::Hooks& h) noexcept {
  return !h.prestart.empty() || !h.create_runtime.empty() || !h.create_container.empty() ||
         !h.start_container.empty() || !h.poststart.empty() || !h.poststop.empty();
}

Status run_hook(sys::Ops& ops, const oci::Hook& hook, std::string_view state_json) {
  if (state_json.size() > kMaxState) {
    return Error::plain(EFBIG, "state for stdin is larger than " + std::to_string(kMaxState));
  }
  GROVE_ASSIGN_OR_RETURN(sys::FdPair in, ops.pipe2(0));
  GROVE_TRY(ops.write(in.second.get(), std::string(state_json)).context("hook stdin"));
  in.second.reset();  // the hook reads the state, then EOF
  GROVE_ASSIGN_OR_RETURN(sys::FdPair out, ops.pipe2(0));
  GROVE_ASSIGN_OR_RETURN(sys::FdPair err, ops.pipe2(0));
  sys::CloneArgs args;
  args.exit_signal = SIGCHLD;
  args.want_pidfd = true;
  GROVE_ASSIGN_OR_RETURN(sys::CloneResult child, ops.clone3(args).context("start hook"));
  if (child.pid == 0) hook_child(ops, hook, in.first.get(), out.second.get(), err.second.get());
  in.first.reset();
  out.second.reset();
  err.second.reset();
  // Blocks only until the child's execve (close-on-exec) or its error report.
  Status exec = exec_result(ops, err.first.get());
  std::string output;
  Status waited = exec ? wait_hook(ops, child.pid, child.pidfd.get(), out.first,
                                   hook.timeout.value_or(0), &output)
                       : ok();
  if (!waited) return waited;  // timed out: already killed and reaped
  drain_output(ops, out.first, &output);
  GROVE_ASSIGN_OR_RETURN(sys::WaitStatus ws, ops.waitpid(child.pid, 0));
  if (!exec) return exec;
  return exit_error(ws, output);
}

Status run_hooks(sys::Ops& ops, const oci::Hooks& hooks, HookKind kind,
                 std::string_view state_json) {
  const std::vector<oci::Hook>& list = hooks_of(hooks, kind);
  for (std::size_t i = 0; i < list.size(); ++i) {
    GROVE_TRY(run_hook(ops, list[i], state_json).context([&] {
      return std::string("hooks.") + to_string(kind) + "[" + std::to_string(i) + "] " +
             q(list[i].path);
    }));
  }
  return ok();
}

void run_hooks_warn(sys::Ops& ops, const oci::Hooks& hooks, HookKind kind,
                    std::string_view state_json, std::vector<std::string>* warnings) {
  const std::vector<oci::Hook>& list = hooks_of(hooks, kind);
  for (std::size_t i = 0; i < list.size(); ++i) {
    Status st = run_hook(ops, list[i], state_json).context([&] {
      return std::string("hooks.") + to_string(kind) + "[" + std::to_string(i) + "] " +
             q(list[i].path);
    });
    if (!st && warnings != nullptr) warnings->push_back(st.error().message());
  }
}

std::string hook_state_json(const std::string& oci_version, const std::string& id,
                            oci::ContainerStatus status, pid_t pid, const std::string& bundle,
                            const std::map<std::string, std::string>& annotations) {
  oci::State st;
  st.oci_version = oci_version;
  st.id = id;
  st.status = status;
  st.pid = pid;
  st.bundle = bundle;
  st.annotations = annotations;
  return oci::to_oci_state_json(st);
}

}  // namespace grove::container
