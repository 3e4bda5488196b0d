// L0/L1: linux.netDevices. Validation, rtnetlink message bytes (golden), and the move sequence
// against FakeOps with canned kernel replies.

#include "libcontainer/net/net_devices.h"

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sys/socket.h>

#include <cstring>
#include <string>
#include <vector>

#include "libcontainer/net/netlink.h"
#include "oci/default_spec.h"
#include "tests/support/fake_ops.h"

namespace grove::net {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::string hexdump(const std::string& s) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

oci::Spec spec_with(std::map<std::string, oci::NetDevice> devs) {
  oci::Spec spec = oci::default_spec(false);
  spec.linux->net_devices = std::move(devs);
  return spec;
}

TEST(NetDevicesTest, InterfaceNamesFollowTheKernelRules) {
  EXPECT_TRUE(valid_ifname("eth0"));
  EXPECT_TRUE(valid_ifname("a"));
  EXPECT_TRUE(valid_ifname("fifteen-chars-x"));  // 15 = IFNAMSIZ - 1
  EXPECT_TRUE(valid_ifname("eth%d"));
  EXPECT_FALSE(valid_ifname(""));
  EXPECT_FALSE(valid_ifname("sixteen-chars-xy"));
  EXPECT_FALSE(valid_ifname("."));
  EXPECT_FALSE(valid_ifname(".."));
  EXPECT_FALSE(valid_ifname("a/b"));
  EXPECT_FALSE(valid_ifname("a:b"));
  EXPECT_FALSE(valid_ifname("a b"));
  EXPECT_FALSE(valid_ifname("a\tb"));
}

TEST(NetDevicesTest, ValidSpecsPass) {
  EXPECT_TRUE(validate_net_devices(oci::default_spec(false), false));  // no entries
  EXPECT_TRUE(validate_net_devices(spec_with({{"dummy0", {}}, {"eth1", {"eth9"}}}), false));
  // Templates may repeat: the kernel picks distinct numbers.
  EXPECT_TRUE(validate_net_devices(spec_with({{"a0", {"ctr%d"}}, {"b0", {"ctr%d"}}}), false));
}

TEST(NetDevicesTest, BadNamesAreRefusedNamingTheEntry) {
  Status st = validate_net_devices(spec_with({{"eth0", {"has space"}}}), false);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code(), EINVAL);
  EXPECT_THAT(st.error().message(), HasSubstr("linux.netDevices[\"eth0\"].name: \"has space\""));

  st = validate_net_devices(spec_with({{"sixteen-chars-xy", {}}}), false);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code(), EINVAL);
  EXPECT_THAT(st.error().message(),
              HasSubstr("linux.netDevices[\"sixteen-chars-xy\"]: not a valid"));

  st = validate_net_devices(spec_with({{"..", {}}}), false);
  ASSERT_FALSE(st);
  EXPECT_THAT(st.error().message(), HasSubstr("linux.netDevices[\"..\"]"));

  st = validate_net_devices(spec_with({{"eth0", {"a/b"}}}), false);
  ASSERT_FALSE(st);
  EXPECT_THAT(st.error().message(), HasSubstr("linux.netDevices[\"eth0\"].name: \"a/b\""));
}

TEST(NetDevicesTest, TwoEntriesWithOneContainerNameAreRefused) {
  Status st = validate_net_devices(spec_with({{"a0", {"eth9"}}, {"b0", {"eth9"}}}), false);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code(), EINVAL);
  EXPECT_THAT(st.error().message(), HasSubstr("linux.netDevices[\"b0\"].name: \"eth9\" is used"));
  // A kept host name clashing with another entry's new name, too.
  st = validate_net_devices(spec_with({{"a0", {}}, {"b0", {"a0"}}}), false);
  ASSERT_FALSE(st);
}

