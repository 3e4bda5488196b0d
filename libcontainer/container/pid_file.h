#pragma once
// The --pid-file of create, run and exec.

#include <sys/types.h>

#include <string>

#include "libcontainer/base/result.h"
#include "libcontainer/sys/ops.h"

namespace grove::container {

// Writes `pid` as decimal text to `path` through "<dir>/.<name>" and a rename, as runc does, so
// a reader (containerd, conmon) never sees a partial file. Errors: open/write/rename errno with
// a `pid file "PATH"` frame on the rename.
[[nodiscard]] Status write_pid_file(sys::Ops& ops, const std::string& path, pid_t pid);

}  // namespace grove::container
