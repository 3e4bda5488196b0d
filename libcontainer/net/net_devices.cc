#include "libcontainer/net/net_devices.h"

#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sched.h>
#include <sys/socket.h>

#include <cctype>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "libcontainer/base/strings.h"
#include "libcontainer/net/netlink.h"

namespace grove::net {
namespace {

// Netlink dumps come in datagrams of at most 32 KiB (netlink_recvmsg caps max_recvmsg_len).
constexpr std::size_t kRecvBuffer = 64 * 1024;
constexpr std::size_t kIfNameMax = 15;  // IFNAMSIZ - 1

std::string entry(const std::string& host_name) { return "linux.netDevices[" + q(host_name) + "]"; }

// A NETLINK_ROUTE socket: one request at a time, replies matched by sequence number.
class Rtnl {
 public:
  Rtnl(sys::Ops& ops, UniqueFd fd) : ops_(ops), fd_(std::move(fd)) {}

  static Result<Rtnl> open(sys::Ops& ops) {
    GROVE_ASSIGN_OR_RETURN(UniqueFd fd, ops.socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE));
    return Rtnl(ops, std::move(fd));
  }

  uint32_t next_seq() { return ++seq_; }

  // Sends `req` (built with sequence `seq`) and collects the replies carrying `seq`: the first
  // data message (a get), every message up to NLMSG_DONE (a dump), or nothing after an ACK. An
  // NLMSG_ERROR with a non-zero code fails with that errno and the frame `what`.
  Result<std::vector<NlMessage>> transact(const std::string& req, uint32_t seq, bool dump,
                                          const std::string& what) {
    GROVE_TRY(ops_.write(fd_.get(), req).context(what));
    std::vector<NlMessage> out;
    for (;;) {
      GROVE_ASSIGN_OR_RETURN(std::string buf, ops_.read(fd_.get(), kRecvBuffer).context(what));
      if (buf.empty()) return Error::plain(EPROTO, what + ": netlink: no reply");
      GROVE_ASSIGN_OR_RETURN(std::vector<NlMessage> msgs, decode_messages(buf).context(what));
      for (NlMessage& m : msgs) {
        if (m.seq != seq) continue;  // a stale reply to an earlier request
        if (m.type == NLMSG_DONE) return out;
        if (m.type == NLMSG_ERROR) {
          GROVE_ASSIGN_OR_RETURN(int code, decode_error(m).context(what));
          if (code != 0) return Error::from_errno(code, what);
          return out;
        }
        out.push_back(std::move(m));
        if (!dump) return out;
      }
    }
  }

  Status ack(const std::string& req, uint32_t seq, const std::string& what) {
    GROVE_TRY(transact(req, seq, false, what));
    return ok();
  }

  Result<int32_t> link_index(const std::string& req, uint32_t seq, const std::string& what) {
    GROVE_ASSIGN_OR_RETURN(std::vector<NlMessage> msgs, transact(req, seq, false, what));
    if (msgs.empty() || msgs[0].type != RTM_NEWLINK) {
      return Error::plain(EPROTO, what + ": netlink: unexpected reply");
    }
    return decode_link_index(msgs[0]);
  }

