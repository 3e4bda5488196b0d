// L0/L1: exec's process building (runc getProcess / validateProcessSpec / newInitConfig
// defaults), its gates and terminal rules, the namespace mask and the joining fallback
// (FakeOps trace).

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sched.h>

#include "libcontainer/container/exec.h"
#include "libcontainer/process/setns_exec.h"
#include "tests/support/fake_ops.h"

namespace grove::container {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

oci::Process base_process() {
  oci::Process p;
  p.args = {"sleep", "100"};
  p.cwd = "/";
  p.env = {"PATH=/bin", "A=base"};
  p.user.uid = 0;
  p.user.gid = 0;
  p.user.additional_gids = {10};
  p.no_new_privileges = true;
  oci::Capabilities caps;
  caps.bounding = {"CAP_CHOWN"};
  caps.effective = {"CAP_CHOWN"};
  caps.permitted = {"CAP_CHOWN"};
  p.capabilities = caps;
  p.rlimits = {{"RLIMIT_NOFILE", 1024, 1024}};
  return p;
}

TEST(ContainerExecTest, ArgsReplaceTheContainersAndTheRestIsKept) {
  ProcessOverrides o;
  o.args = {"echo", "hi"};
  auto p = exec_process_from_args(base_process(), o);
  ASSERT_TRUE(p) << p.error().message();
  EXPECT_THAT(p->args, ElementsAre("echo", "hi"));
  EXPECT_EQ(p->cwd, "/");
  EXPECT_THAT(p->env, ElementsAre("PATH=/bin", "A=base"));
  EXPECT_TRUE(p->no_new_privileges);
  EXPECT_FALSE(p->terminal);
  EXPECT_EQ(p->capabilities, base_process().capabilities);
}

TEST(ContainerExecTest, FlagsOverrideCwdEnvUserGroupsNnpAndTty) {
  ProcessOverrides o;
  o.args = {"id"};
  o.cwd = "/tmp";
  o.env = {"A=flag", "B=2"};
  o.user = "1000:1001";
  o.additional_gids = {"20", "30"};
  o.no_new_privs = false;
  o.tty = true;
  o.apparmor = "prof";
  o.process_label = "label";
  auto p = exec_process_from_args(base_process(), o);
  ASSERT_TRUE(p) << p.error().message();
  EXPECT_EQ(p->cwd, "/tmp");
  // Appended: a later KEY= wins at lookup, so the flag beats the config.
  EXPECT_THAT(p->env, ElementsAre("PATH=/bin", "A=base", "A=flag", "B=2"));
  EXPECT_EQ(p->user.uid, 1000u);
  EXPECT_EQ(p->user.gid, 1001u);
  EXPECT_THAT(p->user.additional_gids, ElementsAre(10u, 20u, 30u));
  EXPECT_FALSE(p->no_new_privileges);
  EXPECT_TRUE(p->terminal);
  EXPECT_EQ(p->apparmor_profile, "prof");
  EXPECT_EQ(p->selinux_label, "label");
}

TEST(ContainerExecTest, UserWithoutGidKeepsTheConfigGid) {
  oci::Process base = base_process();
  base.user.gid = 5;
  ProcessOverrides o;
  o.args = {"id"};
  o.user = "7";
  auto p = exec_process_from_args(base, o);
  ASSERT_TRUE(p) << p.error().message();
  EXPECT_EQ(p->user.uid, 7u);
  EXPECT_EQ(p->user.gid, 5u);
}

TEST(ContainerExecTest, BadIdsAreRejectedWithRuncsWords) {
  ProcessOverrides o;
  o.args = {"id"};
  o.user = "root";
  auto p = exec_process_from_args(base_process(), o);
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().code(), EINVAL);
  EXPECT_THAT(p.error().message(), HasSubstr("bad uid: \"root\""));
  o.user = "1:wheel";
  p = exec_process_from_args(base_process(), o);
  ASSERT_FALSE(p);
  EXPECT_THAT(p.error().message(), HasSubstr("bad gid: \"wheel\""));
  o.user = "";
  o.additional_gids = {"-1"};
  p = exec_process_from_args(base_process(), o);
  ASSERT_FALSE(p);
  EXPECT_THAT(p.error().message(), HasSubstr("additional-gids must be a positive number \"-1\""));
}

