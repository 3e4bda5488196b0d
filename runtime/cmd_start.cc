// `grove start ID`: runc's start. Makes a created container's init exec the user process.

#include <string>
#include <vector>

#include "libcontainer/container/container.h"
#include "libcontainer/sys/linux_ops.h"
#include "runtime/cli.h"

namespace grove::cli {
namespace {

Status run_start(Context& ctx) {
  sys::LinuxOps ops;
  std::vector<std::string> warnings;  // failed poststart hooks: logged, start still succeeds
  Status st = container::start(ops, ctx.global.root, ctx.args.at(0), &warnings);
  for (const std::string& w : warnings) ctx.log.warn(w);
  return st;
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
