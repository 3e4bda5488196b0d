#pragma once
// linux.timeOffsets. The offsets of a time namespace can only be written before its first
// process enters it, and clone(CLONE_NEWTIME) enters the child at once (offsets frozen at 0).
// So, as runc's nsexec and crun do ("unshare, write offsets, then fork the first member"), the
// parent runtime unshares CLONE_NEWTIME (which only changes its time_for_children), writes
// /proc/self/timens_offsets, clones the init WITHOUT CLONE_NEWTIME (the child enters
// time_for_children at fork) and then returns to its own time namespace. Consequence: the
// container's time namespace is owned by the runtime's user namespace, not the container's.

#include <cstdint>
#include <string>

#include "libcontainer/base/result.h"
#include "libcontainer/base/unique_fd.h"
#include "libcontainer/sys/ops.h"

namespace grove::process {

// The parent's state between enter_time_ns_for_clone() and leave_time_ns_for_clone().
struct TimeNsForClone {
  UniqueFd own;  // the runtime's own time namespace; empty when no offsets are applied
  bool active() const noexcept { return own.valid(); }
};

// With non-empty `offsets` (timens_offsets_text()): opens /proc/self/ns/time, unshares
// CLONE_NEWTIME and writes the offsets; otherwise does nothing. The caller must be
// single-threaded (setns back into a time namespace requires it) and must call
// leave_time_ns_for_clone() after the clone, on every path. On failure the runtime is already
// back in its own namespace. Errors: open/unshare/write errno with a `linux.timeOffsets` frame
// (EINVAL: an offset the kernel refuses, e.g. a clock that would go negative).
[[nodiscard]] Result<TimeNsForClone> enter_time_ns_for_clone(sys::Ops& ops,
                                                             const std::string& offsets);

// The clone flags to use: CLONE_NEWTIME is dropped when `t` is active (the child joins the
// prepared namespace by inheritance instead of getting a fresh one).
uint64_t time_ns_clone_flags(uint64_t flags, const TimeNsForClone& t);

// setns() back into the runtime's own time namespace; no-op when `t` is not active.
// Errors: setns errno.
[[nodiscard]] Status leave_time_ns_for_clone(sys::Ops& ops, TimeNsForClone& t);

}  // namespace grove::process