 private:
  sys::Ops& ops_;
  UniqueFd fd_;
  uint32_t seq_ = 0;
};

struct Device {
  std::string host_name;
  std::string name;                  // in the container
  int32_t index = 0;                 // on the host
  std::vector<IfAddress> addresses;  // to add again in the container
};

Result<int32_t> index_by_name(Rtnl& nl, const std::string& name) {
  uint32_t seq = nl.next_seq();
  return nl.link_index(encode_get_link_by_name(seq, name), seq, "RTM_GETLINK(" + q(name) + ")");
}

Status set_up(Rtnl& nl, int32_t index, bool up) {
  uint32_t seq = nl.next_seq();
  return nl.ack(encode_set_link_up(seq, index, up), seq,
                "RTM_NEWLINK(index " + std::to_string(index) + (up ? ", up)" : ", down)"));
}

Result<std::vector<IfAddress>> dump_addresses(Rtnl& nl) {
  uint32_t seq = nl.next_seq();
  GROVE_ASSIGN_OR_RETURN(std::vector<NlMessage> msgs,
                         nl.transact(encode_dump_addresses(seq), seq, true, "RTM_GETADDR(dump)"));
  std::vector<IfAddress> out;
  for (const NlMessage& m : msgs) {
    if (m.type != RTM_NEWADDR) continue;
    GROVE_ASSIGN_OR_RETURN(IfAddress a, decode_address(m).context("RTM_GETADDR(dump)"));
    out.push_back(std::move(a));
  }
  return out;
}

// The host side: every device looked up, with the addresses it keeps, before any is touched.
Result<std::vector<Device>> resolve(Rtnl& host, const std::map<std::string, oci::NetDevice>& devs) {
  std::vector<Device> out;
  for (const auto& [host_name, dev] : devs) {
    Device d{host_name, dev.name.empty() ? host_name : dev.name, 0, {}};
    GROVE_ASSIGN_OR_RETURN(d.index, index_by_name(host, host_name).context(entry(host_name)));
    out.push_back(std::move(d));
  }
  // Read before the device goes down: IPv6 drops its addresses on link down unless
  // keep_addr_on_down is set (addrconf_ifdown), and they must survive the move.
  GROVE_ASSIGN_OR_RETURN(std::vector<IfAddress> all, dump_addresses(host));
  for (Device& d : out) {
    for (const IfAddress& a : all) {
      if (static_cast<int32_t>(a.index) == d.index && is_preserved(a)) d.addresses.push_back(a);
    }
  }
  return out;
}

Status move_one(Rtnl& host, const Device& d, int netns_fd) {
  // Down first, as runc: the host stops using it before it changes namespace and name.
  GROVE_TRY(set_up(host, d.index, false));
  uint32_t seq = host.next_seq();
  return host.ack(encode_move_link(seq, d.index, d.name, netns_fd), seq,
                  "RTM_NEWLINK(index " + std::to_string(d.index) + ", IFLA_IFNAME " + q(d.name) +
                      ", IFLA_NET_NS_FD)");
}

// In the container's namespace: find the device again (by its new name; a "%d" template is
// found by its index, which the move keeps unless it is taken there), restore its addresses,
// set it up (the runtime-spec requires "up").
Status configure_one(Rtnl& ctr, const Device& d) {
  int32_t index = 0;
  if (d.name.find('%') == std::string::npos) {
    GROVE_ASSIGN_OR_RETURN(index, index_by_name(ctr, d.name));
  } else {
    uint32_t seq = ctr.next_seq();
    GROVE_ASSIGN_OR_RETURN(index,
                           ctr.link_index(encode_get_link_by_index(seq, d.index), seq,
                                          "RTM_GETLINK(index " + std::to_string(d.index) + ")"));
  }
  for (const IfAddress& a : d.addresses) {
    uint32_t seq = ctr.next_seq();
    GROVE_TRY(ctr.ack(encode_new_address(seq, index, a), seq,
                      "RTM_NEWADDR(index " + std::to_string(index) + ")"));
  }
  return set_up(ctr, index, true);
}

// runtime-spec: "If a network device with the specified name already exists in the container
// namespace, the runtime MUST generate an error" (a "%d" template is exempt). Checked for every
// device before any is moved, so a clash in a namespace joined by path moves nothing.
Status check_name_free(Rtnl& ctr, const Device& d) {
  if (d.name.find('%') != std::string::npos) return ok();
  auto found = index_by_name(ctr, d.name);
  if (found) {
    return Error::plain(EEXIST, entry(d.host_name) + ": " + q(d.name) +
                                    " already exists in the container network namespace");
  }
  if (found.error().code() == ENODEV) return ok();
  return std::move(found).error().context(entry(d.host_name));
}

Result<UniqueFd> open_container_netns(sys::Ops& ops, const oci::Spec& spec, pid_t init_pid) {
  const oci::Namespace* ns = oci::find_namespace(spec, oci::NamespaceType::kNetwork);
  if (ns == nullptr) return Error::invalid("linux.netDevices: no network namespace");
  std::string path = ns->path.empty() ? "/proc/" + std::to_string(init_pid) + "/ns/net" : ns->path;
  return ops.openat(AT_FDCWD, path, O_RDONLY, 0).context("container network namespace");
}

// A netlink socket that belongs to `netns_fd`: a socket keeps the namespace it was created in,
// so the thread enters the namespace for the socket() call only.
Result<Rtnl> open_in_netns(sys::Ops& ops, int netns_fd) {
  GROVE_ASSIGN_OR_RETURN(UniqueFd own,
                         ops.openat(AT_FDCWD, "/proc/thread-self/ns/net", O_RDONLY, 0));
  GROVE_TRY(ops.setns(netns_fd, CLONE_NEWNET).context("enter the container network namespace"));
  auto nl = Rtnl::open(ops);
  GROVE_TRY(ops.setns(own.get(), CLONE_NEWNET).context("return to own network namespace"));
  return nl;
}

}  // namespace

