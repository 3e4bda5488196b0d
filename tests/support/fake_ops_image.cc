// FakeOps: the image-source reads (xattrs, pread). Records the call; no state.

#include <string>
#include <vector>

#include "libcontainer/base/strings.h"
#include "tests/support/fake_ops.h"

namespace grove::testing {

Result<std::vector<std::string>> FakeOps::listxattr(const std::string& path) {
  std::string line = "listxattr(" + q(path) + ")";
  if (int err = record("listxattr", line)) return Error::from_errno(err, line);
  return Error::from_errno(EOPNOTSUPP, line);
}

Result<std::string> FakeOps::getxattr(const std::string& path, const std::string& name) {
  std::string line = "getxattr(" + q(path) + ", " + q(name) + ")";
  if (int err = record("getxattr", line)) return Error::from_errno(err, line);
  return Error::from_errno(ENODATA, line);
}

Result<std::string> FakeOps::pread(int fd, size_t max, uint64_t offset) {
  std::string line = "pread(" + std::to_string(fd) + ", " + std::to_string(max) + ", " +
                     std::to_string(offset) + ")";
  if (int err = record("pread", line)) return Error::from_errno(err, line);
  auto it = files_.find(fd_name(fd));
  if (it == files_.end() || offset >= it->second.size()) return std::string();
  return it->second.substr(offset, max);
}

}  // namespace grove::testing
