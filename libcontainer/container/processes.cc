// The processes of a container for `grove ps` (processes.h).

#include "libcontainer/container/processes.h"

#include <fcntl.h>

#include <algorithm>
#include <set>
#include <sstream>

#include "libcontainer/base/strings.h"
#include "libcontainer/cgroup/manager.h"
#include "libcontainer/container/cgroups.h"
#include "libcontainer/container/state_store.h"
#include "libcontainer/container/status.h"

namespace grove::container {
namespace {

// Whitespace-separated fields, like Go's strings.Fields (runc splits ps lines with it).
std::vector<std::string> fields(std::string_view line) {
  std::vector<std::string> out;
  std::istringstream in{std::string(line)};
  for (std::string f; in >> f;) out.push_back(f);
  return out;
}

std::vector<pid_t> descendants_of(pid_t init, const std::vector<ProcEntry>& procs) {
  std::set<pid_t> in = {init};
  // Parents may have larger pids than children (pid wrap), so iterate to a fixed point.
  for (bool grew = true; grew;) {
    grew = false;
    for (const ProcEntry& e : procs) {
      if (!in.count(e.pid) && in.count(e.ppid)) grew = in.insert(e.pid).second || grew;
    }
  }
  return {in.begin(), in.end()};
}

}  // namespace

Result<pid_t> parse_stat_ppid(std::string_view text) {
  auto bad = [] { return Error::invalid("malformed /proc/<pid>/stat"); };
  std::size_t close = text.rfind(')');
  if (close == std::string_view::npos) return bad();
  // After ") ": state, ppid, ...
  std::vector<std::string> f = fields(text.substr(close + 1));
  long long ppid = 0;
  if (f.size() < 2 || !parse_int64(f[1], &ppid) || ppid < 0) return bad();
  return static_cast<pid_t>(ppid);
}

std::vector<pid_t> select_container_pids(pid_t init, bool own_pid_ns,
                                         const std::vector<ProcEntry>& procs) {
  auto it =
      std::find_if(procs.begin(), procs.end(), [&](const ProcEntry& e) { return e.pid == init; });
  if (it == procs.end()) return {};
  if (!own_pid_ns || it->pid_ns.empty()) return descendants_of(init, procs);
  std::vector<pid_t> out;
  for (const ProcEntry& e : procs) {
    if (e.pid_ns == it->pid_ns) out.push_back(e.pid);
  }
  std::sort(out.begin(), out.end());
  return out;
}

Result<std::vector<ProcEntry>> read_proc_entries(sys::Ops& ops) {
  GROVE_ASSIGN_OR_RETURN(auto names, ops.list_dir(AT_FDCWD, "/proc"));
  std::vector<ProcEntry> out;
  for (const std::string& n : names) {
    long long pid = 0;
    if (!parse_int64(n, &pid) || pid <= 0) continue;
    auto stat = ops.read_file_at(AT_FDCWD, "/proc/" + n + "/stat");
    if (!stat) continue;  // exited meanwhile
    auto ppid = parse_stat_ppid(*stat);
    if (!ppid) continue;
    auto ns = ops.readlinkat(AT_FDCWD, "/proc/" + n + "/ns/pid");
    out.push_back({static_cast<pid_t>(pid), *ppid, ns ? *ns : std::string()});
  }
  return out;
}

Result<std::vector<pid_t>> processes(sys::Ops& ops, const std::string& root, std::string_view id) {
  auto impl = [&]() -> Result<std::vector<pid_t>> {
    StateStore store(ops, root);
    GROVE_ASSIGN_OR_RETURN(ContainerRecord rec, store.load(id));
    GROVE_ASSIGN_OR_RETURN(RunState st, current_state(ops, rec));
    if (st == RunState::kStopped) return std::vector<pid_t>{};
    if (!rec.cgroup_dirs.empty()) {
      // runc's ps: the cgroup's processes (exec'd ones included, whatever their pid namespace).
      GROVE_ASSIGN_OR_RETURN(std::vector<pid_t> pids,
                             cgroup::pids(ops, recorded_cgroup(rec)));
      std::sort(pids.begin(), pids.end());
      return pids;
    }
    GROVE_ASSIGN_OR_RETURN(auto procs, read_proc_entries(ops));
    return select_container_pids(rec.init_pid, rec.own_pid_ns, procs);
  };
  return impl().context([&] { return "ps container " + q(id); });
}

std::string pids_json(const std::vector<pid_t>& pids) {
  // Go encodes a nil slice as null: runc prints "null" for a container without processes.
  if (pids.empty()) return "null\n";
  std::string out = "[";
  for (std::size_t i = 0; i < pids.size(); ++i) {
    if (i > 0) out += ",";
    out += std::to_string(pids[i]);
  }
  return out + "]\n";
}

Result<std::string> filter_ps_output(std::string_view output, const std::vector<pid_t>& pids) {
  std::vector<std::string> lines = split(output, '\n');
  if (lines.empty()) return Error::invalid("couldn't find PID field in ps output");
  std::vector<std::string> titles = fields(lines[0]);
  auto col = std::find(titles.begin(), titles.end(), "PID");
  if (col == titles.end()) return Error::invalid("couldn't find PID field in ps output");
  const std::size_t index = static_cast<std::size_t>(col - titles.begin());
  std::string out = lines[0] + "\n";
  for (std::size_t i = 1; i < lines.size(); ++i) {
    std::vector<std::string> f = fields(lines[i]);
    if (f.empty()) continue;
    long long pid = 0;
    if (index >= f.size() || !parse_int64(f[index], &pid)) {
      return Error::invalid("unable to parse pid: " + q(index < f.size() ? f[index] : lines[i]));
    }
    if (std::find(pids.begin(), pids.end(), static_cast<pid_t>(pid)) != pids.end()) {
      out += lines[i] + "\n";
    }
  }
  return out;
}

}  // namespace grove::container
