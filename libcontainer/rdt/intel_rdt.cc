// linux.intelRdt over resctrl (intel_rdt.h).

#include "libcontainer/rdt/intel_rdt.h"

#include <fcntl.h>

#include "libcontainer/base/defer.h"
#include "libcontainer/base/strings.h"

namespace grove::rdt {
namespace {

constexpr const char* kField = "linux.intelRdt";

// mountinfo escapes space, tab, newline and backslash as \ooo (fs/proc_namespace.c).
std::string unescape_octal(std::string_view s) {
  auto oct = [](char c) { return c >= '0' && c <= '7'; };
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size() && oct(s[i + 1]) && oct(s[i + 2]) && oct(s[i + 3])) {
      out += static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
      i += 3;
      continue;
    }
    out += s[i];
  }
  return out;
}

bool exists(sys::Ops& ops, const std::string& path) {
  return static_cast<bool>(ops.fstatat(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW));
}

// mkdir that tells whether it made the directory (EEXIST: reused).
Result<bool> make_dir(sys::Ops& ops, const std::string& path) {
  auto made = ops.mkdirat(AT_FDCWD, path, 0755);
  if (made) return true;
  if (made.error().code() == EEXIST) return false;
  return std::move(made).error();
}

Status write_tasks(sys::Ops& ops, const std::string& dir, pid_t pid) {
  return ops.write_file_at(AT_FDCWD, dir + "/tasks", std::to_string(pid));
}

Status remove_dir(sys::Ops& ops, const std::string& dir) {
  auto st = ops.unlinkat(AT_FDCWD, dir, AT_REMOVEDIR);
  if (!st && st.error().code() == ENOENT) return ok();
  return st;
}

bool has_schema(const oci::IntelRdt& rdt) {
  return !rdt.l3_cache_schema.empty() || !rdt.mem_bw_schema.empty() || !rdt.schemata.empty();
}

// The CLOS group: made or reused, with its schemata. `group.created` is set once made, so the
// caller's cleanup removes it if a later step fails.
Status setup_clos(sys::Ops& ops, const oci::IntelRdt& rdt, Group& group) {
  if (!rdt.clos_id.empty() && !has_schema(rdt) && !exists(ops, group.dir)) {
    return Error::plain(ENOENT, "clos dir " + q(group.dir) +
                                    " not accessible (must be pre-created when l3CacheSchema "
                                    "and memBwSchema are empty)");
  }
  GROVE_ASSIGN_OR_RETURN(group.created,
                         make_dir(ops, group.dir).context([&] { return "mkdir " + q(group.dir); }));
  std::string text = schemata_text(rdt.l3_cache_schema, rdt.mem_bw_schema, rdt.schemata);
  if (text.empty()) return ok();
  return ops.write_file_at(AT_FDCWD, group.dir + "/schemata", text).context([&] {
    return "write " + q(group.dir + "/schemata");
  });
}

}  // namespace

std::optional<std::string> find_resctrl_mount(std::string_view mountinfo) {
  for (const std::string& line : split(mountinfo, '\n')) {
    // id parent maj:min root mount-point options [optional...] - fstype source super-options
    std::size_t dash = line.find(" - ");
    if (dash == std::string::npos) continue;
    std::vector<std::string> tail = split(std::string_view(line).substr(dash + 3), ' ');
    if (tail.empty() || tail[0] != "resctrl") continue;
    std::vector<std::string> head = split(std::string_view(line).substr(0, dash), ' ');
    if (head.size() < 5) continue;
    return unescape_octal(head[4]);
  }
  return std::nullopt;
}

Resctrl probe_root(sys::Ops& ops, const std::string& root) {
  Resctrl r;
  r.root = root;
  const std::string info = root + "/info/";
  // With CDP enabled the kernel shows L3CODE and L3DATA instead of L3 (resctrl.rst).
  r.cat = exists(ops, info + "L3") || exists(ops, info + "L3CODE") || exists(ops, info + "L3DATA");
  r.mba = exists(ops, info + "MB");
  r.monitoring = exists(ops, info + "L3_MON");
  return r;
}

Result<std::optional<Resctrl>> probe(sys::Ops& ops) {
  GROVE_ASSIGN_OR_RETURN(std::string mountinfo,
                         ops.read_file_at(AT_FDCWD, "/proc/self/mountinfo"));
  std::optional<std::string> root = find_resctrl_mount(mountinfo);
  if (!root) return std::optional<Resctrl>();
  return std::optional<Resctrl>(probe_root(ops, *root));
}

