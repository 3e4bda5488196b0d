// libFuzzer target: the parsers of kernel text grove reads from procfs and cgroupfs:
// /proc/self/mountinfo (cgroup::parse_layout), /proc/<pid>/cgroup (parse_proc_cgroup),
// /proc/<pid>/stat (parse_proc_stat, parse_stat_ppid), cpu lists (parse_cpu_list) and v1
// devices.list (parse_devices_list). Kernel text is trusted less than it looks: a process name
// in /proc/<pid>/stat is chosen by the container.

#include <cstddef>
#include <cstdint>
#include <string>

#include "libcontainer/cgroup/devices_internal.h"
#include "libcontainer/cgroup/layout.h"
#include "libcontainer/container/processes.h"
#include "libcontainer/container/status.h"
#include "libcontainer/process/proc_settings.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  (void)grove::cgroup::parse_layout(text);
  (void)grove::cgroup::parse_proc_cgroup(text);
  (void)grove::container::parse_proc_stat(text);
  (void)grove::container::parse_stat_ppid(text);
  (void)grove::process::parse_cpu_list(text);
  (void)grove::cgroup::internal::parse_devices_list(text);
  return 0;
}
