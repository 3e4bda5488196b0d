// L1 tests of --pidfd-socket (process/pidfd_socket.h) under FakeOps: the connect and runc's
// wire format (payload "standard"/"setns", one SCM_RIGHTS fd), and errors naming the flag.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/socket.h>

#include "libcontainer/process/pidfd_socket.h"
#include "tests/support/fake_ops.h"

namespace grove::process {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(PidfdSocketTest, ConnectsThenSendsOneFdWithRuncsPayload) {
  testing::FakeOps ops;
  auto sock = connect_pidfd_socket(ops, "/run/sup.sock");
  ASSERT_TRUE(sock) << sock.error().message();
  UniqueFd pidfd = ops.make_fd("pidfd:42");
  ASSERT_TRUE(send_pidfd(ops, sock->get(), pidfd.get(), kPidfdPayloadInit));
  ASSERT_TRUE(send_pidfd(ops, sock->get(), pidfd.get(), kPidfdPayloadExec));
  EXPECT_THAT(ops.trace(),
              ElementsAre(HasSubstr("socket(1, 1, 0)"),
                          "connect(<socket:1>, \"/run/sup.sock\")",
                          "send_fds(<socket:1>, \"standard\", [<pidfd:42>])",
                          "send_fds(<socket:1>, \"setns\", [<pidfd:42>])"));
}

TEST(PidfdSocketTest, ErrorsNameTheFlagAndPath) {
  testing::FakeOps ops;
  ops.fail_next("connect", ENOENT);
  auto sock = connect_pidfd_socket(ops, "/run/nobody.sock");
  ASSERT_FALSE(sock);
  EXPECT_EQ(sock.error().code(), ENOENT);
  EXPECT_THAT(sock.error().message(), HasSubstr("--pidfd-socket \"/run/nobody.sock\""));
  ops.fail_next("send_fds", EPIPE);
  UniqueFd s = ops.make_fd("socket:x");
  auto sent = send_pidfd(ops, s.get(), s.get(), kPidfdPayloadInit);
  ASSERT_FALSE(sent);
  EXPECT_EQ(sent.error().code(), EPIPE);
  EXPECT_THAT(sent.error().message(), HasSubstr("--pidfd-socket"));
}

}  // namespace
}  // namespace grove::process
