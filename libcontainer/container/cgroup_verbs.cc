// pause, resume, update and stats: the verbs that act on a live container's cgroup
// (container.h).

#include "libcontainer/base/strings.h"
#include "libcontainer/cgroup/manager.h"
#include "libcontainer/container/cgroups.h"
#include "libcontainer/container/container.h"

namespace grove::container {
namespace {

Status pause_impl(sys::Ops& ops, const std::string& root, std::string_view id, bool frozen) {
  StateStore store(ops, root);
  GROVE_ASSIGN_OR_RETURN(Lock lock, store.lock(id));
  GROVE_ASSIGN_OR_RETURN(ContainerRecord rec, store.load(id));
  GROVE_ASSIGN_OR_RETURN(RunState st, current_state(ops, rec));
  // runc: pause needs running or created; resume needs paused.
  if (frozen && st != RunState::kRunning && st != RunState::kCreated) {
    return Error::invalid("container not running");
  }
  if (!frozen && st != RunState::kPaused) return Error::invalid("container not paused");
  GROVE_TRY(need_cgroup(recorded_cgroup(rec)));
  GROVE_TRY(cgroup::freeze(ops, recorded_cgroup(rec), frozen));
  rec.paused = frozen;
  Status saved = store.save(rec);
  if (!saved && frozen) (void)cgroup::freeze(ops, recorded_cgroup(rec), false);  // never frozen on error
  return saved;
}

// Loads a container that has a live init and a cgroup.
Result<ContainerRecord> load_live(sys::Ops& ops, const std::string& root, std::string_view id) {
  StateStore store(ops, root);
  GROVE_ASSIGN_OR_RETURN(ContainerRecord rec, store.load(id));
  GROVE_ASSIGN_OR_RETURN(RunState st, current_state(ops, rec));
  if (st == RunState::kStopped) return Error::invalid("container not running");
  return rec;
}

Status update_impl(sys::Ops& ops, const std::string& root, std::string_view id,
                   const oci::Resources& resources) {
  StateStore store(ops, root);
  GROVE_ASSIGN_OR_RETURN(Lock lock, store.lock(id));
  GROVE_ASSIGN_OR_RETURN(ContainerRecord rec, load_live(ops, root, id));
  return update_cgroup(ops, recorded_cgroup(rec), resources);
}

}  // namespace

Status pause(sys::Ops& ops, const std::string& root, std::string_view id) {
  return pause_impl(ops, root, id, true).context([&] { return "pause container " + q(id); });
}

Status resume(sys::Ops& ops, const std::string& root, std::string_view id) {
  return pause_impl(ops, root, id, false).context([&] { return "resume container " + q(id); });
}

Status update(sys::Ops& ops, const std::string& root, std::string_view id,
              const oci::Resources& resources) {
  return update_impl(ops, root, id, resources).context([&] {
    return "update container " + q(id);
  });
}

Result<cgroup::Stats> stats(sys::Ops& ops, const std::string& root, std::string_view id) {
  auto rec = load_live(ops, root, id);
  if (!rec) return std::move(rec).error().context("stats of container " + q(id));
  return cgroup_stats(ops, recorded_cgroup(*rec)).context([&] { return "stats of container " + q(id); });
}

}  // namespace grove::container