TEST(NetDevicesTest, NeedsANetworkNamespace) {
  oci::Spec spec = spec_with({{"dummy0", {}}});
  std::erase_if(spec.linux->namespaces,
                [](const oci::Namespace& n) { return n.type == oci::NamespaceType::kNetwork; });
  Status st = validate_net_devices(spec, false);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code(), EINVAL);
  EXPECT_THAT(st.error().message(), HasSubstr("linux.netDevices: the container needs a network"));
  // Joined by path is fine.
  spec.linux->namespaces.push_back({oci::NamespaceType::kNetwork, "/run/netns/x"});
  EXPECT_TRUE(validate_net_devices(spec, false));
}

TEST(NetDevicesTest, RootlessIsRefused) {
  Status st = validate_net_devices(spec_with({{"dummy0", {}}}), true);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code(), EINVAL);
  EXPECT_THAT(st.error().message(), HasSubstr("rootless"));
}

// ---- message bytes -------------------------------------------------------------------------
// The goldens are laid out field by field.
// clang-format off

TEST(NetlinkTest, MoveLinkGoldenBytes) {
  // nlmsghdr{len 52, RTM_NEWLINK 16, REQUEST|ACK 0x5, seq 3, pid 0}
  // ifinfomsg{AF_UNSPEC, pad, type 0, index 7, flags 0, change 0}
  // IFLA_IFNAME(3) "eth9\0" (len 9, padded to 12), IFLA_NET_NS_FD(28) u32 5 (len 8)
  EXPECT_EQ(hexdump(encode_move_link(3, 7, "eth9", 5)),
            "34000000" "1000" "0500" "03000000" "00000000"
            "00" "00" "0000" "07000000" "00000000" "00000000"
            "0900" "0300" "6574683900" "000000"
            "0800" "1c00" "05000000");
}

TEST(NetlinkTest, SetLinkUpAndDownGoldenBytes) {
  EXPECT_EQ(hexdump(encode_set_link_up(1, 2, true)),
            "20000000" "1000" "0500" "01000000" "00000000"
            "00000000" "02000000" "01000000" "01000000");
  EXPECT_EQ(hexdump(encode_set_link_up(1, 2, false)),
            "20000000" "1000" "0500" "01000000" "00000000"
            "00000000" "02000000" "00000000" "01000000");
}

TEST(NetlinkTest, GetLinkAndDumpGoldenBytes) {
  EXPECT_EQ(hexdump(encode_get_link_by_name(9, "lo")),
            "28000000" "1200" "0100" "09000000" "00000000"
            "00000000" "00000000" "00000000" "00000000"
            "0700" "0300" "6c6f00" "00");
  // RTM_GETADDR 22, REQUEST|DUMP (0x301), ifaddrmsg all zero (AF_UNSPEC), len 16 + 8.
  EXPECT_EQ(hexdump(encode_dump_addresses(2)),
            "18000000" "1600" "0103" "02000000" "00000000" "0000000000000000");
}

IfAddress ipv4(const char* dotted, uint8_t prefix, uint8_t scope, uint32_t flags, uint32_t index) {
  IfAddress a;
  a.family = AF_INET;
  a.prefixlen = prefix;
  a.scope = scope;
  a.flags = flags;
  a.index = index;
  in_addr in;
  inet_pton(AF_INET, dotted, &in);
  a.local.assign(reinterpret_cast<const char*>(&in), sizeof in);
  a.address = a.local;
  return a;
}

