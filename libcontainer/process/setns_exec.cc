#include "libcontainer/process/setns_exec.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <unistd.h>

#include "libcontainer/base/strings.h"
#include "libcontainer/process/console.h"
#include "libcontainer/process/exec_setup.h"
#include "libcontainer/sys/fault.h"

namespace grove::process {
namespace {

#ifndef CLONE_NEWTIME
constexpr int kCloneNewTime = 0x00000080;
#else
constexpr int kCloneNewTime = CLONE_NEWTIME;
#endif

constexpr const char* kStartFrame = "unable to start container process";  // runc's words

// The exec'd process after `go`, in runc's setns init order: the console first (before the
// uid change, it chowns the pty to the process's user; runc's setns init does not bind it over
// /dev/console), then cwd, because runc looks the executable up after finalizeNamespace's chdir,
// so "./tool" is relative to process.cwd; then the process's own settings (apparmor profile,
// scheduler, io priority, SELinux exec label) and the init's own finalisation (exec_setup.h)
// with the container's seccomp filter, so exec and init processes are set up identically.
// TODO(#4): the session keyring (runc joins a new one per exec unless --no-new-keyring).
Status exec_process(sys::Ops& ops, const SetnsExecConfig& cfg, const SyncSocket& sync) {
  const oci::Process& p = *cfg.process;
  if (p.terminal) {
    ConsoleSetup setup;
    setup.bind_console = false;
    setup.size = p.console_size;
    setup.owner = p.user.uid;
    GROVE_TRY(setup_console(ops, setup, sync).context("process.terminal"));
  }
  GROVE_TRY(enter_cwd(ops, p.cwd).context("process.cwd"));
  GROVE_ASSIGN_OR_RETURN(std::string exe, find_executable(ops, p.args[0], p.env));
  if (cfg.settings != nullptr) {
    GROVE_TRY(apply_init_settings(ops, *cfg.settings));
    GROVE_TRY(apply_exec_label(ops, *cfg.settings));
  }
  const security::SeccompProgram* late_seccomp = cfg.seccomp;
  if (cfg.seccomp != nullptr && cfg.seccomp->notify()) {
    // As the init does (process/init.cc load_notify_filter): the listener must reach the agent
    // through the parent still reading the sync socket, so the filter is loaded here; the
    // profile must allow the remaining finalisation syscalls (runc without noNewPrivileges).
    GROVE_ASSIGN_OR_RETURN(UniqueFd listener,
                           security::load_seccomp(ops, *cfg.seccomp).context("linux.seccomp"));
    GROVE_TRY(sync.send_fd(ops, SyncKind::kSeccompFd, listener.get())
                  .context("send seccomp listener fd"));
    late_seccomp = nullptr;
  }
  std::vector<int> keep = cfg.inherit;
  GROVE_FAULT_POINT("exec-process.before-exec");
  keep.push_back(sync.fd());  // close-on-exec: execve closing it is the parent's success signal
  return finalize_and_exec(ops, p, exe, std::move(keep), late_seccomp);
}

[[noreturn]] void process_main(sys::Ops& ops, const SetnsExecConfig& cfg, const SyncSocket& sync) {
  // Wait until the parent knows our pid (the joiner's kPid must come first on the shared
  // socket) and has done what must precede the exec (cgroup placement, once there are cgroups).
  if (!sync.expect(SyncKind::kGo)) ::_exit(1);
  Status st = exec_process(ops, cfg, sync);
  (void)sync.send_error(st.error());
  ::_exit(255);
}

Status prepare_joiner(sys::Ops& ops, const SetnsExecConfig& cfg, const SyncSocket& sync) {
  // Nothing of the runtime (state lock, log file, the parent's socket end) may reach the
  // container (CVE-2024-21626): close it before entering any namespace.
  std::vector<int> keep = cfg.inherit;
  keep.push_back(sync.fd());
  keep.push_back(cfg.init_pidfd);
  GROVE_TRY(close_fds_except(ops, std::move(keep)).context("close runtime fds"));
  // CVE-2019-5736: until execve, /proc/<pid>/exe of both children is the runtime binary and the
  // process below becomes visible in the container's pid namespace. Non-dumpable /proc entries
  // are root-owned in the host's user namespace; execve resets the flag.
  GROVE_TRY(ops.set_dumpable(false));
  GROVE_TRY(join_namespaces(ops, cfg));
  GROVE_FAULT_POINT("exec-joiner.after-setns");
  return ok();
}

[[noreturn]] void joiner_main(sys::Ops& ops, const SetnsExecConfig& cfg, const SyncSocket& sync) {
  if (Status st = prepare_joiner(ops, cfg, sync); !st) {
    (void)sync.send_error(st.error());
    ::_exit(1);
  }
  // clone3 wants exit_signal 0 with CLONE_PARENT; the child then gets ours (SIGCHLD) and is
  // the runtime's child, which is how runc's nsexec hands its grandchild back.
  sys::CloneArgs args;
  args.flags = CLONE_PARENT;
  args.exit_signal = 0;
  auto cloned = ops.clone3(args);
  if (!cloned) {
    (void)sync.send_error(cloned.error());
    ::_exit(1);
  }
  if (cloned->pid == 0) process_main(ops, cfg, sync);
  (void)sync.send_pid(cloned->pid);
  ::_exit(0);
}

void reap(sys::Ops& ops, pid_t pid, bool kill_first) {
  if (kill_first) (void)ops.kill(pid, SIGKILL);
  (void)ops.waitpid(pid, 0);
}

// Parent side before `go`: what runc's setnsProcess.start does to the process from outside
// (oom_score_adj, CPU affinity: initial, then final once it would be in its cgroup).
Status before_go(sys::Ops& ops, const SetnsExecConfig& cfg, pid_t pid) {
  if (cfg.settings != nullptr) GROVE_TRY(apply_oom_score_adj(ops, pid, *cfg.settings));
  GROVE_TRY(apply_cpu_affinity(ops, pid, cfg.cpu_affinity_initial)
                .context("process.execCPUAffinity.initial"));
  if (cfg.join_cgroup) GROVE_TRY(cfg.join_cgroup(pid));
  return apply_cpu_affinity(ops, pid, cfg.cpu_affinity_final)
      .context("process.execCPUAffinity.final");
}

// The process's error after `go` (it _exit()s right after reporting), or EOF: exec'd.
Status await_exec(sys::Ops& ops, const SyncSocket& sync, pid_t pid) {
  auto data = ops.read(sync.fd(), kSyncMaxMessage + 1);
  if (!data) {
    reap(ops, pid, true);
    return std::move(data).error().context("waiting for the container process");
  }
  if (data->empty()) return ok();  // execve closed the last copy of the child's end
  reap(ops, pid, false);
  GROVE_ASSIGN_OR_RETURN(SyncMessage err, decode_sync(data->data(), data->size()));
  if (err.kind != SyncKind::kError || !err.error) {
    return Error::plain(EPROTO, std::string("sync: unexpected ") + to_string(err.kind));
  }
  return std::move(*err.error);
}

// Parent: the process's notify listener fd (after its console, before its execve), handed to
// the caller, who sends it to listenerPath.
Status forward_seccomp_fd(sys::Ops& ops, const SetnsExecConfig& cfg, const SyncSocket& sync,
                          pid_t pid) {
  GROVE_ASSIGN_OR_RETURN(UniqueFd fd, sync.expect_fd(ops, SyncKind::kSeccompFd));
  if (!cfg.on_seccomp_fd) return Error::invalid("linux.seccomp: no receiver for the listener fd");
  return cfg.on_seccomp_fd(pid, std::move(fd));
}

// Parent: the joiner's kPid (or its error), `go`, the console master when process.terminal, the
// notify listener fd with a notify filter, then EOF (exec'd) or the process's error.
Result<SetnsSpawned> await_process(sys::Ops& ops, const SetnsExecConfig& cfg,
                                   const SyncSocket& sync, pid_t joiner) {
  auto msg = sync.receive();
  reap(ops, joiner, !msg);  // it exits right after its one message
  if (!msg) return std::move(msg).error().context("waiting for the container process");
  if (msg->kind == SyncKind::kError) return std::move(*msg->error);
  if (msg->kind != SyncKind::kPid || msg->value <= 0) {
    return Error::plain(EPROTO, std::string("sync: expected pid, got ") + to_string(msg->kind));
  }
  SetnsSpawned out;
  out.pid = static_cast<pid_t>(msg->value);
  GROVE_FAULT_POINT("exec.after-pid");
  Status st = before_go(ops, cfg, out.pid);
  if (st) st = sync.send_go();
  GROVE_FAULT_POINT("exec.after-go");
  if (!st) {
    reap(ops, out.pid, true);
    return std::move(st).error();
  }
  if (cfg.process->terminal) {
    auto master = sync.expect_fd(ops, SyncKind::kConsole);
    if (!master) {
      reap(ops, out.pid, true);  // it has reported its error and exits, or is stuck: kill it
      return std::move(master).error();
    }
    out.console = std::move(*master);
  }
  if (cfg.seccomp != nullptr && cfg.seccomp->notify()) {
    if (Status st = forward_seccomp_fd(ops, cfg, sync, out.pid); !st) {
      reap(ops, out.pid, true);
      return std::move(st).error();
    }
  }
  GROVE_TRY(await_exec(ops, sync, out.pid));
  return out;
}

}  // namespace

const std::vector<std::string>& namespace_names() {
  static const std::vector<std::string> kNames = {"user", "mnt", "pid",    "net",
                                                  "ipc",  "uts", "cgroup", "time"};
  return kNames;
}

int namespace_flag(const std::string& name) {
  if (name == "user") return CLONE_NEWUSER;
  if (name == "mnt") return CLONE_NEWNS;
  if (name == "pid") return CLONE_NEWPID;
  if (name == "net") return CLONE_NEWNET;
  if (name == "ipc") return CLONE_NEWIPC;
  if (name == "uts") return CLONE_NEWUTS;
  if (name == "cgroup") return CLONE_NEWCGROUP;
  if (name == "time") return kCloneNewTime;
  return 0;
}

int namespaces_to_join(const NamespaceLinks& self, const NamespaceLinks& init) {
  int mask = 0;
  for (const std::string& name : namespace_names()) {
    auto s = self.find(name);
    auto i = init.find(name);
    if (s == self.end() || i == init.end() || s->second == i->second) continue;
    mask |= namespace_flag(name);
  }
  return mask;
}

Result<NamespaceLinks> read_namespace_links(sys::Ops& ops, pid_t pid) {
  const std::string dir =
      "/proc/" + (pid == 0 ? std::string("self") : std::to_string(pid)) + "/ns/";
  NamespaceLinks out;
  for (const std::string& name : namespace_names()) {
    auto link = ops.readlinkat(AT_FDCWD, dir + name);
    if (link) {
      out[name] = *link;
    } else if (link.error().code() != ENOENT) {
      return std::move(link).error();
    }
  }
  return out;
}

Status join_namespaces(sys::Ops& ops, const SetnsExecConfig& cfg) {
  if (cfg.nstypes == 0) return ok();
  auto all = ops.setns(cfg.init_pidfd, cfg.nstypes);
  // Kernels before 5.8 take only namespace fds: a pidfd is EINVAL there.
  if (all || all.error().code() != EINVAL) return std::move(all).context("join namespaces");
  // Open every fd before the first setns: after joining the mount namespace /proc is the
  // container's, where the init has another pid.
  std::vector<std::pair<UniqueFd, std::string>> fds;
  const std::string dir = "/proc/" + std::to_string(cfg.init_pid) + "/ns/";
  for (const std::string& name : namespace_names()) {
    if ((cfg.nstypes & namespace_flag(name)) == 0) continue;
    GROVE_ASSIGN_OR_RETURN(UniqueFd fd, ops.openat(AT_FDCWD, dir + name, O_RDONLY, 0));
    fds.emplace_back(std::move(fd), name);
  }
  for (const auto& [fd, name] : fds) {
    GROVE_TRY(ops.setns(fd.get(), namespace_flag(name)).context([&n = name] {
      return "join namespace " + q(n);
    }));
  }
  return ok();
}

Result<SetnsSpawned> spawn_setns_process(sys::Ops& ops, const SetnsExecConfig& cfg) {
  if (cfg.process == nullptr || cfg.process->args.empty()) {
    return Error::invalid("process args cannot be empty");
  }
  GROVE_ASSIGN_OR_RETURN(auto pair, make_sync_pair(ops));
  sys::CloneArgs args;
  args.exit_signal = SIGCHLD;
  auto joiner = ops.clone3(args);
  if (!joiner) return std::move(joiner).error().context(kStartFrame);
  if (joiner->pid == 0) {
    pair.first.close();
    joiner_main(ops, cfg, pair.second);
  }
  pair.second.close();
  return await_process(ops, cfg, pair.first, joiner->pid).context(kStartFrame);
}

}  // namespace grove::process
