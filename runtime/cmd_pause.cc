// `grove pause ID` and `grove resume ID`: runc's pause/resume, through the container's cgroup
// freezer (v1 freezer.state or cgroup2 cgroup.freeze).

#include "libcontainer/container/container.h"
#include "libcontainer/sys/linux_ops.h"
#include "runtime/cli.h"

namespace grove::cli {
namespace {

Status run_pause(Context& ctx) {
  sys::LinuxOps ops;
  return container::pause(ops, ctx.global.root, ctx.args.at(0));
}

Status run_resume(Context& ctx) {
  sys::LinuxOps ops;
  return container::resume(ops, ctx.global.root, ctx.args.at(0));
}

const VerbRegistration kPause{{
    .name = "pause",
    .aliases = {},
    .summary = "pause suspends all processes inside the container",
    .args_usage = "<container-id>",
    .description = "The pause command suspends all processes in the instance of the container.\n"
                   "\n"
                   "Use grove list to identify instances of containers and their current status.",
    .flags = {},
    .args = ArgCount::exactly(1),
    .flags_before_args_only = false,
    .hidden = false,
    .handler = run_pause,
}};

const VerbRegistration kResume{{
    .name = "resume",
    .aliases = {},
    .summary = "resumes all processes that have been previously paused",
    .args_usage = "<container-id>",
    .description = "The resume command resumes all processes in the instance of the container.\n"
                   "\n"
                   "Use grove list to identify instances of containers and their current status.",
    .flags = {},
    .args = ArgCount::exactly(1),
    .flags_before_args_only = false,
    .hidden = false,
    .handler = run_resume,
}};

}  // namespace
}  // namespace grove::cli
