// LinuxOps: bringing a network device up (the loopback of a new network namespace).

#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "libcontainer/base/strings.h"
#include "libcontainer/base/unique_fd.h"
#include "libcontainer/sys/linux_ops.h"

namespace grove::sys {

Status LinuxOps::set_link_up(const std::string& name) {
  if (name.empty() || name.size() >= IFNAMSIZ) return Error::invalid("bad device name " + q(name));
  UniqueFd sock(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!sock) return Error::last("socket(AF_INET, SOCK_DGRAM)");
  struct ifreq ifr;
  std::memset(&ifr, 0, sizeof ifr);
  std::memcpy(ifr.ifr_name, name.data(), name.size());
  if (::ioctl(sock.get(), SIOCGIFFLAGS, &ifr) != 0) {
    return Error::last("ioctl(SIOCGIFFLAGS, " + q(name) + ")");
  }
  if (ifr.ifr_flags & IFF_UP) return ok();
  ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP);
  if (::ioctl(sock.get(), SIOCSIFFLAGS, &ifr) != 0) {
    return Error::last("ioctl(SIOCSIFFLAGS, " + q(name) + ", IFF_UP)");
  }
  return ok();
}

}  // namespace grove::sys
