#include "libcontainer/net/netlink.h"

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sys/socket.h>

#include <cstring>

namespace grove::net {
namespace {

constexpr std::size_t kHeader = sizeof(struct nlmsghdr);  // 16

std::size_t align4(std::size_t n) { return (n + 3) & ~std::size_t{3}; }

template <typename T>
void put(std::string& out, const T& v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof v);
}

void pad(std::string& out) { out.resize(align4(out.size()), '\0'); }

// One attribute: rta_len covers header + data (without the padding that follows).
void put_attr(std::string& out, uint16_t type, std::string_view data) {
  struct rtattr rta;
  rta.rta_len = static_cast<unsigned short>(sizeof rta + data.size());
  rta.rta_type = type;
  put(out, rta);
  out.append(data);
  pad(out);
}

void put_attr_str(std::string& out, uint16_t type, std::string_view s) {
  std::string z(s);
  z.push_back('\0');  // IFLA_IFNAME is a NUL-terminated string (NLA_NUL_STRING)
  put_attr(out, type, z);
}

void put_attr_u32(std::string& out, uint16_t type, uint32_t v) {
  put_attr(out, type, std::string_view(reinterpret_cast<const char*>(&v), sizeof v));
}

// Prefixes `body` with the nlmsghdr (nlmsg_pid 0: the kernel fills in the autobound port).
std::string message(uint16_t type, uint16_t flags, uint32_t seq, const std::string& body) {
  struct nlmsghdr h;
  std::memset(&h, 0, sizeof h);
  h.nlmsg_len = static_cast<uint32_t>(kHeader + body.size());
  h.nlmsg_type = type;
  h.nlmsg_flags = flags;
  h.nlmsg_seq = seq;
  std::string out;
  put(out, h);
  out += body;
  return out;
}

std::string ifinfo(int32_t index, uint32_t flags, uint32_t change) {
  struct ifinfomsg ifi;
  std::memset(&ifi, 0, sizeof ifi);
  ifi.ifi_family = AF_UNSPEC;
  ifi.ifi_index = index;
  ifi.ifi_flags = flags;
  ifi.ifi_change = change;
  std::string out;
  put(out, ifi);
  return out;
}

Error short_payload(const char* what) {
  return Error::plain(EPROTO, std::string("netlink: short ") + what + " message");
}

}  // namespace

std::string encode_get_link_by_name(uint32_t seq, std::string_view name) {
  std::string body = ifinfo(0, 0, 0);
  put_attr_str(body, IFLA_IFNAME, name);
  return message(RTM_GETLINK, NLM_F_REQUEST, seq, body);
}

std::string encode_get_link_by_index(uint32_t seq, int32_t index) {
  return message(RTM_GETLINK, NLM_F_REQUEST, seq, ifinfo(index, 0, 0));
}

std::string encode_set_link_up(uint32_t seq, int32_t index, bool up) {
  return message(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, seq,
                 ifinfo(index, up ? IFF_UP : 0, IFF_UP));
}

std::string encode_move_link(uint32_t seq, int32_t index, std::string_view new_name, int netns_fd) {
  std::string body = ifinfo(index, 0, 0);
  put_attr_str(body, IFLA_IFNAME, new_name);
  put_attr_u32(body, IFLA_NET_NS_FD, static_cast<uint32_t>(netns_fd));
  return message(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, seq, body);
}

std::string encode_dump_addresses(uint32_t seq) {
  struct ifaddrmsg ifa;
  std::memset(&ifa, 0, sizeof ifa);
  ifa.ifa_family = AF_UNSPEC;
  std::string body;
  put(body, ifa);
  return message(RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, seq, body);
}

