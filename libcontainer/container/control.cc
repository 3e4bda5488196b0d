// state, list, kill and delete of existing containers (container.h).

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>

#include <algorithm>
#include <cctype>

#include "libcontainer/base/strings.h"
#include "libcontainer/cgroup/manager.h"
#include "libcontainer/container/cgroups.h"
#include "libcontainer/container/container.h"
#include "libcontainer/container/hooks.h"
#include "libcontainer/container/image_root.h"
#include "libcontainer/sys/fault.h"
#include "oci/state.h"

namespace grove::container {
namespace {

// runc's killContainer waits 100 x 100 ms for the init to die.
constexpr int kKillWaitMs = 10000;
constexpr int kKillSliceMs = 100;

Error not_running() { return Error::plain(ESRCH, "container not running"); }

// A pidfd for the init after checking (with the pidfd held, so the pid cannot be reused in
// between) that it is still the process we created. ESRCH not_running() otherwise.
Result<UniqueFd> open_init(sys::Ops& ops, const ContainerRecord& rec) {
  if (rec.init_pid <= 0) return not_running();
  auto pidfd = ops.pidfd_open(rec.init_pid, 0);
  if (!pidfd) {
    if (pidfd.error().code() == ESRCH) return not_running();
    return std::move(pidfd).error();
  }
  GROVE_ASSIGN_OR_RETURN(RunState st, current_state(ops, rec));
  if (st == RunState::kStopped) return not_running();
  return std::move(*pidfd);
}

// Every pid whose pid namespace is the init's (the init included, sent last).
Result<std::vector<pid_t>> pids_in_namespace(sys::Ops& ops, pid_t init) {
  GROVE_ASSIGN_OR_RETURN(std::string ns,
                         ops.readlinkat(AT_FDCWD, "/proc/" + std::to_string(init) + "/ns/pid"));
  GROVE_ASSIGN_OR_RETURN(auto names, ops.list_dir(AT_FDCWD, "/proc"));
  std::vector<pid_t> out;
  for (const std::string& n : names) {
    long long pid = 0;
    if (!parse_int64(n, &pid) || pid <= 0 || pid == init) continue;
    auto link = ops.readlinkat(AT_FDCWD, "/proc/" + n + "/ns/pid");
    if (link && *link == ns) out.push_back(static_cast<pid_t>(pid));
  }
  out.push_back(init);
  return out;
}

// Every process of the container: its cgroup when it has one (cgroup.kill for SIGKILL), else
// every process in the init's own pid namespace, else just the init.
Status signal_all(sys::Ops& ops, const ContainerRecord& rec, int pidfd, int sig) {
  if (!rec.cgroup_dirs.empty()) {
    GROVE_TRY(cgroup::kill_all(ops, recorded_cgroup(rec), sig));
    // A frozen (paused) task only dies once thawed: never leave a killed container frozen.
    if (sig == SIGKILL && rec.paused) (void)cgroup::freeze(ops, recorded_cgroup(rec), false);
    return ok();
  }
  if (!rec.own_pid_ns) return ops.pidfd_send_signal(pidfd, sig);
  GROVE_ASSIGN_OR_RETURN(auto pids, pids_in_namespace(ops, rec.init_pid));
  for (pid_t p : pids) {
    if (p == rec.init_pid) {
      GROVE_TRY(ops.pidfd_send_signal(pidfd, sig));
      continue;
    }
    auto r = ops.kill(p, sig);
    if (!r && r.error().code() != ESRCH) return r;
  }
  return ok();
}

// SIGKILL and wait until the init is dead: its pidfd reports the exit (a zombie counts: the
// reaper is not us), or it is inside do_exit (PF_EXITING). A pid-namespace init stays in do_exit
// (zap_pid_ns_processes) until every process of its namespace is reaped, e.g. a detached exec'd
// process whose parent is outside the namespace and reaps late (PID 1 on some hosts, an engine
// that waits for delete first); it never runs user code again, so waiting for it gains nothing.
Status kill_and_wait(sys::Ops& ops, const ContainerRecord& rec) {
  auto pidfd = open_init(ops, rec);
  if (!pidfd) {
    if (pidfd.error().code() == ESRCH) return ok();  // already gone
    return std::move(pidfd).error();
  }
  // runc's destroy: a container with its own pid namespace ends with its init (the kernel kills
  // the rest of the namespace); only one sharing a pid namespace needs its whole cgroup killed.
  // Several containers may share one cgroup: never cgroup.kill them for one container's sake.
  if (rec.own_pid_ns) {
    GROVE_TRY(ops.pidfd_send_signal(pidfd->get(), SIGKILL));
    if (rec.paused) (void)cgroup::freeze(ops, recorded_cgroup(rec), false);  // frozen tasks can't die
  } else {
    GROVE_TRY(signal_all(ops, rec, pidfd->get(), SIGKILL));
  }
  std::vector<struct pollfd> p = {{pidfd->get(), POLLIN, 0}};
  for (int waited = 0; waited < kKillWaitMs; waited += kKillSliceMs) {
    auto n = ops.poll(p, kKillSliceMs);
    if (!n && n.error().code() != EINTR) return std::move(n).error();
    if (n && *n > 0) return ok();
    // Not reused meanwhile: the pidfd would have turned readable first.
    GROVE_ASSIGN_OR_RETURN(auto live, read_proc_stat(ops, rec.init_pid));
    if (!live || (live->flags & kPfExiting) != 0) return ok();
  }
  return Error::plain(ETIMEDOUT, "container init did not exit after SIGKILL");
}

// Deletes the locked container `rec`: kills it when it is not stopped (only with `force` once
// it runs), removes its cgroup and state, runs poststop.
Status destroy_locked(sys::Ops& ops, StateStore& store, std::string_view id, Lock& lock,
                      Result<ContainerRecord>& rec, bool force,
                      std::vector<std::string>* warnings) {
  if (!rec) {
    // A crashed create leaves a directory without state.json: it is safe to remove.
    if (rec.error().code() != ENOENT) return std::move(rec).error();
    return store.remove(id, lock);
  }
  GROVE_ASSIGN_OR_RETURN(RunState st, current_state(ops, *rec));
  switch (st) {
    case RunState::kStopped:
      break;
    case RunState::kCreated:
    case RunState::kCreating:
      // runc kills a created container on delete without --force.
      GROVE_TRY(kill_and_wait(ops, *rec));
      break;
    default:
      if (!force) {
        return Error::plain(EBUSY, "cannot delete container " + std::string(id) +
                                       " that is not stopped: " + to_string(st));
      }
      GROVE_TRY(kill_and_wait(ops, *rec));
  }
  GROVE_FAULT_POINT("delete.after-kill");
  if (!rec->cgroup_dirs.empty()) {
    cgroup::Dirs dirs = recorded_cgroup(*rec);
    if (!rec->own_pid_ns) (void)cgroup::kill_all(ops, dirs, SIGKILL);  // runc's destroy
    if (rec->paused) (void)cgroup::freeze(ops, dirs, false);
    // A cgroup another container still uses stays (runc too leaves it and reports it).
    if (Status st = cgroup::destroy(ops, dirs); !st && warnings != nullptr) {
      warnings->push_back(st.error().message());
    }
  }
  // linux.intelRdt: runc removes the group it made; a shared (closID) group it found stays.
  if (Status st = rdt::remove(ops, record_rdt_group(*rec)); !st && warnings != nullptr) {
    warnings->push_back(st.error().message());
  }
  GROVE_FAULT_POINT("delete.after-cgroup");
  // The init is dead: its root can go, and the layers it held (state dir's mount points
  // must be unmounted before the directory is removed).
  GROVE_TRY(release_image_root(ops, *rec, store.dir(id)));
  GROVE_TRY(store.remove(id, lock));
  // runtime.md: poststop after the container is deleted, before delete returns; failures are
  // warnings. The hooks come from the record: the bundle may be gone by now.
  const ContainerRecord& r = *rec;
  run_hooks_warn(ops, r.hooks, HookKind::kPoststop,
                 hook_state_json(r.oci_version, r.id, oci::ContainerStatus::kStopped, 0, r.bundle,
                                 r.annotations),
                 warnings);
  return ok();
}

Status remove_impl(sys::Ops& ops, const std::string& root, std::string_view id, bool force,
                   std::vector<std::string>* warnings) {
  StateStore store(ops, root);
  store.sweep_stale_tmp();
  GROVE_ASSIGN_OR_RETURN(Lock lock, store.lock(id));
  GROVE_FAULT_POINT("delete.after-lock");
  auto rec = store.load(id);
  return destroy_locked(ops, store, id, lock, rec, force, warnings);
}

Status reclaim_impl(sys::Ops& ops, const std::string& root, std::string_view id,
                    std::vector<std::string>* warnings) {
  StateStore store(ops, root);
  store.sweep_stale_tmp();
  // Blocks while a create of `id` is still running: it holds the lock until it has finished.
  GROVE_ASSIGN_OR_RETURN(Lock lock, store.lock(id));
  auto rec = store.load(id);
  // Holding the lock, a record still "creating" (or none at all) can only be a dead create's.
  bool killed_create = rec ? rec->phase == "creating" : rec.error().code() == ENOENT;
  if (!killed_create) return exists_error(id);
  return destroy_locked(ops, store, id, lock, rec, /*force=*/true, warnings);
}

Status kill_impl(sys::Ops& ops, const std::string& root, std::string_view id, int sig, bool all) {
  StateStore store(ops, root);
  GROVE_ASSIGN_OR_RETURN(Lock lock, store.lock(id));
  GROVE_ASSIGN_OR_RETURN(ContainerRecord rec, store.load(id));
  GROVE_ASSIGN_OR_RETURN(UniqueFd pidfd, open_init(ops, rec));
  if (all) return signal_all(ops, rec, pidfd.get(), sig);
  auto r = ops.pidfd_send_signal(pidfd.get(), sig);
  if (!r && r.error().code() == ESRCH) return not_running();
  return r;
}

}  // namespace

Result<ContainerInfo> state(sys::Ops& ops, const std::string& root, std::string_view id) {
  // No lock: state.json is replaced atomically, so a reader sees the old or the new record.
  StateStore store(ops, root);
  GROVE_ASSIGN_OR_RETURN(ContainerRecord rec, store.load(id));
  GROVE_ASSIGN_OR_RETURN(RunState st, current_state(ops, rec));
  return ContainerInfo{std::move(rec), st};
}

Result<std::vector<ContainerInfo>> list(sys::Ops& ops, const std::string& root) {
  StateStore store(ops, root);
  GROVE_ASSIGN_OR_RETURN(auto ids, store.list());
  std::vector<ContainerInfo> out;
  for (const std::string& id : ids) {
    auto info = state(ops, root, id);
    if (info) {
      out.push_back(std::move(*info));
    } else if (info.error().code() != ENOENT) {
      return std::move(info).error().context("container " + q(id));
    }
  }
  return out;
}

Status kill(sys::Ops& ops, const std::string& root, std::string_view id, int signal, bool all) {
  return kill_impl(ops, root, id, signal, all).context([&] { return "kill container " + q(id); });
}

Status remove(sys::Ops& ops, const std::string& root, std::string_view id, bool force,
              std::vector<std::string>* warnings) {
  return remove_impl(ops, root, id, force, warnings).context([&] { return "delete container " + q(id); });
}

Status reclaim_killed_create(sys::Ops& ops, const std::string& root, std::string_view id,
                             std::vector<std::string>* warnings) {
  return reclaim_impl(ops, root, id, warnings).context([&] {
    return "remove what a killed create of " + q(id) + " left";
  });
}

Result<int> parse_signal(std::string_view text) {
  long long n = 0;
  if (parse_int64(text, &n)) {
    if (n <= 0 || n > SIGRTMAX) return Error::invalid("invalid signal " + q(text));
    return static_cast<int>(n);
  }
  std::string upper(text);
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  if (starts_with(upper, "SIG")) upper.erase(0, 3);
  for (int sig = 1; sig < SIGRTMIN; ++sig) {
    const char* abbrev = sigabbrev_np(sig);
    if (abbrev != nullptr && upper == abbrev) return sig;
  }
  return Error::invalid("invalid signal " + q(text));
}

std::string state_json(const ContainerInfo& info) {
  const ContainerRecord& r = info.record;
  oci::State st;
  st.oci_version = r.oci_version;
  st.id = r.id;
  st.status = static_cast<oci::ContainerStatus>(info.state);  // same order, checked below
  st.pid = info.state == RunState::kStopped ? 0 : r.init_pid;
  st.bundle = r.bundle;
  st.annotations = r.annotations;
  st.rootfs = r.rootfs;
  st.created = r.created;
  return oci::to_json_string(st);
}

static_assert(static_cast<int>(RunState::kPaused) ==
              static_cast<int>(oci::ContainerStatus::kPaused));
static_assert(static_cast<int>(RunState::kStopped) ==
              static_cast<int>(oci::ContainerStatus::kStopped));
static_assert(static_cast<int>(RunState::kCreated) ==
              static_cast<int>(oci::ContainerStatus::kCreated));

}  // namespace grove::container
