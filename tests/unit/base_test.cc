// L0 tests of libcontainer/base: Error, Result, UniqueFd, Defer, strings.

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "libcontainer/base/defer.h"
#include "libcontainer/base/result.h"
#include "libcontainer/base/strings.h"
#include "libcontainer/base/unique_fd.h"

namespace grove {
namespace {

using ::testing::HasSubstr;

Result<int> fails_with(int code) { return Error::from_errno(code, "mount_setattr(\"proc\")"); }
Result<int> forty_two() { return 42; }

Result<int> add_one(bool fail) {
  GROVE_ASSIGN_OR_RETURN(int v, fail ? fails_with(EPERM) : forty_two());
  return v + 1;
}

Status try_chain() {
  GROVE_TRY(fails_with(EACCES).context("mounts[3] \"/proc\""));
  return ok();
}

TEST(ErrorTest, MessageRendersOuterFirstWithErrno) {
  Error e = Error::from_errno(EPERM, "mount_setattr(\"proc\", RDONLY)");
  e.add_context("mounts[3] \"/proc\"");
  e = std::move(e).context("create container \"c1\"");
  EXPECT_EQ(e.code(), EPERM);
  EXPECT_EQ(e.frames(), "create container \"c1\": mounts[3] \"/proc\": mount_setattr(\"proc\", RDONLY)");
  EXPECT_EQ(e.message(), e.frames() + ": EPERM (Operation not permitted)");
}

TEST(ErrorTest, InvalidHasNoErrnoText) {
  Error e = Error::invalid("/mounts/3/destination: must be absolute");
  EXPECT_EQ(e.code(), EINVAL);
  EXPECT_EQ(e.message(), "/mounts/3/destination: must be absolute");
  EXPECT_EQ(Error::not_supported("x").code(), ENOTSUP);
}

TEST(ErrorTest, ZeroCodeBecomesEio) { EXPECT_EQ(Error::from_errno(0, "x").code(), EIO); }

TEST(ErrorTest, FromPartsRoundTrips) {
  Error e = Error::from_errno(ENOENT, "openat2(\"dev/null\")");
  e.add_context("devices[0]");
  Error back = Error::from_parts(e.code(), e.frame_list(), e.shows_errno());
  EXPECT_EQ(back.message(), e.message());
}

TEST(ErrorTest, UnknownErrnoIsNumbered) { EXPECT_EQ(errno_text(99999), "errno 99999"); }

TEST(ResultTest, ValueAndError) {
  EXPECT_EQ(*add_one(false), 43);
  auto r = add_one(true);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), EPERM);
}

TEST(ResultTest, TryAddsContextLazily) {
  auto r = try_chain();
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().message(), HasSubstr("mounts[3] \"/proc\": mount_setattr"));
  int calls = 0;
  auto good = forty_two().context([&] { ++calls; return std::string("never"); });
  EXPECT_TRUE(good);
  EXPECT_EQ(calls, 0);
}

TEST(UniqueFdTest, ClosesAndPreservesErrno) {
  int raw = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(raw, 0);
  {
    UniqueFd fd(raw);
    UniqueFd moved(std::move(fd));
    EXPECT_FALSE(fd.valid());
    EXPECT_EQ(moved.get(), raw);
    errno = ENOSPC;
  }
  EXPECT_EQ(errno, ENOSPC);
  EXPECT_EQ(::fcntl(raw, F_GETFD), -1);  // closed
  UniqueFd empty(-5);
  EXPECT_EQ(empty.get(), -1);
}

TEST(DeferTest, RunsUnlessDismissed) {
  int runs = 0;
  { Defer d([&] { ++runs; }); }
  {
    Defer d([&] { ++runs; });
    d.dismiss();
  }
  EXPECT_EQ(runs, 1);
}

TEST(StringsTest, QuoteEscapesControlBytes) {
  EXPECT_EQ(q("a\"b\\c\n\x1b"), "\"a\\\"b\\\\c\\n\\x1b\"");
  EXPECT_EQ(join({"a", "b"}, ","), "a,b");
  EXPECT_EQ(hex(0x4e554c4c), "0x4e554c4c");
  EXPECT_EQ(split("a::b", ':'), (std::vector<std::string>{"a", "", "b"}));
  EXPECT_TRUE(split("", ':').empty());
  long long v;
  EXPECT_TRUE(parse_int64("-12", &v));
  EXPECT_EQ(v, -12);
  EXPECT_FALSE(parse_int64("12x", &v));
  EXPECT_FALSE(parse_int64("99999999999999999999", &v));
}

}  // namespace
}  // namespace grove
