// Fault injection points (fault.h): test builds only.

#include "libcontainer/sys/fault.h"

#ifdef GROVE_FAULT_INJECTION

#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

namespace grove::sys {

void fault_point(std::size_t index) noexcept {
  // Read every time rather than cached: a function-local static would take a guard lock, which
  // the init (a clone of a possibly multi-threaded-once process) must not; getenv takes none.
  const char* want = ::getenv("GROVE_FAULT");
  if (want == nullptr || kFaultPoints[index].name != want) return;
  ::kill(::getpid(), SIGKILL);
  // Still here: we are the init of a pid namespace (SIGKILL from inside it is ignored,
  // kernel/signal.c sig_task_ignored with SIGNAL_UNKILLABLE). Exiting ends the namespace too.
  ::_exit(128 + SIGKILL);
}

}  // namespace grove::sys

#endif
