#include "libcontainer/container/cgroups.h"

#include <fcntl.h>

#include "libcontainer/base/strings.h"
#include "libcontainer/cgroup/resources.h"
#include "libcontainer/cgroup/stats.h"

namespace grove::container {
namespace {

bool uses_v1(const cgroup::Dirs& dirs) { return !dirs.v1.empty(); }

// Device rules go to the v1 devices controller when it is mounted (runc on hybrid/legacy
// hosts), else to a BPF program on the cgroup2 directory.
bool v1_devices(const cgroup::Dirs& dirs) { return dirs.v1.count("devices") != 0; }

Result<std::vector<cgroup::Write>> plan_limits(const cgroup::Dirs& dirs,
                                               const oci::Resources& r) {
  return uses_v1(dirs) ? cgroup::plan_resources_v1(r) : cgroup::plan_resources_v2(r);
}

// The device part of a setup: v1 files appended to the writes, or the BPF rules.
Status plan_devices(const oci::Spec& spec, CgroupSetup& setup) {
  GROVE_ASSIGN_OR_RETURN(std::vector<cgroup::DeviceRule> rules, cgroup::device_rules(spec));
  if (v1_devices(setup.dirs)) {
    for (cgroup::Write& w : cgroup::plan_devices_v1(rules)) setup.writes.push_back(std::move(w));
  } else if (!setup.dirs.unified.empty()) {
    setup.bpf_rules = std::move(rules);
    setup.device_program = true;
  }
  return ok();
}

bool is_permission(int code) { return code == EACCES || code == EPERM || code == EROFS; }

Status attach_devices(sys::Ops& ops, const cgroup::Dirs& dirs,
                      const std::vector<cgroup::DeviceRule>& rules) {
  GROVE_ASSIGN_OR_RETURN(UniqueFd fd, cgroup::open_unified(ops, dirs));
  return cgroup::apply_device_program(ops, fd.get(), rules)
      .context("linux.resources.devices: device program on " + q(dirs.unified));
}

}  // namespace

Result<CgroupSetup> plan_cgroup(sys::Ops& ops, const oci::Spec& spec, std::string_view id,
                                bool rootless) {
  static const oci::Resources kNoResources;
  const oci::Resources& res =
      spec.linux && spec.linux->resources ? *spec.linux->resources : kNoResources;
  const std::string cgroups_path = spec.linux ? spec.linux->cgroups_path : "";
  CgroupSetup setup;
  setup.rootless = rootless;
  GROVE_ASSIGN_OR_RETURN(std::string path, cgroup::container_path(cgroups_path, id));
  GROVE_ASSIGN_OR_RETURN(setup.dirs, cgroup::detect_dirs(ops, path));
  GROVE_ASSIGN_OR_RETURN(setup.writes, plan_limits(setup.dirs, res));
  GROVE_TRY(plan_devices(spec, setup));
  return setup;
}

Status setup_cgroup(sys::Ops& ops, CgroupSetup& setup, std::vector<std::string>* warnings) {
  if (setup.dirs.empty()) return ok();
  Status made = cgroup::create(ops, setup.dirs);
  if (!made && setup.rootless && is_permission(made.error().code())) {
    // runc's rootless rule: no delegated, writable cgroup means none at all.
    if (warnings != nullptr) {
      warnings->push_back("rootless: running without a cgroup (limits not applied): " +
                          made.error().message());
    }
    (void)cgroup::destroy(ops, setup.dirs);  // levels created before the EACCES, if any
    setup.dirs = {};
    return ok();
  }
  GROVE_TRY(std::move(made));
  GROVE_TRY(cgroup::apply(ops, setup.dirs, setup.writes));
  if (setup.device_program) GROVE_TRY(attach_devices(ops, setup.dirs, setup.bpf_rules));
  return ok();
}

Status update_cgroup(sys::Ops& ops, const cgroup::Dirs& dirs, const oci::Resources& resources) {
  if (dirs.empty()) return Error::not_supported("the container has no cgroup (rootless)");
  GROVE_ASSIGN_OR_RETURN(std::vector<cgroup::Write> writes, plan_limits(dirs, resources));
  GROVE_TRY(cgroup::apply(ops, dirs, writes));
  if (resources.devices.empty()) return ok();
  // New device rules replace the old ones: the defaults plus the given rules, like create.
  oci::Spec spec;
  spec.linux.emplace();
  spec.linux->resources = resources;
  GROVE_ASSIGN_OR_RETURN(std::vector<cgroup::DeviceRule> rules, cgroup::device_rules(spec));
  if (v1_devices(dirs)) return cgroup::apply(ops, dirs, cgroup::plan_devices_v1(rules));
  return attach_devices(ops, dirs, rules);
}

Result<cgroup::Stats> cgroup_stats(sys::Ops& ops, const cgroup::Dirs& dirs) {
  if (dirs.empty()) return Error::not_supported("the container has no cgroup (rootless)");
  cgroup::FileReader read = cgroup::reader(ops, dirs);
  return uses_v1(dirs) ? cgroup::read_stats_v1(read) : cgroup::read_stats_v2(read);
}

}  // namespace grove::container