TEST(ContainerExecTest, CapsGoToBoundingEffectivePermittedAndAmbientOnlyWithInheritable) {
  ProcessOverrides o;
  o.args = {"id"};
  o.caps = {"CAP_NET_ADMIN"};
  auto p = exec_process_from_args(base_process(), o);
  ASSERT_TRUE(p) << p.error().message();
  EXPECT_THAT(p->capabilities->bounding, ElementsAre("CAP_CHOWN", "CAP_NET_ADMIN"));
  EXPECT_THAT(p->capabilities->effective, ElementsAre("CAP_CHOWN", "CAP_NET_ADMIN"));
  EXPECT_THAT(p->capabilities->permitted, ElementsAre("CAP_CHOWN", "CAP_NET_ADMIN"));
  EXPECT_THAT(p->capabilities->ambient, IsEmpty());
  oci::Process with_inh = base_process();
  with_inh.capabilities->inheritable = {"CAP_CHOWN"};
  p = exec_process_from_args(with_inh, o);
  ASSERT_TRUE(p);
  EXPECT_THAT(p->capabilities->ambient, ElementsAre("CAP_NET_ADMIN"));
  oci::Process no_caps = base_process();
  no_caps.capabilities.reset();
  p = exec_process_from_args(no_caps, o);
  ASSERT_TRUE(p);
  ASSERT_TRUE(p->capabilities.has_value());
  EXPECT_THAT(p->capabilities->bounding, ElementsAre("CAP_NET_ADMIN"));
}

TEST(ContainerExecTest, ValidationFollowsRuncsValidateProcessSpec) {
  oci::Process p = base_process();
  EXPECT_TRUE(validate_exec_process(p));
  p.cwd = "";
  EXPECT_THAT(validate_exec_process(p).error().message(),
              HasSubstr("Cwd property must not be empty"));
  p.cwd = "tmp";
  EXPECT_THAT(validate_exec_process(p).error().message(),
              HasSubstr("Cwd must be an absolute path"));
  p.cwd = "/";
  p.args.clear();
  EXPECT_THAT(validate_exec_process(p).error().message(), HasSubstr("args must not be empty"));
  ProcessOverrides o;
  o.cwd = "relative";
  o.args = {"id"};
  auto r = exec_process_from_args(base_process(), o);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), EINVAL);
}

TEST(ContainerExecTest, ProcessFileInheritsCapsAndRlimitsOnlyWhenAbsent) {
  oci::Process file;
  file.args = {"true"};
  file.cwd = "/";
  inherit_from_container(file, base_process());
  EXPECT_EQ(file.capabilities, base_process().capabilities);
  EXPECT_EQ(file.rlimits, base_process().rlimits);
  oci::Process own;
  own.capabilities.emplace();
  own.capabilities->bounding = {"CAP_KILL"};
  own.rlimits = {{"RLIMIT_CORE", 0, 0}};
  inherit_from_container(own, base_process());
  EXPECT_THAT(own.capabilities->bounding, ElementsAre("CAP_KILL"));
  ASSERT_EQ(own.rlimits.size(), 1u);
  EXPECT_EQ(own.rlimits[0].type, "RLIMIT_CORE");
  EXPECT_FALSE(own.no_new_privileges);  // never inherited: runc passes the process's own
}

