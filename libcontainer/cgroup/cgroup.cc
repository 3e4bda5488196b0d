// The cgroup package's shared vocabulary (cgroup.h): rendering of writes.

#include "libcontainer/cgroup/cgroup.h"

#include <string>

namespace grove::cgroup {

// `v2 memory.max=1048576`, `v1 memory/memory.limit_in_bytes=1048576`. On v1 the controller
// names the hierarchy the file is in, so it is part of the line; on v2 the file name says it.
std::string describe(const Write& w) {
  if (w.hierarchy == Hierarchy::kUnified) return "v2 " + w.file + "=" + w.value;
  return "v1 " + w.controller + "/" + w.file + "=" + w.value;
}

}  // namespace grove::cgroup
