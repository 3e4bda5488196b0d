#include "libcontainer/process/init.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <unistd.h>

#include <optional>

#include "libcontainer/base/strings.h"
#include "libcontainer/process/console.h"
#include "libcontainer/process/exec_setup.h"
#include "libcontainer/process/reaper.h"
#include "libcontainer/mount/open_tree_ns.h"
#include "libcontainer/security/selinux.h"
#include "libcontainer/sys/fault.h"

namespace grove::process {
namespace {

const char* ns_name(int nstype) {
  switch (nstype) {
    case CLONE_NEWUSER:
      return "user";
    case CLONE_NEWNS:
      return "mount";
    case CLONE_NEWPID:
      return "pid";
    case CLONE_NEWNET:
      return "network";
    case CLONE_NEWIPC:
      return "ipc";
    case CLONE_NEWUTS:
      return "uts";
    case CLONE_NEWCGROUP:
      return "cgroup";
    default:
      return "time";
  }
}

// In a fresh user namespace the init keeps its host uid (unmapped until the parent writes the
// maps). Once they are written it becomes root of the namespace, as runc's nsexec does.
Status become_userns_root(sys::Ops& ops) {
  GROVE_TRY(ops.setresgid(0, 0, 0));
  return ops.setresuid(0, 0, 0);
}

Status set_names(sys::Ops& ops, const oci::Spec& spec) {
  if (!spec.hostname.empty()) GROVE_TRY(ops.sethostname(spec.hostname).context("hostname"));
  if (!spec.domainname.empty()) GROVE_TRY(ops.setdomainname(spec.domainname).context("domainname"));
  return ok();
}

// The hook point between building the tree and switching the root: the parent runs
// prestart/createRuntime hooks while the init waits, then the init runs createContainer hooks.
Status hook_point(sys::Ops& ops, const InitConfig& cfg, const SyncSocket& sync, pid_t host_pid) {
  if (cfg.hook_point) {
    GROVE_TRY(sync.send_hooks());
    GROVE_TRY(sync.expect(SyncKind::kGo).context("createRuntime hooks"));
  }
  if (cfg.create_container_hooks) GROVE_TRY(cfg.create_container_hooks(ops, host_pid));
  return ok();
}

// Builds the container's mount tree with the mount engine, up to (not including) the root
// switch. The rootfs fd is opened here, in the init: for pivot/chroot it must belong to the new
// mount namespace (mount/pivot.h); for open-tree-namespace it is the host tree the namespace is
// cloned from.
Result<mount::PreparedRoot> build_rootfs(sys::Ops& ops, const InitConfig& cfg,
                                         const SyncSocket& sync) {
  if (cfg.mount_plan == nullptr) return Error::invalid("no mount plan for a mount namespace");
  GROVE_ASSIGN_OR_RETURN(UniqueFd rootfs,
                         ops.openat(AT_FDCWD, cfg.rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC, 0));
  mount::ApplyInputs in;
  // run.grove.bpf.delegate: the bpffs context was opened here, in the container's user
  // namespace; its delegate options and superblock need CAP_SYS_ADMIN in the initial user
  // namespace, so the runtime configures it (process/spawn.cc serve_bpffs, systemd's PrivateBPF
  // does the same) and sends the detached mount back.
  in.configure_bpffs = [&ops, &sync](int fsfd, const plan::BpfFsMount&) -> Result<UniqueFd> {
    GROVE_TRY(sync.send_fd(ops, SyncKind::kBpfFs, fsfd).context("send bpffs context"));
    return sync.expect_fd(ops, SyncKind::kBpfFs).context("receive bpffs mount");
  };
  return mount::prepare_root(ops, rootfs.get(), *cfg.mount_plan, in);
}

// process.terminal: the console pty, after the mounts (it comes from the container's devpts)
// and before anything reports ready (the master must reach the runtime during create).
Status make_console(sys::Ops& ops, const InitConfig& cfg, const SyncSocket& sync) {
  const oci::Process& p = *cfg.spec->process;
  ConsoleSetup setup;
  setup.bind_console = cfg.setup_mounts;
  if (cfg.mount_plan != nullptr) setup.resolve = mount::resolve_mode(*cfg.mount_plan);
  setup.size = p.console_size;
  setup.owner = p.user.uid;
  return setup_console(ops, setup, sync).context("process.terminal");
}

// Writes `error` to the exec fifo for `start` to report. Best effort: if `start` is gone the
// write fails and the exit code is all that is left.
void report_on_fifo(sys::Ops& ops, int fifo_fd, const Error& error) {
  char buf[kSyncMaxMessage];
  std::size_t n = encode_sync(SyncKind::kError, 0, &error, buf, sizeof buf);
  (void)ops.write(fifo_fd, std::string(buf, n));
}

// A filter with SCMP_ACT_NOTIFY is loaded before `ready`: its listener fd has to reach the agent
// through the `create` process still reading the sync socket. (runc loads every filter before
// its sync pipe closes; grove drops caps and ids after `start`, so only notify filters come
// this early, and the profile must then allow the init's remaining syscalls, as in runc without
// noNewPrivileges.)
Status load_notify_filter(sys::Ops& ops, const security::SeccompProgram& prog,
                          const SyncSocket& sync) {
  GROVE_ASSIGN_OR_RETURN(UniqueFd listener, security::load_seccomp(ops, prog));
  return sync.send_fd(ops, SyncKind::kSeccompFd, listener.get())
      .context("send seccomp listener fd");
}

}  // namespace

Result<std::string> prepare_init(sys::Ops& ops, const InitConfig& cfg, const SyncSocket& sync,
                                 pid_t* host_pid) {
  const oci::Spec& spec = *cfg.spec;
  // First of all: nothing of the runtime's (state locks, logs, sockets) may stay open in init.
  std::vector<int> keep = cfg.inherit;
  keep.push_back(sync.fd());
  keep.push_back(cfg.state_dir_fd);
  for (const JoinNamespace& j : cfg.join) keep.push_back(j.fd);
  GROVE_TRY(close_fds_except(ops, keep).context("close runtime fds"));
  GROVE_FAULT_POINT("init.after-close-fds");
  if (cfg.wait_for_go) GROVE_TRY(sync.expect(SyncKind::kGo).context("wait for the runtime"));
  if (cfg.new_userns) {
    GROVE_TRY(become_userns_root(ops).context("user namespace"));
  } else {
    // CVE-2019-5736: until execve, /proc/<init>/exe is the runtime binary; a non-dumpable
    // process's /proc files are not reachable by unprivileged container processes.
    GROVE_TRY(ops.set_dumpable(false));
  }
  for (const JoinNamespace& j : cfg.join) {
    GROVE_TRY(ops.setns(j.fd, j.nstype).context([&] {
      return std::string("join ") + ns_name(j.nstype) + " namespace " + q(j.path);
    }));
  }
  if (cfg.loopback_up) {
    GROVE_TRY(ops.set_link_up("lo").context("linux.namespaces \"network\": loopback"));
  }
  if (cfg.unshare_cgroupns) {
    GROVE_TRY(ops.unshare(CLONE_NEWCGROUP).context("linux.namespaces \"cgroup\""));
  }
  GROVE_FAULT_POINT("init.after-namespaces");
  pid_t pid = 0;
  if (cfg.need_host_pid) {
    GROVE_ASSIGN_OR_RETURN(SyncMessage msg, sync.expect(SyncKind::kPid));
    pid = static_cast<pid_t>(msg.value);
    if (host_pid != nullptr) *host_pid = pid;
  }
  if (cfg.new_session_keyring) {
    // The keyring gets the process label (runc's SetKeyLabel); settings carry it only when
    // SELinux is enabled, so a disabled host writes nothing.
    const std::string no_label;
    const std::string& key_label = cfg.settings ? cfg.settings->selinux_label : no_label;
    GROVE_TRY(security::join_session_keyring(ops, "", key_label));
  }
  std::optional<mount::PreparedRoot> root;
  if (cfg.setup_mounts) {
    GROVE_ASSIGN_OR_RETURN(root, build_rootfs(ops, cfg, sync).context("rootfs"));
  }
  GROVE_FAULT_POINT("init.after-rootfs");
  GROVE_TRY(hook_point(ops, cfg, sync, pid));
  if (root) GROVE_TRY(mount::switch_root(ops, *cfg.mount_plan, *root).context("rootfs"));
  GROVE_FAULT_POINT("init.after-switch-root");
  if (spec.process->terminal) GROVE_TRY(make_console(ops, cfg, sync));
  if (cfg.set_hostname) GROVE_TRY(set_names(ops, spec));
  if (cfg.settings != nullptr) GROVE_TRY(apply_init_settings(ops, *cfg.settings));
  GROVE_FAULT_POINT("init.after-settings");
  const oci::Process& p = *spec.process;
  if (p.args.empty()) return Error::invalid("process.args must not be empty");
  GROVE_ASSIGN_OR_RETURN(std::string exe,
                         find_executable(ops, p.args[0], p.env).context("process.args[0]"));
  if (cfg.seccomp != nullptr && cfg.seccomp->notify()) {
    GROVE_TRY(load_notify_filter(ops, *cfg.seccomp, sync).context("linux.seccomp"));
  }
  return exe;
}

void run_init(sys::Ops& ops, const InitConfig& cfg, const SyncSocket& sync) {
  pid_t host_pid = 0;
  auto exe = prepare_init(ops, cfg, sync, &host_pid);
  if (!exe) {
    (void)sync.send_error(exe.error());
    ::_exit(1);
  }
  if (!sync.send_ready()) ::_exit(1);
  GROVE_FAULT_POINT("init.after-ready");
  // Blocks until `grove start` opens the fifo for reading. The state dir fd is outside our new
  // root but openat() on it still works after pivot_root.
  auto fifo = ops.openat(cfg.state_dir_fd, kExecFifoName, O_WRONLY, 0);
  if (!fifo) ::_exit(255);
  GROVE_FAULT_POINT("init.after-fifo-open");
  std::vector<int> keep = cfg.inherit;
  keep.push_back(fifo->get());  // close-on-exec: vanishes at execve, which `start` sees as EOF
  const bool late_seccomp = cfg.seccomp != nullptr && !cfg.seccomp->notify();
  Status st = ok();
  if (cfg.start_container_hooks) st = cfg.start_container_hooks(ops, host_pid);
  if (st && cfg.reaper) {
    // The child (PID 2) goes on to exec the process; this init becomes the reaper. Forked
    // before the exec label, capabilities, ids and seccomp, which are the process's.
    // Set here, not earlier: a credential change (become_userns_root) clears it. The runtime
    // is alive: it is reading the exec fifo.
    if (cfg.kill_with_runtime) st = ops.set_pdeathsig(SIGKILL);
    sys::CloneArgs args;
    args.exit_signal = SIGCHLD;
    auto forked = st ? ops.clone3(args) : Result<sys::CloneResult>(st.error());
    if (!forked) st = std::move(forked).error().context("fork the process from the reaper");
    if (st && forked->pid != 0) run_reaper(ops, forked->pid);
    // The process starts with no blocked signals, whatever the runtime had blocked while it
    // created the container (grove sandbox blocks the forwarded ones from the start, so none
    // sent early is lost).
    if (st) {
      sigset_t none;
      sigemptyset(&none);
      auto reset = ops.sigprocmask(SIG_SETMASK, none);
      if (!reset) st = std::move(reset).error();
    }
  }
  if (st && cfg.settings != nullptr) st = apply_exec_label(ops, *cfg.settings);
  if (st) {
    GROVE_FAULT_POINT("init.before-exec");
    st = finalize_and_exec(ops, *cfg.spec->process, *exe, keep,
                           late_seccomp ? cfg.seccomp : nullptr, fifo->get());
  }
  report_on_fifo(ops, fifo->get(), st.error());
  ::_exit(255);
}

Status decode_fifo_result(std::string_view data) {
  const bool marked = !data.empty() && data.front() == kExecMarker;
  if (marked) data.remove_prefix(1);
  if (data.empty()) {
    if (marked) return ok();
    return Error::plain(ESRCH, "container init exited before exec (the exec fifo closed "
                               "without its marker)");
  }
  GROVE_ASSIGN_OR_RETURN(SyncMessage msg, decode_sync(data.data(), data.size()));
  if (msg.kind != SyncKind::kError || !msg.error) {
    return Error::plain(EPROTO, "exec fifo: unexpected " + std::string(to_string(msg.kind)));
  }
  return std::move(*msg.error).context("container init");
}

}  // namespace grove::process
