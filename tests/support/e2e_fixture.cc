#include "tests/support/e2e_fixture.h"

#include <gmock/gmock.h>
#include <sys/prctl.h>

#include "tests/support/priv.h"

namespace grove::testing {

E2eFixture::E2eFixture(std::string grove_binary, std::vector<std::string> args)
    : binary_(std::move(grove_binary)), args_(std::move(args)) {}

void E2eFixture::SetUp() {
  GROVE_REQUIRE_ROOT();
  GROVE_REQUIRE(missing_busybox());
  ASSERT_EQ(::prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
  cli_.emplace(binary_);
  auto b = BusyboxBundle::make(args_);
  ASSERT_TRUE(b) << b.error().message();
  bundle_.emplace(std::move(*b));
}

void E2eFixture::TearDown() {
  if (!cli_) return;
  EXPECT_EQ(cli_->cleanup(), "");
  if (bundle_) {
    EXPECT_THAT(host_mounts_under(bundle_->dir()), ::testing::IsEmpty());
    EXPECT_THAT(bundle_->leftover_cgroups(), ::testing::IsEmpty());
  }
}

}  // namespace grove::testing
