// `grove sandbox [--image IMG|--rootfs DIR] [-v SRC:DST[:ro]] [--net none|host] [--map M] --
// CMD...`: a rootless developer sandbox (grove-sandbox(8)). Flag plumbing and output only: the
// spec comes from container::prepare_sandbox, the run is `grove run`'s create + start + wait
// (with the caller's terminal attached when stdin is one), then the container is deleted.

#include <limits.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "libcontainer/base/defer.h"
#include "libcontainer/base/strings.h"
#include "libcontainer/container/container.h"
#include "libcontainer/container/sandbox.h"
#include "libcontainer/sys/linux_ops.h"
#include "runtime/cli.h"
#include "runtime/wait.h"

extern char** environ;

namespace grove::cli {
namespace {

Result<std::string> current_dir() {
  char buf[PATH_MAX];
  if (::getcwd(buf, sizeof buf) == nullptr) return Error::last("getcwd()");
  return std::string(buf);
}

Result<container::SandboxRequest> sandbox_request(const Context& ctx) {
  container::SandboxRequest r;
  r.image = ctx.flags.get_string("image");
  r.rootfs = ctx.flags.get_string("rootfs");
  r.volumes = ctx.flags.get_list("volume");
  r.net = ctx.flags.get_string("net", "none");
  r.map = ctx.flags.get_string("map", "auto");
  r.command = ctx.args;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) r.env.emplace_back(*e);
  GROVE_ASSIGN_OR_RETURN(r.cwd, current_dir());
  const char* xdg = std::getenv("XDG_RUNTIME_DIR");
  r.state_root =
      container::sandbox_state_root(ctx.global.root, xdg != nullptr && *xdg != '\0', ::geteuid());
  return r;
}

// Create, start and wait, in the foreground; the container is always deleted afterwards.
Result<int> run_sandbox_container(sys::Ops& ops, Context& ctx, container::CreateOptions& opts) {
  std::vector<std::string> warnings;
  opts.warnings = &warnings;
  // Rootless without a delegated cgroup is the normal case here, not worth a warning.
  auto log_warnings = [&] {
    for (const std::string& w : warnings) ctx.log.debug(w);
    warnings.clear();
  };
  std::optional<int> init_code;
  Result<int> code = 0;
  if (opts.spec.process->terminal) {
    bool started = false;
    code = run_attached(ops, opts, started, init_code);
    log_warnings();
    if (!started) {
      ctx.exit_code = init_code;
      return container::explain_sandbox_error(std::move(code).error());
    }
  } else {
    auto created = container::create(ops, opts);
    log_warnings();
    if (!created) return container::explain_sandbox_error(std::move(created).error());
    ForwardBlock block(ops);  // from here a signal for the process is queued, not fatal to grove
    Status st = start_or_destroy(ops, opts, *created, init_code);
    if (!st) {
      ctx.exit_code = init_code;
      return std::move(st).error();
    }
    code = wait_forwarding(ops, *created, ctx.log);
  }
  Status removed = container::remove(ops, opts.root, opts.id, true, &warnings);
  log_warnings();
  GROVE_TRY(std::move(removed));
  return code;
}

Status run_sandbox(Context& ctx) {
  sys::LinuxOps ops;
  GROVE_ASSIGN_OR_RETURN(container::SandboxRequest req, sandbox_request(ctx));
  GROVE_ASSIGN_OR_RETURN(container::PreparedSandbox sb, container::prepare_sandbox(ops, req));
  for (const std::string& note : sb.notes) ctx.log.debug("sandbox: " + note);
  ctx.log.debug("sandbox " + q(sb.create.id) + " in " + q(sb.create.root));
  // Processes the command leaves behind are reparented to us and reaped with the init.
  GROVE_TRY(ops.set_child_subreaper(true));
  // From here every forwarded signal stays pending until the wait takes and forwards it, so a
  // SIGTERM between the exec and the wait neither kills grove (leaving state behind) nor gets
  // lost. The command itself starts unblocked (the reaper resets the mask, process/init.cc).
  sigset_t forwarded;
  sigemptyset(&forwarded);
  for (int sig : kForwarded) sigaddset(&forwarded, sig);
  GROVE_ASSIGN_OR_RETURN(sigset_t old_mask, ops.sigprocmask(SIG_BLOCK, forwarded));
  Defer restore([&] { (void)ops.sigprocmask(SIG_SETMASK, old_mask); });
  GROVE_ASSIGN_OR_RETURN(int code, run_sandbox_container(ops, ctx, sb.create));
  ctx.log.debug("sandbox " + q(sb.create.id) + " exited with " + std::to_string(code));
  ctx.exit_code = code;
  return ok();
}

std::vector<FlagSpec> sandbox_flags() {
  return {
      value_flag(FlagKind::kString, "image",
                 "an EROFS image as the root (root only: EROFS is not mountable in a user namespace)"),
      value_flag(FlagKind::kString, "rootfs",
                 "a directory as the root (writable) instead of the host's / (read-only)"),
      value_flag(FlagKind::kStringList, "volume",
                 "bind SRC at DST, read-only with :ro (repeatable)", {"v"}, "SRC:DST[:ro]"),
      value_flag(FlagKind::kString, "net", "network: none (a new, empty namespace) or host", {},
                 "none"),
      value_flag(FlagKind::kString, "map",
                 "user ids: auto (subordinate ranges when available), root (only you, as 0) or "
                 "subids (require the ranges)",
                 {}, "auto"),
  };
}

const VerbRegistration kRegister{{
    .name = "sandbox",
    .aliases = {},
    .summary = "run a command in a rootless developer sandbox",
    .args_usage = "[--] <command> [args...]",
    .description = "The sandbox command runs a command as root of a new user namespace, as an\n"
                   "unprivileged user: the host's / read-only (or --rootfs DIR), the current\n"
                   "directory bound read-write at its own path, a tmpfs /tmp, /proc, a minimal\n"
                   "/dev, no network unless --net=host, no new privileges and a seccomp profile.\n"
                   "With a terminal on stdin the command gets its own terminal (job control,\n"
                   "window size). grove exits with the command's exit code (128+N for signal N)\n"
                   "and leaves nothing behind. See grove-sandbox(8).",
    .flags = sandbox_flags(),
    .args = ArgCount::at_least(1),
    .flags_before_args_only = true,
    .hidden = false,
    .handler = run_sandbox,
}};

}  // namespace
}  // namespace grove::cli
