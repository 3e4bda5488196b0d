#include "libcontainer/cgroup/manager.h"

#include <fcntl.h>
#include <signal.h>
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <charconv>

#include "libcontainer/base/strings.h"

namespace grove::cgroup {
namespace {

void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
  ::nanosleep(&ts, nullptr);
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// The directory a write goes to, or ENOTSUP naming the controller that has no hierarchy.
Result<std::string> dir_for(const Dirs& dirs, Hierarchy h, const std::string& controller) {
  if (h == Hierarchy::kUnified) {
    if (dirs.unified.empty()) return Error::not_supported("no cgroup2 hierarchy is mounted");
    return dirs.unified;
  }
  auto it = dirs.v1.find(controller);
  if (it == dirs.v1.end()) {
    return Error::not_supported("cgroup v1 controller " + q(controller) + " is not mounted");
  }
  return it->second;
}

// mkdir -p below `root` (an existing mount point) down to `dir`; returns the levels created
// below root, outermost first.
Result<std::vector<std::string>> make_levels(sys::Ops& ops, const std::string& root,
                                             const std::string& dir) {
  std::vector<std::string> levels;
  std::string cur = root;
  std::string_view rest = std::string_view(dir).substr(root.size());
  while (!rest.empty()) {
    if (rest.front() == '/') {
      rest.remove_prefix(1);
      continue;
    }
    std::size_t slash = rest.find('/');
    std::string_view part = rest.substr(0, slash);
    cur += (cur.back() == '/' ? "" : "/") + std::string(part);
    levels.push_back(cur);
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  }
  for (const std::string& level : levels) {
    Status st = ops.mkdirat(AT_FDCWD, level, 0755);
    if (!st && st.error().code() != EEXIST) return std::move(st).error();
  }
  return levels;
}

// v1 cpuset: a new cgroup starts with empty cpus/mems and refuses tasks (ENOSPC) until they are
// set; copy them from the parent level by level (runc fs/cpuset.go ensureParent).
Status inherit_cpuset(sys::Ops& ops, const std::string& root,
                      const std::vector<std::string>& levels) {
  for (const char* file : {"cpuset.cpus", "cpuset.mems"}) {
    GROVE_ASSIGN_OR_RETURN(std::string value, ops.read_file_at(AT_FDCWD, root + "/" + file));
    value = trim(value);
    for (const std::string& level : levels) {
      GROVE_ASSIGN_OR_RETURN(std::string own, ops.read_file_at(AT_FDCWD, level + "/" + file));
      if (!trim(own).empty()) {
        value = trim(own);  // an existing level keeps its own sets; its children inherit them
        continue;
      }
      GROVE_TRY(ops.write_file_at(AT_FDCWD, level + "/" + file, value));
    }
  }
  return ok();
}

// Pure v2: enable the root's controllers in every ancestor of the container's directory, so its
// limit files exist (runc fs2 CreateCgroupPath). A controller that cannot be enabled (e.g. a
// threaded subtree) is skipped here; its limit write then fails with the file's name.
Status enable_controllers(sys::Ops& ops, const std::string& root,
                          const std::vector<std::string>& levels) {
  GROVE_ASSIGN_OR_RETURN(std::string avail, ops.read_file_at(AT_FDCWD, root + "/cgroup.controllers"));
  std::vector<std::string> ctrls;
  for (const std::string& c : split(avail, ' ')) {
    if (!trim(c).empty()) ctrls.push_back(trim(c));
  }
  std::string parent = root;
  for (std::size_t i = 0; i < levels.size(); ++i) {
    // The container's own directory needs no subtree_control: it holds processes.
    std::string all;
    for (const std::string& c : ctrls) all += (all.empty() ? "+" : " +") + c;
    if (!all.empty() && !ops.write_file_at(AT_FDCWD, parent + "/cgroup.subtree_control", all)) {
      for (const std::string& c : ctrls) {
        (void)ops.write_file_at(AT_FDCWD, parent + "/cgroup.subtree_control", "+" + c);
      }
    }
    parent = levels[i];
  }
  return ok();
}

std::string mount_root_of(const std::string& dir, const std::string& path) {
  // dir == <mount root> + path when path is absolute (resolve_dir); for relative paths the own
  // cgroup sits between, so strip the path only.
  if (path.empty() || path == "/") return dir;
  std::string p = path.front() == '/' ? path : "/" + path;
  if (dir.size() >= p.size() && dir.compare(dir.size() - p.size(), p.size(), p) == 0)
    return dir.substr(0, dir.size() - p.size());
  return dir;
}

Result<std::vector<pid_t>> parse_pids(const std::string& text) {
  std::vector<pid_t> out;
  for (std::string w : split(text, '\n')) {
    w = trim(w);
    if (w.empty()) continue;
    pid_t pid = 0;
    auto [end, ec] = std::from_chars(w.data(), w.data() + w.size(), pid);
    if (ec != std::errc() || end != w.data() + w.size()) {
      return Error::plain(EPROTO, "cgroup.procs: not a pid: " + q(w));
    }
    out.push_back(pid);
  }
  return out;
}

// The directory whose cgroup.procs lists the container's processes.
const std::string* procs_dir(const Dirs& dirs) {
  if (!dirs.unified.empty()) return &dirs.unified;
  for (const char* c : {"pids", "freezer", "memory", "cpu", "devices"}) {
    auto it = dirs.v1.find(c);
    if (it != dirs.v1.end()) return &it->second;
  }
  return dirs.v1.empty() ? nullptr : &dirs.v1.begin()->second;
}

Result<bool> wait_frozen_state(sys::Ops& ops, const Dirs& dirs, bool frozen) {
  for (int i = 0; i < 2000; ++i) {
    if (auto it = dirs.v1.find("freezer"); it != dirs.v1.end()) {
      GROVE_ASSIGN_OR_RETURN(std::string st, ops.read_file_at(AT_FDCWD, it->second + "/freezer.state"));
      if (trim(st) == (frozen ? "FROZEN" : "THAWED")) return true;
    } else {
      GROVE_ASSIGN_OR_RETURN(std::string ev, ops.read_file_at(AT_FDCWD, dirs.unified + "/cgroup.events"));
      if (ev.find(frozen ? "frozen 1" : "frozen 0") != std::string::npos) return true;
    }
    sleep_ms(1);
  }
  return false;
}

Status write_freeze(sys::Ops& ops, const Dirs& dirs, bool frozen) {
  if (auto it = dirs.v1.find("freezer"); it != dirs.v1.end()) {
    return ops.write_file_at(AT_FDCWD, it->second + "/freezer.state", frozen ? "FROZEN" : "THAWED");
  }
  if (dirs.unified.empty()) return Error::not_supported("no freezer: neither v1 freezer nor cgroup2");
  return ops.write_file_at(AT_FDCWD, dirs.unified + "/cgroup.freeze", frozen ? "1" : "0");
}

}  // namespace

std::vector<std::string> Dirs::all() const {
  std::vector<std::string> out;
  if (!unified.empty()) out.push_back(unified);
  for (const auto& [ctrl, dir] : v1) {
    if (std::find(out.begin(), out.end(), dir) == out.end()) out.push_back(dir);
  }
  return out;
}

Result<Dirs> plan_dirs(const Layout& layout, const std::map<std::string, std::string>& own,
                       const std::string& path) {
  if (layout.mode() == Mode::kNone) return Error::not_supported("no cgroup hierarchy is mounted");
  auto own_of = [&](const std::string& key) {
    auto it = own.find(key);
    return it == own.end() ? std::string("/") : it->second;
  };
  Dirs dirs;
  dirs.path = path;
  if (!layout.unified.empty()) dirs.unified = resolve_dir(layout.unified, path, own_of(""), true);
  if (layout.mode() == Mode::kUnifiedOnly) return dirs;
  for (const V1Mount& m : layout.v1) {
    std::string dir = resolve_dir(m.mountpoint, path, own_of(m.controllers.front()), false);
    for (const std::string& c : m.controllers) dirs.v1[c] = dir;
  }
  return dirs;
}

Result<Layout> detect_layout(sys::Ops& ops) {
  GROVE_ASSIGN_OR_RETURN(std::string mi, ops.read_file_at(AT_FDCWD, "/proc/self/mountinfo"));
  return parse_layout(mi);
}

Result<Dirs> detect_dirs(sys::Ops& ops, const std::string& path) {
  GROVE_ASSIGN_OR_RETURN(Layout layout, detect_layout(ops));
  return detect_dirs(ops, layout, path);
}

Result<Dirs> detect_dirs(sys::Ops& ops, const Layout& layout, const std::string& path) {
  std::map<std::string, std::string> own;
  if (path.empty() || path.front() != '/') {
    GROVE_ASSIGN_OR_RETURN(std::string pc, ops.read_file_at(AT_FDCWD, "/proc/self/cgroup"));
    GROVE_ASSIGN_OR_RETURN(own, parse_proc_cgroup(pc));
  }
  return plan_dirs(layout, own, path);
}

Status create(sys::Ops& ops, const Dirs& dirs) {
  if (!dirs.unified.empty()) {
    std::string root = mount_root_of(dirs.unified, dirs.path);
    GROVE_ASSIGN_OR_RETURN(auto levels, make_levels(ops, root, dirs.unified).context([&] {
      return "create cgroup " + q(dirs.unified);
    }));
    if (dirs.v1.empty()) GROVE_TRY(enable_controllers(ops, root, levels));
  }
  for (const auto& entry : dirs.v1) {
    // Not a structured binding: clang < 16 (the fuzz build's clang 14) cannot capture one.
    const std::string& ctrl = entry.first;
    const std::string& dir = entry.second;
    std::string root = mount_root_of(dir, dirs.path);
    GROVE_ASSIGN_OR_RETURN(auto levels, make_levels(ops, root, dir).context([&] {
      return "create cgroup " + q(dir);
    }));
    if (ctrl == "cpuset") {
      GROVE_TRY(inherit_cpuset(ops, root, levels).context([&] { return "cgroup " + q(dir); }));
    }
  }
  return ok();
}

Result<UniqueFd> open_unified(sys::Ops& ops, const Dirs& dirs) {
  if (dirs.unified.empty()) return UniqueFd();
  return ops.openat(AT_FDCWD, dirs.unified, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
}

Status enter(sys::Ops& ops, const Dirs& dirs, pid_t pid, bool skip_unified) {
  for (const std::string& dir : dirs.all()) {
    if (skip_unified && dir == dirs.unified) continue;
    GROVE_TRY(ops.write_file_at(AT_FDCWD, dir + "/cgroup.procs", std::to_string(pid))
                  .context([&] { return "join cgroup " + q(dir); }));
  }
  return ok();
}

namespace {

// runc fs/cpu.go: after writing cpu.shares it reads the value back, because the kernel clamps
// it silently, and reports the bound the kernel chose.
Status check_read_back(sys::Ops& ops, const std::string& path, const Write& w) {
  GROVE_ASSIGN_OR_RETURN(std::string text, ops.read_file_at(AT_FDCWD, path));
  long long want = 0;
  long long got = 0;
  if (!parse_int64(w.value, &want) || !parse_int64(trim(text), &got)) {
    return Error::invalid("read back " + q(path) + ": not a number: " + q(trim(text)));
  }
  if (want == got) return ok();
  std::string knob = w.file;  // "cpu.shares" -> "cpu-shares", runc's wording
  std::replace(knob.begin(), knob.end(), '.', '-');
  return Error::invalid(std::string(want > got ? "the maximum" : "the minimum") + " allowed " +
                        knob + " is " + std::to_string(got));
}

}  // namespace

Status apply(sys::Ops& ops, const Dirs& dirs, const std::vector<Write>& writes) {
  for (const Write& w : writes) {
    auto dir = dir_for(dirs, w.hierarchy, w.controller);
    Status st = dir ? ops.write_file_at(AT_FDCWD, *dir + "/" + w.file, w.value)
                    : Status(std::move(dir).error());
    if (st && w.read_back) st = check_read_back(ops, *dir + "/" + w.file, w);
    if (st) continue;
    // The plan's tolerated errnos: a knob this kernel lacks, or the first try of an
    // order-dependent pair that the plan repeats (resources.h).
    if (dir && std::find(w.ignore_errnos.begin(), w.ignore_errnos.end(), st.error().code()) !=
                   w.ignore_errnos.end()) {
      continue;
    }
    return std::move(st).error().context("cgroup " + describe(w));
  }
  return ok();
}

Status freeze(sys::Ops& ops, const Dirs& dirs, bool frozen) {
  GROVE_TRY(write_freeze(ops, dirs, frozen));
  auto done = wait_frozen_state(ops, dirs, frozen);
  if (done && *done) return ok();
  if (frozen) (void)write_freeze(ops, dirs, false);  // never leave it half frozen
  if (!done) return std::move(done).error().context(frozen ? "freeze cgroup" : "thaw cgroup");
  return Error::plain(EBUSY, std::string(frozen ? "freeze" : "thaw") + " cgroup " +
                                 q(dirs.path) + ": timed out");
}

Result<bool> is_frozen(sys::Ops& ops, const Dirs& dirs) {
  if (auto it = dirs.v1.find("freezer"); it != dirs.v1.end()) {
    GROVE_ASSIGN_OR_RETURN(std::string st, ops.read_file_at(AT_FDCWD, it->second + "/freezer.state"));
    return trim(st) != "THAWED";
  }
  if (dirs.unified.empty()) return false;
  GROVE_ASSIGN_OR_RETURN(std::string st, ops.read_file_at(AT_FDCWD, dirs.unified + "/cgroup.freeze"));
  return trim(st) == "1";
}

Result<std::vector<pid_t>> pids(sys::Ops& ops, const Dirs& dirs) {
  const std::string* dir = procs_dir(dirs);
  if (dir == nullptr) return std::vector<pid_t>();
  GROVE_ASSIGN_OR_RETURN(std::string text, ops.read_file_at(AT_FDCWD, *dir + "/cgroup.procs"));
  return parse_pids(text);
}

Status kill_all(sys::Ops& ops, const Dirs& dirs, int sig) {
  if (sig == SIGKILL && !dirs.unified.empty()) {
    Status st = ops.write_file_at(AT_FDCWD, dirs.unified + "/cgroup.kill", "1");
    if (st || st.error().code() != ENOENT) return st;  // ENOENT: kernel < 5.14
  }
  // runc signalAllProcesses: freeze so nothing forks past the signal, then thaw.
  bool frozen = static_cast<bool>(freeze(ops, dirs, true));
  GROVE_ASSIGN_OR_RETURN(std::vector<pid_t> list, pids(ops, dirs));
  for (pid_t pid : list) {
    Status st = ops.kill(pid, sig);
    if (!st && st.error().code() != ESRCH) {
      if (frozen) (void)freeze(ops, dirs, false);
      return std::move(st).error();
    }
  }
  if (frozen) GROVE_TRY(freeze(ops, dirs, false));
  return ok();
}

Status destroy(sys::Ops& ops, const Dirs& dirs) {
  for (const std::string& dir : dirs.all()) {
    for (int attempt = 0;; ++attempt) {
      Status st = ops.unlinkat(AT_FDCWD, dir, AT_REMOVEDIR);
      if (st || st.error().code() == ENOENT) break;
      if (st.error().code() != EBUSY || attempt >= 100) {
        return std::move(st).error().context("remove cgroup " + q(dir));
      }
      sleep_ms(10);  // the last processes are still exiting
    }
  }
  return ok();
}

FileReader reader(sys::Ops& ops, const Dirs& dirs) {
  return [&ops, dirs](Hierarchy h, const std::string& controller,
                      const std::string& file) -> Result<std::string> {
    auto dir = dir_for(dirs, h, controller);
    // The stats readers treat ENOENT as "controller absent": so is an unmounted one.
    if (!dir) return Error::plain(ENOENT, dir.error().message());
    return ops.read_file_at(AT_FDCWD, *dir + "/" + file);
  };
}

std::map<std::string, std::string> to_record(const Dirs& dirs) {
  std::map<std::string, std::string> out = dirs.v1;
  if (!dirs.unified.empty()) out[""] = dirs.unified;
  return out;
}

Dirs from_record(const std::string& path, const std::map<std::string, std::string>& rec) {
  Dirs dirs;
  dirs.path = path;
  for (const auto& [key, dir] : rec) {
    if (key.empty()) {
      dirs.unified = dir;
    } else {
      dirs.v1[key] = dir;
    }
  }
  return dirs;
}

}  // namespace grove::cgroup