bool valid_ifname(std::string_view name) {
  if (name.empty() || name.size() > kIfNameMax || name == "." || name == "..") return false;
  for (char c : name) {
    if (c == '/' || c == ':' || c == '\0' || std::isspace(static_cast<unsigned char>(c))) {
      return false;
    }
  }
  return true;
}

Status validate_net_devices(const oci::Spec& spec, bool rootless) {
  if (!spec.linux || spec.linux->net_devices.empty()) return ok();
  if (!oci::has_namespace(spec, oci::NamespaceType::kNetwork)) {
    return Error::invalid(
        "linux.netDevices: the container needs a network namespace to move devices into "
        "(linux.namespaces \"network\", new or joined by path)");
  }
  if (rootless) {
    return Error::invalid(
        "linux.netDevices: not supported for rootless containers (moving a host device needs "
        "CAP_NET_ADMIN in the host network namespace)");
  }
  const char* kRule =
      "not a valid interface name (1-15 bytes, not \".\" or \"..\", no '/', ':' "
      "or whitespace)";
  std::set<std::string> names;
  for (const auto& [host_name, dev] : spec.linux->net_devices) {
    if (!valid_ifname(host_name)) {
      return Error::invalid(entry(host_name) + ": " + kRule);
    }
    if (!dev.name.empty() && !valid_ifname(dev.name)) {
      return Error::invalid(entry(host_name) + ".name: " + q(dev.name) + " is " + kRule);
    }
    const std::string& name = dev.name.empty() ? host_name : dev.name;
    // A "%d" template gets a free number from the kernel; a fixed name may appear once.
    if (name.find('%') == std::string::npos && !names.insert(name).second) {
      return Error::invalid(entry(host_name) + ".name: " + q(name) +
                            " is used by another linux.netDevices entry");
    }
  }
  return ok();
}

Status move_net_devices(sys::Ops& ops, const oci::Spec& spec, pid_t init_pid) {
  if (!spec.linux || spec.linux->net_devices.empty()) return ok();
  GROVE_ASSIGN_OR_RETURN(UniqueFd netns, open_container_netns(ops, spec, init_pid));
  GROVE_ASSIGN_OR_RETURN(Rtnl host, Rtnl::open(ops));
  GROVE_ASSIGN_OR_RETURN(std::vector<Device> devices, resolve(host, spec.linux->net_devices));
  GROVE_ASSIGN_OR_RETURN(Rtnl ctr, open_in_netns(ops, netns.get()));
  for (const Device& d : devices) GROVE_TRY(check_name_free(ctr, d));
  for (const Device& d : devices) {
    GROVE_TRY(move_one(host, d, netns.get()).context(entry(d.host_name)));
  }
  for (const Device& d : devices) {
    GROVE_TRY(configure_one(ctr, d).context(entry(d.host_name)));
  }
  return ok();
}

}  // namespace grove::net
