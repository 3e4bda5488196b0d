#include "libcontainer/process/sys_extra.h"

#include <sys/syscall.h>
#include <unistd.h>

namespace grove::process::sys_extra {

namespace {
constexpr long kKeyctlJoinSessionKeyring = 1;  // <linux/keyctl.h>, not installed on Debian 12
}  // namespace

Status join_session_keyring() {
  if (::syscall(SYS_keyctl, kKeyctlJoinSessionKeyring, 0L) < 0 && errno != ENOSYS) {
    return Error::last("keyctl(KEYCTL_JOIN_SESSION_KEYRING, NULL)");
  }
  return ok();
}

}  // namespace grove::process::sys_extra
