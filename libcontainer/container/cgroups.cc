#include "libcontainer/container/cgroups.h"

#include <fcntl.h>

#include <cstdio>
#include <set>

#include "libcontainer/base/strings.h"
#include "libcontainer/cgroup/resources.h"
#include "libcontainer/cgroup/stats.h"

namespace grove::container {
namespace {

bool uses_v1(const cgroup::Dirs& dirs) { return !dirs.v1.empty(); }

// Device rules go to the v1 devices controller when it is mounted (runc on hybrid/legacy
// hosts), else to a BPF program on the cgroup2 directory.
bool v1_devices(const cgroup::Dirs& dirs) { return dirs.v1.count("devices") != 0; }

bool exists(sys::Ops& ops, const std::string& path) {
  return static_cast<bool>(ops.fstatat(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW));
}

// runc reads these from the container's own directories before writing (resources.h probes).
cgroup::V1Probe probe_v1(sys::Ops& ops, const cgroup::Dirs& dirs, const oci::Resources& r) {
  cgroup::V1Probe p;
  if (auto it = dirs.v1.find("memory"); r.memory && it != dirs.v1.end()) {
    auto text = ops.read_file_at(AT_FDCWD, it->second + "/memory.limit_in_bytes");
    unsigned long long v = 0;
    if (text && std::sscanf(text->c_str(), "%llu", &v) == 1) p.memory_limit = v;
  }
  if (auto it = dirs.v1.find("blkio"); r.block_io && it != dirs.v1.end()) {
    p.blkio_cfq_weight = exists(ops, it->second + "/blkio.weight");
  }
  return p;
}

cgroup::V2Probe probe_v2(sys::Ops& ops, const cgroup::Dirs& dirs, const oci::Resources& r) {
  cgroup::V2Probe p;
  if (!r.block_io) return p;
  auto text = ops.read_file_at(AT_FDCWD, dirs.unified + "/io.bfq.weight");
  p.io_bfq_weight = static_cast<bool>(text);
  p.io_bfq_device_weight = text && text->starts_with("default");
  return p;
}

// memory.current (v2) or memory.usage_in_bytes (v1) for memory.checkBeforeUpdate; nullopt when
// it cannot be read (runc treats the check as best effort).
std::optional<uint64_t> memory_usage(sys::Ops& ops, const cgroup::Dirs& dirs) {
  std::string file;
  if (auto it = dirs.v1.find("memory"); it != dirs.v1.end()) {
    file = it->second + "/memory.usage_in_bytes";
  } else if (!dirs.unified.empty()) {
    file = dirs.unified + "/memory.current";
  } else {
    return std::nullopt;
  }
  auto text = ops.read_file_at(AT_FDCWD, file);
  unsigned long long v = 0;
  if (!text || std::sscanf(text->c_str(), "%llu", &v) != 1) return std::nullopt;
  return v;
}

// `live`: the directories exist and are probed; otherwise the plan only validates.
Result<std::vector<cgroup::Write>> plan_limits(sys::Ops& ops, const cgroup::Dirs& dirs,
                                               const oci::Resources& r, bool live) {
  if (uses_v1(dirs)) {
    return cgroup::plan_resources_v1(r, live ? probe_v1(ops, dirs, r) : cgroup::V1Probe{});
  }
  return cgroup::plan_resources_v2(r, live ? probe_v2(ops, dirs, r) : cgroup::V2Probe{});
}

// The huge page sizes of this machine ("2MB", ...) for the stats readers.
std::vector<std::string> hugepage_sizes(sys::Ops& ops) {
  std::vector<std::string> out;
  auto names = ops.list_dir(AT_FDCWD, "/sys/kernel/mm/hugepages");
  if (!names) return out;
  for (const std::string& n : *names) {
    if (auto size = cgroup::hugepage_size_from_dirname(n)) out.push_back(*size);
  }
  return out;
}

// "oom_kill N" of v1 memory.oom_control or v2 memory.events (0 when absent).
uint64_t read_oom_kills(const cgroup::FileReader& read, bool v1) {
  auto text = v1 ? read(cgroup::Hierarchy::kV1, "memory", "memory.oom_control")
                 : read(cgroup::Hierarchy::kUnified, "memory", "memory.events");
  if (!text) return 0;
  std::size_t at = text->find("oom_kill ");
  unsigned long long n = 0;
  if (at == std::string::npos || std::sscanf(text->c_str() + at + 9, "%llu", &n) != 1) return 0;
  return n;
}

// The device rules of a setup, validated for the v1 files or the v2 program.
Status plan_devices(const oci::Spec& spec, CgroupSetup& setup) {
  GROVE_ASSIGN_OR_RETURN(setup.device_rules, cgroup::device_rules(spec));
  if (v1_devices(setup.dirs)) {
    GROVE_TRY(cgroup::plan_devices_v1(setup.device_rules));
  } else if (!setup.dirs.unified.empty()) {
    GROVE_TRY(cgroup::device_program(setup.device_rules));
    setup.device_program = true;
  }
  return ok();
}

// v1: only the difference to the cgroup's devices.list, as runc writes it: a cgroup that
// already holds processes (several containers may share one) never sees a deny-all moment.
Status apply_v1_devices(sys::Ops& ops, const cgroup::Dirs& dirs,
                        const std::vector<cgroup::DeviceRule>& rules) {
  GROVE_ASSIGN_OR_RETURN(std::string current,
                         ops.read_file_at(AT_FDCWD, dirs.v1.at("devices") + "/devices.list"));
  GROVE_ASSIGN_OR_RETURN(std::vector<cgroup::Write> writes, cgroup::plan_devices_v1(rules, current));
  return cgroup::apply(ops, dirs, writes);
}

// The basename of a mount point as a name below the cgroup mount, or "" when it cannot be one
// path component.
std::string view_name(const std::string& mountpoint) {
  std::string name = mountpoint.substr(mountpoint.rfind('/') + 1);
  if (name == "." || name == ".." || name.find('\0') != std::string::npos) return "";
  return name;
}

bool is_permission(int code) { return code == EACCES || code == EPERM || code == EROFS; }

Status attach_devices(sys::Ops& ops, const cgroup::Dirs& dirs,
                      const std::vector<cgroup::DeviceRule>& rules) {
  GROVE_ASSIGN_OR_RETURN(UniqueFd fd, cgroup::open_unified(ops, dirs));
  return cgroup::apply_device_program(ops, fd.get(), rules)
      .context("linux.resources.devices: device program on " + q(dirs.unified));
}

}  // namespace

rdt::Group record_rdt_group(const ContainerRecord& rec) {
  rdt::Group g;
  g.dir = rec.rdt_dir;
  g.created = rec.rdt_created;
  g.mon_dir = rec.rdt_mon_dir;
  return g;
}

void set_record_rdt_group(ContainerRecord& rec, const rdt::Group& g) {
  rec.rdt_dir = g.dir;
  rec.rdt_created = g.created;
  rec.rdt_mon_dir = g.mon_dir;
}

cgroup::Dirs recorded_cgroup(const ContainerRecord& rec) {
  return cgroup::from_record(rec.cgroup_path, rec.cgroup_dirs);
}

Result<CgroupSetup> plan_cgroup(sys::Ops& ops, const oci::Spec& spec, std::string_view id,
                                bool rootless) {
  static const oci::Resources kNoResources;
  const oci::Resources& res =
      spec.linux && spec.linux->resources ? *spec.linux->resources : kNoResources;
  const std::string cgroups_path = spec.linux ? spec.linux->cgroups_path : "";
  CgroupSetup setup;
  setup.rootless = rootless;
  GROVE_ASSIGN_OR_RETURN(std::string path, cgroup::container_path(cgroups_path, id));
  GROVE_ASSIGN_OR_RETURN(setup.layout, cgroup::detect_layout(ops));
  GROVE_ASSIGN_OR_RETURN(setup.dirs, cgroup::detect_dirs(ops, setup.layout, path));
  setup.resources = res;
  GROVE_TRY(plan_limits(ops, setup.dirs, res, false));  // validation, before anything exists
  GROVE_TRY(plan_devices(spec, setup));
  return setup;
}

std::string cgroup2_fallback(const cgroup::Layout& layout, const cgroup::Dirs& dirs,
                             bool cgroupns) {
  if (layout.mode() != cgroup::Mode::kUnifiedOnly) return "";
  if (cgroupns && !dirs.unified.empty()) return dirs.unified;
  return layout.unified;
}

std::optional<plan::CgroupView> cgroup_mount_view(const cgroup::Layout& layout,
                                                  const cgroup::Dirs& dirs) {
  const cgroup::Mode mode = layout.mode();
  if (mode != cgroup::Mode::kHybrid && mode != cgroup::Mode::kLegacy) return std::nullopt;
  plan::CgroupView view;
  std::set<std::string> taken;
  auto add = [&](const std::string& mountpoint, const std::string& dir) {
    std::string name = view_name(mountpoint);
    if (!name.empty() && taken.insert(name).second) view.dirs.push_back({name, dir, {}});
  };
  for (const cgroup::V1Mount& m : layout.v1) {
    auto it = dirs.v1.find(m.controllers.front());
    if (it != dirs.v1.end()) add(m.mountpoint, it->second);
  }
  // Not in runc 1.1.5 (its list has "cgroup" mounts only): mirrors the host's hybrid layout.
  if (!layout.unified.empty() && !dirs.unified.empty()) add(layout.unified, dirs.unified);
  // runc: every part of a co-mounted "cpu,cpuacct" links to it (after all names are known, so
  // a link never hides a hierarchy).
  for (plan::CgroupViewDir& d : view.dirs) {
    if (d.name.find(',') == std::string::npos) continue;
    for (const std::string& part : split(d.name, ',')) {
      if (!view_name("/" + part).empty() && taken.insert(part).second) d.links.push_back(part);
    }
  }
  return view;
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
  GROVE_ASSIGN_OR_RETURN(auto writes, plan_limits(ops, setup.dirs, setup.resources, true));
  GROVE_TRY(cgroup::apply(ops, setup.dirs, writes));
  if (v1_devices(setup.dirs)) GROVE_TRY(apply_v1_devices(ops, setup.dirs, setup.device_rules));
  if (setup.device_program) GROVE_TRY(attach_devices(ops, setup.dirs, setup.device_rules));
  return ok();
}

Status need_cgroup(const cgroup::Dirs& dirs) {
  if (!dirs.empty()) return ok();
  return Error::not_supported("the container has no cgroup (rootless without a delegated cgroup)");
}

Status update_cgroup(sys::Ops& ops, const cgroup::Dirs& dirs, const oci::Resources& resources) {
  GROVE_TRY(need_cgroup(dirs));
  if (resources.memory && resources.memory->check_before_update.value_or(false)) {
    GROVE_TRY(cgroup::check_memory_usage(*resources.memory, memory_usage(ops, dirs)));
  }
  GROVE_ASSIGN_OR_RETURN(std::vector<cgroup::Write> writes,
                         plan_limits(ops, dirs, resources, true));
  GROVE_TRY(cgroup::apply(ops, dirs, writes));
  if (resources.devices.empty()) return ok();
  // New device rules replace the old ones: the defaults plus the given rules, like create.
  oci::Spec spec;
  spec.linux.emplace();
  spec.linux->resources = resources;
  GROVE_ASSIGN_OR_RETURN(std::vector<cgroup::DeviceRule> rules, cgroup::device_rules(spec));
  if (v1_devices(dirs)) return apply_v1_devices(ops, dirs, rules);
  return attach_devices(ops, dirs, rules);
}

Result<cgroup::Stats> cgroup_stats(sys::Ops& ops, const cgroup::Dirs& dirs) {
  GROVE_TRY(need_cgroup(dirs));
  cgroup::FileReader read = cgroup::reader(ops, dirs);
  const std::vector<std::string> sizes = hugepage_sizes(ops);
  GROVE_ASSIGN_OR_RETURN(cgroup::Stats stats, uses_v1(dirs) ? cgroup::read_stats_v1(read, sizes)
                                                            : cgroup::read_stats_v2(read, sizes));
  stats.memory.oom_kills = read_oom_kills(read, uses_v1(dirs));
  return stats;
}

}  // namespace grove::container