TEST(NetlinkTest, NewAddressGoldenBytesAndRoundTrip) {
  IfAddress a = ipv4("10.1.2.3", 24, RT_SCOPE_UNIVERSE, IFA_F_PERMANENT, 7);
  std::string msg = encode_new_address(4, 9, a);
  // RTM_NEWADDR 20, REQUEST|ACK|EXCL|CREATE (0x605); ifaddrmsg{AF_INET 2, 24, 0, scope 0, 9};
  // IFA_LOCAL(2) and IFA_ADDRESS(1), 4 bytes each.
  EXPECT_EQ(hexdump(msg),
            "28000000" "1400" "0506" "04000000" "00000000"
            "02" "18" "00" "00" "09000000"
            "0800" "0200" "0a010203"
            "0800" "0100" "0a010203");
  auto msgs = decode_messages(msg);
  ASSERT_TRUE(msgs) << msgs.error().message();
  ASSERT_EQ(msgs->size(), 1u);
  auto back = decode_address((*msgs)[0]);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->family, AF_INET);
  EXPECT_EQ(back->prefixlen, 24);
  EXPECT_EQ(back->index, 9u);
  EXPECT_EQ(back->local, a.local);
  EXPECT_EQ(back->address, a.address);
}

// clang-format on

TEST(NetlinkTest, OnlyPermanentGlobalAddressesArePreserved) {
  EXPECT_TRUE(is_preserved(ipv4("10.0.0.1", 8, RT_SCOPE_UNIVERSE, IFA_F_PERMANENT, 1)));
  EXPECT_FALSE(is_preserved(ipv4("127.0.0.33", 8, RT_SCOPE_HOST, IFA_F_PERMANENT, 1)));
  EXPECT_FALSE(is_preserved(ipv4("169.254.1.1", 16, RT_SCOPE_LINK, IFA_F_PERMANENT, 1)));
  EXPECT_FALSE(is_preserved(ipv4("10.0.0.2", 8, RT_SCOPE_UNIVERSE, 0, 1)));  // dynamic
}

TEST(NetlinkTest, UserSetAddressFlagsAreCopiedStateFlagsAreNot) {
  IfAddress a = ipv4("10.1.2.3", 24, RT_SCOPE_UNIVERSE,
                     IFA_F_PERMANENT | IFA_F_NODAD | IFA_F_NOPREFIXROUTE | IFA_F_TENTATIVE, 7);
  auto msgs = decode_messages(encode_new_address(1, 9, a));
  ASSERT_TRUE(msgs);
  auto back = decode_address((*msgs)[0]);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->flags, static_cast<uint32_t>(IFA_F_NODAD | IFA_F_NOPREFIXROUTE));
}

TEST(NetlinkTest, MalformedDatagramsAreEproto) {
  auto r = decode_messages(std::string("\x20\x00\x00\x00", 4));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), EPROTO);
  std::string bad = encode_set_link_up(1, 1, true);
  bad[0] = 0x40;  // claims more bytes than there are
  r = decode_messages(bad);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), EPROTO);
}

// ---- kernel replies for the FakeOps run ------------------------------------------------------

std::string reply(uint16_t type, uint32_t seq, const std::string& body, uint16_t flags = 0) {
  struct nlmsghdr h {};
  h.nlmsg_len = static_cast<uint32_t>(sizeof h + body.size());
  h.nlmsg_type = type;
  h.nlmsg_flags = flags;
  h.nlmsg_seq = seq;
  std::string out(reinterpret_cast<const char*>(&h), sizeof h);
  out += body;
  out.resize((out.size() + 3) & ~std::size_t{3}, '\0');
  return out;
}

std::string ack(uint32_t seq, int err = 0) {
  struct nlmsgerr e {};
  e.error = -err;
  return reply(NLMSG_ERROR, seq, std::string(reinterpret_cast<const char*>(&e), sizeof e));
}

std::string link(uint32_t seq, int32_t index) {
  struct ifinfomsg ifi {};
  ifi.ifi_index = index;
  return reply(RTM_NEWLINK, seq, std::string(reinterpret_cast<const char*>(&ifi), sizeof ifi));
}

