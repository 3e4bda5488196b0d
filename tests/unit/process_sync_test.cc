// L0/L1 tests of process/sync (the parent <-> init protocol) over a real socketpair.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <cstring>
#include <string>

#include "libcontainer/process/sync.h"
#include "libcontainer/sys/linux_ops.h"

namespace grove::process {
namespace {

using ::testing::HasSubstr;

std::pair<SyncSocket, SyncSocket> pair_or_die() {
  sys::LinuxOps ops;
  auto p = make_sync_pair(ops);
  EXPECT_TRUE(p) << p.error().message();
  return std::move(*p);
}

TEST(ProcessSyncTest, ReadyPidAndGoRoundTrip) {
  auto [parent, child] = pair_or_die();
  ASSERT_TRUE(child.send_pid(12345));
  ASSERT_TRUE(child.send_ready());
  ASSERT_TRUE(parent.send_go());
  auto pid = parent.expect(SyncKind::kPid);
  ASSERT_TRUE(pid) << pid.error().message();
  EXPECT_EQ(pid->value, 12345);
  EXPECT_TRUE(parent.expect(SyncKind::kReady));
  auto go = child.receive();
  ASSERT_TRUE(go);
  EXPECT_EQ(go->kind, SyncKind::kGo);
}

TEST(ProcessSyncTest, HooksMessageRoundTrip) {
  auto [parent, child] = pair_or_die();
  ASSERT_TRUE(child.send_hooks());
  auto msg = parent.expect(SyncKind::kHooks);
  ASSERT_TRUE(msg) << msg.error().message();
  EXPECT_STREQ(to_string(SyncKind::kHooks), "hooks");
  // A ready where the parent waits for the hook point is a protocol error, not a hang.
  ASSERT_TRUE(child.send_ready());
  auto wrong = parent.expect(SyncKind::kHooks);
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code(), EPROTO);
}

TEST(ProcessSyncTest, ErrorKeepsCodeFramesAndErrnoFlag) {
  auto [parent, child] = pair_or_die();
  Error e = Error::from_errno(EPERM, "mount(\"proc\", \"/proc\")");
  e.add_context("mounts[2] \"/proc\"");
  ASSERT_TRUE(child.send_error(e));
  auto r = parent.expect(SyncKind::kReady);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), EPERM);
  EXPECT_TRUE(r.error().shows_errno());
  EXPECT_EQ(r.error().message(),
            "container init: mounts[2] \"/proc\": mount(\"proc\", \"/proc\"): EPERM (Operation "
            "not permitted)");
}

TEST(ProcessSyncTest, PlainErrorShowsNoErrnoText) {
  auto [parent, child] = pair_or_die();
  ASSERT_TRUE(child.send_error(Error::plain(ENOENT, "exec: \"x\": executable file not found")));
  auto r = parent.expect(SyncKind::kReady);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ENOENT);
  EXPECT_EQ(r.error().message(), "container init: exec: \"x\": executable file not found");
}

TEST(ProcessSyncTest, PeerClosedIsEpipe) {
  auto [parent, child] = pair_or_die();
  child.close();
  auto r = parent.expect(SyncKind::kReady);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), EPIPE);
  EXPECT_THAT(r.error().message(), HasSubstr("waiting for ready: sync: peer closed the channel"));
  // Sending to a closed peer must not raise SIGPIPE.
  auto s = parent.send_go();
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code(), EPIPE);
}

TEST(ProcessSyncTest, UnexpectedKindIsEproto) {
  auto [parent, child] = pair_or_die();
  ASSERT_TRUE(child.send_go());
  auto r = parent.expect(SyncKind::kReady);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), EPROTO);
  EXPECT_THAT(r.error().message(), HasSubstr("expected ready, got go"));
}

TEST(ProcessSyncTest, HugeErrorIsTruncatedToOneDatagram) {
  Error e = Error::from_errno(EIO, std::string(5000, 'a'));
  for (int i = 0; i < 20; ++i) e.add_context(std::string(1000, 'b'));
  char buf[kSyncMaxMessage];
  std::size_t n = encode_sync(SyncKind::kError, 0, &e, buf, sizeof buf);
  EXPECT_LE(n, kSyncMaxMessage);
  auto msg = decode_sync(buf, n);
  ASSERT_TRUE(msg) << msg.error().message();
  ASSERT_TRUE(msg->error.has_value());
  EXPECT_EQ(msg->error->code(), EIO);
  EXPECT_EQ(msg->error->frame_list().front(), std::string(2048, 'a'));
}

TEST(ProcessSyncTest, MalformedDatagramsAreRejected) {
  char buf[64] = {};
  EXPECT_EQ(decode_sync(buf, 3).error().code(), EPROTO);
  uint32_t bad_kind = 99;
  std::memcpy(buf, &bad_kind, sizeof bad_kind);
  EXPECT_EQ(decode_sync(buf, 24).error().code(), EPROTO);
  // An error whose frame count promises a frame that is not there.
  Error e = Error::plain(EINVAL, "x");
  std::size_t n = encode_sync(SyncKind::kError, 0, &e, buf, sizeof buf);
  EXPECT_EQ(decode_sync(buf, n - 1).error().code(), EPROTO);
}

}  // namespace
}  // namespace grove::process
