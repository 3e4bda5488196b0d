// LinuxOps: seccomp(2) (#4). The listener's AF_UNIX client socket uses socket/connect
// (linux_ops_tty.cc).

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include "libcontainer/base/strings.h"
#include "libcontainer/sys/linux_ops.h"
#include "libcontainer/sys/linux_ops_internal.h"

namespace grove::sys {

using internal::fd_str;

static_assert(sizeof(BpfInsn) == sizeof(struct sock_filter));

Result<UniqueFd> LinuxOps::seccomp(unsigned op, unsigned flags, const std::vector<BpfInsn>& prog) {
  struct sock_fprog fprog;
  fprog.len = static_cast<unsigned short>(prog.size());
  // BpfInsn has sock_filter's exact layout (static_assert above); the kernel only reads it.
  fprog.filter = reinterpret_cast<struct sock_filter*>(const_cast<BpfInsn*>(prog.data()));
  if (prog.size() > BPF_MAXINSNS) {
    return Error::from_errno(EINVAL, "seccomp(" + std::to_string(op) + ", " +
                                         std::to_string(flags) + ", " +
                                         std::to_string(prog.size()) + " insns): too long");
  }
  // glibc 2.36 has no seccomp() wrapper.
  long rc = ::syscall(SYS_seccomp, op, flags, &fprog);
  if (rc < 0) {
    int err = errno;  // before the frame's allocations
    return Error::from_errno(err, "seccomp(" + std::to_string(op) + ", " + std::to_string(flags) +
                                      ", " + std::to_string(prog.size()) + " insns)");
  }
  if ((flags & SECCOMP_FILTER_FLAG_NEW_LISTENER) == 0) return UniqueFd();
  return UniqueFd(static_cast<int>(rc));
}

}  // namespace grove::sys
