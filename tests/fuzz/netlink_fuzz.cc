// libFuzzer target: the rtnetlink decoder (net/netlink.h) on a datagram as the kernel would
// send it: split into messages, then each payload decoded as an error, a link and an address.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "libcontainer/net/netlink.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view buf(reinterpret_cast<const char*>(data), size);
  auto msgs = grove::net::decode_messages(buf);
  if (!msgs) return 0;
  for (const grove::net::NlMessage& m : *msgs) {
    (void)grove::net::decode_error(m);
    (void)grove::net::decode_link_index(m);
    if (auto a = grove::net::decode_address(m)) (void)grove::net::is_preserved(*a);
  }
  return 0;
}
