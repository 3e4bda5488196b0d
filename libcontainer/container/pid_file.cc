#include "libcontainer/container/pid_file.h"

#include <fcntl.h>

#include "libcontainer/base/strings.h"

namespace grove::container {

// runc writes the pid file through a temporary and a rename so readers never see it partial.
Status write_pid_file(sys::Ops& ops, const std::string& path, pid_t pid) {
  std::size_t slash = path.rfind('/');
  std::string tmp = slash == std::string::npos
                        ? "." + path
                        : path.substr(0, slash + 1) + "." + path.substr(slash + 1);
  GROVE_ASSIGN_OR_RETURN(UniqueFd fd,
                         ops.openat(AT_FDCWD, tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644));
  GROVE_TRY(ops.write(fd.get(), std::to_string(pid)));
  fd.reset();
  return ops.renameat2(AT_FDCWD, tmp, AT_FDCWD, path, 0).context([&] {
    return "pid file " + q(path);
  });
}

}  // namespace grove::container
