#include "libcontainer/process/spawn.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <unistd.h>

#include "libcontainer/base/defer.h"
#include "libcontainer/base/strings.h"
#include "libcontainer/process/exec_setup.h"
#include "libcontainer/process/id_map.h"
#include "libcontainer/process/reaper.h"
#include "libcontainer/process/sync.h"
#include "libcontainer/process/time_ns.h"
#include "libcontainer/security/bpf_delegate.h"
#include "libcontainer/sys/fault.h"

namespace grove::process {
namespace {

#ifndef CLONE_NEWTIME
constexpr uint64_t kCloneNewTime = 0x00000080;
#else
constexpr uint64_t kCloneNewTime = CLONE_NEWTIME;
#endif

uint64_t ns_flag(oci::NamespaceType t) {
  switch (t) {
    case oci::NamespaceType::kPid:
      return CLONE_NEWPID;
    case oci::NamespaceType::kNetwork:
      return CLONE_NEWNET;
    case oci::NamespaceType::kMount:
      return CLONE_NEWNS;
    case oci::NamespaceType::kIpc:
      return CLONE_NEWIPC;
    case oci::NamespaceType::kUts:
      return CLONE_NEWUTS;
    case oci::NamespaceType::kUser:
      return CLONE_NEWUSER;
    case oci::NamespaceType::kCgroup:
      return CLONE_NEWCGROUP;
    case oci::NamespaceType::kTime:
      return kCloneNewTime;
  }
  return 0;
}

const std::vector<oci::Namespace>& namespaces(const oci::Spec& spec) {
  static const std::vector<oci::Namespace> kNone;
  return spec.linux ? spec.linux->namespaces : kNone;
}

// The init's half of the clone: never returns.
[[noreturn]] void child_main(sys::Ops& ops, const InitConfig& cfg, SyncSocket& parent_end,
                             const SyncSocket& child_end) {
  parent_end.close();
  run_init(ops, cfg, child_end);
}

InitConfig make_init_config(const SpawnOptions& opts, uint64_t flags,
                            const std::vector<std::pair<UniqueFd, JoinNamespace>>& joins) {
  InitConfig cfg;
  cfg.spec = opts.spec;
  cfg.rootfs = opts.rootfs;
  cfg.state_dir_fd = opts.state_dir_fd;
  for (const auto& j : joins) cfg.join.push_back(j.second);
  cfg.new_userns = (flags & CLONE_NEWUSER) != 0;
  cfg.loopback_up = (flags & CLONE_NEWNET) != 0;
  cfg.reaper = wants_reaper(*opts.spec);
  cfg.kill_with_runtime = cfg.reaper && wants_kill_with_runtime(*opts.spec);
  cfg.unshare_cgroupns = unshare_cgroupns_late(*opts.spec, static_cast<bool>(opts.join_cgroup));
  cfg.wait_for_go = cfg.new_userns || opts.join_cgroup || opts.setup_network;
  cfg.setup_mounts = oci::has_namespace(*opts.spec, oci::NamespaceType::kMount);
  cfg.set_hostname = oci::has_namespace(*opts.spec, oci::NamespaceType::kUts);
  cfg.mount_plan = opts.mount_plan;
  cfg.new_session_keyring = !opts.no_new_keyring;
  cfg.inherit = inherited_fds(opts.inherit_fds);
  cfg.hook_point = static_cast<bool>(opts.create_runtime_hooks);
  cfg.create_container_hooks = opts.create_container_hooks;
  cfg.start_container_hooks = opts.start_container_hooks;
  cfg.need_host_pid = cfg.create_container_hooks || cfg.start_container_hooks;
  cfg.settings = opts.settings;
  cfg.seccomp = opts.seccomp;
  return cfg;
}

// Parent: enter the pid namespace given by path for the clone; returns the fd to go back.
Result<UniqueFd> enter_pid_ns_for_clone(sys::Ops& ops, const oci::Spec& spec) {
  const oci::Namespace* ns = oci::find_namespace(spec, oci::NamespaceType::kPid);
  if (ns == nullptr || ns->path.empty()) return UniqueFd();
  GROVE_ASSIGN_OR_RETURN(UniqueFd own, ops.openat(AT_FDCWD, "/proc/self/ns/pid", O_RDONLY, 0));
  GROVE_ASSIGN_OR_RETURN(UniqueFd target, ops.openat(AT_FDCWD, ns->path, O_RDONLY, 0));
  GROVE_TRY(ops.setns(target.get(), CLONE_NEWPID).context([&] {
    return "join pid namespace " + q(ns->path);
  }));
  return own;
}

// Parent: the init's notify listener fd, handed to the caller (who sends it to listenerPath).
Status forward_seccomp_fd(sys::Ops& ops, const SpawnOptions& opts, pid_t pid,
                          const SyncSocket& sync) {
  GROVE_ASSIGN_OR_RETURN(UniqueFd fd, sync.expect_fd(ops, SyncKind::kSeccompFd));
  if (!opts.on_seccomp_fd) return Error::invalid("linux.seccomp: no receiver for the listener fd");
  return opts.on_seccomp_fd(pid, std::move(fd));
}

// Parent: the container's bpffs (run.grove.bpf.delegate). The init opens the fs context in its
// user namespace (so the bpffs belongs to it, as BPF_TOKEN_CREATE requires) and sends it here:
// the delegate options and creating a bpffs for a non-initial user namespace need CAP_SYS_ADMIN
// in the initial one (kernel/bpf/inode.c). With SELinux, this process becomes the token grantor.
Status serve_bpffs(sys::Ops& ops, const plan::MountPlan& plan, const SyncSocket& sync) {
  for (const plan::MountOp& op : plan.ops) {
    const auto* b = std::get_if<plan::BpfFsMount>(&op);
    if (b == nullptr) continue;
    auto frame = [&] { return plan::describe(op); };
    GROVE_ASSIGN_OR_RETURN(UniqueFd fsfd, sync.expect_fd(ops, SyncKind::kBpfFs).context(frame));
    GROVE_ASSIGN_OR_RETURN(
        UniqueFd mnt,
        security::configure_bpffs(ops, fsfd.get(), b->delegation, b->label).context(frame));
    GROVE_TRY(sync.send_fd(ops, SyncKind::kBpfFs, mnt.get()).context(frame));
  }
  return ok();
}

// Parent at the init's hook point: wait for kHooks, run the hooks, let the init go on.
Status run_hook_point(const SpawnOptions& opts, pid_t pid, const SyncSocket& sync) {
  GROVE_TRY(sync.expect(SyncKind::kHooks));
  GROVE_TRY(opts.create_runtime_hooks(pid));
  return sync.send_go();
}

// Parent after clone: oom_score_adj, id maps, the init's host pid, the hook point, the console
// master (process.terminal), then wait for ready; reaps the init on failure.
Status finish_spawn(sys::Ops& ops, const SpawnOptions& opts, const InitConfig& cfg, pid_t pid,
                    const SyncSocket& sync, bool new_userns, UniqueFd* console) {
  // First the cgroup, so everything the init does is accounted to the container.
  Status st = opts.join_cgroup ? opts.join_cgroup(pid) : ok();
  GROVE_FAULT_POINT("create.after-join-cgroup");
  // Before the init can exec: see apply_oom_score_adj() for why the parent writes it.
  if (st && opts.settings != nullptr) st = apply_oom_score_adj(ops, pid, *opts.settings);
  if (st && new_userns) {
    st = write_id_maps(ops, pid, *opts.spec->linux).context("user namespace id maps");
  }
  if (st && opts.setup_network) st = opts.setup_network(pid);
  if (st && cfg.wait_for_go) st = sync.send_go();
  if (st && cfg.need_host_pid) st = sync.send_pid(pid);
  // The init builds its mounts (and asks for the bpffs) before the hook point.
  if (st && cfg.setup_mounts && cfg.mount_plan != nullptr) {
    st = serve_bpffs(ops, *cfg.mount_plan, sync);
  }
  if (st && cfg.hook_point) st = run_hook_point(opts, pid, sync);
  if (st && opts.spec->process->terminal) {
    auto master = sync.expect_fd(ops, SyncKind::kConsole);
    if (master) {
      *console = std::move(*master);
    } else {
      st = std::move(master).error();
    }
  }
  if (st && opts.seccomp != nullptr && opts.seccomp->notify()) {
    st = forward_seccomp_fd(ops, opts, pid, sync);
  }
  if (st) {
    auto ready = sync.expect(SyncKind::kReady);
    if (!ready) st = std::move(ready).error();
  }
  if (!st) {
    (void)ops.kill(pid, SIGKILL);
    (void)ops.waitpid(pid, 0);
  }
  return st;
}

}  // namespace

uint64_t clone_flags(const oci::Spec& spec, const plan::MountPlan* mount_plan) {
  uint64_t flags = 0;
  for (const oci::Namespace& ns : namespaces(spec)) {
    if (ns.path.empty()) flags |= ns_flag(ns.type);
  }
  if (mount_plan != nullptr && mount_plan->strategy.strategy == plan::Strategy::kOpenTreeNamespace)
    flags &= ~static_cast<uint64_t>(CLONE_NEWNS);
  return flags;
}

bool unshare_cgroupns_late(const oci::Spec& spec, bool join_cgroup) {
  const oci::Namespace* ns = oci::find_namespace(spec, oci::NamespaceType::kCgroup);
  return join_cgroup && ns != nullptr && ns->path.empty();
}

std::string format_id_map(const std::vector<oci::IdMapping>& mappings) {
  std::string out;
  for (const oci::IdMapping& m : mappings) {
    out += std::to_string(m.container_id) + " " + std::to_string(m.host_id) + " " +
           std::to_string(m.size) + "\n";
  }
  return out;
}

Result<std::vector<std::pair<UniqueFd, JoinNamespace>>> open_join_namespaces(
    sys::Ops& ops, const oci::Spec& spec) {
  std::vector<std::pair<UniqueFd, JoinNamespace>> out;
  for (const oci::Namespace& ns : namespaces(spec)) {
    if (ns.path.empty() || ns.type == oci::NamespaceType::kPid) continue;
    auto frame = [&] {
      return "linux.namespaces " + q(oci::to_string(ns.type)) + " " + q(ns.path);
    };
    GROVE_ASSIGN_OR_RETURN(UniqueFd fd, ops.openat(AT_FDCWD, ns.path, O_RDONLY, 0).context(frame));
    JoinNamespace j{static_cast<int>(ns_flag(ns.type)), fd.get(), ns.path};
    // The user namespace goes first: joining it grants the rights to join the others.
    auto pos = ns.type == oci::NamespaceType::kUser ? out.begin() : out.end();
    out.insert(pos, {std::move(fd), std::move(j)});
  }
  return out;
}

Result<Spawned> spawn_init(sys::Ops& ops, const SpawnOptions& opts) {
  uint64_t flags = clone_flags(*opts.spec, opts.mount_plan);
  if (unshare_cgroupns_late(*opts.spec, static_cast<bool>(opts.join_cgroup)))
    flags &= ~static_cast<uint64_t>(CLONE_NEWCGROUP);
  GROVE_ASSIGN_OR_RETURN(auto joins, open_join_namespaces(ops, *opts.spec));
  InitConfig cfg = make_init_config(opts, flags, joins);
  GROVE_ASSIGN_OR_RETURN(auto pair, make_sync_pair(ops));
  // linux.timeOffsets: the parent prepares the time namespace the init will be born into.
  const std::string offsets = opts.settings != nullptr ? opts.settings->timens_offsets : "";
  GROVE_ASSIGN_OR_RETURN(TimeNsForClone timens, enter_time_ns_for_clone(ops, offsets));
  Defer leave_timens([&] { (void)leave_time_ns_for_clone(ops, timens); });
  GROVE_ASSIGN_OR_RETURN(UniqueFd own_pidns, enter_pid_ns_for_clone(ops, *opts.spec));
  sys::CloneArgs args;
  args.flags = time_ns_clone_flags(flags, timens);
  args.exit_signal = SIGCHLD;
  args.want_pidfd = true;
  args.cgroup_fd = opts.cgroup_fd;
  auto cloned = ops.clone3(args);
  if (own_pidns && (!cloned || cloned->pid != 0)) {
    GROVE_TRY(ops.setns(own_pidns.get(), CLONE_NEWPID).context("return to own pid namespace"));
  }
  if (!cloned) return std::move(cloned).error().context("clone container init");
  if (cloned->pid == 0) child_main(ops, cfg, pair.first, pair.second);
  pair.second.close();
  GROVE_FAULT_POINT("create.after-clone");
  Status st = leave_time_ns_for_clone(ops, timens);
  if (st && opts.on_cloned) st = opts.on_cloned(cloned->pid);
  if (!st) {
    (void)ops.kill(cloned->pid, SIGKILL);
    (void)ops.waitpid(cloned->pid, 0);
    return std::move(st).error();
  }
  UniqueFd console;
  GROVE_TRY(finish_spawn(ops, opts, cfg, cloned->pid, pair.first, (flags & CLONE_NEWUSER) != 0,
                         &console));
  return Spawned{cloned->pid, std::move(cloned->pidfd), std::move(console)};
}

}  // namespace grove::process
