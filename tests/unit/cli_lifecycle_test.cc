// L0 tests of the lifecycle verbs (create, start, run, state, kill, delete, list) driven
// in-process through grove::cli::run(): flag tables, argument counts, runc's usage errors and
// the error paths that need no container (missing ids, bad bundles, bad signals). No root: the
// state root is a fresh mkdtemp directory and no verb here clones anything.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "libcontainer/sys/linux_ops.h"
#include "runtime/bundle.h"
#include "runtime/cli.h"
#include "tests/support/priv.h"

namespace grove::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

struct Out {
  int code = -1;
  std::string out;
  std::string err;
};

class CliLifecycleTest : public ::testing::Test {
 protected:
  Out grove(std::vector<std::string> args) {
    args.insert(args.begin(), {"--root", root()});
    std::ostringstream out;
    std::ostringstream err;
    Out r;
    r.code = run(args, out, err);
    r.out = out.str();
    r.err = err.str();
    return r;
  }
  std::string root() const { return tmp_.path() + "/state"; }
  void write_config(const std::string& text) {
    std::ofstream(tmp_.path() + "/config.json") << text;
  }

  grove::testing::TempDir tmp_;
};

TEST_F(CliLifecycleTest, VerbsAreRegisteredWithRuncsFlags) {
  for (const char* name : {"create", "start", "run", "state", "kill", "delete", "list"}) {
    EXPECT_NE(find_verb(name), nullptr) << name;
  }
  std::vector<std::string> names;
  for (const FlagSpec& f : find_verb("run")->flags) names.push_back(f.name);
  EXPECT_EQ(names, (std::vector<std::string>{"bundle", "console-socket", "detach", "keep",
                                             "pid-file", "no-subreaper", "pidfd-socket",
                                             "no-pivot",
                                             "no-new-keyring", "preserve-fds",
                                             "mount-strategy"}));  // the last is grove's own
  names.clear();
  for (const FlagSpec& f : find_verb("create")->flags) names.push_back(f.name);
  EXPECT_EQ(names, (std::vector<std::string>{"bundle", "console-socket", "pid-file",
                                             "pidfd-socket", "no-pivot",
                                             "no-new-keyring", "preserve-fds",
                                             "mount-strategy"}));
}

