// describe(): one stable line per mount op and for a whole plan. These lines are part of the
// interface: --debug prints them, executors use them as error frames and golden tests compare
// them, so change them only together with tests/data/plan/*.golden.

#include <cstdio>

#include "libcontainer/base/strings.h"
#include "libcontainer/plan/mount_plan.h"

namespace grove::plan {
namespace {

constexpr std::uint64_t kAtimeField = MOUNT_ATTR__ATIME;

// "+nosuid|relatime,-ro": bits set, then bits cleared. A cleared atime field shows as the atime
// value being set (mount_setattr needs both, but users think of "relatime").
std::string attr_pair(std::uint64_t set, std::uint64_t clr) {
  std::uint64_t plain_set = set & ~kAtimeField;
  std::uint64_t plain_clr = clr & ~kAtimeField;
  std::string plus = plain_set != 0 ? attr_to_string(plain_set) : "";
  if (clr & kAtimeField) {
    std::uint64_t value = set & kAtimeField;
    std::string name = value == 0 ? "relatime" : attr_to_string(value);
    plus += (plus.empty() ? "" : "|") + name;
  }
  std::string out;
  if (!plus.empty()) out += "+" + plus;
  if (plain_clr != 0) out += (out.empty() ? "-" : ",-") + attr_to_string(plain_clr);
  return out;
}

std::string attrs_suffix(const MountAttrs& a) {
  std::string out;
  std::string top = attr_pair(a.set, a.clr);
  if (!top.empty()) out += " attr=" + top;
  std::string rec = attr_pair(a.rec_set, a.rec_clr);
  if (!rec.empty()) out += " rattr=" + rec;
  return out;
}

std::string mappings(const char* kind, const std::vector<oci::IdMapping>& maps) {
  std::string out;
  for (const auto& m : maps) {
    out += std::string(out.empty() ? "" : ",") + kind + ":" + std::to_string(m.container_id) +
           ":" + std::to_string(m.host_id) + ":" + std::to_string(m.size);
  }
  return out;
}

std::string prop_name(Propagation p, bool recursive) {
  return std::string(recursive ? "r" : "") + to_string(p);
}

std::string line(const NewFsMount& m) {
  std::string out = "mount " + m.fstype + " " + q(m.source) + " on " + q(m.target);
  out += attrs_suffix(m.attrs);
  if (!m.sb_flags.empty()) out += " flags=" + join(m.sb_flags, ",");
  if (!m.data.empty()) out += " data=" + q(join(m.data, ","));
  if (!m.label.empty()) out += " label=" + q(m.label);
  if (m.copy_up) out += " copy-up";
  if (!m.fallback_bind.empty()) out += " fallback-rbind=" + q(m.fallback_bind);
  return out;
}

std::string line(const BindMount& m) {
  std::string out = std::string(m.recursive ? "rbind " : "bind ") + q(m.source) + " on " +
                    q(m.target) + attrs_suffix(m.attrs);
  if (m.idmap) {
    std::string maps = mappings("uid", m.idmap->uid_mappings);
    std::string g = mappings("gid", m.idmap->gid_mappings);
    if (!g.empty()) maps += (maps.empty() ? "" : ",") + g;
    out += std::string(m.idmap->recursive ? " ridmap=" : " idmap=") + maps;
  }
  return out;
}

std::string line(const SetPropagation& p) {
  return "propagation " + q(p.target) + " " + prop_name(p.propagation, p.recursive);
}

std::string line(const MakeDevice& d) {
  char mode[16];
  std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(d.mode & 07777));
  return "mknod " + q(d.path) + " " + std::string(1, d.type) + " " + std::to_string(d.major) +
         ":" + std::to_string(d.minor) + " mode=" + mode + " uid=" + std::to_string(d.uid) +
         " gid=" + std::to_string(d.gid);
}

std::string line(const BindDevice& d) {
  return "bind device " + q(d.host_path) + " on " + q(d.path);
}
std::string line(const Symlink& s) { return "symlink " + q(s.path) + " -> " + q(s.link_target); }
std::string line(const Console& c) { return "console " + q(c.path); }
std::string line(const MaskPath& m) {
  return "mask " + q(m.path) + (m.label.empty() ? "" : " label=" + q(m.label));
}
std::string line(const ReadonlyPath& r) { return "readonly " + q(r.path); }
std::string line(const BpfFsMount& b) {
  std::string out = "bpffs on " + q(b.target);
  for (const auto& [key, value] : security::bpffs_options(b.delegation)) {
    out += " " + key + "=" + q(value);
  }
  if (!b.label.empty()) out += " label=" + q(b.label);
  return out;
}
std::string line(const RootReadonly&) { return "root readonly"; }

}  // namespace

std::string describe(const MountOp& op) {
  return std::visit([](const auto& o) { return line(o); }, op);
}

std::vector<std::string> describe(const MountPlan& plan) {
  std::vector<std::string> out;
  out.push_back("strategy " + std::string(to_string(plan.strategy.strategy)) + ": " +
                plan.strategy.reason);
  out.push_back(std::string("resolve ") +
                (plan.use_openat2 ? "openat2(RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS)"
                                  : "component walk (O_NOFOLLOW)"));
  bool otn = plan.strategy.strategy == Strategy::kOpenTreeNamespace;
  if (otn) {
    out.push_back("enter open_tree(OPEN_TREE_NAMESPACE|AT_RECURSIVE) + setns, / rprivate");
  } else {
    out.push_back("prepare / " + prop_name(plan.prepare_propagation, true) +
                  ", bind rootfs on itself");
  }
  for (const MountOp& op : plan.ops) out.push_back(describe(op));
  switch (plan.strategy.strategy) {
    case Strategy::kOpenTreeNamespace: out.push_back("chdir \"/\""); break;
    case Strategy::kPivot: out.push_back("pivot_root \".\" \".\", umount2 \".\" detach"); break;
    case Strategy::kChroot: out.push_back("move rootfs on \"/\", chroot \".\""); break;
  }
  if (plan.rootfs_propagation != Propagation::kNone) {
    out.push_back("rootfs propagation " +
                  prop_name(plan.rootfs_propagation, plan.rootfs_propagation_recursive));
  }
  return out;
}

}  // namespace grove::plan
