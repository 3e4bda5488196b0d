// Planning of the process/linux settings (proc_settings.h): spec strings -> kernel values. Pure:
// no syscalls, so every bad value is reported by `create` before anything exists.

#include "libcontainer/process/proc_settings.h"

#include <algorithm>

#include "libcontainer/base/strings.h"

namespace grove::process {
namespace {

struct Named {
  std::string_view name;
  uint64_t value;
};

// <linux/sched.h> / <uapi/linux/sched.h>. SCHED_ISO is reserved but not implemented in mainline:
// the kernel answers EINVAL, which names the policy in the error.
constexpr Named kPolicies[] = {
    {"SCHED_OTHER", 0}, {"SCHED_FIFO", 1}, {"SCHED_RR", 2},       {"SCHED_BATCH", 3},
    {"SCHED_ISO", 4},   {"SCHED_IDLE", 5}, {"SCHED_DEADLINE", 6},
};
constexpr Named kSchedFlags[] = {
    {"SCHED_FLAG_RESET_ON_FORK", 0x01},  {"SCHED_FLAG_RECLAIM", 0x02},
    {"SCHED_FLAG_DL_OVERRUN", 0x04},     {"SCHED_FLAG_KEEP_POLICY", 0x08},
    {"SCHED_FLAG_KEEP_PARAMS", 0x10},    {"SCHED_FLAG_UTIL_CLAMP_MIN", 0x20},
    {"SCHED_FLAG_UTIL_CLAMP_MAX", 0x40},
};
// <linux/ioprio.h>: the class sits above IOPRIO_CLASS_SHIFT (13).
constexpr Named kIoClasses[] = {
    {"IOPRIO_CLASS_RT", 1}, {"IOPRIO_CLASS_BE", 2}, {"IOPRIO_CLASS_IDLE", 3}};
constexpr int kIoprioClassShift = 13;
// <linux/mempolicy.h>.
constexpr Named kMpolModes[] = {
    {"MPOL_DEFAULT", 0},
    {"MPOL_PREFERRED", 1},
    {"MPOL_BIND", 2},
    {"MPOL_INTERLEAVE", 3},
    {"MPOL_LOCAL", 4},
    {"MPOL_PREFERRED_MANY", 5},
    {"MPOL_WEIGHTED_INTERLEAVE", 6},
};
constexpr Named kMpolFlags[] = {{"MPOL_F_NUMA_BALANCING", 1 << 13},
                                {"MPOL_F_RELATIVE_NODES", 1 << 14},
                                {"MPOL_F_STATIC_NODES", 1 << 15}};
// <sys/personality.h>: PER_LINUX, PER_LINUX32.
constexpr Named kDomains[] = {{"LINUX", 0x0000}, {"LINUX32", 0x0008}};

constexpr int kMaxCpu = 8192;  // cpu and node numbers beyond this are typos, not hardware

template <std::size_t N>
Result<uint64_t> lookup(const Named (&table)[N], std::string_view name, const char* what) {
  for (const Named& n : table) {
    if (n.name == name) return n.value;
  }
  return Error::invalid("unknown " + std::string(what) + " " + q(name));
}

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n'))
    s.remove_suffix(1);
  return std::string(s);
}

Result<int> parse_index(const std::string& s, std::string_view entry) {
  long long v = 0;
  if (!parse_int64(s, &v) || v < 0 || v >= kMaxCpu) {
    return Error::invalid("bad entry " + q(entry) + " (want N or N-M, 0 <= N < 8192)");
  }
  return static_cast<int>(v);
}

Result<sys::SchedAttr> plan_scheduler(const oci::Scheduler& s) {
  sys::SchedAttr a;
  GROVE_ASSIGN_OR_RETURN(uint64_t policy, lookup(kPolicies, s.policy, "policy"));
  a.policy = static_cast<uint32_t>(policy);
  for (const std::string& f : s.flags) {
    GROVE_ASSIGN_OR_RETURN(uint64_t bit, lookup(kSchedFlags, f, "flag"));
    a.flags |= bit;
  }
  const bool nice_policy = s.policy == "SCHED_OTHER" || s.policy == "SCHED_BATCH";
  if (nice_policy && (s.nice < -20 || s.nice > 19)) {
    return Error::invalid("nice " + std::to_string(s.nice) + " is outside [-20, 19]");
  }
  const bool rt = s.policy == "SCHED_FIFO" || s.policy == "SCHED_RR";
  if (s.priority != 0 && !rt) {
    return Error::invalid("priority can only be specified for SCHED_FIFO or SCHED_RR");
  }
  if (s.priority < 0 || s.priority > 99) {
    return Error::invalid("priority " + std::to_string(s.priority) + " is outside [0, 99]");
  }
  const bool dl = s.policy == "SCHED_DEADLINE";
  if (!dl && (s.runtime != 0 || s.deadline != 0 || s.period != 0)) {
    return Error::invalid("runtime/deadline/period can only be specified for SCHED_DEADLINE");
  }
  a.nice = s.nice;
  a.priority = static_cast<uint32_t>(s.priority);
  a.runtime = s.runtime;
  a.deadline = s.deadline;
  a.period = s.period;
  return a;
}

Result<int> plan_ioprio(const oci::IoPriority& p) {
  GROVE_ASSIGN_OR_RETURN(uint64_t klass, lookup(kIoClasses, p.klass, "class"));
  if (p.priority < 0 || p.priority > 7) {
    return Error::invalid("priority " + std::to_string(p.priority) + " is outside [0, 7]");
  }
  return static_cast<int>(klass << kIoprioClassShift) | p.priority;
}

Result<MemPolicy> plan_memory_policy(const oci::MemoryPolicy& m) {
  MemPolicy out;
  GROVE_ASSIGN_OR_RETURN(uint64_t mode, lookup(kMpolModes, m.mode, "mode"));
  out.mode = static_cast<int>(mode);
  for (const std::string& f : m.flags) {
    GROVE_ASSIGN_OR_RETURN(uint64_t bit, lookup(kMpolFlags, f, "flag"));
    out.mode |= static_cast<int>(bit);
  }
  std::vector<int> nodes;
  if (!trim(m.nodes).empty()) {
    GROVE_ASSIGN_OR_RETURN(nodes, parse_cpu_list(m.nodes).context("nodes"));
  }
  // runc's validator: which modes take nodes.
  if ((m.mode == "MPOL_DEFAULT" || m.mode == "MPOL_LOCAL") && !nodes.empty()) {
    return Error::invalid("mode " + m.mode + " takes no nodes");
  }
  if (m.mode != "MPOL_DEFAULT" && m.mode != "MPOL_LOCAL" && m.mode != "MPOL_PREFERRED" &&
      nodes.empty()) {
    return Error::invalid("mode " + m.mode + " needs at least one node");
  }
  constexpr int kBits = 8 * sizeof(unsigned long);
  for (int n : nodes) {
    std::size_t word = static_cast<std::size_t>(n / kBits);
    if (out.nodemask.size() <= word) out.nodemask.resize(word + 1, 0);
    out.nodemask[word] |= 1UL << (n % kBits);
  }
  // The kernel reads maxnode-1 bits (a historical off-by-one in set_mempolicy), so pass one more
  // than the highest node, plus one.
  out.maxnode = nodes.empty() ? 0 : static_cast<unsigned long>(nodes.back()) + 2;
  return out;
}

Result<unsigned long> plan_personality(const oci::Personality& p) {
  GROVE_ASSIGN_OR_RETURN(uint64_t domain, lookup(kDomains, p.domain, "domain"));
  // runtime-spec config-linux.md: "Currently no flag values are supported". runc ignores them with
  // a warning; grove refuses what it would not apply.
  if (!p.flags.empty()) return Error::not_supported("flags: no personality flags are supported");
  return static_cast<unsigned long>(domain);
}

Status plan_linux(const oci::Linux& l, ProcSettings* out) {
  if (l.personality) {
    GROVE_ASSIGN_OR_RETURN(out->personality,
                           plan_personality(*l.personality).context("linux.personality"));
  }
  if (l.memory_policy) {
    GROVE_ASSIGN_OR_RETURN(out->memory_policy,
                           plan_memory_policy(*l.memory_policy).context("linux.memoryPolicy"));
  }
  for (const auto& [key, value] : l.sysctl) {
    // An init-capture: clang < 16 (the fuzz build's clang 14) cannot capture a structured binding.
    GROVE_ASSIGN_OR_RETURN(std::string path, sysctl_path(key).context([&k = key] {
      return "linux.sysctl " + q(k);
    }));
    out->sysctls.push_back({key, path, value});
  }
  GROVE_ASSIGN_OR_RETURN(out->timens_offsets,
                         timens_offsets_text(l.time_offsets).context("linux.timeOffsets"));
  return ok();
}

Status plan_process(const oci::Process& p, const sys::Features& features, ProcSettings* out) {
  if (p.oom_score_adj) {
    if (*p.oom_score_adj < -1000 || *p.oom_score_adj > 1000) {
      return Error::invalid("process.oomScoreAdj: " + std::to_string(*p.oom_score_adj) +
                            " is outside [-1000, 1000]");
    }
    out->oom_score_adj = *p.oom_score_adj;
  }
  if (p.scheduler) {
    GROVE_ASSIGN_OR_RETURN(out->scheduler,
                           plan_scheduler(*p.scheduler).context("process.scheduler"));
  }
  if (p.io_priority) {
    GROVE_ASSIGN_OR_RETURN(out->ioprio, plan_ioprio(*p.io_priority).context("process.ioPriority"));
  }
  if (p.exec_cpu_affinity) {
    // Not applied to the init (runtime-spec), but a bad list is still a bad config.
    const oci::CpuAffinity& a = *p.exec_cpu_affinity;
    if (!a.initial.empty())
      GROVE_TRY(parse_cpu_list(a.initial).context("process.execCPUAffinity.initial"));
    if (!a.final.empty())
      GROVE_TRY(parse_cpu_list(a.final).context("process.execCPUAffinity.final"));
  }
  if (!p.apparmor_profile.empty()) {
    if (!features.apparmor) {
      return Error::not_supported(
          "process.apparmorProfile: apparmor is not enabled on this system");
    }
    out->apparmor_profile = p.apparmor_profile;
  }
  // architecture.md: with SELinux disabled a label is a no-op, never an error.
  if (!p.selinux_label.empty() && features.selinux) out->selinux_label = p.selinux_label;
  return ok();
}

}  // namespace

