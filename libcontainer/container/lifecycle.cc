// create and start: the two halves of bringing a container up (container.h).

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <climits>

#include "libcontainer/base/defer.h"
#include "libcontainer/base/strings.h"
#include "libcontainer/container/cgroups.h"
#include "libcontainer/container/container.h"
#include "libcontainer/container/hooks.h"
#include "libcontainer/container/image_root.h"
#include "libcontainer/container/implemented.h"
#include "libcontainer/container/pid_file.h"
#include "libcontainer/container/rootless.h"
#include "libcontainer/container/seccomp_notify.h"
#include "libcontainer/net/net_devices.h"
#include "libcontainer/plan/mount_plan.h"
#include "libcontainer/process/console.h"
#include "libcontainer/process/init.h"
#include "libcontainer/process/pidfd_socket.h"
#include "libcontainer/process/spawn.h"
#include "libcontainer/rdt/intel_rdt.h"
#include "libcontainer/security/seccomp.h"
#include "libcontainer/sys/fault.h"
#include "libcontainer/sys/probe.h"
#include "oci/state.h"

namespace grove::container {
namespace {

// RFC 3339 with nanoseconds in UTC, the form runc writes to "created".
std::string now_rfc3339() {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return oci::format_rfc3339_nano(ts.tv_sec, ts.tv_nsec);
}

Result<std::string> absolute(const std::string& path) {
  if (!path.empty() && path[0] == '/') return path;
  char cwd[PATH_MAX];
  if (::getcwd(cwd, sizeof cwd) == nullptr) return Error::last("getcwd()");
  std::string base = cwd;
  if (path.empty() || path == ".") return base;
  return base + "/" + path;
}

Status check_console(const CreateOptions& opts) {
  bool has_socket = !opts.console_socket.empty() || opts.console_socket_fd >= 0;
  if (opts.spec.process->terminal && !has_socket) {
    return Error::invalid("process.terminal: a console socket is required");
  }
  if (!opts.spec.process->terminal && has_socket) {
    return Error::invalid("console socket given but process.terminal is false");
  }
  return ok();
}

Status check_spec(const oci::Spec& spec) {
  if (!spec.process) return Error::invalid("config.json: process is required to create");
  // An image root (image/root_spec.h) replaces root.path.
  bool images = spec.annotations.count(std::string(image::kImagesAnnotation)) != 0;
  if (!images && (!spec.root || spec.root->path.empty()))
    return Error::invalid("config.json: root.path is required");
  if (spec.process->args.empty()) return Error::invalid("process.args must not be empty");
  return ok();
}

// The host ids container root maps to (0:0 without a user namespace).
std::pair<uid_t, gid_t> host_root_ids(const oci::Spec& spec) {
  auto map = [](const std::vector<oci::IdMapping>& ms) -> uint32_t {
    for (const oci::IdMapping& m : ms) {
      if (m.container_id == 0 && m.size > 0) return m.host_id;
    }
    return 0;
  };
  if (!spec.linux) return {0, 0};
  return {map(spec.linux->uid_mappings), map(spec.linux->gid_mappings)};
}

ContainerRecord initial_record(const CreateOptions& opts, const std::string& bundle,
                               const std::string& rootfs, const plan::MountPlan& mounts) {
  ContainerRecord rec;
  rec.oci_version = opts.spec.oci_version;
  rec.id = opts.id;
  rec.bundle = bundle;
  rec.rootfs = rootfs;
  rec.config_path = bundle + "/config.json";
  rec.created = now_rfc3339();
  rec.mount_strategy = plan::to_string(mounts.strategy.strategy);
  rec.annotations = opts.spec.annotations;
  rec.hooks = opts.spec.hooks;
  const oci::Namespace* pidns = oci::find_namespace(opts.spec, oci::NamespaceType::kPid);
  rec.own_pid_ns = pidns != nullptr && pidns->path.empty();
  return rec;
}

std::string record_hook_state(const ContainerRecord& rec, oci::ContainerStatus status,
                              pid_t pid) {
  return hook_state_json(rec.oci_version, rec.id, status, pid, rec.bundle, rec.annotations);
}

// The hook callbacks of spawn_init (process/spawn.h). They capture `rec` and `ops` by reference:
// the parent's run while create_locked is on the stack; the init's run in its copy of it.
void set_spawn_hooks(sys::Ops& ops, const ContainerRecord& rec, process::SpawnOptions& so) {
  const oci::Hooks& hooks = rec.hooks;
  if (!hooks.prestart.empty() || !hooks.create_runtime.empty()) {
    so.create_runtime_hooks = [&ops, &rec](pid_t pid) -> Status {
      // runc procHooks: prestart (deprecated) first, then createRuntime, same state.
      std::string st = record_hook_state(rec, oci::ContainerStatus::kCreating, pid);
      GROVE_TRY(run_hooks(ops, rec.hooks, HookKind::kPrestart, st));
      return run_hooks(ops, rec.hooks, HookKind::kCreateRuntime, st);
    };
  }
  if (!hooks.create_container.empty()) {
    so.create_container_hooks = [&rec](sys::Ops& o, pid_t pid) -> Status {
      return run_hooks(o, rec.hooks, HookKind::kCreateContainer,
                       record_hook_state(rec, oci::ContainerStatus::kCreating, pid));
    };
  }
  if (!hooks.start_container.empty()) {
    // `start` was called on a created container; the user process has not started yet.
    so.start_container_hooks = [&rec](sys::Ops& o, pid_t pid) -> Status {
      return run_hooks(o, rec.hooks, HookKind::kStartContainer,
                       record_hook_state(rec, oci::ContainerStatus::kCreated, pid));
    };
  }
}

// linux.seccomp: compiled (or taken from the cache under the state root) here, before clone, so
// the init only loads it. With a notify filter, the listener fd the init sends back goes to
// listenerPath with the container process state (config-linux.md "containerProcessState").
Status prepare_seccomp(sys::Ops& ops, const CreateOptions& opts, const StateStore& store,
                       const ContainerRecord& rec, std::optional<security::PreparedSeccomp>& out,
                       process::SpawnOptions& so) {
  if (!opts.spec.linux || !opts.spec.linux->seccomp) return ok();
  const oci::Seccomp& seccomp = *opts.spec.linux->seccomp;
  GROVE_ASSIGN_OR_RETURN(out, security::prepare_seccomp(ops, seccomp, store.root()));
  so.seccomp = &out->program;
  so.on_seccomp_fd = [&ops, &seccomp, &rec](pid_t pid, UniqueFd fd) -> Status {
    return send_seccomp_listener(ops, seccomp, rec, oci::ContainerStatus::kCreating, pid, pid,
                                 fd.get());
  };
  return ok();
}

// The cgroup, made before the init exists: the init is cloned into its cgroup2 directory and
// moved into the v1 ones by the parent before it goes on (process/spawn.h).
Status prepare_cgroup(sys::Ops& ops, const CreateOptions& opts, CgroupSetup& cg,
                      const sys::Features& features, UniqueFd& clone_into,
                      process::SpawnOptions& so) {
  GROVE_TRY(setup_cgroup(ops, cg, opts.warnings));
  if (cg.dirs.empty()) return ok();
  if (features.clone_into_cgroup) {
    GROVE_ASSIGN_OR_RETURN(clone_into, cgroup::open_unified(ops, cg.dirs));
  }
  so.cgroup_fd = clone_into.get();
  const bool via_clone = clone_into.valid();
  if (via_clone && cg.dirs.v1.empty()) return ok();
  so.join_cgroup = [&ops, &cg, via_clone](pid_t pid) {
    return cgroup::enter(ops, cg.dirs, pid, via_clone);
  };
  return ok();
}

// The mount plan and the options it was made with (planned again when they change).
struct Mounts {
  plan::PlanOptions options;
  plan::MountPlan plan;
};

// Rootless without a writable cgroup (setup_cgroup cleared the directories): a "cgroup" mount
// planned as a view of them is planned again as the empty view (plan/cgroup_mount.h), and a
// cgroup2 fallback bind of the container's (missing) directory becomes one of the host's cgroup2
// mount point. The same spec planned before, so only these change; the strategy stays.
Status replan_without_cgroup(const oci::Spec& spec, const sys::Features& features,
                             const CgroupSetup& cg, Mounts& mounts) {
  if (!cg.dirs.empty()) return ok();
  std::optional<plan::CgroupView>& view = mounts.options.cgroup_view;
  std::string& fallback = mounts.options.cgroup2_fallback;
  bool view_changes = view && !view->dirs.empty();
  // The container's cgroup2 directory does not exist: bind the host's mount point, as runc.
  bool fallback_changes = !fallback.empty() && fallback != cg.layout.unified;
  if (!view_changes && !fallback_changes) return ok();
  if (view_changes) view = plan::CgroupView{};
  if (fallback_changes) fallback = cg.layout.unified;
  GROVE_ASSIGN_OR_RETURN(mounts.plan, plan::plan_mounts(spec, features, mounts.options));
  return ok();
}

// linux.intelRdt: the init joins its CLOS (and monitoring) group before create returns, so the
// process it execs at `start` and its children are in it (runc applies it with the cgroups).
// The groups were planned and recorded before the state's first save (record_intel_rdt).
Status setup_intel_rdt(sys::Ops& ops, const CreateOptions& opts, pid_t pid, ContainerRecord& rec) {
  if (rec.rdt_dir.empty()) return ok();
  rdt::Group g = record_rdt_group(rec);
  GROVE_TRY(rdt::apply(ops, *opts.spec.linux->intel_rdt, g, pid));
  rec.rdt_created = g.created;
  return ok();
}

// The intelRdt groups create will make or join, in the record before anything exists (see
// rdt::plan_group for what a create killed half-way leaves to `delete --force`).
void record_intel_rdt(sys::Ops& ops, const CreateOptions& opts, const rdt::Resctrl& resctrl,
                      ContainerRecord& rec) {
  set_record_rdt_group(rec, rdt::plan_group(ops, *opts.spec.linux->intel_rdt, resctrl, opts.id));
}

// The sockets create hands things on through once the init waits: the console master (sent
// and closed: the receiver, containerd, conmon or `run`, owns the only copy) and the init's
// pidfd (--pidfd-socket). Connected before the init exists, so a bad path fails early.
struct HandOverSockets {
  UniqueFd console;
  UniqueFd pidfd;
};

Result<HandOverSockets> connect_hand_over(sys::Ops& ops, const CreateOptions& opts) {
  HandOverSockets s;
  if (!opts.console_socket.empty()) {
    GROVE_ASSIGN_OR_RETURN(s.console, process::connect_console_socket(ops, opts.console_socket));
  }
  if (!opts.pidfd_socket.empty()) {
    GROVE_ASSIGN_OR_RETURN(s.pidfd, process::connect_pidfd_socket(ops, opts.pidfd_socket));
  }
  return s;
}

Status hand_over(sys::Ops& ops, const CreateOptions& opts, const HandOverSockets& sockets,
                 process::Spawned& init) {
  if (init.console) {
    int sock = sockets.console ? sockets.console.get() : opts.console_socket_fd;
    GROVE_TRY(process::send_console_master(ops, sock, init.console.get()));
    init.console.reset();
  }
  if (!sockets.pidfd) return ok();
  return process::send_pidfd(ops, sockets.pidfd.get(), init.pidfd.get(),
                             process::kPidfdPayloadInit);
}

// The exec fifo `start` opens. The init opens it as container root, which is another host uid
// in a user namespace.
Status make_exec_fifo(sys::Ops& ops, const oci::Spec& spec, const std::string& dir) {
  const std::string fifo = dir + "/" + process::kExecFifoName;
  GROVE_TRY(ops.mknodat(AT_FDCWD, fifo, S_IFIFO | 0622, 0));
  auto [uid, gid] = host_root_ids(spec);
  if (uid != 0 || gid != 0) GROVE_TRY(ops.fchownat(AT_FDCWD, fifo, uid, gid, 0));
  return ok();
}

// The spawn callbacks that are not hooks: netDevices moved into the new network namespace, and
// the init's pid and start time recorded as soon as it exists (once it has reported ready it
// waits on the exec fifo for ever, and a create killed after that point would otherwise leave
// `delete --force` no way to find it).
void set_spawn_callbacks(sys::Ops& ops, const CreateOptions& opts, StateStore& store,
                         ContainerRecord& rec, process::SpawnOptions& so) {
  if (opts.spec.linux && !opts.spec.linux->net_devices.empty()) {
    so.setup_network = [&ops, &opts](pid_t pid) {
      return net::move_net_devices(ops, opts.spec, pid);
    };
  }
  so.on_cloned = [&ops, &rec, &store](pid_t pid) -> Status {
    GROVE_ASSIGN_OR_RETURN(auto live, read_proc_stat(ops, pid));
    if (!live) return Error::plain(ESRCH, "container init exited during create");
    rec.init_pid = pid;
    rec.init_start_time = live->start_time;
    return store.save(rec);
  };
}

Result<pid_t> create_locked(sys::Ops& ops, const CreateOptions& opts, StateStore& store, Lock& lock,
                            ContainerRecord& rec, Mounts& mounts,
                            const process::ProcSettings& settings, CgroupSetup& cg,
                            const sys::Features& features,
                            const std::optional<ImageRoot>& image) {
  // runtime.md: once the container exists, a failed create continues at destroy + poststop
  // (runc's destroy() runs the poststop hooks too). Declared first: runs after remove_dir.
  bool spawning = false;
  Defer poststop([&] {
    if (!spawning) return;
    run_hooks_warn(ops, rec.hooks, HookKind::kPoststop,
                   record_hook_state(rec, oci::ContainerStatus::kStopped, 0), opts.warnings);
  });
  Defer remove_dir([&] { (void)store.remove(opts.id, lock); });
  // Recorded before the directories exist: a create killed from here on leaves a state that
  // `delete --force` cleans up, cgroup included.
  GROVE_FAULT_POINT("create.after-lock");
  GROVE_TRY(store.save(rec));
  GROVE_FAULT_POINT("create.after-record");
  Defer remove_cgroup([&] { (void)cgroup::destroy(ops, cg.dirs); });
  const std::string dir = store.dir(opts.id);
  // After the save (which names the layers), before remove_dir runs (its mount points must be
  // unmounted first): the image root, if any.
  Defer release_image([&] { (void)release_image_root(ops, rec, dir); });
  if (image) GROVE_TRY(mount_image_root(ops, *image, dir));
  GROVE_TRY(make_exec_fifo(ops, opts.spec, dir));
  GROVE_FAULT_POINT("create.after-fifo");
  GROVE_ASSIGN_OR_RETURN(UniqueFd dir_fd, ops.openat(AT_FDCWD, dir, O_PATH | O_DIRECTORY, 0));
  process::SpawnOptions so;
  so.spec = &opts.spec;
  so.rootfs = rec.rootfs;
  so.state_dir_fd = dir_fd.get();
  so.inherit_fds = opts.preserve_fds + opts.listen_fds;
  so.mount_plan = &mounts.plan;
  so.no_new_keyring = opts.no_new_keyring;
  so.settings = &settings;
  GROVE_ASSIGN_OR_RETURN(HandOverSockets sockets, connect_hand_over(ops, opts));
  std::optional<security::PreparedSeccomp> seccomp;
  GROVE_TRY(prepare_seccomp(ops, opts, store, rec, seccomp, so).context("linux.seccomp"));
  UniqueFd clone_into;
  GROVE_TRY(prepare_cgroup(ops, opts, cg, features, clone_into, so));
  GROVE_FAULT_POINT("create.after-cgroup");
  GROVE_TRY(replan_without_cgroup(opts.spec, features, cg, mounts));
  set_spawn_hooks(ops, rec, so);
  set_spawn_callbacks(ops, opts, store, rec, so);
  spawning = true;
  GROVE_ASSIGN_OR_RETURN(process::Spawned init, process::spawn_init(ops, so));
  GROVE_FAULT_POINT("create.after-spawn");
  // From here on a failure must not leave a waiting init behind.
  Defer kill_init([&] {
    (void)ops.kill(init.pid, SIGKILL);
    (void)ops.waitpid(init.pid, 0);
  });
  GROVE_ASSIGN_OR_RETURN(auto live, read_proc_stat(ops, init.pid));
  if (!live) return Error::plain(ESRCH, "container init exited during create");
  GROVE_TRY(hand_over(ops, opts, sockets, init));
  GROVE_TRY(setup_intel_rdt(ops, opts, init.pid, rec));
  Defer remove_rdt([&] { (void)rdt::remove(ops, record_rdt_group(rec)); });
  rec.init_pid = init.pid;
  rec.init_start_time = live->start_time;
  rec.phase = "created";
  if (cg.dirs.empty()) {  // rootless without a writable cgroup
    rec.cgroup_path.clear();
    rec.cgroup_dirs.clear();
  }
  GROVE_TRY(store.save(rec));
  GROVE_FAULT_POINT("create.after-save-created");
  if (!opts.pid_file.empty()) GROVE_TRY(write_pid_file(ops, opts.pid_file, init.pid));
  remove_rdt.dismiss();
  kill_init.dismiss();
  poststop.dismiss();
  remove_cgroup.dismiss();
  release_image.dismiss();
  remove_dir.dismiss();
  return init.pid;
}

// linux.intelRdt against the host's resctrl (runc's validator strings), before anything exists.
Result<std::optional<rdt::Resctrl>> check_intel_rdt(sys::Ops& ops, const oci::Spec& spec) {
  if (!spec.linux || !spec.linux->intel_rdt) return std::optional<rdt::Resctrl>();
  GROVE_ASSIGN_OR_RETURN(std::optional<rdt::Resctrl> resctrl, rdt::probe(ops));
  GROVE_TRY(rdt::check(*spec.linux->intel_rdt, resctrl).context("linux.intelRdt"));
  return resctrl;
}

// root.path, absolute or relative to the bundle.
std::string spec_rootfs(const oci::Spec& spec, const std::string& bundle) {
  const std::string& p = spec.root->path;
  return p[0] == '/' ? p : bundle + "/" + p;
}

// --mount-strategy wins over the run.grove.mount-strategy annotation; neither = probe's choice.
Result<std::optional<plan::Strategy>> forced_strategy(const CreateOptions& opts) {
  std::string name = opts.mount_strategy;
  std::string where = "--mount-strategy";
  if (name.empty()) {
    auto it = opts.spec.annotations.find(std::string(kMountStrategyAnnotation));
    if (it == opts.spec.annotations.end()) return std::optional<plan::Strategy>();
    name = it->second;
    where = "annotations " + q(kMountStrategyAnnotation);
  }
  std::optional<plan::Strategy> s = plan::strategy_from_string(name);
  if (!s) {
    return Error::invalid(where + ": unknown mount strategy " + q(name) +
                          " (open-tree-namespace, pivot or chroot)");
  }
  return s;
}

// The state directory of a new container. An id taken by a create that was killed before it
// finished is reclaimed first (reclaim_killed_create); a created container keeps it (EEXIST).
Result<Lock> create_state_dir(sys::Ops& ops, StateStore& store, const CreateOptions& opts) {
  auto lock = store.create(opts.id);
  if (lock || lock.error().code() != EEXIST) return lock;
  Status reclaimed = reclaim_killed_create(ops, store.root(), opts.id, opts.warnings);
  if (!reclaimed && reclaimed.error().code() == EEXIST) return lock;  // runc's "already exists"
  if (!reclaimed && reclaimed.error().code() != ENOENT) return std::move(reclaimed).error();
  return store.create(opts.id);
}

Result<pid_t> create_impl(sys::Ops& ops, const CreateOptions& opts) {
  GROVE_TRY(validate_id(opts.id));
  GROVE_TRY(check_spec(opts.spec));
  GROVE_TRY(check_console(opts));
  GROVE_ASSIGN_OR_RETURN(std::string bundle, absolute(opts.bundle));
  // Plan every mount before anything exists on the host: a bad mounts[] entry fails here and
  // leaves no state dir, process or mount behind.
  plan::PlanOptions popts;
  popts.no_pivot = opts.no_pivot;
  popts.bundle_dir = bundle;
  popts.rootless = opts.rootless ? *opts.rootless : is_rootless(ops, "auto");
  GROVE_ASSIGN_OR_RETURN(popts.force_strategy, forced_strategy(opts));
  const sys::Features features = sys::probe(ops);
  GROVE_TRY(check_implemented(opts.spec, features));
  GROVE_ASSIGN_OR_RETURN(std::optional<rdt::Resctrl> resctrl, check_intel_rdt(ops, opts.spec));
  GROVE_TRY(net::validate_net_devices(opts.spec, popts.rootless));
  // The cgroup is planned first (it only reads mountinfo and validates): a "cgroup" mount on a
  // hybrid or legacy host shows its directories.
  GROVE_ASSIGN_OR_RETURN(CgroupSetup cg, plan_cgroup(ops, opts.spec, opts.id, popts.rootless));
  popts.cgroup_view = cgroup_mount_view(cg.layout, cg.dirs);
  popts.cgroup2_fallback =
      cgroup2_fallback(cg.layout, cg.dirs, oci::has_namespace(opts.spec, oci::NamespaceType::kCgroup));
  Mounts mounts{popts, {}};
  GROVE_ASSIGN_OR_RETURN(mounts.plan, plan::plan_mounts(opts.spec, features, mounts.options));
  if (opts.chosen_strategy != nullptr) *opts.chosen_strategy = mounts.plan.strategy;
  GROVE_ASSIGN_OR_RETURN(process::ProcSettings settings,
                         process::plan_proc_settings(opts.spec, features));
  StateStore store(ops, opts.root);
  // Layer files are opened and checked (and non-root refused) before the state exists.
  GROVE_ASSIGN_OR_RETURN(std::optional<ImageRoot> image,
                         prepare_image_root(ops, opts.spec, bundle, features, popts.rootless));
  std::string rootfs = image ? image_rootfs_dir(store.dir(opts.id)) : spec_rootfs(opts.spec, bundle);
  GROVE_ASSIGN_OR_RETURN(Lock lock, create_state_dir(ops, store, opts));
  ContainerRecord rec = initial_record(opts, bundle, rootfs, mounts.plan);
  rec.cgroup_path = cg.dirs.path;
  rec.cgroup_dirs = cgroup::to_record(cg.dirs);
  if (image) record_image_root(*image, rec);
  if (resctrl) record_intel_rdt(ops, opts, *resctrl, rec);
  return create_locked(ops, opts, store, lock, rec, mounts, settings, cg, features, image);
}

// Reads the exec fifo until EOF (init exec'd or reported an error). The init's pidfd turning
// readable with no writer ever seen means init died before reaching the fifo.
Result<std::string> read_exec_fifo(sys::Ops& ops, int fifo, int pidfd) {
  std::string data;
  for (;;) {
    std::vector<struct pollfd> p = {{fifo, POLLIN, 0}, {pidfd, POLLIN, 0}};
    if (auto n = ops.poll(p, -1); !n) {
      if (n.error().code() == EINTR) continue;
      return std::move(n).error().context("wait for the exec fifo");
    }
    if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      auto chunk = ops.read(fifo, 4096);
      if (!chunk) {
        if (chunk.error().code() == EAGAIN) continue;
        return std::move(chunk).error().context("read exec fifo");
      }
      if (chunk->empty()) return data;
      data += *chunk;
      if (data.size() > process::kSyncMaxMessage)
        return Error::plain(EPROTO, "exec fifo: too much data");
      continue;
    }
    if (p[1].revents & POLLIN) return Error::plain(ESRCH, "container init exited before start");
  }
}

Status check_startable(RunState st) {
  switch (st) {
    case RunState::kCreated:
      return ok();
    case RunState::kStopped:
      return Error::invalid("cannot start a container that has stopped");
    case RunState::kRunning:
      return Error::invalid("cannot start an already running container");
    default:
      return Error::invalid(std::string("cannot start a container in the ") + to_string(st) +
                            " state");
  }
}

Status start_impl(sys::Ops& ops, const std::string& root, std::string_view id,
                  std::vector<std::string>* warnings) {
  StateStore store(ops, root);
  GROVE_ASSIGN_OR_RETURN(Lock lock, store.lock(id));
  GROVE_FAULT_POINT("start.after-lock");
  GROVE_ASSIGN_OR_RETURN(ContainerRecord rec, store.load(id));
  GROVE_ASSIGN_OR_RETURN(RunState st, current_state(ops, rec));
  GROVE_TRY(check_startable(st));
  GROVE_ASSIGN_OR_RETURN(UniqueFd pidfd, ops.pidfd_open(rec.init_pid, 0));
  // The pidfd pins the process: re-check identity now that it cannot be reused under us.
  GROVE_ASSIGN_OR_RETURN(st, current_state(ops, rec));
  GROVE_TRY(check_startable(st));
  std::string fifo_path = store.dir(id) + "/" + process::kExecFifoName;
  GROVE_ASSIGN_OR_RETURN(UniqueFd fifo, ops.openat(AT_FDCWD, fifo_path, O_RDONLY | O_NONBLOCK, 0));
  GROVE_FAULT_POINT("start.after-fifo-open");
  auto data = read_exec_fifo(ops, fifo.get(), pidfd.get());
  GROVE_FAULT_POINT("start.after-read");
  // Whatever happened, init has left the waiting state: never start twice.
  (void)ops.unlinkat(AT_FDCWD, fifo_path, 0);
  rec.phase = "running";
  GROVE_TRY(store.save(rec));
  if (!data) return std::move(data).error();
  GROVE_TRY(process::decode_fifo_result(*data));
  // runtime.md: poststart runs after the user process started, before start returns; a failure
  // is only a warning.
  run_hooks_warn(ops, rec.hooks, HookKind::kPoststart,
                 record_hook_state(rec, oci::ContainerStatus::kRunning, rec.init_pid), warnings);
  return ok();
}

}  // namespace

Result<pid_t> create(sys::Ops& ops, const CreateOptions& opts) {
  return create_impl(ops, opts).context([&] { return "create container " + q(opts.id); });
}

Status start(sys::Ops& ops, const std::string& root, std::string_view id,
             std::vector<std::string>* warnings) {
  return start_impl(ops, root, id, warnings).context([&] { return "start container " + q(id); });
}

}  // namespace grove::container