// runc's checkTerminal: a console socket needs both --detach and a terminal; a detached
// terminal needs a console socket; a foreground terminal attaches the caller's.
TEST(ContainerExecTest, TerminalRules) {
  EXPECT_TRUE(check_exec_terminal(false, false, ""));
  EXPECT_TRUE(check_exec_terminal(false, true, ""));
  EXPECT_TRUE(check_exec_terminal(true, false, ""));
  EXPECT_TRUE(check_exec_terminal(true, true, "/s"));
  for (auto [terminal, detach] : {std::pair{false, true}, {false, false}, {true, false}}) {
    auto sock = check_exec_terminal(terminal, detach, "/s");
    ASSERT_FALSE(sock) << terminal << detach;
    EXPECT_EQ(sock.error().code(), EINVAL);
    EXPECT_EQ(sock.error().message(),
              "cannot use console socket if grove will not detach or allocate tty");
  }
  auto detach = check_exec_terminal(true, true, "");
  ASSERT_FALSE(detach);
  EXPECT_EQ(detach.error().code(), EINVAL);
  EXPECT_EQ(detach.error().message(),
            "cannot allocate tty if grove will detach without setting console socket");
}

TEST(ContainerExecTest, StatusGateMatchesRunc) {
  EXPECT_TRUE(check_execable(RunState::kRunning, false));
  EXPECT_TRUE(check_execable(RunState::kCreated, false));
  EXPECT_TRUE(check_execable(RunState::kPaused, true));
  EXPECT_THAT(check_execable(RunState::kStopped, true).error().message(),
              HasSubstr("cannot exec in a stopped container"));
  EXPECT_THAT(check_execable(RunState::kPaused, false).error().message(),
              HasSubstr("cannot exec in a paused container (use --ignore-paused to override)"));
  EXPECT_FALSE(check_execable(RunState::kCreating, true));
}

TEST(ContainerExecTest, MissingContainerDoesNotExist) {
  testing::FakeOps ops;
  ExecOptions opts;
  opts.overrides.args = {"true"};
  auto r = exec(ops, "/nonexistent-grove-root", "c1", opts);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ENOENT);
  EXPECT_THAT(r.error().message(), HasSubstr("exec in container \"c1\""));
}

TEST(ContainerExecTest, CgroupFlagNamesSubCgroupsOfTheContainer) {
  ContainerRecord rec;
  rec.cgroup_path = "/grove-test/c1";
  rec.cgroup_dirs = {{"", "/cg/unified/grove-test/c1"},
                     {"memory", "/cg/memory/grove-test/c1"},
                     {"pids", "/cg/pids/grove-test/c1"}};
  auto all = exec_cgroup(rec, {"sub/x"});
  ASSERT_TRUE(all) << all.error().message();
  EXPECT_EQ(all->unified, "/cg/unified/grove-test/c1/sub/x");
  EXPECT_EQ(all->v1.at("memory"), "/cg/memory/grove-test/c1/sub/x");
  auto one = exec_cgroup(rec, {"memory:m"});
  ASSERT_TRUE(one);
  EXPECT_EQ(one->v1.at("memory"), "/cg/memory/grove-test/c1/m");
  EXPECT_EQ(one->v1.at("pids"), "/cg/pids/grove-test/c1");
  EXPECT_EQ(one->unified, "/cg/unified/grove-test/c1");
  auto none = exec_cgroup(rec, {});
  ASSERT_TRUE(none);
  EXPECT_EQ(none->unified, "/cg/unified/grove-test/c1");
  for (const char* bad : {"/abs", "cpu:x", ""}) {
    auto r = exec_cgroup(rec, {bad});
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code(), EINVAL) << bad;
  }
  ContainerRecord rootless;
  auto r = exec_cgroup(rootless, {"sub"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ENOTSUP);
}

}  // namespace
}  // namespace grove::container

