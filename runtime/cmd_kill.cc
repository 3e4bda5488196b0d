// `grove kill [--all] ID [SIGNAL]`: runc's kill. SIGNAL is a name with or without "SIG" in any
// case, or a number; SIGTERM by default. Engines map "container not running" to NotFound.

#include <signal.h>

#include "libcontainer/container/container.h"
#include "libcontainer/sys/linux_ops.h"
#include "runtime/cli.h"

namespace grove::cli {
namespace {

Status run_kill(Context& ctx) {
  // The framework checks the minimum; runc checks both bounds with these words.
  if (ctx.args.size() > 2) {
    return Error::invalid("grove: \"kill\" requires a maximum of 2 argument(s)");
  }
  int sig = SIGTERM;
  if (ctx.args.size() == 2) {
    GROVE_ASSIGN_OR_RETURN(sig, container::parse_signal(ctx.args[1]));
  }
  sys::LinuxOps ops;
  return container::kill(ops, ctx.global.root, ctx.args[0], sig, ctx.flags.get_bool("all"));
}

const VerbRegistration kRegister{{
    .name = "kill",
    .aliases = {},
    .summary = "kill sends the specified signal (default: SIGTERM) to the container's init "
               "process",
    .args_usage = "<container-id> [signal]",
    .description =
        "Where \"<container-id>\" is the name for the instance of the container and\n"
        "\"[signal]\" is the signal to be sent to the init process.\n"
        "\n"
        "For example, if the container id is \"ubuntu01\" the following will send a \"KILL\"\n"
        "signal to the init process of the \"ubuntu01\" container:\n"
        "\n"
        "       # grove kill ubuntu01 KILL",
    .flags = {bool_flag("all", "send the specified signal to all processes inside the container",
                        {"a"})},
    .args = ArgCount::at_least(1),
    .flags_before_args_only = false,
    .hidden = false,
    .handler = run_kill,
}};

}  // namespace
}  // namespace grove::cli
