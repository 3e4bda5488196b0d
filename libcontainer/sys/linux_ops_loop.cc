// LinuxOps: loop devices, the fallback for mounting an EROFS image on kernels without
// file-backed EROFS mounts (< 6.12) or when the image's filesystem has no read_folio (tmpfs).

#include <linux/loop.h>
#include <sys/ioctl.h>

#include <cstring>
#include <string>

#include "libcontainer/sys/linux_ops.h"
#include "libcontainer/sys/linux_ops_internal.h"

namespace grove::sys {

using internal::check;
using internal::fd_str;

Result<int> LinuxOps::ioctl_loop_ctl_get_free(int ctl_fd) {
  long n = ::ioctl(ctl_fd, LOOP_CTL_GET_FREE);
  GROVE_TRY(check(n, [&] { return "ioctl(" + fd_str(ctl_fd) + ", LOOP_CTL_GET_FREE)"; }));
  return static_cast<int>(n);
}

Status LinuxOps::ioctl_loop_configure(int loop_fd, int backing_fd, uint32_t lo_flags) {
  struct loop_config cfg;
  std::memset(&cfg, 0, sizeof cfg);
  cfg.fd = static_cast<uint32_t>(backing_fd);
  cfg.info.lo_flags = lo_flags;
  return check(::ioctl(loop_fd, LOOP_CONFIGURE, &cfg), [&] {
    return "ioctl(" + fd_str(loop_fd) + ", LOOP_CONFIGURE, " + fd_str(backing_fd) + ", flags " +
           std::to_string(lo_flags) + ")";
  });
}

}  // namespace grove::sys
