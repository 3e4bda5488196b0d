// FakeOps: scheduling, io priority and NUMA memory policy (process settings, #4).

#include <cstdio>

#include "libcontainer/base/strings.h"
#include "tests/support/fake_ops.h"

namespace grove::testing {
namespace {

std::string num(long long v) { return std::to_string(v); }

}  // namespace

Status FakeOps::sched_setattr(pid_t pid, const sys::SchedAttr& a, unsigned flags) {
  return effect("sched_setattr", "sched_setattr(" + num(pid) + ", {policy=" + num(a.policy) +
                                     " flags=" + num(static_cast<long long>(a.flags)) +
                                     " nice=" + num(a.nice) + " priority=" + num(a.priority) +
                                     " runtime=" + num(static_cast<long long>(a.runtime)) +
                                     " deadline=" + num(static_cast<long long>(a.deadline)) +
                                     " period=" + num(static_cast<long long>(a.period)) + "}, " +
                                     num(flags) + ")");
}

Status FakeOps::sched_setaffinity(pid_t pid, const std::vector<int>& cpus) {
  std::vector<std::string> c;
  for (int cpu : cpus) c.push_back(num(cpu));
  return effect("sched_setaffinity", "sched_setaffinity(" + num(pid) + ", [" + join(c, ",") + "])");
}

Status FakeOps::ioprio_set(int which, int who, int ioprio) {
  return effect("ioprio_set", "ioprio_set(" + num(which) + ", " + num(who) + ", class=" +
                                  num(ioprio >> 13) + " data=" + num(ioprio & 0x1fff) + ")");
}

Status FakeOps::set_mempolicy(int mode, const std::vector<unsigned long>& nodemask,
                              unsigned long maxnode) {
  std::vector<std::string> words;
  for (unsigned long w : nodemask) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "%#lx", w);
    words.push_back(buf);
  }
  return effect("set_mempolicy", "set_mempolicy(" + num(mode) + ", [" + join(words, ",") + "], " +
                                     num(static_cast<long long>(maxnode)) + ")");
}

}  // namespace grove::testing
