// `grove run [create's flags] [--detach] [--keep] [--no-subreaper] ID`: runc's run, i.e.
// create + start and then, unless detached, wait for the init while forwarding signals to it,
// delete the container (unless --keep) and exit with the process's code (128+n for signal n).

#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstdlib>
#include <iostream>

#include <string>
#include <vector>

#include "libcontainer/base/defer.h"
#include "libcontainer/base/strings.h"
#include "libcontainer/container/container.h"
#include "libcontainer/sys/linux_ops.h"
#include "runtime/bundle.h"
#include "runtime/cli.h"

namespace grove::cli {
namespace {

// What runc forwards to the container (signal.go forwards everything it gets but SIGCHLD,
// SIGWINCH, which resizes the tty, and SIGURG, Go's preemption signal). SIGKILL/SIGSTOP cannot
// be caught; SIGPIPE and the synchronous faults stay ours.
constexpr int kForwarded[] = {SIGHUP,    SIGINT,  SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2,
                              SIGALRM,   SIGCONT, SIGTSTP, SIGTTIN, SIGTTOU, SIGPWR,
                              SIGVTALRM, SIGPROF, SIGIO,   SIGXCPU, SIGXFSZ, SIGSYS};

int exit_code(const sys::WaitStatus& ws) {
  if (ws.signaled()) return 128 + ws.status;
  return ws.status;
}

// Waits for `pid` (our child: create cloned it) and forwards the signals above to it. The
// signals are blocked and taken with sigwaitinfo, so none is lost between the checks; they are
// blocked only here, after create, because the init inherits the mask of the thread that
// cloned it and keeps it across execve.
// TODO(verbs): move sigprocmask/sigwaitinfo into sys::Ops (style.md §2.4). #4
Result<int> wait_forwarding(sys::Ops& ops, pid_t pid, Logger& log) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGCHLD);
  for (int sig : kForwarded) sigaddset(&set, sig);
  sigset_t old;
  if (::sigprocmask(SIG_BLOCK, &set, &old) != 0) return Error::last("sigprocmask(SIG_BLOCK)");
  Defer restore([&] { ::sigprocmask(SIG_SETMASK, &old, nullptr); });
  for (;;) {
    GROVE_ASSIGN_OR_RETURN(sys::WaitStatus ws, ops.waitpid(pid, WNOHANG));
    if (ws.pid == pid && (ws.exited() || ws.signaled())) return exit_code(ws);
    siginfo_t info;
    int sig = ::sigwaitinfo(&set, &info);
    if (sig < 0) {
      if (errno == EINTR) continue;
      return Error::last("sigwaitinfo()");
    }
    if (sig == SIGCHLD) continue;
    log.debug(std::string("forwarding SIG") + sigabbrev_np(sig) + " to " + std::to_string(pid));
    auto sent = ops.kill(pid, sig);
    if (!sent && sent.error().code() != ESRCH) return std::move(sent).error();
  }
}

Status check_terminal(const container::CreateOptions& opts, bool detach) {
  bool terminal = opts.spec.process && opts.spec.process->terminal;
  // runc's rules (utils_linux.go validateProcessSpec/setupIO), with our name in the strings.
  if (detach && terminal && opts.console_socket.empty()) {
    return Error::invalid(
        "cannot allocate tty if grove will detach without setting console socket");
  }
  if (!terminal && !opts.console_socket.empty()) {
    return Error::invalid("cannot use console socket if grove will not detach or allocate tty");
  }
  if (terminal && opts.console_socket.empty()) {
    // TODO(verbs): attach the current terminal (pty in grove, raw mode, copy loop). #4
    return Error::not_supported(
        "process.terminal=true needs --console-socket (attaching the current terminal is not "
        "implemented)");
  }
  return ok();
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
  // Failed poststart/poststop hooks are warnings (runtime.md): logged, the run goes on.
  std::vector<std::string> warnings;
  auto log_warnings = [&] {
    for (const std::string& w : warnings) ctx.log.warn(w);
    warnings.clear();
  };
  opts.warnings = &warnings;
  auto created = container::create(ops, opts);
  log_warnings();
  if (!created) return std::move(created).error();
  pid_t pid = *created;
  if (Status st = container::start(ops, opts.root, opts.id, &warnings); !st) {
    // runc destroys a container whose start failed.
    (void)container::remove(ops, opts.root, opts.id, true, &warnings);
    log_warnings();
    (void)ops.waitpid(pid, 0);
    return st;
  }
  log_warnings();
  if (detach) return ok();
  auto code = wait_forwarding(ops, pid, ctx.log);
  if (!ctx.flags.get_bool("keep")) {
    Status removed = container::remove(ops, opts.root, opts.id, true, &warnings);
    log_warnings();
    GROVE_TRY(std::move(removed));
  }
  if (!code) return std::move(code).error();
  ctx.log.debug("container " + q(opts.id) + " exited with " + std::to_string(*code));
  if (*code == 0) return ok();
  // The framework maps a Status to 0 or 1; run must return the process's own code.
  // TODO(verbs): let a handler set the exit code through Context instead. #4
  ctx.out.flush();
  ctx.err.flush();
  std::cout.flush();
  std::exit(*code);
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
