// Planning of one OCI `mounts[]` entry: bind vs new filesystem, attributes, propagation, idmap.

#include "libcontainer/base/strings.h"
#include "libcontainer/plan/mount_plan_internal.h"

namespace grove::plan {
namespace {

// Filesystems that take no SELinux context= option (runc/go-selinux skip them too).
bool takes_label(const std::string& fstype) {
  return fstype != "proc" && fstype != "sysfs" && fstype != "cgroup" && fstype != "cgroup2";
}

// The spec already names an SELinux context option: the label must not be given twice (the
// kernel refuses a second context= with EINVAL; crun#2120).
bool has_context_option(const std::vector<std::string>& data) {
  for (const std::string& d : data) {
    std::string key = d.substr(0, d.find('='));
    if (key == "context" || key == "fscontext" || key == "defcontext" || key == "rootcontext") {
      return true;
    }
  }
  return false;
}

Result<std::string> bind_source(const oci::Mount& m, const PlanOptions& options) {
  if (m.source.empty()) return Error::invalid("bind mount needs a source");
  if (m.source.find('\0') != std::string::npos) {
    return Error::invalid("source contains a NUL byte");
  }
  // OCI: a relative source is relative to the bundle directory.
  if (m.source[0] == '/' || options.bundle_dir.empty()) return m.source;
  return options.bundle_dir + "/" + m.source;
}

Result<IdmapSpec> plan_idmap(const oci::Mount& m, const MountOptions& o,
                             const SpecMountContext& ctx) {
  if (!ctx.features.idmapped_mounts) {
    return Error::not_supported("idmapped mount: " + ctx.features.idmapped_mounts.reason);
  }
  if (!o.is_bind) return Error::invalid("idmap is only supported on bind mounts");
  IdmapSpec id;
  id.recursive = o.idmap_recursive;
  id.uid_mappings = m.uid_mappings;
  id.gid_mappings = m.gid_mappings;
  // runc: a mount without its own mappings uses the container's user namespace mappings.
  if (id.uid_mappings.empty() && id.gid_mappings.empty() && ctx.spec.linux) {
    id.uid_mappings = ctx.spec.linux->uid_mappings;
    id.gid_mappings = ctx.spec.linux->gid_mappings;
  }
  if (id.uid_mappings.empty() || id.gid_mappings.empty()) {
    return Error::invalid("idmap needs both uidMappings and gidMappings");
  }
  return id;
}

// "cgroup" in a spec means "the cgroup filesystem of this host". With a cgroup view (hybrid and
// legacy hosts, PlanOptions::cgroup_view) plan_cgroup_view handles it; without one it is a fresh
// cgroup2 instance: right on a pure v2 host, and kept on hybrid hosts for callers that plan
// without a container's cgroup (it then shows the cgroup2 root of the caller's namespace).
Result<std::string> fs_type(const oci::Mount& m, const sys::Features& f) {
  if (m.type.empty()) return Error::invalid("type is required for a non-bind mount");
  if (m.type.find('\0') != std::string::npos) return Error::invalid("type contains a NUL byte");
  if (m.type != "cgroup") return m.type;
  if (f.cgroup_layout == sys::CgroupLayout::kUnified ||
      f.cgroup_layout == sys::CgroupLayout::kHybrid) {
    return std::string("cgroup2");
  }
  return Error::not_supported(std::string("cgroup mount on a ") + sys::to_string(f.cgroup_layout) +
                              " cgroup host (only cgroup2 instances are supported)");
}

}  // namespace

Status plan_spec_mount(const oci::Mount& m, const SpecMountContext& ctx,
                       std::vector<MountOp>* ops) {
  GROVE_ASSIGN_OR_RETURN(std::string target, clean_container_path(m.destination));
  GROVE_ASSIGN_OR_RETURN(MountOptions o, parse_mount_options(m.options));
  if (m.type == "bind") o.is_bind = true;
  // runc (EXT_COPYUP) and crun only implement the copy for a fresh tmpfs; anything else would
  // copy into (and hide) a filesystem the user owns.
  if (o.tmpcopyup && (o.is_bind || m.type != "tmpfs")) {
    return Error::invalid("tmpcopyup is only valid on tmpfs");
  }
  bool wants_idmap = o.idmap || !m.uid_mappings.empty() || !m.gid_mappings.empty();
  if (o.is_bind) {
    BindMount b;
    GROVE_ASSIGN_OR_RETURN(b.source, bind_source(m, ctx.options));
    b.target = target;
    b.recursive = o.is_recursive_bind;
    b.attrs = {o.attr_set, o.attr_clr, o.rec_attr_set, o.rec_attr_clr};
    if (wants_idmap) {
      o.is_bind = true;
      GROVE_ASSIGN_OR_RETURN(b.idmap, plan_idmap(m, o, ctx));
    }
    ops->push_back(std::move(b));
  } else {
    if (wants_idmap) return Error::invalid("idmap is only supported on bind mounts");
    // Hybrid/legacy host: the container's own cgroups (cgroup_mount.cc), with its propagation.
    if (m.type == "cgroup" && ctx.options.cgroup_view) return plan_cgroup_view(target, o, ctx, ops);
    NewFsMount n;
    n.target = target;
    GROVE_ASSIGN_OR_RETURN(n.fstype, fs_type(m, ctx.features));
    if (m.source.find('\0') != std::string::npos) {
      return Error::invalid("source contains a NUL byte");
    }
    n.source = m.source;
    n.sb_flags = o.sb_flags;
    n.data = o.data;
    n.copy_up = o.tmpcopyup;
    if (n.fstype == "cgroup2") n.fallback_bind = ctx.options.cgroup2_fallback;
    // A single fresh mount: the recursive attributes are the mount's own.
    n.attrs.set = (o.attr_set & ~o.rec_attr_clr) | o.rec_attr_set;
    n.attrs.clr = (o.attr_clr & ~o.rec_attr_set) | o.rec_attr_clr;
    // Only with SELinux enabled: without it "context" is an unknown option to most filesystems.
    if (ctx.features.selinux && ctx.spec.linux && takes_label(n.fstype) &&
        !has_context_option(n.data)) {
      n.label = ctx.spec.linux->mount_label;
    }
    ops->push_back(std::move(n));
  }
  if (o.propagation != Propagation::kNone) {
    ops->push_back(SetPropagation{target, o.propagation, o.propagation_recursive});
  }
  return ok();
}

}  // namespace grove::plan
