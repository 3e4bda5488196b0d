// plan_mounts(): the pure mount planner. Order and defaults follow runc (libcontainer/
// rootfs_linux.go prepareRootfs + standard_init_linux.go): spec mounts in order, default devices,
// /dev/ptmx and /dev fd symlinks (only when /dev is not bound from the host), the console, then
// readonlyPaths, maskedPaths and finally root.readonly.

#include "libcontainer/plan/mount_plan.h"

#include <array>

#include "libcontainer/base/strings.h"
#include "libcontainer/plan/mount_plan_internal.h"

namespace grove::plan {
namespace {

struct DefaultDevice {
  std::string_view path;
  std::uint32_t major;
  std::uint32_t minor;
};

// runc's specconv AllowedDevices that get a node (all char devices, mode 0666, root-owned).
constexpr std::array<DefaultDevice, 6> kDefaultDevices{{
    {"/dev/null", 1, 3},
    {"/dev/zero", 1, 5},
    {"/dev/full", 1, 7},
    {"/dev/random", 1, 8},
    {"/dev/urandom", 1, 9},
    {"/dev/tty", 5, 0},
}};

struct DefaultSymlink {
  std::string_view path;
  std::string_view target;
};

// runc setupPtmx + setupDevSymlinks (without /dev/core, which depends on the host's /proc).
constexpr std::array<DefaultSymlink, 5> kDefaultSymlinks{{
    {"/dev/ptmx", "pts/ptmx"},
    {"/dev/fd", "/proc/self/fd"},
    {"/dev/stdin", "/proc/self/fd/0"},
    {"/dev/stdout", "/proc/self/fd/1"},
    {"/dev/stderr", "/proc/self/fd/2"},
}};

bool has_user_namespace(const oci::Spec& spec) {
  return oci::has_namespace(spec, oci::NamespaceType::kUser);
}

// runc's needsSetupDev: a bind mount over /dev means the devices come from the host.
bool binds_dev(const std::vector<MountOp>& ops) {
  for (const MountOp& op : ops) {
    const auto* b = std::get_if<BindMount>(&op);
    if (b != nullptr && b->target == "/dev") return true;
  }
  return false;
}

Result<MountOp> plan_device(const oci::Device& d, bool bind_from_host) {
  GROVE_ASSIGN_OR_RETURN(std::string path, clean_container_path(d.path));
  if (d.type != "c" && d.type != "b" && d.type != "u" && d.type != "p") {
    return Error::invalid("type " + q(d.type) + ": must be one of c, b, u, p");
  }
  if (d.major < 0 || d.minor < 0 || d.major > 0xfff || d.minor > 0xfffff) {
    return Error::invalid("major:minor " + std::to_string(d.major) + ":" +
                          std::to_string(d.minor) + " out of range");
  }
  if (bind_from_host && d.type != "p") return MountOp{BindDevice{path, path}};
  MakeDevice dev;
  dev.path = path;
  dev.type = d.type == "u" ? 'c' : d.type[0];
  dev.major = static_cast<std::uint32_t>(d.major);
  dev.minor = static_cast<std::uint32_t>(d.minor);
  dev.mode = d.file_mode.value_or(0666) & 07777;
  dev.uid = d.uid.value_or(0);
  dev.gid = d.gid.value_or(0);
  return MountOp{dev};
}

Status plan_devices(const oci::Spec& spec, bool bind_from_host, std::vector<MountOp>* ops) {
  const std::vector<oci::Device> none;
  const auto& devices = spec.linux ? spec.linux->devices : none;
  for (const DefaultDevice& def : kDefaultDevices) {
    bool overridden = false;
    for (const auto& d : devices) overridden = overridden || d.path == def.path;
    if (overridden) continue;
    oci::Device d{std::string(def.path), "c", def.major, def.minor, 0666, 0, 0};
    GROVE_ASSIGN_OR_RETURN(MountOp op, plan_device(d, bind_from_host));
    ops->push_back(std::move(op));
  }
  for (size_t i = 0; i < devices.size(); ++i) {
    auto op = plan_device(devices[i], bind_from_host).context([&] {
      return "linux.devices[" + std::to_string(i) + "] " + q(devices[i].path);
    });
    if (!op) return std::move(op).error();
    ops->push_back(std::move(*op));
  }
  for (const DefaultSymlink& s : kDefaultSymlinks) {
    ops->push_back(Symlink{std::string(s.path), std::string(s.target)});
  }
  return ok();
}

// maskedPaths / readonlyPaths entries, with errors naming `field[i]`.
template <typename Op>
Status plan_path_list(const std::vector<std::string>& paths, const char* field,
                      std::vector<MountOp>* ops) {
  for (size_t i = 0; i < paths.size(); ++i) {
    auto path = clean_container_path(paths[i]).context([&] {
      return std::string("linux.") + field + "[" + std::to_string(i) + "] " + q(paths[i]);
    });
    if (!path) return std::move(path).error();
    ops->push_back(Op{std::move(*path)});
  }
  return ok();
}

Status plan_propagation(const oci::Spec& spec, MountPlan* plan) {
  if (!spec.linux || spec.linux->rootfs_propagation.empty()) return ok();
  const std::string& name = spec.linux->rootfs_propagation;
  const MountOptionDef* d = find_mount_option(name);
  if (d == nullptr || d->kind != OptionKind::kPropagation) {
    return Error::invalid("linux.rootfsPropagation " + q(name) +
                          ": must be [r]private, [r]shared, [r]slave or [r]unbindable");
  }
  plan->rootfs_propagation = d->propagation;
  plan->rootfs_propagation_recursive = d->recursive;
  // The inherited tree is made rslave (runc's default) unless the spec asks for a private root.
  // Never rshared/runbindable before the root switch: pivot_root(2) refuses a shared parent and
  // open_tree(OPEN_TREE_CLONE) refuses unbindable bind sources.
  bool is_private = d->propagation == Propagation::kPrivate ||
                    d->propagation == Propagation::kUnbindable;
  plan->prepare_propagation = is_private ? Propagation::kPrivate : Propagation::kSlave;
  return ok();
}

// run.grove.bpf.delegate: after the spec mounts, so it lands on the container's /sys.
Status plan_bpffs(const oci::Spec& spec, const sys::Features& features, std::vector<MountOp>* ops) {
  GROVE_ASSIGN_OR_RETURN(auto delegation,
                         security::bpf_delegation_from_annotations(spec.annotations));
  if (!delegation) return ok();
  // BPF_TOKEN_CREATE needs the bpffs's owning user namespace to be the caller's and not the
  // initial one (kernel/bpf/token.c): without a user namespace no token can ever be made.
  if (!has_user_namespace(spec)) {
    return Error::invalid(std::string("annotations ") + q(security::kBpfDelegateAnnotation) +
                          ": needs a user namespace (linux.namespaces \"user\"): a BPF token "
                          "can only be created from a bpffs owned by a non-initial one");
  }
  BpfFsMount b{security::kBpfFsTarget, std::move(*delegation), ""};
  if (features.selinux && spec.linux) b.label = spec.linux->mount_label;
  ops->push_back(std::move(b));
  return ok();
}

}  // namespace

const char* to_string(Strategy s) noexcept {
  switch (s) {
    case Strategy::kOpenTreeNamespace: return "open-tree-namespace";
    case Strategy::kPivot: return "pivot";
    case Strategy::kChroot: return "chroot";
  }
  return "pivot";
}

std::optional<Strategy> strategy_from_string(std::string_view name) noexcept {
  for (Strategy s : {Strategy::kOpenTreeNamespace, Strategy::kPivot, Strategy::kChroot}) {
    if (name == to_string(s)) return s;
  }
  return std::nullopt;
}

Result<std::string> clean_container_path(std::string_view path) {
  if (path.empty()) return Error::invalid("empty path");
  if (path.find('\0') != std::string_view::npos) return Error::invalid("path contains a NUL byte");
  if (path[0] != '/') return Error::invalid("path must be absolute");
  std::string out;
  for (const std::string& c : split(path, '/')) {
    if (c.empty() || c == ".") continue;
    if (c == "..") return Error::invalid("path must not contain \"..\"");
    out += "/" + c;
  }
  return out.empty() ? std::string("/") : out;
}

namespace {
constexpr const char* kCreateContainerReason =
    "createContainer hooks need host paths before the root switch";
}  // namespace

Result<StrategyChoice> choose_strategy(const oci::Spec& spec, const sys::Features& features,
                                       const PlanOptions& options) {
  if (options.force_strategy) {
    Strategy s = *options.force_strategy;
    if (options.no_pivot && s != Strategy::kChroot) {
      return Error::invalid(std::string("--no-pivot conflicts with mount strategy ") +
                            to_string(s));
    }
    if (s == Strategy::kOpenTreeNamespace && !features.open_tree_namespace) {
      return Error::not_supported("mount strategy open-tree-namespace: " +
                                  features.open_tree_namespace.reason);
    }
    if (s == Strategy::kOpenTreeNamespace && !spec.hooks.create_container.empty()) {
      return Error::invalid(std::string("hooks.createContainer: mount strategy "
                                        "open-tree-namespace cannot run them: ") +
                            kCreateContainerReason);
    }
    return StrategyChoice{s, "forced"};
  }
  if (options.no_pivot) return StrategyChoice{Strategy::kChroot, "--no-pivot"};
  if (!features.open_tree_namespace) {
    return StrategyChoice{Strategy::kPivot, "open-tree-namespace unavailable: " +
                                                features.open_tree_namespace.reason};
  }
  // crun#2086: in a new user namespace, fs instances cannot be pre-opened in the host mount
  // namespace (may_mount) and a fresh procfs is refused after setns (mount_too_revealing).
  if (has_user_namespace(spec) || options.rootless) {
    return StrategyChoice{Strategy::kPivot,
                          "user namespace: fs instances cannot be pre-opened before setns"};
  }
  // createContainer hooks run in the container's mount namespace but their path resolves on the
  // host: the OTN namespace holds only the container tree (on nullfs), so they need pivot. The
  // other hook kinds run outside the container's mount namespace or after the root switch and
  // keep the fast path (crun disables it for any create-time hook, reference/kernel.md §1.4).
  if (!spec.hooks.create_container.empty()) {
    return StrategyChoice{Strategy::kPivot, kCreateContainerReason};
  }
  return StrategyChoice{Strategy::kOpenTreeNamespace, "open_tree(OPEN_TREE_NAMESPACE) available"};
}

Result<MountPlan> plan_mounts(const oci::Spec& spec, const sys::Features& features,
                              const PlanOptions& options) {
  if (!features.new_mount_api) {
    return Error::not_supported("mounts need the new mount API: " + features.new_mount_api.reason);
  }
  if (!features.mount_setattr) {
    return Error::not_supported("mounts need mount_setattr(2): " + features.mount_setattr.reason);
  }
  MountPlan plan;
  GROVE_ASSIGN_OR_RETURN(plan.strategy, choose_strategy(spec, features, options));
  plan.use_openat2 = features.openat2.ok;
  GROVE_TRY(plan_propagation(spec, &plan));

  SpecMountContext ctx{features, options, spec};
  for (size_t i = 0; i < spec.mounts.size(); ++i) {
    const oci::Mount& m = spec.mounts[i];
    GROVE_TRY(plan_spec_mount(m, ctx, &plan.ops).context([&] {
      return "mounts[" + std::to_string(i) + "] " + q(m.destination);
    }));
  }
  GROVE_TRY(plan_bpffs(spec, features, &plan.ops));
  bool bind_devices = options.rootless || has_user_namespace(spec);
  if (!binds_dev(plan.ops)) GROVE_TRY(plan_devices(spec, bind_devices, &plan.ops));
  if (spec.process && spec.process->terminal) plan.ops.push_back(Console{});
  if (spec.linux) {
    GROVE_TRY(plan_path_list<ReadonlyPath>(spec.linux->readonly_paths, "readonlyPaths",
                                           &plan.ops));
    size_t first_mask = plan.ops.size();
    GROVE_TRY(plan_path_list<MaskPath>(spec.linux->masked_paths, "maskedPaths", &plan.ops));
    if (features.selinux) {
      for (size_t i = first_mask; i < plan.ops.size(); ++i) {
        std::get<MaskPath>(plan.ops[i]).label = spec.linux->mount_label;
      }
    }
  }
  if (spec.root && spec.root->readonly) plan.ops.push_back(RootReadonly{});
  return plan;
}

}  // namespace grove::plan
