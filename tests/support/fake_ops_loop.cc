// FakeOps: loop devices. Records the call; LOOP_CTL_GET_FREE hands out 7, 8, ...

#include <string>

#include "libcontainer/base/strings.h"
#include "tests/support/fake_ops.h"

namespace grove::testing {

Result<int> FakeOps::ioctl_loop_ctl_get_free(int ctl_fd) {
  std::string line = "ioctl_loop_ctl_get_free(" + fd_name(ctl_fd) + ")";
  if (int err = record("ioctl_loop_ctl_get_free", line)) return Error::from_errno(err, line);
  return next_loop_++;
}

Status FakeOps::ioctl_loop_configure(int loop_fd, int backing_fd, uint32_t lo_flags) {
  std::string line = "ioctl_loop_configure(" + fd_name(loop_fd) + ", " + fd_name(backing_fd) +
                     ", " + std::to_string(lo_flags) + ")";
  if (int err = record("ioctl_loop_configure", line)) return Error::from_errno(err, line);
  return ok();
}

}  // namespace grove::testing
