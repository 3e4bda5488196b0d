// `grove state ID`: runc's state, the OCI state document (plus runc's rootfs, created, owner)
// as indented JSON. CRI-O and podman decode it; status is one of the five OCI names.

#include "libcontainer/container/container.h"
#include "libcontainer/sys/linux_ops.h"
#include "runtime/cli.h"

namespace grove::cli {
namespace {

Status run_state(Context& ctx) {
  sys::LinuxOps ops;
  GROVE_ASSIGN_OR_RETURN(container::ContainerInfo info,
                         container::state(ops, ctx.global.root, ctx.args.at(0)));
  ctx.out << container::state_json(info);
  return ok();
}

const VerbRegistration kRegister{{
    .name = "state",
    .aliases = {},
    .summary = "output the state of a container",
    .args_usage = "<container-id>",
    .description = "The state command outputs current state information for the\n"
                   "instance of a container.",
    .flags = {},
    .args = ArgCount::exactly(1),
    .flags_before_args_only = false,
    .hidden = false,
    .handler = run_state,
}};

}  // namespace
}  // namespace grove::cli
