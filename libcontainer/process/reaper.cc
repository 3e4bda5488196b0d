// The container's PID 1 stand-in (reaper.h).

#include "libcontainer/process/reaper.h"

#include <signal.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <vector>

#include "libcontainer/process/exec_setup.h"

namespace grove::process {
namespace {

// The signals a user or grove sends that the process should get (runc's forwarded list plus
// SIGWINCH, which a terminal-less caller may still send). SIGCHLD drives the reaping.
constexpr int kReaperSignals[] = {SIGHUP,  SIGINT,  SIGQUIT, SIGTERM,  SIGUSR1, SIGUSR2,   SIGALRM,
                                  SIGCONT, SIGTSTP, SIGTTIN, SIGTTOU,  SIGPWR,  SIGVTALRM, SIGPROF,
                                  SIGIO,   SIGXCPU, SIGXFSZ, SIGWINCH, SIGCHLD};

[[noreturn]] void give_up(sys::Ops& ops, pid_t child) {
  (void)ops.kill(child, SIGKILL);
  ::_exit(255);
}

// Reaps every exited child; true (with `code`) once `child` is among them.
bool reap(sys::Ops& ops, pid_t child, int* code) {
  bool done = false;
  for (;;) {
    auto ws = ops.waitpid(-1, WNOHANG);
    if (!ws || ws->pid <= 0) return done;
    if (ws->pid == child && (ws->exited() || ws->signaled())) {
      *code = reaper_exit_code(*ws);
      done = true;
    }
  }
}

}  // namespace

bool wants_reaper(const oci::Spec& spec) {
  auto it = spec.annotations.find(std::string(kInitAnnotation));
  if (it == spec.annotations.end() || it->second != kInitReaper) return false;
  const oci::Namespace* pid = oci::find_namespace(spec, oci::NamespaceType::kPid);
  return pid != nullptr && pid->path.empty();
}

bool wants_kill_with_runtime(const oci::Spec& spec) {
  auto it = spec.annotations.find(std::string(kKillWithRuntimeAnnotation));
  return it != spec.annotations.end() && it->second == "true";
}

int reaper_exit_code(const sys::WaitStatus& ws) {
  return ws.signaled() ? 128 + ws.status : ws.status;
}

void run_reaper(sys::Ops& ops, pid_t child) {
  // Nothing of the runtime (exec fifo: `start` waits for its EOF; sync socket; state dir; fds
  // preserved for the process) may stay open here.
  if (!close_fds_except(ops, {0, 1, 2})) give_up(ops, child);
  // Keeps the container's processes out of this one's /proc files (it is not exec'd: its
  // /proc/1/exe is the runtime binary, CVE-2019-5736).
  (void)ops.set_dumpable(false);
  sigset_t set;
  sigemptyset(&set);
  for (int sig : kReaperSignals) sigaddset(&set, sig);
  if (!ops.sigprocmask(SIG_BLOCK, set)) give_up(ops, child);
  auto sfd = ops.signalfd(set, 0);
  if (!sfd) give_up(ops, child);
  int code = 0;
  // A child that exited before the mask was set left a pending SIGCHLD: reaped on the first
  // read like any other.
  if (reap(ops, child, &code)) ::_exit(code);
  for (;;) {
    auto data = ops.read(sfd->get(), sizeof(struct signalfd_siginfo));
    if (!data) {
      if (data.error().code() == EINTR) continue;
      give_up(ops, child);
    }
    if (data->size() != sizeof(struct signalfd_siginfo)) give_up(ops, child);
    struct signalfd_siginfo info;
    std::memcpy(&info, data->data(), sizeof info);
    const int sig = static_cast<int>(info.ssi_signo);
    if (sig == SIGCHLD) {
      if (reap(ops, child, &code)) ::_exit(code);
      continue;
    }
    // Terminal-generated signals (SI_KERNEL) reach the child's process group directly.
    if (info.ssi_code <= 0) (void)ops.kill(child, sig);
  }
}

}  // namespace grove::process