std::string addr(uint32_t seq, const IfAddress& a) {
  // The same layout the kernel sends; encode_new_address builds it (type fixed up below).
  std::string m = encode_new_address(seq, static_cast<int32_t>(a.index), a);
  std::string body = m.substr(sizeof(struct nlmsghdr));
  std::memcpy(body.data() + 1, &a.prefixlen, 1);
  uint8_t flags = static_cast<uint8_t>(a.flags);
  std::memcpy(body.data() + 2, &flags, 1);
  std::memcpy(body.data() + 3, &a.scope, 1);
  return reply(RTM_NEWADDR, seq, body, NLM_F_MULTI);
}

std::vector<uint16_t> types(const std::string& sent) {
  std::vector<uint16_t> out;
  auto msgs = decode_messages(sent);
  EXPECT_TRUE(msgs);
  if (msgs) {
    for (const NlMessage& m : *msgs) out.push_back(m.type);
  }
  return out;
}

std::vector<std::string> non_io(const std::vector<std::string>& trace) {
  std::vector<std::string> out;
  for (const std::string& l : trace) {
    if (l.rfind("write(", 0) != 0 && l.rfind("read(", 0) != 0) out.push_back(l);
  }
  return out;
}

TEST(NetDevicesFakeTest, MovesRenamesRestoresAddressesAndSetsUp) {
  testing::FakeOps ops;
  IfAddress global = ipv4("10.1.2.3", 24, RT_SCOPE_UNIVERSE, IFA_F_PERMANENT, 7);
  IfAddress linklocal = ipv4("169.254.9.9", 16, RT_SCOPE_LINK, IFA_F_PERMANENT, 7);
  IfAddress other = ipv4("10.9.9.9", 8, RT_SCOPE_UNIVERSE, IFA_F_PERMANENT, 3);
  // Host socket: GETLINK, address dump, down, move.
  ops.queue_read("socket:1", link(1, 7));
  ops.queue_read("socket:1", addr(2, global) + addr(2, linklocal) + addr(2, other));
  ops.queue_read("socket:1", reply(NLMSG_DONE, 2, std::string(4, '\0'), NLM_F_MULTI));
  ops.queue_read("socket:1", ack(3));
  ops.queue_read("socket:1", ack(4));
  // Container socket: "eth9" is free (ENODEV), then GETLINK by the new name, one address, up.
  ops.queue_read("socket:2", ack(1, ENODEV));
  ops.queue_read("socket:2", link(2, 7));
  ops.queue_read("socket:2", ack(3));
  ops.queue_read("socket:2", ack(4));
  oci::Spec spec = spec_with({{"grove-nd0", {"eth9"}}});
  Status st = move_net_devices(ops, spec, 4242);
  ASSERT_TRUE(st) << st.error().message();
  EXPECT_THAT(
      non_io(ops.trace()),
      ElementsAre("openat(AT_FDCWD, \"/proc/4242/ns/net\", O_RDONLY, 00)", "socket(16, 3, 0)",
                  "openat(AT_FDCWD, \"/proc/thread-self/ns/net\", O_RDONLY, 00)",
                  "setns(<path:/proc/4242/ns/net>, CLONE_NEWNET)", "socket(16, 3, 0)",
                  "setns(<path:/proc/thread-self/ns/net>, CLONE_NEWNET)"));
  EXPECT_THAT(types(ops.sent().at("<socket:1>")),
              ElementsAre(RTM_GETLINK, RTM_GETADDR, RTM_NEWLINK, RTM_NEWLINK));
  EXPECT_THAT(types(ops.sent().at("<socket:2>")),
              ElementsAre(RTM_GETLINK, RTM_GETLINK, RTM_NEWADDR, RTM_NEWLINK));
  // Only the permanent global address of index 7 is added, on the device found in the container.
  auto sent = decode_messages(ops.sent().at("<socket:2>"));
  ASSERT_TRUE(sent);
  auto added = decode_address((*sent)[2]);
  ASSERT_TRUE(added);
  EXPECT_EQ(added->local, global.local);
  EXPECT_EQ(added->prefixlen, 24);
  EXPECT_EQ(added->index, 7u);
  EXPECT_THAT(ops.open_fds(), IsEmpty());
}

