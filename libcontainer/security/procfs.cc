// Safe procfs writes (procfs.h).

#include "libcontainer/security/procfs.h"

#include <fcntl.h>
#include <sys/statfs.h>

#include "libcontainer/base/strings.h"
#include "libcontainer/sys/uapi.h"

namespace grove::security {
namespace {

constexpr const char* kProcPrefix = "/proc/";

Status require_procfs(sys::Ops& ops, int fd, const std::string& what) {
  GROVE_ASSIGN_OR_RETURN(struct statfs st, ops.fstatfs(fd));
  if (st.f_type != PROC_SUPER_MAGIC) {
    return Error::plain(
        EXDEV, what + " is not a procfs (f_type " + hex(static_cast<uint64_t>(st.f_type)) + ")");
  }
  return ok();
}

// <rest> beneath the verified /proc: openat2 refuses mount crossings (a bind mount raced over
// /proc/self/attr/exec, CVE-2025-52881) and magic links; the O_NOFOLLOW fallback (pre-5.6
// kernels) only protects the last component, the fstatfs of the result still guarantees procfs.
Result<UniqueFd> open_beneath(sys::Ops& ops, int proc_fd, const std::string& rest) {
  sys::OpenHow how;
  how.flags = O_WRONLY | O_NOCTTY;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS;
  auto fd = ops.openat2(proc_fd, rest, how);
  if (fd || fd.error().code() != ENOSYS) return fd;
  return ops.openat(proc_fd, rest, O_WRONLY | O_NOCTTY | O_NOFOLLOW, 0);
}

}  // namespace

Result<UniqueFd> open_proc_root(sys::Ops& ops) {
  GROVE_ASSIGN_OR_RETURN(UniqueFd proc,
                         ops.openat(AT_FDCWD, "/proc", O_PATH | O_DIRECTORY | O_NOFOLLOW, 0));
  GROVE_TRY(require_procfs(ops, proc.get(), "/proc"));
  return proc;
}

Status write_proc_file(sys::Ops& ops, const std::string& path, const std::string& data) {
  const std::string prefix = kProcPrefix;
  if (path.size() <= prefix.size() || path.compare(0, prefix.size(), prefix) != 0) {
    return Error::invalid("procfs write: " + q(path) + " is not under /proc");
  }
  const std::string rest = path.substr(prefix.size());
  GROVE_ASSIGN_OR_RETURN(UniqueFd proc, open_proc_root(ops));
  GROVE_ASSIGN_OR_RETURN(UniqueFd fd, open_beneath(ops, proc.get(), rest));
  GROVE_TRY(require_procfs(ops, fd.get(), q(path)));
  return ops.write(fd.get(), data).context([&] { return "write " + q(path); });
}

}  // namespace grove::security
