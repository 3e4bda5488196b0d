#pragma once
// Internal to libcontainer/cgroup: the v1 blkio and cpuset stats readers (stats_v1_blkio.cc).

#include "libcontainer/base/result.h"
#include "libcontainer/cgroup/cgroup.h"

namespace grove::cgroup::internal {

// runc's BlkioGroup.GetStats: tries the groups bfq-debug, bfq, cfq, throttle-recursive,
// throttle in order; a group whose first file is missing or has no entries is skipped, and the
// first group that has some fills `out` (stopping early, as runc does, at a later empty file).
Status read_blkio_v1(const FileReader& read, Blkio& out);

// runc's CpusetGroup.GetStats: cpuset.cpus/mems as lists ("0-3,7"), the flag files as numbers;
// each file may be missing. An empty cpus/mems file is an error, as in runc.
Status read_cpuset_v1(const FileReader& read, CpuSet& out);

}  // namespace grove::cgroup::internal
