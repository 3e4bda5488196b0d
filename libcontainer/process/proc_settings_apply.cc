// Applying the planned process/linux settings (proc_settings.h) in the init and the parent.

#include <fcntl.h>

#include "libcontainer/base/strings.h"
#include "libcontainer/process/proc_settings.h"
#include "libcontainer/process/sysctl.h"
#include "libcontainer/security/procfs.h"

namespace grove::process {
namespace {

constexpr int kIoprioWhoProcess = 1;  // IOPRIO_WHO_PROCESS, <linux/ioprio.h>

// AppArmor's own attr directory (5.8+), else the shared LSM file, like runc's setProcAttr and
// libapparmor's aa_change_onexec. Only the calling thread's attr can be changed under AppArmor,
// hence thread-self.
Status apparmor_change_onexec(sys::Ops& ops, const std::string& profile) {
  const std::string value = "exec " + profile;
  auto st = security::write_proc_file(ops, "/proc/thread-self/attr/apparmor/exec", value);
  if (!st && st.error().code() == ENOENT) {
    st = security::write_proc_file(ops, "/proc/thread-self/attr/exec", value);
  }
  return st;
}

}  // namespace

Status apply_init_settings(sys::Ops& ops, const ProcSettings& s) {
  if (!s.apparmor_profile.empty()) {
    GROVE_TRY(apparmor_change_onexec(ops, s.apparmor_profile).context([&] {
      return "process.apparmorProfile " + q(s.apparmor_profile);
    }));
  }
  GROVE_TRY(apply_sysctls(ops, s.sysctls));
  if (s.scheduler) GROVE_TRY(ops.sched_setattr(0, *s.scheduler, 0).context("process.scheduler"));
  if (s.ioprio) {
    GROVE_TRY(ops.ioprio_set(kIoprioWhoProcess, 0, *s.ioprio).context("process.ioPriority"));
  }
  if (s.personality) {
    auto prev = ops.personality(*s.personality);
    if (!prev) return std::move(prev).error().context("linux.personality");
  }
  if (s.memory_policy) {
    const MemPolicy& m = *s.memory_policy;
    GROVE_TRY(ops.set_mempolicy(m.mode, m.nodemask, m.maxnode).context("linux.memoryPolicy"));
  }
  return ok();
}

Status apply_exec_label(sys::Ops& ops, const ProcSettings& s) {
  if (s.selinux_label.empty()) return ok();
  // What libselinux's setexeccon() writes; the label takes effect at the next execve.
  return security::write_proc_file(ops, "/proc/thread-self/attr/exec", s.selinux_label)
      .context([&] { return "process.selinuxLabel " + q(s.selinux_label); });
}

Status apply_oom_score_adj(sys::Ops& ops, pid_t pid, const ProcSettings& s) {
  if (!s.oom_score_adj) return ok();
  return security::write_proc_file(ops, "/proc/" + std::to_string(pid) + "/oom_score_adj",
                                   std::to_string(*s.oom_score_adj))
      .context("process.oomScoreAdj");
}

Status apply_cpu_affinity(sys::Ops& ops, pid_t pid, const std::string& list) {
  if (list.empty()) return ok();
  GROVE_ASSIGN_OR_RETURN(std::vector<int> cpus, parse_cpu_list(list));
  return ops.sched_setaffinity(pid, cpus);
}

}  // namespace grove::process
