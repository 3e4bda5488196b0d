// `grove delete [--force] ID`: runc's delete. A stopped container's state is removed; a created
// one is killed first; a running one needs --force (SIGKILL, then wait). Like runc, deleting an
// id that does not exist fails with "does not exist" (engines treat that as success), except
// with --force, which succeeds.

#include <cerrno>

#include <string>
#include <vector>

#include "libcontainer/container/container.h"
#include "libcontainer/sys/linux_ops.h"
#include "runtime/cli.h"

namespace grove::cli {
namespace {

Status run_delete(Context& ctx) {
  sys::LinuxOps ops;
  bool force = ctx.flags.get_bool("force");
  std::vector<std::string> warnings;  // failed poststop hooks: logged, delete still succeeds
  Status st = container::remove(ops, ctx.global.root, ctx.args.at(0), force, &warnings);
  for (const std::string& w : warnings) ctx.log.warn(w);
  // runc 1.1 (delete.go): a missing container is an error unless --force.
  if (!st && st.error().code() == ENOENT && force) return ok();
  return st;
}

const VerbRegistration kRegister{{
    .name = "delete",
    .aliases = {},
    .summary = "delete any resources held by the container often used with detached container",
    .args_usage = "<container-id>",
    .description =
        "Where \"<container-id>\" is the name for the instance of the container.\n"
        "\n"
        "For example, if the container id is \"ubuntu01\" and grove list currently shows the\n"
        "status of \"ubuntu01\" as \"stopped\" the following will delete resources held for\n"
        "\"ubuntu01\" removing \"ubuntu01\" from the grove list of containers:\n"
        "\n"
        "       # grove delete ubuntu01",
    .flags = {bool_flag(
        "force", "Forcibly deletes the container if it is still running (uses SIGKILL)", {"f"})},
    .args = ArgCount::exactly(1),
    .flags_before_args_only = false,
    .hidden = false,
    .handler = run_delete,
}};

}  // namespace
}  // namespace grove::cli
