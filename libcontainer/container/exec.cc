// exec: a new process in an existing container (exec.h). The process side (namespace joining,
// double fork, finalisation) is process/setns_exec.

#include "libcontainer/container/exec.h"

#include <fcntl.h>
#include <signal.h>

#include "libcontainer/base/strings.h"
#include "libcontainer/cgroup/manager.h"
#include "libcontainer/container/cgroups.h"
#include "libcontainer/container/pid_file.h"
#include "libcontainer/container/seccomp_notify.h"
#include "libcontainer/container/state_store.h"
#include "libcontainer/process/console.h"
#include "libcontainer/process/exec_setup.h"
#include "libcontainer/process/pidfd_socket.h"
#include "libcontainer/process/proc_settings.h"
#include "libcontainer/process/setns_exec.h"
#include "libcontainer/sys/fault.h"
#include "libcontainer/sys/probe.h"
#include "oci/parse.h"

namespace grove::container {
namespace {

// Go's strconv.Atoi range for the ids runc parses, narrowed to what uid_t/gid_t hold.
Result<uint32_t> parse_id(const std::string& text, const char* what) {
  long long v = 0;
  if (!parse_int64(text, &v) || v < 0 || v > UINT32_MAX) {
    return Error::invalid(std::string("bad ") + what + ": " + q(text));
  }
  return static_cast<uint32_t>(v);
}

Status apply_user(oci::User& user, const ProcessOverrides& o) {
  if (!o.user.empty()) {
    // runc: strings.Cut(user, ":"), the gid only when there is a colon.
    std::size_t colon = o.user.find(':');
    if (colon != std::string::npos) {
      GROVE_ASSIGN_OR_RETURN(user.gid, parse_id(o.user.substr(colon + 1), "gid"));
    }
    GROVE_ASSIGN_OR_RETURN(user.uid, parse_id(o.user.substr(0, colon), "uid"));
  }
  for (const std::string& g : o.additional_gids) {
    long long v = 0;
    if (!parse_int64(g, &v) || v < 0 || v > UINT32_MAX) {
      return Error::invalid("additional-gids must be a positive number " + q(g));
    }
    user.additional_gids.push_back(static_cast<uint32_t>(v));
  }
  return ok();
}

// runc exec --cap adds to bounding, effective and permitted; ambient only when the process
// already has inheritable bits (an ambient cap needs an inheritable one).
void add_caps(std::optional<oci::Capabilities>& caps, const std::vector<std::string>& add) {
  if (add.empty()) return;
  if (!caps) caps.emplace();
  for (const std::string& c : add) {
    caps->bounding.push_back(c);
    caps->effective.push_back(c);
    caps->permitted.push_back(c);
    if (!caps->inheritable.empty()) caps->ambient.push_back(c);
  }
}

// The process's own settings (process/proc_settings.h), planned from the process alone so
// nothing of linux.* (sysctl, personality, ...) is applied again. The probe is only paid when a
// field needs it. Errors: plan_proc_settings's (ENOTSUP apparmorProfile without AppArmor).
Result<process::ProcSettings> plan_exec_settings(sys::Ops& ops, const oci::Process& p) {
  if (p.apparmor_profile.empty() && p.selinux_label.empty() && !p.oom_score_adj && !p.scheduler &&
      !p.io_priority && !p.exec_cpu_affinity) {
    return process::ProcSettings{};
  }
  oci::Spec only;
  only.process = p;
  return process::plan_proc_settings(only, sys::probe(ops));
}

Result<oci::Spec> load_config(sys::Ops& ops, const ContainerRecord& rec) {
  GROVE_ASSIGN_OR_RETURN(std::string text, ops.read_file_at(AT_FDCWD, rec.config_path));
  GROVE_ASSIGN_OR_RETURN(oci::Spec spec,
                         oci::parse_config(text).context([&] { return q(rec.config_path); }));
  if (!spec.process) return Error::invalid(q(rec.config_path) + ": process is required");
  return spec;
}

// The process to start: --process verbatim or config.json's with the overrides, then the
// container's capabilities/rlimits where the process has none.
Result<oci::Process> resolve_process(const oci::Process& container, const ExecOptions& opts) {
  if (!opts.process && opts.overrides.args.empty()) {
    return Error::invalid("process args cannot be empty");
  }
  oci::Process p;
  if (opts.process) {
    p = *opts.process;
    GROVE_TRY(validate_exec_process(p).context("process.json"));
  } else {
    GROVE_ASSIGN_OR_RETURN(p, exec_process_from_args(container, opts.overrides));
  }
  inherit_from_container(p, container);
  if (p.terminal && !p.console_size && opts.initial_console_size) {
    p.console_size = opts.initial_console_size;
  }
  GROVE_TRY(check_exec_terminal(p.terminal, opts.detach, opts.console_socket));
  if (p.terminal && opts.console_socket.empty() && opts.console_socket_fd < 0) {
    return Error::invalid("process.terminal needs a console socket to hand the pty master to");
  }
  return p;
}

// The container's linux.seccomp, compiled or from the cache create filled. With a notify
// filter the process's listener fd goes to listenerPath (set_exec_seccomp_receiver).
Result<std::optional<security::PreparedSeccomp>> exec_seccomp(sys::Ops& ops, const oci::Spec& spec,
                                                              const std::string& root) {
  if (!spec.linux || !spec.linux->seccomp) return std::optional<security::PreparedSeccomp>{};
  GROVE_ASSIGN_OR_RETURN(security::PreparedSeccomp prepared,
                         security::prepare_seccomp(ops, *spec.linux->seccomp, root)
                             .context("linux.seccomp"));
  return std::optional<security::PreparedSeccomp>(std::move(prepared));
}

// runc's setns process: the exec'd process's notify listener goes to the container's
// listenerPath with the container's current state and the process's own pid.
void set_exec_seccomp_receiver(sys::Ops& ops, const oci::Spec& spec, const ContainerRecord& rec,
                               RunState st, process::SetnsExecConfig& cfg) {
  if (cfg.seccomp == nullptr || !cfg.seccomp->notify()) return;
  oci::ContainerStatus status = oci::ContainerStatus::kRunning;
  if (st == RunState::kCreated) status = oci::ContainerStatus::kCreated;
  if (st == RunState::kPaused) status = oci::ContainerStatus::kPaused;
  cfg.on_seccomp_fd = [&ops, &spec, &rec, status](pid_t pid, UniqueFd fd) -> Status {
    return send_seccomp_listener(ops, *spec.linux->seccomp, rec, status, rec.init_pid, pid,
                                 fd.get())
        .context("linux.seccomp");
  };
}

// Locks the container, checks it can take a process and returns a pidfd pinning its init (and
// the state it was found in).
Result<UniqueFd> open_execable_init(sys::Ops& ops, const ContainerRecord& rec, bool ignore_paused,
                                    RunState* state) {
  GROVE_ASSIGN_OR_RETURN(RunState st, current_state(ops, rec));
  GROVE_TRY(check_execable(st, ignore_paused));
  auto pidfd = ops.pidfd_open(rec.init_pid, 0);
  if (!pidfd) {
    if (pidfd.error().code() == ESRCH) return Error::invalid("cannot exec in a stopped container");
    return std::move(pidfd).error();
  }
  // The pidfd pins the process: re-check its identity now that the pid cannot be reused.
  GROVE_ASSIGN_OR_RETURN(st, current_state(ops, rec));
  GROVE_TRY(check_execable(st, ignore_paused));
  *state = st;
  return std::move(*pidfd);
}

// Hands the pty master on: to --console-socket (connected before the fork, like runc, so an
// unreachable socket fails with no process started) or to the caller's socket (foreground).
Status hand_over_console(sys::Ops& ops, const ExecOptions& opts, const UniqueFd& connected,
                         UniqueFd master) {
  int sock = connected ? connected.get() : opts.console_socket_fd;
  return process::send_console_master(ops, sock, master.get());
}

// --pidfd-socket: the exec'd process is our unreaped child, so its pid cannot be reused before
// pidfd_open pins it (even if it already exited: a zombie still has its pidfd).
Status send_exec_pidfd(sys::Ops& ops, int sock, pid_t pid) {
  GROVE_ASSIGN_OR_RETURN(UniqueFd pidfd, ops.pidfd_open(pid, 0).context("--pidfd-socket"));
  return process::send_pidfd(ops, sock, pidfd.get(), process::kPidfdPayloadExec);
}

// runc's setns process joins the container's cgroups and its Intel RDT groups (before `go`).
void set_exec_join(sys::Ops& ops, const cgroup::Dirs& dirs, const rdt::Group& rdt_group,
                   process::SetnsExecConfig& cfg) {
  if (dirs.empty() && rdt_group.dir.empty()) return;
  cfg.join_cgroup = [&ops, &dirs, &rdt_group](pid_t pid) -> Status {
    if (!dirs.empty()) {
      GROVE_TRY(cgroup::enter(ops, dirs, pid, false).context("exec --cgroup / container cgroup"));
    }
    return rdt::join(ops, rdt_group, pid);
  };
}

// What exec hands on once the process runs: its pty master and its pidfd. When either cannot
// be delivered the process is killed and reaped: nobody would serve or supervise it.
Status hand_over(sys::Ops& ops, const ExecOptions& opts, const UniqueFd& console_socket,
                 const UniqueFd& pidfd_socket, process::SetnsSpawned& spawned) {
  Status handed = ok();
  if (spawned.console) {
    handed = hand_over_console(ops, opts, console_socket, std::move(spawned.console));
  }
  if (handed && pidfd_socket) handed = send_exec_pidfd(ops, pidfd_socket.get(), spawned.pid);
  if (handed) return ok();
  (void)ops.kill(spawned.pid, SIGKILL);
  (void)ops.waitpid(spawned.pid, 0);
  return handed;
}

}  // namespace

Result<cgroup::Dirs> exec_cgroup(const ContainerRecord& rec, const std::vector<std::string>& subs) {
  cgroup::Dirs dirs = recorded_cgroup(rec);
  if (subs.empty() || dirs.empty()) {
    if (!subs.empty()) return Error::not_supported("exec --cgroup: the container has no cgroup");
    return dirs;
  }
  for (const std::string& entry : subs) {
    std::size_t colon = entry.find(':');
    std::string path = cgroup::clean_path(colon == std::string::npos ? entry : entry.substr(colon + 1));
    if (path.empty() || path == "." || path.front() == '/') {
      return Error::invalid("exec --cgroup " + q(entry) + ": want a path relative to the "
                            "container's cgroup");
    }
    // Pure v2 has one hierarchy: a controller prefix only names it.
    if (colon == std::string::npos || dirs.v1.empty()) {
      if (!dirs.unified.empty()) dirs.unified += "/" + path;
      for (auto& [ctrl, dir] : dirs.v1) dir += "/" + path;
      continue;
    }
    for (const std::string& ctrl : split(entry.substr(0, colon), ',')) {
      auto it = dirs.v1.find(ctrl);
      if (it == dirs.v1.end()) {
        return Error::invalid("exec --cgroup " + q(entry) + ": no controller " + q(ctrl));
      }
      it->second += "/" + path;
    }
  }
  return dirs;
}

namespace {

Result<pid_t> exec_impl(sys::Ops& ops, const std::string& root, std::string_view id,
                        const ExecOptions& opts) {
  if (opts.preserve_fds < 0) return Error::invalid("--preserve-fds must not be negative");
  StateStore store(ops, root);
  GROVE_ASSIGN_OR_RETURN(Lock lock, store.lock(id));
  GROVE_FAULT_POINT("exec.after-lock");
  GROVE_ASSIGN_OR_RETURN(ContainerRecord rec, store.load(id));
  RunState state = RunState::kRunning;
  GROVE_ASSIGN_OR_RETURN(UniqueFd init,
                         open_execable_init(ops, rec, opts.ignore_paused, &state));
  GROVE_ASSIGN_OR_RETURN(oci::Spec spec, load_config(ops, rec));
  GROVE_ASSIGN_OR_RETURN(oci::Process p, resolve_process(*spec.process, opts));
  GROVE_ASSIGN_OR_RETURN(process::ProcSettings settings, plan_exec_settings(ops, p));
  GROVE_ASSIGN_OR_RETURN(auto seccomp, exec_seccomp(ops, spec, root));
  UniqueFd console_socket;
  if (p.terminal && !opts.console_socket.empty()) {
    GROVE_ASSIGN_OR_RETURN(console_socket,
                           process::connect_console_socket(ops, opts.console_socket));
  }
  UniqueFd pidfd_socket;
  if (!opts.pidfd_socket.empty()) {
    GROVE_ASSIGN_OR_RETURN(pidfd_socket, process::connect_pidfd_socket(ops, opts.pidfd_socket));
  }
  GROVE_ASSIGN_OR_RETURN(auto self_ns, process::read_namespace_links(ops, 0));
  GROVE_ASSIGN_OR_RETURN(auto init_ns, process::read_namespace_links(ops, rec.init_pid));
  process::SetnsExecConfig cfg;
  cfg.process = &p;
  cfg.init_pid = rec.init_pid;
  cfg.init_pidfd = init.get();
  cfg.nstypes = process::namespaces_to_join(self_ns, init_ns);
  cfg.inherit = process::inherited_fds(opts.preserve_fds);
  cfg.seccomp = seccomp ? &seccomp->program : nullptr;
  set_exec_seccomp_receiver(ops, spec, rec, state, cfg);
  cfg.settings = &settings;
  if (p.exec_cpu_affinity) {
    cfg.cpu_affinity_initial = p.exec_cpu_affinity->initial;
    cfg.cpu_affinity_final = p.exec_cpu_affinity->final;
  }
  GROVE_ASSIGN_OR_RETURN(cgroup::Dirs dirs, exec_cgroup(rec, opts.cgroup));
  const rdt::Group rdt_group = record_rdt_group(rec);
  set_exec_join(ops, dirs, rdt_group, cfg);
  // The lock fd is close-on-exec and closed in the children before setns anyway.
  GROVE_ASSIGN_OR_RETURN(process::SetnsSpawned spawned, process::spawn_setns_process(ops, cfg));
  GROVE_TRY(hand_over(ops, opts, console_socket, pidfd_socket, spawned));
  if (!opts.pid_file.empty()) GROVE_TRY(write_pid_file(ops, opts.pid_file, spawned.pid));
  return spawned.pid;
}

}  // namespace

Result<oci::Process> exec_process_from_args(const oci::Process& base, const ProcessOverrides& o) {
  oci::Process p = base;
  p.args = o.args;
  if (!o.cwd.empty()) p.cwd = o.cwd;
  if (!o.apparmor.empty()) p.apparmor_profile = o.apparmor;
  if (!o.process_label.empty()) p.selinux_label = o.process_label;
  add_caps(p.capabilities, o.caps);
  p.env.insert(p.env.end(), o.env.begin(), o.env.end());
  // runc: "Always set tty to false, unless explicitly enabled from CLI."
  p.terminal = o.tty;
  if (o.no_new_privs) p.no_new_privileges = *o.no_new_privs;
  GROVE_TRY(apply_user(p.user, o));
  GROVE_TRY(validate_exec_process(p));
  return p;
}

Status validate_exec_process(const oci::Process& p) {
  if (p.cwd.empty()) return Error::invalid("Cwd property must not be empty");
  if (p.cwd[0] != '/') return Error::invalid("Cwd must be an absolute path");
  if (p.args.empty()) return Error::invalid("args must not be empty");
  return ok();
}

void inherit_from_container(oci::Process& p, const oci::Process& container) {
  if (!p.capabilities) p.capabilities = container.capabilities;
  if (p.rlimits.empty()) p.rlimits = container.rlimits;
}

Status check_exec_terminal(bool terminal, bool detach, const std::string& console_socket) {
  // runc's checkTerminal (utils_linux.go), which exec shares with run: a console socket only
  // makes sense for a detached process with a terminal.
  if (detach && terminal && console_socket.empty()) {
    return Error::invalid(
        "cannot allocate tty if grove will detach without setting console socket");
  }
  if ((!detach || !terminal) && !console_socket.empty()) {
    return Error::invalid("cannot use console socket if grove will not detach or allocate tty");
  }
  return ok();
}

Status check_execable(RunState state, bool ignore_paused) {
  switch (state) {
    case RunState::kRunning:
    case RunState::kCreated:
      return ok();
    case RunState::kStopped:
      return Error::invalid("cannot exec in a stopped container");
    case RunState::kPaused:
      if (ignore_paused) return ok();
      return Error::invalid("cannot exec in a paused container (use --ignore-paused to override)");
    case RunState::kCreating:
      break;
  }
  return Error::invalid("cannot exec in a creating container");
}

Result<pid_t> exec(sys::Ops& ops, const std::string& root, std::string_view id,
                   const ExecOptions& opts) {
  return exec_impl(ops, root, id, opts).context([&] { return "exec in container " + q(id); });
}

}  // namespace grove::container
