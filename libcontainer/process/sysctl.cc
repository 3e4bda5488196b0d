// linux.sysctl writes (sysctl.h).

#include "libcontainer/process/sysctl.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/statfs.h>

#include "libcontainer/base/strings.h"
#include "libcontainer/security/procfs.h"
#include "libcontainer/sys/uapi.h"

namespace grove::process {
namespace {

// A detached procfs mount of the caller's pid namespace: writable whatever readonlyPaths did to
// the container's /proc/sys.
Result<UniqueFd> private_procfs(sys::Ops& ops) {
  GROVE_ASSIGN_OR_RETURN(UniqueFd fs, ops.fsopen("proc", FSOPEN_CLOEXEC));
  GROVE_TRY(ops.fsconfig_create(fs.get()));
  return ops.fsmount(fs.get(), FSMOUNT_CLOEXEC,
                     MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
}

// Opens <proc>/sys/<path> for writing without leaving /proc/sys: no "..", no symlinks, no
// mount crossing. Falls back to openat(O_NOFOLLOW) when openat2 is missing (the path has no ".."
// components: sysctl_path() refuses them).
Result<UniqueFd> open_sysctl(sys::Ops& ops, int proc_fd, const std::string& path) {
  sys::OpenHow how;
  how.flags = O_WRONLY | O_NOCTTY | O_TRUNC;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV;
  auto fd = ops.openat2(proc_fd, "sys/" + path, how);
  if (fd || fd.error().code() != ENOSYS) return fd;
  return ops.openat(proc_fd, "sys/" + path, O_WRONLY | O_NOCTTY | O_TRUNC | O_NOFOLLOW, 0);
}

}  // namespace

Status apply_sysctls(sys::Ops& ops, const std::vector<Sysctl>& sysctls) {
  if (sysctls.empty()) return ok();
  auto proc = private_procfs(ops);
  if (!proc) proc = security::open_proc_root(ops);  // the container's /proc, if procfs
  if (!proc) return std::move(proc).error().context("linux.sysctl: open procfs");
  for (const Sysctl& s : sysctls) {
    auto frame = [&] { return "linux.sysctl " + q(s.key); };
    GROVE_ASSIGN_OR_RETURN(UniqueFd fd, open_sysctl(ops, proc->get(), s.path).context(frame));
    GROVE_TRY(ops.write(fd.get(), s.value).context(frame));
  }
  return ok();
}

}  // namespace grove::process
