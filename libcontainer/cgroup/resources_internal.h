#pragma once
// Internal to libcontainer/cgroup: pieces shared by the v1 and v2 resource planners.

#include <string>
#include <vector>

#include "libcontainer/base/result.h"
#include "libcontainer/cgroup/cgroup.h"
#include "oci/spec.h"

namespace grove::cgroup::internal {

// Appends {hierarchy, controller, file, value} with the given tolerated errnos.
void add(std::vector<Write>& out, Hierarchy h, const std::string& controller,
         const std::string& file, std::string value, std::vector<int> ignore_errnos = {});

// pids.max value: the limit when > 0, "max" otherwise.
std::string pids_max_value(int64_t limit);

// Appends, per hugepageLimits entry, `hugetlb.<size><suffix>` then `hugetlb.<size>.rsvd<suffix>`
// (ENOENT tolerated). EINVAL for a bad page size, naming the entry.
Status add_hugetlb(std::vector<Write>& out, Hierarchy h,
                   const std::vector<oci::HugepageLimit>& limits, const std::string& suffix);

// Appends one rdma.max write per device (sorted): "<dev>[ hca_handle=N][ hca_object=M]".
void add_rdma(std::vector<Write>& out, Hierarchy h, const std::map<std::string, oci::Rdma>& rdma);

// "maj:min value" as runc's ThrottleDevice.String / WeightDevice.WeightString.
std::string dev_value(int64_t major, int64_t minor, const std::string& value);

}  // namespace grove::cgroup::internal
