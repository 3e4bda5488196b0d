// `grove create [--bundle DIR] [--pid-file F] [--console-socket S] [--pidfd-socket S]
// [--preserve-fds N] [--no-pivot] [--no-new-keyring] ID`: runc's create. Returns once the container's init waits
// for `grove start`; the init is left to the caller's reaper (conmon and containerd's shim are
// subreapers).

#include <string>
#include <vector>

#include "libcontainer/base/strings.h"
#include "libcontainer/container/container.h"
#include "libcontainer/sys/linux_ops.h"
#include "runtime/bundle.h"
#include "runtime/cli.h"

namespace grove::cli {
namespace {

Status run_create(Context& ctx) {
  sys::LinuxOps ops;
  GROVE_ASSIGN_OR_RETURN(container::CreateOptions opts, create_options(ops, ctx));
  // runc's checks and strings: a detached terminal needs somewhere to send its master.
  bool terminal = opts.spec.process && opts.spec.process->terminal;
  if (terminal && opts.console_socket.empty()) {
    return Error::invalid(
        "cannot allocate tty if grove will detach without setting console socket");
  }
  if (!terminal && !opts.console_socket.empty()) {
    return Error::invalid("cannot use console socket if grove will not detach or allocate tty");
  }
  plan::StrategyChoice strategy;
  opts.chosen_strategy = &strategy;
  std::vector<std::string> warnings;  // poststop hooks that failed after a failed create
  opts.warnings = &warnings;
  auto created = container::create(ops, opts);
  for (const std::string& w : warnings) ctx.log.warn(w);
  GROVE_ASSIGN_OR_RETURN(pid_t pid, std::move(created));
  ctx.log.debug("container " + q(opts.id) + ": mount strategy " +
                std::string(plan::to_string(strategy.strategy)) + " (" + strategy.reason + ")");
  ctx.log.debug("created container " + q(opts.id) + ", init pid " + std::to_string(pid));
  return ok();
}

const VerbRegistration kRegister{{
    .name = "create",
    .aliases = {},
    .summary = "create a container",
    .args_usage = "<container-id>",
    .description =
        "The create command creates an instance of a container for a bundle. The bundle\n"
        "is a directory with a specification file named \"config.json\" and a root\n"
        "filesystem.\n"
        "\n"
        "The container's init is set up and left waiting: \"grove start\" makes it run\n"
        "the process described by the args parameter of the spec. The pid file, when\n"
        "asked for, is written before create returns.",
    .flags = create_flags(),
    .args = ArgCount::exactly(1),
    .flags_before_args_only = false,
    .hidden = false,
    .handler = run_create,
}};

}  // namespace
}  // namespace grove::cli