TEST(NetDevicesFakeTest, MissingHostDeviceMovesNothing) {
  testing::FakeOps ops;
  // "a0" sorts first and exists; "zz-missing" does not: nothing may be moved.
  ops.queue_read("socket:1", link(1, 7));
  ops.queue_read("socket:1", ack(2, ENODEV));
  oci::Spec spec = spec_with({{"a0", {}}, {"zz-missing", {}}});
  Status st = move_net_devices(ops, spec, 4242);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code(), ENODEV);
  EXPECT_THAT(st.error().message(), HasSubstr("linux.netDevices[\"zz-missing\"]"));
  EXPECT_THAT(types(ops.sent().at("<socket:1>")), ElementsAre(RTM_GETLINK, RTM_GETLINK));
  EXPECT_EQ(ops.calls("setns"), 0);
  EXPECT_THAT(ops.open_fds(), IsEmpty());
}

// A "%d" template is not checked for a clash (the kernel numbers it) and the device is found
// again by its index, which the move keeps.
TEST(NetDevicesFakeTest, TemplateIsFoundByIndexInTheContainer) {
  testing::FakeOps ops;
  ops.queue_read("socket:1", link(1, 7));
  ops.queue_read("socket:1", reply(NLMSG_DONE, 2, std::string(4, '\0'), NLM_F_MULTI));
  ops.queue_read("socket:1", ack(3));
  ops.queue_read("socket:1", ack(4));
  ops.queue_read("socket:2", link(1, 7));
  ops.queue_read("socket:2", ack(2));
  Status st = move_net_devices(ops, spec_with({{"a0", {"ctr%d"}}}), 4242);
  ASSERT_TRUE(st) << st.error().message();
  auto sent = decode_messages(ops.sent().at("<socket:2>"));
  ASSERT_TRUE(sent);
  ASSERT_EQ(sent->size(), 2u);  // GETLINK by index, then up: no name check, no address
  EXPECT_EQ((*sent)[0].type, RTM_GETLINK);
  auto index = decode_link_index((*sent)[0]);
  ASSERT_TRUE(index);
  EXPECT_EQ(*index, 7);
  EXPECT_EQ((*sent)[1].type, RTM_NEWLINK);
}

TEST(NetDevicesFakeTest, NameTakenInTheContainerMovesNothing) {
  testing::FakeOps ops;
  ops.queue_read("socket:1", link(1, 7));
  ops.queue_read("socket:1", reply(NLMSG_DONE, 2, std::string(4, '\0'), NLM_F_MULTI));
  ops.queue_read("socket:2", link(1, 3));  // "eth9" exists in the (joined) namespace
  oci::Spec spec = spec_with({{"a0", {"eth9"}}});
  Status st = move_net_devices(ops, spec, 4242);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code(), EEXIST);
  EXPECT_THAT(st.error().message(),
              HasSubstr("linux.netDevices[\"a0\"]: \"eth9\" already exists in the container"));
  EXPECT_THAT(types(ops.sent().at("<socket:1>")), ElementsAre(RTM_GETLINK, RTM_GETADDR));
  EXPECT_THAT(ops.open_fds(), IsEmpty());
}

TEST(NetDevicesFakeTest, JoinedNamespaceIsOpenedByItsPath) {
  testing::FakeOps ops;
  oci::Spec spec = spec_with({{"a0", {}}});
  for (oci::Namespace& n : spec.linux->namespaces) {
    if (n.type == oci::NamespaceType::kNetwork) n.path = "/run/netns/ctr";
  }
  ops.fail_next("socket", EPERM);
  Status st = move_net_devices(ops, spec, 4242);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code(), EPERM);
  EXPECT_EQ(ops.trace().front(), "openat(AT_FDCWD, \"/run/netns/ctr\", O_RDONLY, 00)");
}

}  // namespace
}  // namespace grove::net
