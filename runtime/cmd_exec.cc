// `grove exec [flags] ID [COMMAND [ARGS...]]` or `grove exec -p process.json ID`: runc's exec.
// Flags end at the container id (runc's SkipArgReorder), so `exec c1 sh -c x` passes -c to sh.
// Foreground: wait for the process, forwarding signals, and exit with its code (128+N for
// signal N). --detach: return once it exec'd. Any failure exits 255 with "exec failed: ...",
// like runc's fatalWithCode, since engines tell a runtime failure from the command's own code
// that way. A foreground process with a terminal (--tty, or terminal in --process) gets the
// caller's terminal attached like `run` does (raw mode, copy loop, SIGWINCH resizes).

#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>

#include "libcontainer/base/strings.h"
#include "libcontainer/container/exec.h"
#include "libcontainer/sys/linux_ops.h"
#include "oci/parse.h"
#include "runtime/cli.h"
#include "runtime/wait.h"

namespace grove::cli {
namespace {

constexpr int kExecFailedCode = 255;

Result<oci::Process> read_process_file(sys::Ops& ops, const std::string& path) {
  GROVE_ASSIGN_OR_RETURN(std::string text, ops.read_file_at(AT_FDCWD, path));
  return oci::parse_process(text).context([&] { return q(path); });
}

// The library request for the parsed flags.
Result<container::ExecOptions> exec_options(sys::Ops& ops, const Context& ctx) {
  container::ExecOptions opts;
  const FlagValues& f = ctx.flags;
  if (std::string path = f.get_string("process"); !path.empty()) {
    GROVE_ASSIGN_OR_RETURN(opts.process, read_process_file(ops, path));
  }
  container::ProcessOverrides& o = opts.overrides;
  o.args.assign(ctx.args.begin() + 1, ctx.args.end());
  o.cwd = f.get_string("cwd");
  o.env = f.get_list("env");
  o.user = f.get_string("user");
  o.additional_gids = f.get_list("additional-gids");
  o.caps = f.get_list("cap");
  if (f.is_set("no-new-privs")) o.no_new_privs = f.get_bool("no-new-privs");
  o.process_label = f.get_string("process-label");
  o.apparmor = f.get_string("apparmor");
  o.tty = f.get_bool("tty");
  opts.detach = f.get_bool("detach");
  opts.pid_file = f.get_string("pid-file");
  opts.console_socket = f.get_string("console-socket");
  opts.pidfd_socket = f.get_string("pidfd-socket");
  long long preserve = f.get_int("preserve-fds");
  if (preserve < 0 || preserve > 65536) {
    return Error::invalid("invalid --preserve-fds " + std::to_string(preserve));
  }
  opts.preserve_fds = static_cast<int>(preserve);
  opts.ignore_paused = f.get_bool("ignore-paused");
  opts.cgroup = f.get_list("cgroup");
  return opts;
}

// runc: fatalWithCode(fmt.Errorf("exec failed: %w", err), 255). Dispatch logs it once (plus
// stderr when the log goes to a file: conmon reads the runtime's stderr) and exits 255.
Error exec_failed(Context& ctx, Error error) {
  ctx.exit_code = kExecFailedCode;
  return std::move(error).context("exec failed");
}

bool wants_terminal(const container::ExecOptions& opts) {
  return opts.process ? opts.process->terminal : opts.overrides.tty;
}

// Foreground exec with a terminal: the master comes back over a socketpair given to exec as
// its console socket, then the caller's terminal is attached to it (prepare_attach runs once
// the process exec'd; attach_terminal reaps it even if it exited before the signals were
// blocked). If the attach cannot start, the process is killed: nobody would serve its tty.
Result<int> exec_attached(sys::Ops& ops, Context& ctx, container::ExecOptions& opts) {
  GROVE_ASSIGN_OR_RETURN(process::HostTerminal host, process::HostTerminal::open(ops));
  GROVE_ASSIGN_OR_RETURN(sys::FdPair pair, ops.socketpair(AF_UNIX, SOCK_STREAM, 0));
  opts.console_socket_fd = pair.second.get();
  if (auto ws = ops.ioctl_tiocgwinsz(host.fd()); ws && ws->ws_row != 0 && ws->ws_col != 0) {
    opts.initial_console_size = oci::ConsoleSize{ws->ws_row, ws->ws_col};
  }
  GROVE_ASSIGN_OR_RETURN(pid_t pid, container::exec(ops, ctx.global.root, ctx.args[0], opts));
  pair.second.reset();
  auto kill = [&] {
    (void)ops.kill(pid, SIGKILL);
    (void)ops.waitpid(pid, 0);
  };
  auto master = process::receive_console_master(ops, pair.first.get());
  if (!master) {
    kill();
    return std::move(master).error();
  }
  auto blocked = prepare_attach(ops, host, master->get());
  if (!blocked) {
    kill();
    return std::move(blocked).error();
  }
  return attach_and_wait(ops, host, master->get(), pid, *blocked);
}

Result<int> exec_foreground(sys::Ops& ops, Context& ctx, container::ExecOptions& opts) {
  if (wants_terminal(opts)) return exec_attached(ops, ctx, opts);
  GROVE_ASSIGN_OR_RETURN(pid_t pid, container::exec(ops, ctx.global.root, ctx.args[0], opts));
  return wait_forwarding(ops, pid, ctx.log);
}

Status run_exec(Context& ctx) {
  sys::LinuxOps ops;
  auto opts = exec_options(ops, ctx);
  if (!opts) return exec_failed(ctx, std::move(opts).error());
  // Before a foreground terminal is looked for, so the flag combinations fail with runc's
  // strings whatever grove's stdio is.
  Status terminal = container::check_exec_terminal(wants_terminal(*opts), opts->detach,
                                                   opts->console_socket);
  if (!terminal) return exec_failed(ctx, std::move(terminal).error());
  if (opts->detach) {
    auto pid = container::exec(ops, ctx.global.root, ctx.args[0], *opts);
    if (!pid) return exec_failed(ctx, std::move(pid).error());
    return ok();
  }
  auto code = exec_foreground(ops, ctx, *opts);
  if (!code) return exec_failed(ctx, std::move(code).error());
  ctx.log.debug("exec'd process in " + q(ctx.args[0]) + " exited with " + std::to_string(*code));
  ctx.exit_code = *code;
  return ok();
}

std::vector<FlagSpec> exec_flags() {
  return {
      value_flag(FlagKind::kString, "console-socket",
                 "path to an AF_UNIX socket which will receive a file descriptor referencing the "
                 "master end of the console's pseudoterminal"),
      value_flag(FlagKind::kString, "cwd", "current working directory in the container"),
      value_flag(FlagKind::kStringList, "env", "set environment variables", {"e"}),
      bool_flag("tty", "allocate a pseudo-TTY", {"t"}),
      value_flag(FlagKind::kString, "user", "UID (format: <uid>[:<gid>])", {"u"}),
      value_flag(FlagKind::kStringList, "additional-gids", "additional gids", {"g"}),
      value_flag(FlagKind::kString, "process", "path to the process.json", {"p"}),
      bool_flag("detach", "detach from the container's process", {"d"}),
      value_flag(FlagKind::kString, "pid-file", "specify the file to write the process id to"),
      value_flag(FlagKind::kString, "pidfd-socket",
                 "path to an AF_UNIX socket which will receive a file descriptor referencing the "
                 "exec process"),
      value_flag(FlagKind::kString, "process-label",
                 "set the asm process label for the process commonly used with selinux"),
      value_flag(FlagKind::kString, "apparmor", "set the apparmor profile for the process"),
      bool_flag("no-new-privs", "set the no new privileges value for the process"),
      value_flag(FlagKind::kStringList, "cap",
                 "add a capability to the bounding set for the process", {"c"}),
      value_flag(FlagKind::kInt, "preserve-fds",
                 "pass N additional file descriptors to the container (stdio + N in total)", {},
                 "0"),
      value_flag(FlagKind::kStringList, "cgroup",
                 "run the process in an (existing) sub-cgroup(s); format is "
                 "[<controller>:]<cgroup>"),
      bool_flag("ignore-paused", "allow exec in a paused container"),
  };
}

const VerbRegistration kRegister{{
    .name = "exec",
    .aliases = {},
    .summary = "execute new process inside the container",
    .args_usage = "<container-id> <command> [command options]  || -p process.json <container-id>",
    .description =
        "Where \"<container-id>\" is the name for the instance of the container and\n"
        "\"<command>\" is the command to be executed in the container.\n"
        "\"<command>\" can't be empty unless a \"-p\" flag provided.\n"
        "\n"
        "EXAMPLE:\n"
        "For example, if the container is configured to run the linux ps command the\n"
        "following will output a list of processes running in the container:\n"
        "\n"
        "       # grove exec <container-id> ps\n"
        "\n"
        "The process exits with the command's exit code (128+N when signal N killed it);\n"
        "a failure to start it exits with 255.",
    .flags = exec_flags(),
    .args = ArgCount::at_least(1),
    .flags_before_args_only = true,
    .hidden = false,
    .handler = run_exec,
}};

}  // namespace
}  // namespace grove::cli
