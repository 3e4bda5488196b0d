// LinuxOps: scheduling, io priority and NUMA memory policy (process settings, #4). glibc 2.36 has
// no wrappers for sched_setattr, ioprio_set or set_mempolicy, hence raw syscall(2).

#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstring>

#include "libcontainer/sys/linux_ops.h"
#include "libcontainer/sys/linux_ops_internal.h"

namespace grove::sys {

using internal::check;

namespace {

// struct sched_attr from <linux/sched/types.h> (SCHED_ATTR_SIZE_VER0, 48 bytes): declared here
// so this file does not mix <linux/sched/types.h> with glibc's <sched.h>.
struct KernelSchedAttr {
  uint32_t size;
  uint32_t sched_policy;
  uint64_t sched_flags;
  int32_t sched_nice;
  uint32_t sched_priority;
  uint64_t sched_runtime;
  uint64_t sched_deadline;
  uint64_t sched_period;
};
static_assert(sizeof(KernelSchedAttr) == 48);

std::string cpus_str(const std::vector<int>& cpus) {
  std::string out = "[";
  for (size_t i = 0; i < cpus.size(); ++i) out += (i ? "," : "") + std::to_string(cpus[i]);
  return out + "]";
}

}  // namespace

Status LinuxOps::sched_setattr(pid_t pid, const SchedAttr& attr, unsigned flags) {
  KernelSchedAttr ka;
  std::memset(&ka, 0, sizeof ka);
  ka.size = sizeof ka;
  ka.sched_policy = attr.policy;
  ka.sched_flags = attr.flags;
  ka.sched_nice = attr.nice;
  ka.sched_priority = attr.priority;
  ka.sched_runtime = attr.runtime;
  ka.sched_deadline = attr.deadline;
  ka.sched_period = attr.period;
  return check(syscall(SYS_sched_setattr, pid, &ka, flags), [&] {
    return "sched_setattr(" + std::to_string(pid) + ", policy=" + std::to_string(attr.policy) +
           " flags=" + std::to_string(attr.flags) + " nice=" + std::to_string(attr.nice) +
           " priority=" + std::to_string(attr.priority) + ")";
  });
}

Status LinuxOps::sched_setaffinity(pid_t pid, const std::vector<int>& cpus) {
  int max = 0;
  for (int c : cpus) max = c + 1 > max ? c + 1 : max;
  // A dynamically sized set: hosts may have more than CPU_SETSIZE (1024) cpus.
  const int ncpus = max > CPU_SETSIZE ? max : CPU_SETSIZE;
  cpu_set_t* set = CPU_ALLOC(ncpus);
  if (set == nullptr) return Error::from_errno(ENOMEM, "CPU_ALLOC(" + std::to_string(ncpus) + ")");
  const size_t size = CPU_ALLOC_SIZE(ncpus);
  CPU_ZERO_S(size, set);
  for (int c : cpus) {
    if (c >= 0) CPU_SET_S(static_cast<size_t>(c), size, set);
  }
  int rc = ::sched_setaffinity(pid, size, set);
  int err = errno;
  CPU_FREE(set);
  if (rc != 0) {
    return Error::from_errno(
        err, "sched_setaffinity(" + std::to_string(pid) + ", " + cpus_str(cpus) + ")");
  }
  return ok();
}

Status LinuxOps::ioprio_set(int which, int who, int ioprio) {
  return check(syscall(SYS_ioprio_set, which, who, ioprio), [&] {
    return "ioprio_set(" + std::to_string(which) + ", " + std::to_string(who) +
           ", class=" + std::to_string(ioprio >> 13) + " data=" + std::to_string(ioprio & 0x1fff) +
           ")";
  });
}

Status LinuxOps::set_mempolicy(int mode, const std::vector<unsigned long>& nodemask,
                               unsigned long maxnode) {
  const unsigned long* mask = nodemask.empty() ? nullptr : nodemask.data();
  return check(syscall(SYS_set_mempolicy, mode, mask, nodemask.empty() ? 0UL : maxnode), [&] {
    std::string words;
    for (size_t i = 0; i < nodemask.size(); ++i) {
      char buf[24];
      std::snprintf(buf, sizeof buf, "%s%#lx", i ? "," : "", nodemask[i]);
      words += buf;
    }
    return "set_mempolicy(" + std::to_string(mode) + ", [" + words + "], " +
           std::to_string(maxnode) + ")";
  });
}

}  // namespace grove::sys
