// `grove run [create's flags] [--detach] [--keep] [--no-subreaper] ID`: runc's run, i.e.
// create + start and then, unless detached, wait for the init while forwarding signals to it,
// delete the container (unless --keep) and exit with the process's code (128+n for signal n).
// With process.terminal and no --console-socket the caller's terminal is attached to the
// container's console (raw mode, copy loop, SIGWINCH resizes; console.h).

#include <signal.h>
#include <sys/socket.h>
#include <string.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstdlib>
#include <iostream>
#include <iterator>
#include <optional>
#include <vector>

#include <string>
#include <vector>

#include "libcontainer/base/defer.h"
#include "libcontainer/base/strings.h"
#include "libcontainer/container/container.h"
#include "libcontainer/process/console.h"
#include "libcontainer/sys/linux_ops.h"
#include "runtime/bundle.h"
#include "runtime/cli.h"
#include "runtime/wait.h"

namespace grove::cli {
namespace {

Status check_terminal(const container::CreateOptions& opts, bool detach) {
  bool terminal = opts.spec.process && opts.spec.process->terminal;
  // runc's checkTerminal (utils_linux.go), with our name in the strings.
  if (detach && terminal && opts.console_socket.empty()) {
    return Error::invalid(
        "cannot allocate tty if grove will detach without setting console socket");
  }
  if ((!detach || !terminal) && !opts.console_socket.empty()) {
    return Error::invalid("cannot use console socket if grove will not detach or allocate tty");
  }
  return ok();
}

void log_strategy(Context& ctx, const std::string& id, const plan::StrategyChoice& s) {
  ctx.log.debug("container " + q(id) + ": mount strategy " + std::string(plan::to_string(s.strategy)) +
                " (" + s.reason + ")");
}

Status run_run(Context& ctx) {
  sys::LinuxOps ops;
  bool detach = ctx.flags.get_bool("detach");
  GROVE_ASSIGN_OR_RETURN(container::CreateOptions opts, create_options(ops, ctx));
  GROVE_TRY(check_terminal(opts, detach));
  if (!detach && !ctx.flags.get_bool("no-subreaper")) {
    // Processes the container leaves behind are reparented to us and reaped with the init.
    GROVE_TRY(ops.set_child_subreaper(true));
  }
  plan::StrategyChoice strategy;
  opts.chosen_strategy = &strategy;
  // Failed poststart/poststop hooks are warnings (runtime.md): logged, the run goes on.
  std::vector<std::string> warnings;
  opts.warnings = &warnings;
  auto log_warnings = [&] {
    for (const std::string& w : warnings) ctx.log.warn(w);
    warnings.clear();
  };
  bool attach = !detach && opts.spec.process && opts.spec.process->terminal;
  Result<int> code = 0;
  std::optional<int> init_code;
  if (attach) {
    bool started = false;
    code = run_attached(ops, opts, started, init_code);
    log_warnings();
    if (!started) {
      ctx.exit_code = init_code;
      return std::move(code).error();
    }
    log_strategy(ctx, opts.id, strategy);
  } else {
    auto created = container::create(ops, opts);
    log_warnings();
    if (!created) return std::move(created).error();
    log_strategy(ctx, opts.id, strategy);
    ForwardBlock block(ops);  // from here a signal for the process is queued, not fatal to grove
    Status st = start_or_destroy(ops, opts, *created, init_code);
    log_warnings();
    if (!st) {
      // Detached, runc's start has already returned 0 when its init fails; we report the error
      // with 1 rather than hide it.
      if (!detach) ctx.exit_code = init_code;
      return std::move(st).error();
    }
    if (detach) return ok();
    code = wait_forwarding(ops, *created, ctx.log);
  }
  if (!ctx.flags.get_bool("keep")) {
    Status removed = container::remove(ops, opts.root, opts.id, true, &warnings);
    log_warnings();
    GROVE_TRY(std::move(removed));
  }
  if (!code) return std::move(code).error();
  ctx.log.debug("container " + q(opts.id) + " exited with " + std::to_string(*code));
  ctx.exit_code = *code;
  return ok();
}

std::vector<FlagSpec> run_flags() {
  std::vector<FlagSpec> flags = create_flags();
  flags.insert(flags.begin() + 2,
               bool_flag("detach", "detach from the container's process", {"d"}));
  flags.insert(flags.begin() + 3, bool_flag("keep", "do not delete the container after it exits"));
  flags.insert(flags.begin() + 5,
               bool_flag("no-subreaper",
                         "disable the use of the subreaper used to reap reparented processes"));
  return flags;
}

const VerbRegistration kRegister{{
    .name = "run",
    .aliases = {},
    .summary = "create and run a container",
    .args_usage = "<container-id>",
    .description =
        "The run command creates an instance of a container for a bundle. The bundle\n"
        "is a directory with a specification file named \"config.json\" and a root\n"
        "filesystem.\n"
        "\n"
        "Unless --detach is given, run waits for the container's process, forwards the\n"
        "signals it receives to it, deletes the container (unless --keep) and exits with\n"
        "the process's exit code (128+N when signal N killed it).",
    .flags = run_flags(),
    .args = ArgCount::exactly(1),
    .flags_before_args_only = false,
    .hidden = false,
    .handler = run_run,
}};

}  // namespace
}  // namespace grove::cli
