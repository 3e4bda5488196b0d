// linux.timeOffsets: the parent prepares the container's time namespace (time_ns.h).

#include "libcontainer/process/time_ns.h"

#include <fcntl.h>
#include <sched.h>

#include "libcontainer/security/procfs.h"

namespace grove::process {
namespace {

#ifndef CLONE_NEWTIME
constexpr uint64_t kCloneNewTime = 0x00000080;
#else
constexpr uint64_t kCloneNewTime = CLONE_NEWTIME;
#endif

}  // namespace

Result<TimeNsForClone> enter_time_ns_for_clone(sys::Ops& ops, const std::string& offsets) {
  TimeNsForClone t;
  if (offsets.empty()) return t;
  GROVE_ASSIGN_OR_RETURN(
      t.own, ops.openat(AT_FDCWD, "/proc/self/ns/time", O_RDONLY, 0).context("linux.timeOffsets"));
  GROVE_TRY(ops.unshare(kCloneNewTime).context("linux.timeOffsets"));
  // /proc/self/timens_offsets belongs to time_for_children: the namespace just made.
  Status st = security::write_proc_file(ops, "/proc/self/timens_offsets", offsets);
  if (!st) {
    (void)leave_time_ns_for_clone(ops, t);
    return std::move(st).error().context("linux.timeOffsets");
  }
  return t;
}

uint64_t time_ns_clone_flags(uint64_t flags, const TimeNsForClone& t) {
  return t.active() ? flags & ~kCloneNewTime : flags;
}

Status leave_time_ns_for_clone(sys::Ops& ops, TimeNsForClone& t) {
  if (!t.active()) return ok();
  Status st = ops.setns(t.own.get(), static_cast<int>(kCloneNewTime))
                  .context("return to own time namespace");
  t.own.reset();
  return st;
}

}  // namespace grove::process