Status check(const oci::IntelRdt& rdt, const std::optional<Resctrl>& host) {
  if (!host) return Error::invalid(kNotEnabled);
  const std::string& clos = rdt.clos_id;
  if (clos == "." || clos == ".." || clos.find('/') != std::string::npos) {
    return Error::invalid("invalid intelRdt.ClosID " + q(clos));
  }
  if (!host->cat && !rdt.l3_cache_schema.empty()) {
    return Error::invalid(
        "intelRdt.l3CacheSchema is specified in config, but Intel RDT/CAT is not enabled");
  }
  if (!host->mba && !rdt.mem_bw_schema.empty()) {
    return Error::invalid(
        "intelRdt.memBwSchema is specified in config, but Intel RDT/MBA is not enabled");
  }
  if (!host->monitoring && rdt.enable_monitoring) {
    return Error::invalid(
        "intelRdt.enableMonitoring is specified in config, but Intel RDT monitoring is not "
        "enabled");
  }
  return ok();
}

std::string schemata_text(const std::string& l3_cache_schema, const std::string& mem_bw_schema,
                          const std::vector<std::string>& schemata) {
  std::vector<std::string> lines;
  for (const std::string* s : {&l3_cache_schema, &mem_bw_schema}) {
    if (!s->empty()) lines.push_back(*s);
  }
  for (const std::string& s : schemata) {
    if (!s.empty()) lines.push_back(s);
  }
  return grove::join(lines, "\n");
}

Group plan_group(sys::Ops& ops, const oci::IntelRdt& rdt, const Resctrl& host,
                 std::string_view id) {
  Group group;
  group.dir = host.root + "/" + (rdt.clos_id.empty() ? std::string(id) : rdt.clos_id);
  group.created = rdt.clos_id.empty() && !exists(ops, group.dir);
  if (rdt.enable_monitoring) group.mon_dir = group.dir + "/mon_groups/" + std::string(id);
  return group;
}

Status apply(sys::Ops& ops, const oci::IntelRdt& rdt, Group& group, pid_t pid) {
  group.created = false;
  bool mon_created = false;
  Defer undo([&] {
    if (mon_created) (void)remove_dir(ops, group.mon_dir);
    if (group.created) (void)remove_dir(ops, group.dir);
  });
  GROVE_TRY(setup_clos(ops, rdt, group).context(kField));
  GROVE_TRY(write_tasks(ops, group.dir, pid).context([&] {
    return std::string(kField) + ": write " + q(group.dir + "/tasks");
  }));
  if (!group.mon_dir.empty()) {
    GROVE_ASSIGN_OR_RETURN(mon_created, make_dir(ops, group.mon_dir).context([&] {
      return std::string(kField) + ".enableMonitoring: mkdir " + q(group.mon_dir);
    }));
    GROVE_TRY(write_tasks(ops, group.mon_dir, pid).context([&] {
      return std::string(kField) + ".enableMonitoring: write " + q(group.mon_dir + "/tasks");
    }));
  }
  undo.dismiss();
  return ok();
}

Result<Group> setup(sys::Ops& ops, const oci::IntelRdt& rdt, const Resctrl& host,
                    std::string_view id, pid_t pid) {
  Group group = plan_group(ops, rdt, host, id);
  GROVE_TRY(apply(ops, rdt, group, pid));
  return group;
}

Status join(sys::Ops& ops, const Group& group, pid_t pid) {
  if (group.dir.empty()) return ok();
  GROVE_TRY(write_tasks(ops, group.dir, pid).context([&] {
    return std::string(kField) + ": write " + q(group.dir + "/tasks");
  }));
  if (group.mon_dir.empty()) return ok();
  return write_tasks(ops, group.mon_dir, pid).context([&] {
    return std::string(kField) + ".enableMonitoring: write " + q(group.mon_dir + "/tasks");
  });
}

Status update_schemata(sys::Ops& ops, const Group& group, const std::string& l3,
                       const std::string& mb) {
  if (group.dir.empty()) return Error::invalid("the container has no Intel RDT group");
  std::string text = schemata_text(l3, mb, {});
  if (text.empty()) return ok();
  return ops.write_file_at(AT_FDCWD, group.dir + "/schemata", text).context([&] {
    return std::string(kField) + ": write " + q(group.dir + "/schemata");
  });
}

Status remove(sys::Ops& ops, const Group& group) {
  if (!group.mon_dir.empty()) GROVE_TRY(remove_dir(ops, group.mon_dir));
  if (group.created && !group.dir.empty()) GROVE_TRY(remove_dir(ops, group.dir));
  return ok();
}

}  // namespace grove::rdt
