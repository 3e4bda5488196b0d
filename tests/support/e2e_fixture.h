#pragma once
// The fixture shared by the e2e tests that drive the grove binary on one busybox bundle.
// SetUp skips the test (with the reason) without root or /bin/busybox, makes the test process a
// child subreaper (PR_SET_CHILD_SUBREAPER, so inits orphaned by `grove create` are reaped here
// promptly: PID 1 of the host reaps slowly), then creates cli_ (a GroveCli with a mkdtemp
// --root) and bundle_ (a BusyboxBundle with the constructor's process.args; config.json is not
// written: tests edit bundle_->spec() and call write_config()). TearDown force-deletes every
// container a test left, reaps, and fails the test when state remains under the root or a mount
// remains under the bundle's directory or a cgroup of the bundle (BusyboxBundle::cgroup_path()). Not thread-safe.

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "tests/support/bundle.h"
#include "tests/support/grove_cli.h"
#include "tests/support/run_binary.h"

namespace grove::testing {

class E2eFixture : public ::testing::Test {
 protected:
  // `grove_binary`: the grove executable (GROVE_BIN, which only the e2e target defines).
  // `args`: process.args of the bundle.
  explicit E2eFixture(std::string grove_binary, std::vector<std::string> args = {"true"});

  // A derived SetUp calls this first and returns when bundle_ is empty (skipped or failed).
  void SetUp() override;
  // A derived TearDown removes what it knows to be left on purpose, then calls this.
  void TearDown() override;

  // `grove --root <root> args...` run to completion (GroveCli::run).
  Ran grove(const std::vector<std::string>& args) { return cli_->run(args); }

  std::optional<GroveCli> cli_;          // set by SetUp
  std::optional<BusyboxBundle> bundle_;  // set by SetUp, last: empty when SetUp did not finish

 private:
  std::string binary_;
  std::vector<std::string> args_;
};

}  // namespace grove::testing
