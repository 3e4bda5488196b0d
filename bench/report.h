#pragma once
// Output of grove-bench mountns: the side-by-side table (rows = mount-table size, columns =
// strategies) and the machine-readable JSON. Pure formatting: no syscalls.

#include <string>

#include "bench/mountns.h"

namespace grove::bench {

// The human table, e.g.
//   host mounts  open-tree-namespace         pivot                       chroot
//            31  n/a                         2410/s (415 us)             2502/s (400 us)
// preceded by kernel, probe and run parameters, followed by one "<strategy>: n/a: <reason>" or
// "<strategy>: FAILED: <error>" line per strategy that did not run. Cells: namespaces per second
// and the wall time per namespace (1e6 / rate) in microseconds.
std::string format_table(const MountnsConfig& cfg, const MountnsResult& result);

// One JSON document: {"mode":"mountns","kernel":...,"open_tree_namespace":{"ok":..,"reason":..},
// "count":N,"workers":W,"container":...,"strategies":[...],"rows":[{"target":30,"host_mounts":31,
// "cells":{"pivot":{"per_second":..,"us_per_op":..}|{"na":reason}|{"failed":error}}}]}.
std::string format_json(const MountnsConfig& cfg, const MountnsResult& result);

}  // namespace grove::bench