namespace grove::process {
namespace {

using ::testing::HasSubstr;

TEST(ProcessSetnsExecTest, JoinsOnlyNamespacesThatDiffer) {
  NamespaceLinks self = {{"user", "user:[1]"}, {"mnt", "mnt:[2]"}, {"pid", "pid:[3]"},
                         {"net", "net:[4]"},   {"uts", "uts:[5]"}, {"time", "time:[6]"}};
  NamespaceLinks init = self;
  EXPECT_EQ(namespaces_to_join(self, init), 0);
  init["mnt"] = "mnt:[12]";
  init["pid"] = "pid:[13]";
  init["uts"] = "uts:[15]";
  init["ipc"] = "ipc:[99]";  // missing on our side: never joined
  EXPECT_EQ(namespaces_to_join(self, init), CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS);
  init["user"] = "user:[11]";
  EXPECT_EQ(namespaces_to_join(self, init),
            CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS);
}

TEST(ProcessSetnsExecTest, ReadsLinksSkippingMissingTypes) {
  testing::FakeOps ops;
  ops.set_link("/proc/42/ns/pid", "pid:[7]");
  ops.set_link("/proc/42/ns/mnt", "mnt:[8]");
  auto links = read_namespace_links(ops, 42);
  ASSERT_TRUE(links) << links.error().message();
  EXPECT_EQ(links->size(), 2u);
  EXPECT_EQ(links->at("pid"), "pid:[7]");
  EXPECT_EQ(links->at("mnt"), "mnt:[8]");
}

TEST(ProcessSetnsExecTest, JoinsThroughThePidfdInOneCall) {
  testing::FakeOps ops;
  UniqueFd pidfd = ops.make_fd("pidfd:42");
  SetnsExecConfig cfg;
  cfg.init_pid = 42;
  cfg.init_pidfd = pidfd.get();
  cfg.nstypes = CLONE_NEWNS | CLONE_NEWPID;
  ASSERT_TRUE(join_namespaces(ops, cfg));
  EXPECT_EQ(ops.calls("setns"), 1);
  EXPECT_THAT(ops.trace_text(), HasSubstr("setns(<pidfd:42>"));
  EXPECT_EQ(ops.calls("openat"), 0);
}

TEST(ProcessSetnsExecTest, FallsBackToProcNsFdsUserFirstWhenPidfdIsRejected) {
  testing::FakeOps ops;
  UniqueFd pidfd = ops.make_fd("pidfd:42");
  ops.fail_next("setns", EINVAL);  // kernels < 5.8 reject a pidfd
  SetnsExecConfig cfg;
  cfg.init_pid = 42;
  cfg.init_pidfd = pidfd.get();
  cfg.nstypes = CLONE_NEWUTS | CLONE_NEWUSER | CLONE_NEWNS;
  ASSERT_TRUE(join_namespaces(ops, cfg));
  EXPECT_EQ(ops.calls("setns"), 4);
  std::string trace = ops.trace_text();
  std::size_t user = trace.find("\"/proc/42/ns/user\"");
  std::size_t mnt = trace.find("\"/proc/42/ns/mnt\"");
  std::size_t uts = trace.find("\"/proc/42/ns/uts\"");
  ASSERT_NE(user, std::string::npos) << trace;
  ASSERT_NE(mnt, std::string::npos) << trace;
  ASSERT_NE(uts, std::string::npos) << trace;
  EXPECT_LT(user, mnt);
  EXPECT_LT(mnt, uts);
  // Every fd is opened before the first namespace is joined.
  EXPECT_LT(uts, trace.find("setns", trace.find("setns") + 1));
  EXPECT_TRUE(ops.open_fds().size() == 1u) << "only the pidfd may stay open";
}

TEST(ProcessSetnsExecTest, JoinErrorNamesTheNamespace) {
  testing::FakeOps ops;
  UniqueFd pidfd = ops.make_fd("pidfd:42");
  ops.fail_next("setns", EINVAL);
  ops.fail_next("setns", EPERM);
  SetnsExecConfig cfg;
  cfg.init_pid = 42;
  cfg.init_pidfd = pidfd.get();
  cfg.nstypes = CLONE_NEWNET;
  auto st = join_namespaces(ops, cfg);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code(), EPERM);
  EXPECT_THAT(st.error().message(), HasSubstr("join namespace \"net\""));
}

TEST(ProcessSetnsExecTest, NothingToJoinMakesNoCall) {
  testing::FakeOps ops;
  SetnsExecConfig cfg;
  ASSERT_TRUE(join_namespaces(ops, cfg));
  EXPECT_EQ(ops.calls("setns"), 0);
}

}  // namespace
}  // namespace grove::process
