// `grove ps [--format table|json] ID [ps options...]`: runc's ps. json prints the container's
// host pids as a JSON array (containerd's shim decodes it); table runs the host's `ps` (with
// the given options, default -ef) and keeps the header and the rows whose PID column is one of
// the container's pids. Flags end at the container id (runc's SkipArgReorder), so
// `grove ps c1 -o pid,comm` passes -o to ps.

#include <fcntl.h>
#include <unistd.h>

#include "libcontainer/base/strings.h"
#include "libcontainer/container/processes.h"
#include "libcontainer/process/exec_setup.h"
#include "libcontainer/sys/linux_ops.h"
#include "runtime/cli.h"

extern char** environ;

namespace grove::cli {
namespace {

std::vector<std::string> environment() {
  std::vector<std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) env.emplace_back(*e);
  return env;
}

// Runs `ps args...` with stdout and stderr into one pipe (Go's CombinedOutput) and returns the
// output. Errors: fork/exec errors; EIO `ps ARGS: exit status N: OUTPUT` when ps fails, as runc
// reports it.
Result<std::string> run_ps(sys::Ops& ops, const std::vector<std::string>& args) {
  std::vector<std::string> env = environment();
  GROVE_ASSIGN_OR_RETURN(std::string exe, process::find_executable(ops, "ps", env));
  std::vector<std::string> argv = {"ps"};
  argv.insert(argv.end(), args.begin(), args.end());
  GROVE_ASSIGN_OR_RETURN(sys::FdPair pipe, ops.pipe2(0));
  sys::CloneArgs ca;
  GROVE_ASSIGN_OR_RETURN(sys::CloneResult child, ops.clone3(ca));
  if (child.pid == 0) {
    // dup3 clears close-on-exec on the copies; everything else of ours closes at execve.
    if (!ops.dup3(pipe.second.get(), 1, 0) || !ops.dup3(pipe.second.get(), 2, 0)) ::_exit(127);
    (void)ops.execve(exe, argv, env);
    ::_exit(127);
  }
  pipe.second.reset();
  std::string out;
  for (;;) {
    auto chunk = ops.read(pipe.first.get(), 65536);
    if (!chunk || chunk->empty()) break;
    out += *chunk;
  }
  GROVE_ASSIGN_OR_RETURN(sys::WaitStatus ws, ops.waitpid(child.pid, 0));
  if (!ws.exited() || ws.status != 0) {
    return Error::plain(
        EIO, "ps " + join(args, " ") + ": exit status " + std::to_string(ws.status) + ": " + out);
  }
  return out;
}

Status run_ps_verb(Context& ctx) {
  std::string format = ctx.flags.get_string("format", "table");
  if (format != "table" && format != "json") return Error::invalid("invalid format option");
  sys::LinuxOps ops;
  GROVE_ASSIGN_OR_RETURN(std::vector<pid_t> pids,
                         container::processes(ops, ctx.global.root, ctx.args[0]));
  if (format == "json") {
    ctx.out << container::pids_json(pids);
    return ok();
  }
  std::vector<std::string> ps_args(ctx.args.begin() + 1, ctx.args.end());
  if (!ps_args.empty() && ps_args[0] == "--") ps_args.erase(ps_args.begin());
  if (ps_args.empty()) ps_args = {"-ef"};
  GROVE_ASSIGN_OR_RETURN(std::string output, run_ps(ops, ps_args));
  GROVE_ASSIGN_OR_RETURN(std::string table, container::filter_ps_output(output, pids));
  ctx.out << table;
  return ok();
}

const VerbRegistration kRegister{{
    .name = "ps",
    .aliases = {},
    .summary = "ps displays the processes running inside a container",
    .args_usage = "<container-id> [ps options]",
    .description = "Where \"<container-id>\" is the name for the instance of the container and\n"
                   "\"[ps options]\" are options for the host's ps(1) (default: -ef).\n"
                   "\n"
                   "Without cgroups (not implemented yet) the container's processes are those in\n"
                   "its init's pid namespace, or the init and its descendants when the container\n"
                   "shares the host's pid namespace.",
    .flags = {value_flag(FlagKind::kString, "format", "select one of: table or json", {"f"},
                         "table")},
    .args = ArgCount::at_least(1),
    .flags_before_args_only = true,
    .hidden = false,
    .handler = run_ps_verb,
}};

}  // namespace
}  // namespace grove::cli
