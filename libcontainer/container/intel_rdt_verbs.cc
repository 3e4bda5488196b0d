// update of a live container's Intel RDT schemata (container.h update_intel_rdt).

#include "libcontainer/base/strings.h"
#include "libcontainer/container/cgroups.h"
#include "libcontainer/container/container.h"
#include "libcontainer/rdt/intel_rdt.h"

namespace grove::container {
namespace {

// runc's update.go checks, made before the container is touched.
Status check_host(const std::optional<rdt::Resctrl>& host, const std::string& l3,
                  const std::string& mb) {
  if (!l3.empty() && !(host && host->cat)) {
    return Error::invalid("Intel RDT/CAT: l3 cache schema is not enabled");
  }
  if (!mb.empty() && !(host && host->mba)) {
    return Error::invalid("Intel RDT/MBA: memory bandwidth schema is not enabled");
  }
  return ok();
}

Status update_impl(sys::Ops& ops, const std::string& root, std::string_view id,
                   const std::string& l3, const std::string& mb) {
  GROVE_ASSIGN_OR_RETURN(std::optional<rdt::Resctrl> host, rdt::probe(ops));
  GROVE_TRY(check_host(host, l3, mb));
  StateStore store(ops, root);
  GROVE_ASSIGN_OR_RETURN(Lock lock, store.lock(id));
  GROVE_ASSIGN_OR_RETURN(ContainerRecord rec, store.load(id));
  GROVE_ASSIGN_OR_RETURN(RunState st, current_state(ops, rec));
  if (st == RunState::kStopped) return Error::invalid("container not running");
  if (!rec.rdt_dir.empty()) return rdt::update_schemata(ops, record_rdt_group(rec), l3, mb);
  // runc: "If intelRdt is not specified in original configuration, we just don't Apply() to
  // create intelRdt group or attach tasks for this container. In update command, we could
  // re-enable through IntelRdtManager.Apply() and then update intelrdt constraint."
  oci::IntelRdt spec;
  spec.l3_cache_schema = l3;
  spec.mem_bw_schema = mb;
  // Recorded before the mkdir, as in create: an update killed half-way leaves delete the group.
  rdt::Group g = rdt::plan_group(ops, spec, *host, id);
  set_record_rdt_group(rec, g);
  GROVE_TRY(store.save(rec));
  if (Status applied = rdt::apply(ops, spec, g, rec.init_pid); !applied) {
    set_record_rdt_group(rec, rdt::Group{});
    (void)store.save(rec);
    return applied;
  }
  set_record_rdt_group(rec, g);
  return store.save(rec);
}

}  // namespace

Status update_intel_rdt(sys::Ops& ops, const std::string& root, std::string_view id,
                        const std::string& l3_cache_schema, const std::string& mem_bw_schema) {
  if (l3_cache_schema.empty() && mem_bw_schema.empty()) return ok();
  return update_impl(ops, root, id, l3_cache_schema, mem_bw_schema).context([&] {
    return "update container " + q(id);
  });
}

}  // namespace grove::container
