// LinuxOps: keyctl(2) for the session keyring. glibc has no keyctl() wrapper and Debian 12 does
// not install <linux/keyctl.h> without libkeyutils-dev, so the one constant is spelled here.

#include <sys/syscall.h>
#include <unistd.h>

#include <string>

#include "libcontainer/base/strings.h"
#include "libcontainer/sys/linux_ops.h"

namespace grove::sys {
namespace {
constexpr long kKeyctlJoinSessionKeyring = 1;  // KEYCTL_JOIN_SESSION_KEYRING
}  // namespace

Result<int32_t> LinuxOps::keyctl_join_session_keyring(const std::string& name) {
  const char* arg = name.empty() ? nullptr : name.c_str();
  long rc = ::syscall(SYS_keyctl, kKeyctlJoinSessionKeyring, arg);
  if (rc < 0) {
    return Error::last("keyctl(KEYCTL_JOIN_SESSION_KEYRING, " + (arg ? q(name) : "NULL") + ")");
  }
  return static_cast<int32_t>(rc);
}

}  // namespace grove::sys
