#pragma once
// Helpers shared by the linux_ops_*.cc files: turning a raw return value into Result with the
// innermost frame. Private to libcontainer/sys.

#include <fcntl.h>

#include <cerrno>
#include <string>

#include "libcontainer/base/result.h"
#include "libcontainer/base/strings.h"
#include "libcontainer/base/unique_fd.h"

namespace grove::sys::internal {

// "AT_FDCWD" or "fd N".
inline std::string fd_str(int fd) {
  return fd == AT_FDCWD ? "AT_FDCWD" : "fd " + std::to_string(fd);
}

// A (dirfd, path) pair as shown in frames: the quoted path, or the fd when the path is empty.
inline std::string at(int dirfd, const std::string& path) {
  return path.empty() ? fd_str(dirfd) : q(path);
}

// errno is captured before `what` runs (building the frame may allocate).
template <typename F>
Status check(long rc, F&& what) {
  if (rc >= 0) return ok();
  int err = errno;
  return Error::from_errno(err, what());
}

template <typename F>
Result<UniqueFd> check_fd(long rc, F&& what) {
  if (rc >= 0) return UniqueFd(static_cast<int>(rc));
  int err = errno;
  return Error::from_errno(err, what());
}

}  // namespace grove::sys::internal
