// LinuxOps: xattr reads and pread for the image sources (libcontainer/image). Sizes are asked
// first and re-asked on ERANGE: a value may grow between the two calls.

#include <sys/xattr.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "libcontainer/sys/linux_ops.h"
#include "libcontainer/sys/linux_ops_internal.h"

namespace grove::sys {

using internal::fd_str;

Result<std::vector<std::string>> LinuxOps::listxattr(const std::string& path) {
  std::string buf;
  for (;;) {
    ssize_t n = ::listxattr(path.c_str(), nullptr, 0);
    if (n < 0) return Error::last("listxattr(" + q(path) + ")");
    buf.resize(static_cast<size_t>(n));
    n = ::listxattr(path.c_str(), buf.data(), buf.size());
    if (n < 0 && errno == ERANGE) continue;
    if (n < 0) return Error::last("listxattr(" + q(path) + ")");
    buf.resize(static_cast<size_t>(n));
    break;
  }
  std::vector<std::string> names;
  for (size_t pos = 0; pos < buf.size();) {
    size_t end = buf.find('\0', pos);
    if (end == std::string::npos) end = buf.size();
    if (end > pos) names.push_back(buf.substr(pos, end - pos));
    pos = end + 1;
  }
  return names;
}

Result<std::string> LinuxOps::getxattr(const std::string& path, const std::string& name) {
  for (;;) {
    ssize_t n = ::getxattr(path.c_str(), name.c_str(), nullptr, 0);
    if (n < 0) return Error::last("getxattr(" + q(path) + ", " + q(name) + ")");
    std::string value(static_cast<size_t>(n), '\0');
    n = ::getxattr(path.c_str(), name.c_str(), value.data(), value.size());
    if (n < 0 && errno == ERANGE) continue;
    if (n < 0) return Error::last("getxattr(" + q(path) + ", " + q(name) + ")");
    value.resize(static_cast<size_t>(n));
    return value;
  }
}

Result<std::string> LinuxOps::pread(int fd, size_t max, uint64_t offset) {
  std::string out(max, '\0');
  ssize_t n;
  do {
    n = ::pread(fd, out.data(), max, static_cast<off_t>(offset));
  } while (n < 0 && errno == EINTR);
  if (n < 0) return Error::last("pread(" + fd_str(fd) + ", " + std::to_string(offset) + ")");
  out.resize(static_cast<size_t>(n));
  return out;
}

}  // namespace grove::sys
