// L0: the rtnetlink decoder on hostile input (net/netlink.h); regressions found by
// tests/fuzz/netlink_fuzz.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <climits>
#include <cstring>

#include "libcontainer/net/netlink.h"

namespace grove::net {
namespace {

NlMessage error_message(int32_t code) {
  NlMessage m;
  m.type = 2;  // NLMSG_ERROR
  m.payload.assign(reinterpret_cast<const char*>(&code), sizeof code);
  return m;
}

TEST(NetlinkDecodeTest, ErrorCodesAreZeroOrNegativeErrnos) {
  auto ack = decode_error(error_message(0));
  ASSERT_TRUE(ack) << ack.error().message();
  EXPECT_EQ(*ack, 0);
  auto enodev = decode_error(error_message(-ENODEV));
  ASSERT_TRUE(enodev) << enodev.error().message();
  EXPECT_EQ(*enodev, ENODEV);
}

TEST(NetlinkDecodeTest, OutOfRangeErrorCodeIsRefusedNotNegated) {
  // INT_MIN used to be negated (undefined behaviour); a positive code is no errno either.
  for (int32_t bad : {INT_MIN, -4096, 1, INT_MAX}) {
    auto r = decode_error(error_message(bad));
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code(), EPROTO);
    EXPECT_THAT(r.error().message(), ::testing::HasSubstr("bad error code"));
  }
}

}  // namespace
}  // namespace grove::net