TEST_F(CliLifecycleTest, ArgumentCountsUseRuncsWords) {
  Out r = grove({"start"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.out, HasSubstr("Incorrect Usage."));
  EXPECT_THAT(r.err, HasSubstr("\\\"start\\\" requires exactly 1 argument(s)"));
  EXPECT_THAT(grove({"create"}).err, HasSubstr("requires exactly 1 argument(s)"));
  EXPECT_THAT(grove({"kill"}).err, HasSubstr("requires a minimum of 1 argument(s)"));
  Out k = grove({"kill", "a", "KILL", "extra"});
  EXPECT_EQ(k.code, 1);
  EXPECT_THAT(k.err, HasSubstr("requires a maximum of 2 argument(s)"));
  EXPECT_THAT(grove({"list", "x"}).err, HasSubstr("requires exactly 0 argument(s)"));
  EXPECT_THAT(grove({"delete", "--bogus", "x"}).err,
              HasSubstr("flag provided but not defined: -bogus"));
}

TEST_F(CliLifecycleTest, MissingContainerDoesNotExist) {
  for (const char* verb : {"start", "state", "kill", "delete"}) {
    Out r = grove({verb, "nope"});
    EXPECT_EQ(r.code, 1) << verb;
    EXPECT_THAT(r.err, HasSubstr("does not exist")) << verb;
    EXPECT_EQ(r.out, "") << verb;
  }
  EXPECT_EQ(grove({"delete", "--force", "nope"}).code, 0);
  EXPECT_EQ(grove({"delete", "-f", "nope"}).err, "");
}

TEST_F(CliLifecycleTest, KillRejectsBadSignalsBeforeLookingUp) {
  Out r = grove({"kill", "nope", "SIGBOGUS"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("invalid signal"));
  EXPECT_THAT(r.err, Not(HasSubstr("does not exist")));
  // Valid spellings get as far as the (missing) container.
  for (const char* sig : {"KILL", "sigterm", "SIGHUP", "9"}) {
    EXPECT_THAT(grove({"kill", "nope", sig}).err, HasSubstr("does not exist")) << sig;
  }
}

TEST_F(CliLifecycleTest, ListOfAnEmptyRoot) {
  Out t = grove({"list"});
  EXPECT_EQ(t.code, 0) << t.err;
  EXPECT_EQ(t.out, "ID          PID         STATUS      BUNDLE      CREATED     OWNER\n");
  Out j = grove({"list", "--format=json"});
  EXPECT_EQ(j.code, 0);
  EXPECT_EQ(j.out, "null\n");
  EXPECT_EQ(grove({"list", "-q"}).out, "");
  Out bad = grove({"list", "-f", "yaml"});
  EXPECT_EQ(bad.code, 1);
  EXPECT_THAT(bad.err, HasSubstr("invalid format option"));
}

TEST_F(CliLifecycleTest, BadBundleNamesTheFileAndPointer) {
  Out none = grove({"create", "--bundle", tmp_.path() + "/missing", "c1"});
  EXPECT_EQ(none.code, 1);
  EXPECT_THAT(none.err, HasSubstr("missing/config.json"));
  EXPECT_THAT(none.err, HasSubstr("ENOENT"));
  write_config(R"({"ociVersion": "1.2.0", "root": {"path": 7}})");
  Out bad = grove({"run", "-b", tmp_.path(), "c1"});
  EXPECT_EQ(bad.code, 1);
  EXPECT_THAT(bad.err, HasSubstr(tmp_.path() + "/config.json"));
  EXPECT_THAT(bad.err, HasSubstr("/root/path"));
  EXPECT_FALSE(std::filesystem::exists(root() + "/c1"));
  write_config("{not json");
  EXPECT_THAT(grove({"create", "-b", tmp_.path(), "c1"}).err, HasSubstr("parse error at byte"));
}

// No systemd cgroup driver: create/run refuse --systemd-cgroup instead of silently using
// cgroupfs; the other verbs accept it (engines pass it to every command).
TEST_F(CliLifecycleTest, SystemdCgroupIsRefusedByCreateAndRun) {
  for (const char* verb : {"create", "run"}) {
    Out r = grove({"--systemd-cgroup", verb, "-b", tmp_.path(), "c1"});
    EXPECT_EQ(r.code, 1) << verb;
    EXPECT_THAT(r.err, HasSubstr("--systemd-cgroup")) << verb;
    EXPECT_THAT(r.err, HasSubstr("cgroupfs")) << verb;
    EXPECT_FALSE(std::filesystem::exists(root() + "/c1"));
  }
  EXPECT_THAT(grove({"--systemd-cgroup", "state", "nope"}).err, HasSubstr("does not exist"));
}

TEST_F(CliLifecycleTest, LoadBundleSpecParsesAndValidates) {
  sys::LinuxOps ops;
  write_config(R"({"ociVersion": "1.2.0", "root": {"path": "rootfs"}, "hostname": "h"})");
  auto spec = load_bundle_spec(ops, tmp_.path());
  ASSERT_FALSE(spec);  // hostname without a uts namespace: validate() runs too
  EXPECT_EQ(spec.error().code(), EINVAL);
  EXPECT_THAT(spec.error().message(), HasSubstr("bundle config \"" + tmp_.path()));
  write_config(R"({"ociVersion": "1.2.0", "root": {"path": "rootfs"}})");
  auto good = load_bundle_spec(ops, tmp_.path());
  ASSERT_TRUE(good) << good.error().message();
  EXPECT_EQ(good->root->path, "rootfs");
}

TEST(ListenFdsTest, OnlyForThisProcess) {
  EXPECT_EQ(listen_fds_from_env("3", "42", 42), 3);
  EXPECT_EQ(listen_fds_from_env("3", "41", 42), 0);
  EXPECT_EQ(listen_fds_from_env("3", nullptr, 42), 0);
  EXPECT_EQ(listen_fds_from_env(nullptr, "42", 42), 0);
  EXPECT_EQ(listen_fds_from_env("x", "42", 42), 0);
  EXPECT_EQ(listen_fds_from_env("-1", "42", 42), 0);
  EXPECT_EQ(listen_fds_from_env("0", "42", 42), 0);
}

}  // namespace
}  // namespace grove::cli
