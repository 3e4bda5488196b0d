#pragma once
// rtnetlink (NETLINK_ROUTE) messages for linux.netDevices, built and parsed without syscalls so
// their bytes are unit-testable (no libnl/libmnl). Wire format: netlink(7) and rtnetlink(7);
// every integer is in host byte order, attributes are 4-byte aligned (NLA_ALIGN).
// The sending side lives in net/net_devices.cc (through sys::Ops socket/write/read).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "libcontainer/base/result.h"

namespace grove::net {

// One received netlink message: its header fields and the payload after the 16-byte header.
struct NlMessage {
  uint16_t type = 0;
  uint16_t flags = 0;
  uint32_t seq = 0;
  std::string payload;
};

// An interface address as RTM_NEWADDR reports it (ifaddrmsg plus the attributes grove copies).
// Addresses are the raw attribute bytes (4 bytes for AF_INET, 16 for AF_INET6).
struct IfAddress {
  uint8_t family = 0;
  uint8_t prefixlen = 0;
  uint8_t scope = 0;
  uint32_t index = 0;
  uint32_t flags = 0;     // IFA_FLAGS when present (the full 32 bits), else ifaddrmsg.ifa_flags
  std::string local;      // IFA_LOCAL (may be empty)
  std::string address;    // IFA_ADDRESS (may be empty)
  std::string broadcast;  // IFA_BROADCAST (may be empty)
};

// RTM_GETLINK for the interface named `name` (IFLA_IFNAME lookup); the kernel replies with one
// RTM_NEWLINK or an NLMSG_ERROR (ENODEV when no such device).
std::string encode_get_link_by_name(uint32_t seq, std::string_view name);
// RTM_GETLINK of interface `index`.
std::string encode_get_link_by_index(uint32_t seq, int32_t index);
// RTM_NEWLINK on interface `index` changing only IFF_UP to `up` (NLM_F_ACK).
std::string encode_set_link_up(uint32_t seq, int32_t index, bool up);
// RTM_NEWLINK moving interface `index` into the network namespace `netns_fd` with the name
// `new_name` (IFLA_NET_NS_FD + IFLA_IFNAME, NLM_F_ACK): the kernel moves it (do_setlink ->
// __dev_change_net_namespace, using the name as the pattern if the current one is taken there)
// and renames it in the target namespace; "%d" in `new_name` lets the kernel pick a free number.
std::string encode_move_link(uint32_t seq, int32_t index, std::string_view new_name, int netns_fd);
// RTM_GETADDR dump of every address of every family (NLM_F_DUMP).
std::string encode_dump_addresses(uint32_t seq);
// RTM_NEWADDR adding `addr` (its local/address/broadcast attributes, prefixlen, scope) on
// interface `index` (NLM_F_CREATE|NLM_F_EXCL|NLM_F_ACK), with the user-set flags among
// `addr.flags` (IFA_FLAGS: nodad, noprefixroute, mngtmpaddr, home, autojoin). The lifetime is
// left to the kernel: the address is permanent again, as it was on the host.
std::string encode_new_address(uint32_t seq, int32_t index, const IfAddress& addr);

// Splits a datagram into messages. EPROTO on a truncated or misaligned message.
Result<std::vector<NlMessage>> decode_messages(std::string_view buf);
// The errno of an NLMSG_ERROR payload: 0 for an ACK, else the positive errno.
// EPROTO when the payload is too short.
Result<int> decode_error(const NlMessage& msg);
// ifinfomsg.ifi_index of an RTM_NEWLINK payload. EPROTO when too short.
Result<int32_t> decode_link_index(const NlMessage& msg);
// An RTM_NEWADDR payload. EPROTO when too short or malformed.
Result<IfAddress> decode_address(const NlMessage& msg);

// What runtime-spec 1.3 (config-linux.md "Network Devices") and runc's devChangeNetNamespace
// carry into the container: permanent (IFA_F_PERMANENT) addresses of global scope
// (RT_SCOPE_UNIVERSE) of any family. Link-local and dynamic addresses stay behind.
bool is_preserved(const IfAddress& addr);

}  // namespace grove::net