Result<std::vector<int>> parse_cpu_list(std::string_view list) {
  std::vector<int> out;
  for (const std::string& raw : split(list, ',')) {
    std::string entry = trim(raw);
    std::size_t dash = entry.find('-');
    if (dash == std::string::npos) {
      GROVE_ASSIGN_OR_RETURN(int cpu, parse_index(entry, entry));
      out.push_back(cpu);
      continue;
    }
    GROVE_ASSIGN_OR_RETURN(int lo, parse_index(trim(entry.substr(0, dash)), entry));
    GROVE_ASSIGN_OR_RETURN(int hi, parse_index(trim(entry.substr(dash + 1)), entry));
    if (hi < lo) return Error::invalid("bad entry " + q(entry) + " (range end before start)");
    for (int c = lo; c <= hi; ++c) out.push_back(c);
  }
  if (out.empty()) return Error::invalid("empty cpu list");
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

Result<std::string> sysctl_path(std::string_view key) {
  if (key.empty()) return Error::invalid("empty sysctl key");
  std::string path(key);
  // sysctl.d(5): when the first separator is '.', '.' and '/' swap roles (so a '/' inside a key
  // such as "net.ipv4.conf.eth0/100.rp_filter" stands for a '.' in the name).
  std::size_t first = path.find_first_of("./");
  if (first != std::string::npos && path[first] == '.') {
    for (char& c : path) c = c == '.' ? '/' : (c == '/' ? '.' : c);
  }
  for (const std::string& part : split(path, '/')) {
    if (part.empty() || part == "." || part == "..") {
      return Error::invalid("bad sysctl key " + q(key) + " (empty, \".\" or \"..\" component)");
    }
  }
  if (path.find('\0') != std::string::npos) return Error::invalid("sysctl key with a NUL byte");
  return path;
}

Result<std::string> timens_offsets_text(const std::map<std::string, oci::TimeOffset>& offsets) {
  std::string out;
  for (const auto& [clock, off] : offsets) {
    if (clock != "monotonic" && clock != "boottime") {
      return Error::invalid("unknown clock " + q(clock) + " (want monotonic or boottime)");
    }
    if (off.nanosecs >= 1000000000U) {
      return Error::invalid(q(clock) + ": nanosecs " + std::to_string(off.nanosecs) +
                            " is not below 1e9");
    }
    // proc(5) timens_offsets: "<clock-id> <offset-secs> <offset-nanosecs>", one line per clock.
    out += clock + " " + std::to_string(off.secs) + " " + std::to_string(off.nanosecs) + "\n";
  }
  return out;
}

Result<ProcSettings> plan_proc_settings(const oci::Spec& spec, const sys::Features& features) {
  ProcSettings out;
  if (spec.process) GROVE_TRY(plan_process(*spec.process, features, &out));
  if (spec.linux) GROVE_TRY(plan_linux(*spec.linux, &out));
  return out;
}

}  // namespace grove::process
