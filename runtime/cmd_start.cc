// `grove start ID`: runc's start. Makes a created container's init exec the user process.

#include "libcontainer/container/container.h"
#include "libcontainer/sys/linux_ops.h"
#include "runtime/cli.h"

namespace grove::cli {
namespace {

Status run_start(Context& ctx) {
  sys::LinuxOps ops;
  return container::start(ops, ctx.global.root, ctx.args.at(0));
}

const VerbRegistration kRegister{{
    .name = "start",
    .aliases = {},
    .summary = "executes the user defined process in a created container",
    .args_usage = "<container-id>",
    .description = "The start command executes the user defined process in a created container.",
    .flags = {},
    .args = ArgCount::exactly(1),
    .flags_before_args_only = false,
    .hidden = false,
    .handler = run_start,
}};

}  // namespace
}  // namespace grove::cli