std::string encode_new_address(uint32_t seq, int32_t index, const IfAddress& addr) {
  struct ifaddrmsg ifa;
  std::memset(&ifa, 0, sizeof ifa);
  ifa.ifa_family = addr.family;
  ifa.ifa_prefixlen = addr.prefixlen;
  ifa.ifa_scope = addr.scope;
  ifa.ifa_index = static_cast<uint32_t>(index);
  std::string body;
  put(body, ifa);
  if (!addr.local.empty()) put_attr(body, IFA_LOCAL, addr.local);
  if (!addr.address.empty()) put_attr(body, IFA_ADDRESS, addr.address);
  if (!addr.broadcast.empty()) put_attr(body, IFA_BROADCAST, addr.broadcast);
  // The flags a user sets with the address (`ip addr add ... nodad noprefixroute`); state bits
  // (permanent, tentative, deprecated...) are the kernel's to decide.
  constexpr uint32_t kUserFlags = IFA_F_NODAD | IFA_F_HOMEADDRESS | IFA_F_MANAGETEMPADDR |
                                  IFA_F_NOPREFIXROUTE | IFA_F_MCAUTOJOIN;
  if ((addr.flags & kUserFlags) != 0) put_attr_u32(body, IFA_FLAGS, addr.flags & kUserFlags);
  return message(RTM_NEWADDR, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, seq, body);
}

Result<std::vector<NlMessage>> decode_messages(std::string_view buf) {
  std::vector<NlMessage> out;
  std::size_t off = 0;
  while (off < buf.size()) {
    if (buf.size() - off < kHeader) return Error::plain(EPROTO, "netlink: truncated header");
    struct nlmsghdr h;
    std::memcpy(&h, buf.data() + off, sizeof h);
    if (h.nlmsg_len < kHeader || h.nlmsg_len > buf.size() - off) {
      return Error::plain(EPROTO, "netlink: bad message length " + std::to_string(h.nlmsg_len));
    }
    NlMessage m;
    m.type = h.nlmsg_type;
    m.flags = h.nlmsg_flags;
    m.seq = h.nlmsg_seq;
    m.payload.assign(buf.data() + off + kHeader, h.nlmsg_len - kHeader);
    out.push_back(std::move(m));
    off += align4(h.nlmsg_len);
  }
  return out;
}

Result<int> decode_error(const NlMessage& msg) {
  struct nlmsgerr e;
  if (msg.payload.size() < sizeof e.error) return short_payload("error");
  std::memcpy(&e.error, msg.payload.data(), sizeof e.error);
  // The kernel sends 0 or a negative errno (-MAX_ERRNO..-1). Anything else is not one, and
  // negating INT_MIN would overflow (found by tests/fuzz netlink_fuzz).
  constexpr int kMaxErrno = 4095;
  if (e.error > 0 || e.error < -kMaxErrno) {
    return Error::plain(EPROTO, "netlink: bad error code " + std::to_string(e.error));
  }
  return -e.error;
}

Result<int32_t> decode_link_index(const NlMessage& msg) {
  struct ifinfomsg ifi;
  if (msg.payload.size() < sizeof ifi) return short_payload("link");
  std::memcpy(&ifi, msg.payload.data(), sizeof ifi);
  return ifi.ifi_index;
}

Result<IfAddress> decode_address(const NlMessage& msg) {
  struct ifaddrmsg ifa;
  if (msg.payload.size() < sizeof ifa) return short_payload("address");
  std::memcpy(&ifa, msg.payload.data(), sizeof ifa);
  IfAddress a;
  a.family = ifa.ifa_family;
  a.prefixlen = ifa.ifa_prefixlen;
  a.scope = ifa.ifa_scope;
  a.index = ifa.ifa_index;
  a.flags = ifa.ifa_flags;
  std::size_t off = align4(sizeof ifa);
  const std::string& p = msg.payload;
  while (off + sizeof(struct rtattr) <= p.size()) {
    struct rtattr rta;
    std::memcpy(&rta, p.data() + off, sizeof rta);
    if (rta.rta_len < sizeof rta || rta.rta_len > p.size() - off) return short_payload("attribute");
    std::string data = p.substr(off + sizeof rta, rta.rta_len - sizeof rta);
    if (rta.rta_type == IFA_LOCAL) a.local = data;
    if (rta.rta_type == IFA_ADDRESS) a.address = data;
    if (rta.rta_type == IFA_BROADCAST) a.broadcast = data;
    if (rta.rta_type == IFA_FLAGS && data.size() == sizeof(uint32_t)) {
      std::memcpy(&a.flags, data.data(), sizeof a.flags);
    }
    off += align4(rta.rta_len);
  }
  return a;
}

bool is_preserved(const IfAddress& addr) {
  return (addr.flags & IFA_F_PERMANENT) != 0 && addr.scope == RT_SCOPE_UNIVERSE;
}

}  // namespace grove::net
