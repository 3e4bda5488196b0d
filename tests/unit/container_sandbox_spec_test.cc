// L0 tests of the rootless sandbox's pure half (container/sandbox_spec.h): the spec builder
// field by field, /etc/subuid parsing, -v/--net/--map parsing, the mapping decision, the
// userns sysctl messages and the seccomp profile.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "libcontainer/container/sandbox.h"
#include "libcontainer/container/sandbox_spec.h"
#include "oci/parse.h"
#include "oci/serialize.h"

namespace grove::container {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

SandboxSpecOptions base_options() {
  SandboxSpecOptions o;
  o.cwd = "/home/u/src";
  o.uid = 1001;
  o.gid = 1002;
  o.command = {"make", "-j2"};
  o.env = {"HOME=/home/u", "PATH=/opt/bin:/usr/bin"};
  return o;
}

const oci::Mount* find_mount(const oci::Spec& s, const std::string& dst) {
  for (const oci::Mount& m : s.mounts) {
    if (m.destination == dst) return &m;
  }
  return nullptr;
}

bool has_ns(const oci::Spec& s, oci::NamespaceType t) {
  for (const oci::Namespace& ns : s.linux->namespaces) {
    if (ns.type == t && ns.path.empty()) return true;
  }
  return false;
}

TEST(SandboxSpecTest, HostRootDefaults) {
  auto spec = sandbox_spec(base_options());
  ASSERT_TRUE(spec) << spec.error().message();
  ASSERT_TRUE(spec->root);
  EXPECT_EQ(spec->root->path, "/");
  EXPECT_TRUE(spec->root->readonly);
  ASSERT_TRUE(spec->process);
  const oci::Process& p = *spec->process;
  EXPECT_THAT(p.args, ElementsAre("make", "-j2"));
  EXPECT_EQ(p.cwd, "/home/u/src");
  EXPECT_EQ(p.user.uid, 0u);
  EXPECT_EQ(p.user.gid, 0u);
  EXPECT_TRUE(p.no_new_privileges);
  EXPECT_FALSE(p.terminal);
  // The caller's environment as given (PATH kept, no TERM added without a terminal).
  EXPECT_THAT(p.env, ElementsAre("HOME=/home/u", "PATH=/opt/bin:/usr/bin"));
  ASSERT_TRUE(p.capabilities);
  EXPECT_THAT(p.capabilities->bounding,
              ElementsAre("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
                          "CAP_NET_BIND_SERVICE", "CAP_SETFCAP", "CAP_SETGID", "CAP_SETPCAP",
                          "CAP_SETUID", "CAP_SYS_CHROOT"));
  EXPECT_EQ(p.capabilities->effective, p.capabilities->bounding);
  EXPECT_EQ(p.capabilities->permitted, p.capabilities->bounding);
  EXPECT_TRUE(p.capabilities->inheritable.empty());
  ASSERT_TRUE(spec->linux);
  EXPECT_TRUE(spec->linux->cgroups_path.empty());
  EXPECT_FALSE(spec->linux->resources);
  EXPECT_TRUE(spec->hostname.empty());  // the uts namespace keeps the host's name
  EXPECT_TRUE(spec->hooks.prestart.empty());
  // The command runs under grove's reaper (PID 1 stand-in).
  EXPECT_EQ(spec->annotations.at("run.grove.init"), "reaper");
  EXPECT_EQ(spec->annotations.at("run.grove.kill-with-runtime"), "true");
}

TEST(SandboxSpecTest, Mounts) {
  auto spec = sandbox_spec(base_options());
  ASSERT_TRUE(spec) << spec.error().message();
  std::vector<std::string> dsts;
  for (const oci::Mount& m : spec->mounts) dsts.push_back(m.destination);
  EXPECT_THAT(dsts, ElementsAre("/proc", "/dev", "/dev/pts", "/dev/shm", "/tmp", "/home/u/src"));
  const oci::Mount* proc = find_mount(*spec, "/proc");
  EXPECT_EQ(proc->type, "proc");
  const oci::Mount* tmp = find_mount(*spec, "/tmp");
  EXPECT_EQ(tmp->type, "tmpfs");
  EXPECT_THAT(tmp->options, ElementsAre("nosuid", "nodev", "mode=1777"));
  const oci::Mount* pts = find_mount(*spec, "/dev/pts");
  EXPECT_EQ(std::count(pts->options.begin(), pts->options.end(), "gid=5"), 0);
  const oci::Mount* cwd = find_mount(*spec, "/home/u/src");
  EXPECT_EQ(cwd->type, "bind");
  EXPECT_EQ(cwd->source, "/home/u/src");
  EXPECT_THAT(cwd->options, ElementsAre("rbind"));  // read-write
}

TEST(SandboxSpecTest, CwdRootIsNotBound) {
  SandboxSpecOptions o = base_options();
  o.cwd = "/";
  auto spec = sandbox_spec(o);
  ASSERT_TRUE(spec) << spec.error().message();
  EXPECT_EQ(spec->mounts.size(), 5u);
  EXPECT_EQ(spec->process->cwd, "/");
}

TEST(SandboxSpecTest, VolumesAfterCwdAndReadonly) {
  SandboxSpecOptions o = base_options();
  o.volumes = {{"/data", "/mnt/data", true}, {"/home/u/cache", "/tmp/cache", false}};
  auto spec = sandbox_spec(o);
  ASSERT_TRUE(spec) << spec.error().message();
  ASSERT_EQ(spec->mounts.size(), 8u);
  EXPECT_EQ(spec->mounts[6].destination, "/mnt/data");
  EXPECT_EQ(spec->mounts[6].source, "/data");
  EXPECT_THAT(spec->mounts[6].options, ElementsAre("rbind", "rro"));  // recursive read-only
  EXPECT_EQ(spec->mounts[7].destination, "/tmp/cache");
  EXPECT_THAT(spec->mounts[7].options, ElementsAre("rbind"));
}

TEST(SandboxSpecTest, RootfsIsWritableRoot) {
  SandboxSpecOptions o = base_options();
  o.rootfs = "/home/u/rootfs";
  auto spec = sandbox_spec(o);
  ASSERT_TRUE(spec) << spec.error().message();
  EXPECT_EQ(spec->root->path, "/home/u/rootfs");
  EXPECT_FALSE(spec->root->readonly);
}

TEST(SandboxSpecTest, NamespacesAndNet) {
  auto none = sandbox_spec(base_options());
  ASSERT_TRUE(none);
  for (auto t :
       {oci::NamespaceType::kUser, oci::NamespaceType::kMount, oci::NamespaceType::kPid,
        oci::NamespaceType::kIpc, oci::NamespaceType::kUts, oci::NamespaceType::kNetwork}) {
    EXPECT_TRUE(has_ns(*none, t)) << oci::to_string(t);
  }
  EXPECT_FALSE(has_ns(*none, oci::NamespaceType::kCgroup));
  SandboxSpecOptions o = base_options();
  o.net = SandboxNet::kHost;
  auto host = sandbox_spec(o);
  ASSERT_TRUE(host);
  EXPECT_FALSE(has_ns(*host, oci::NamespaceType::kNetwork));
  EXPECT_TRUE(has_ns(*host, oci::NamespaceType::kUser));
}

TEST(SandboxSpecTest, SingleMappingWithoutSubids) {
  auto spec = sandbox_spec(base_options());
  ASSERT_TRUE(spec);
  EXPECT_EQ(spec->linux->uid_mappings, (std::vector<oci::IdMapping>{{0, 1001, 1}}));
  EXPECT_EQ(spec->linux->gid_mappings, (std::vector<oci::IdMapping>{{0, 1002, 1}}));
}

TEST(SandboxSpecTest, MultiRangeMapping) {
  SandboxSpecOptions o = base_options();
  o.subuids = {{100000, 65536}, {300000, 10}};
  o.subgids = {{200000, 1000}};
  auto spec = sandbox_spec(o);
  ASSERT_TRUE(spec) << spec.error().message();
  EXPECT_EQ(spec->linux->uid_mappings,
            (std::vector<oci::IdMapping>{{0, 1001, 1}, {1, 100000, 65536}, {65537, 300000, 10}}));
  EXPECT_EQ(spec->linux->gid_mappings,
            (std::vector<oci::IdMapping>{{0, 1002, 1}, {1, 200000, 1000}}));
}

TEST(SandboxSpecTest, MappingCutAtTheTopOfTheIdSpace) {
  auto m = sandbox_id_mappings(5, {{1, 0xFFFFFFF0u}, {0x10, 100}});
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(m[1].size, 0xFFFFFFF0u);
  EXPECT_EQ(m[2].container_id, 0xFFFFFFF1u);
  EXPECT_EQ(m[2].size, 0xFFFFFFFFu - 0xFFFFFFF1u);  // (uid_t)-1 stays unmapped
}

TEST(SandboxSpecTest, TerminalAddsTermAndDefaultPath) {
  SandboxSpecOptions o = base_options();
  o.env = {"HOME=/h"};
  o.terminal = true;
  auto spec = sandbox_spec(o);
  ASSERT_TRUE(spec);
  EXPECT_TRUE(spec->process->terminal);
  EXPECT_THAT(
      spec->process->env,
      ElementsAre("HOME=/h", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                  "TERM=xterm"));
  o.env = {"TERM=screen", "PATHX=1"};
  auto kept = sandbox_spec(o);
  ASSERT_TRUE(kept);
  EXPECT_EQ(std::count(kept->process->env.begin(), kept->process->env.end(), "TERM=screen"), 1);
  EXPECT_EQ(kept->process->env.size(), 3u);  // PATHX is not PATH: the default PATH is added
}

TEST(SandboxSpecTest, SeccompProfile) {
  auto spec = sandbox_spec(base_options());
  ASSERT_TRUE(spec);
  ASSERT_TRUE(spec->linux->seccomp);
  const oci::Seccomp& s = *spec->linux->seccomp;
  EXPECT_EQ(s.default_action, "SCMP_ACT_ALLOW");
  ASSERT_EQ(s.syscalls.size(), 1u);
  EXPECT_EQ(s.syscalls[0].action, "SCMP_ACT_ERRNO");
  EXPECT_EQ(s.syscalls[0].errno_ret, std::optional<uint32_t>(EPERM));
  for (const char* name :
       {"keyctl", "add_key", "request_key", "kexec_load", "open_by_handle_at", "init_module",
        "finit_module", "bpf", "perf_event_open", "userfaultfd", "io_uring_setup"}) {
    EXPECT_NE(std::find(s.syscalls[0].names.begin(), s.syscalls[0].names.end(), name),
              s.syscalls[0].names.end())
        << name;
  }
  // What a shell and a compiler need stays allowed.
  for (const char* name : {"execve", "clone", "clone3", "mount", "unshare", "ptrace", "setns"}) {
    EXPECT_EQ(std::find(s.syscalls[0].names.begin(), s.syscalls[0].names.end(), name),
              s.syscalls[0].names.end())
        << name;
  }
}

TEST(SandboxSpecTest, SpecSurvivesSerializeParseValidate) {
  SandboxSpecOptions o = base_options();
  o.subuids = {{100000, 65536}};
  o.subgids = {{100000, 65536}};
  o.volumes = {{"/data", "/data", true}};
  o.terminal = true;
  auto spec = sandbox_spec(o);
  ASSERT_TRUE(spec);
  auto back = oci::parse_config(oci::serialize(*spec));
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(*back, *spec);
  auto valid = oci::validate(*back);
  EXPECT_TRUE(valid) << valid.error().message();
}

TEST(SandboxSpecTest, Errors) {
  SandboxSpecOptions o = base_options();
  o.command.clear();
  auto r = sandbox_spec(o);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), EINVAL);
  EXPECT_THAT(r.error().message(), HasSubstr("no command"));
  o = base_options();
  o.cwd = "rel";
  EXPECT_EQ(sandbox_spec(o).error().code(), EINVAL);
  o = base_options();
  o.rootfs = "rel";
  EXPECT_THAT(sandbox_spec(o).error().message(), HasSubstr("--rootfs \"rel\""));
  o = base_options();
  o.subuids = {{100000, 10}};
  EXPECT_THAT(sandbox_spec(o).error().message(), HasSubstr("only one of"));
}

TEST(SandboxSpecTest, HostSubmountsBecomeReadonlyBeforeCwdAndVolumes) {
  SandboxSpecOptions o = base_options();
  o.readonly_submounts = {"/home", "/srv/data"};
  o.volumes = {{"/data", "/tmp/data", false}};
  auto spec = sandbox_spec(o);
  ASSERT_TRUE(spec) << spec.error().message();
  std::vector<std::string> dsts;
  for (const oci::Mount& m : spec->mounts) dsts.push_back(m.destination);
  EXPECT_THAT(dsts, ElementsAre("/proc", "/dev", "/dev/pts", "/dev/shm", "/tmp", "/home",
                                "/srv/data", "/home/u/src", "/tmp/data"));
  const oci::Mount* home = find_mount(*spec, "/home");
  EXPECT_EQ(home->source, "/home");
  EXPECT_THAT(home->options, ElementsAre("rbind", "rro"));
  // With --rootfs the host's mounts are not part of the sandbox.
  o.rootfs = "/r";
  auto rootfs = sandbox_spec(o);
  ASSERT_TRUE(rootfs);
  EXPECT_EQ(find_mount(*rootfs, "/home"), nullptr);
}

TEST(SandboxMountinfoTest, WritableMountPoints) {
  const char* mi =
      "22 27 0:21 / /proc rw,relatime - proc proc rw\n"
      "27 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n"
      "30 27 0:40 / /mnt/ro ro,relatime - tmpfs tmpfs ro\n"
      "31 27 0:41 / /mnt/my\\040disk rw,nosuid shared:5 - ext4 /dev/vdb rw\n"
      "garbage line\n"
      "\n";
  EXPECT_THAT(writable_mount_points(mi), ElementsAre("/proc", "/", "/mnt/my disk"));
}

TEST(SandboxMountinfoTest, ReadonlySubmountSelection) {
  EXPECT_THAT(
      sandbox_readonly_submounts({"/", "/proc", "/proc/sys/fs/binfmt_misc", "/dev", "/dev/shm",
                                  "/tmp", "/tmp/x", "/home", "/home/u/mnt", "/home-b", "/sys",
                                  "/sys/fs/cgroup", "/run", "/run/user/1000", "/home", "/procfs"}),
      ElementsAre("/home", "/home-b", "/procfs", "/run", "/sys"));
  EXPECT_TRUE(sandbox_readonly_submounts({"/", "/proc", "/dev"}).empty());
}

TEST(SubIdParseTest, NameAndNumericEntries) {
  const char* text =
      "# comment\n"
      "alice:100000:65536\n"
      "\n"
      "bob:165536:65536\n"
      "1001:300000:10\n"
      "alice:400000:5\r\n"
      "alicex:1:1\n";
  EXPECT_EQ(parse_subid(text, "alice", 1000),
            (std::vector<SubIdRange>{{100000, 65536}, {400000, 5}}));
  EXPECT_EQ(parse_subid(text, "carol", 1001), (std::vector<SubIdRange>{{300000, 10}}));
  EXPECT_TRUE(parse_subid(text, "dave", 1002).empty());
  EXPECT_TRUE(parse_subid("", "alice", 1000).empty());
}

TEST(SubIdParseTest, MalformedLinesAreSkipped) {
  const char* text =
      "u:1\n"              // too few fields
      "u:1:2:3\n"          // too many
      "u:x:10\n"           // not a number
      "u:10:0\n"           // empty range
      "u:-5:10\n"          // negative
      "u:4294967295:2\n"   // past the 32-bit id space
      "u:99999999999:1\n"  // overflow
      "u:7:3\n";
  EXPECT_EQ(parse_subid(text, "u", 5), (std::vector<SubIdRange>{{7, 3}}));
}

TEST(SandboxVolumeTest, Parse) {
  auto v = parse_volume("/a:/b", "/cwd");
  ASSERT_TRUE(v);
  EXPECT_EQ(*v, (Volume{"/a", "/b", false}));
  EXPECT_EQ(*parse_volume("/a:/b:ro", "/cwd"), (Volume{"/a", "/b", true}));
  EXPECT_EQ(*parse_volume("/a:/b:rw", "/cwd"), (Volume{"/a", "/b", false}));
  EXPECT_EQ(*parse_volume("rel/dir:/b", "/cwd"), (Volume{"/cwd/rel/dir", "/b", false}));
  EXPECT_EQ(*parse_volume("rel:/b", "/"), (Volume{"/rel", "/b", false}));
}

TEST(SandboxVolumeTest, Errors) {
  for (const char* bad : {"/a", "/a:/b:ro:x", ":/b", "/a:", "/a:b", "/a:/b:rx", ""}) {
    auto v = parse_volume(bad, "/cwd");
    ASSERT_FALSE(v) << bad;
    EXPECT_EQ(v.error().code(), EINVAL) << bad;
    EXPECT_THAT(v.error().message(), HasSubstr("invalid volume \"" + std::string(bad) + "\""));
  }
  EXPECT_THAT(parse_volume("/a:b", "/").error().message(), HasSubstr("must be absolute"));
  EXPECT_THAT(parse_volume("/a:/b:rx", "/").error().message(), HasSubstr("unknown option \"rx\""));
}

TEST(SandboxFlagsTest, NetAndMap) {
  EXPECT_EQ(*parse_sandbox_net("none"), SandboxNet::kNone);
  EXPECT_EQ(*parse_sandbox_net("host"), SandboxNet::kHost);
  EXPECT_THAT(parse_sandbox_net("bridge").error().message(), HasSubstr("invalid --net \"bridge\""));
  EXPECT_EQ(*parse_sandbox_map("auto"), SandboxMap::kAuto);
  EXPECT_EQ(*parse_sandbox_map("root"), SandboxMap::kRoot);
  EXPECT_EQ(*parse_sandbox_map("subids"), SandboxMap::kSubids);
  EXPECT_EQ(parse_sandbox_map("keep-id").error().code(), EINVAL);
}

TEST(SandboxMappingTest, Decisions) {
  std::vector<SubIdRange> r = {{100000, 65536}};
  auto full = decide_sandbox_mapping(SandboxMap::kAuto, "u", r, r, true);
  ASSERT_TRUE(full);
  EXPECT_EQ(full->subuids, r);
  EXPECT_TRUE(full->note.empty());
  auto no_helper = decide_sandbox_mapping(SandboxMap::kAuto, "u", r, r, false);
  ASSERT_TRUE(no_helper);
  EXPECT_TRUE(no_helper->subuids.empty());
  EXPECT_THAT(no_helper->note, HasSubstr("uidmap"));
  auto none = decide_sandbox_mapping(SandboxMap::kAuto, "u", {}, r, true);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->subuids.empty());
  EXPECT_TRUE(none->subgids.empty());
  EXPECT_THAT(none->note, HasSubstr("/etc/subuid"));
  auto root = decide_sandbox_mapping(SandboxMap::kRoot, "u", r, r, true);
  ASSERT_TRUE(root);
  EXPECT_TRUE(root->subuids.empty());
}

TEST(SandboxMappingTest, SubidsRequiredSaysHowToAddThem) {
  auto r = decide_sandbox_mapping(SandboxMap::kSubids, "grove-x", {}, {}, true);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ENOENT);
  EXPECT_THAT(r.error().message(),
              HasSubstr("usermod --add-subuids 100000-165535 --add-subgids 100000-165535 "
                        "grove-x"));
  std::vector<SubIdRange> ok = {{1, 1}};
  auto gids = decide_sandbox_mapping(SandboxMap::kSubids, "u", ok, {}, true);
  ASSERT_FALSE(gids);
  EXPECT_THAT(gids.error().message(), HasSubstr("/etc/subgid"));
  auto helper = decide_sandbox_mapping(SandboxMap::kSubids, "u", ok, ok, false);
  ASSERT_FALSE(helper);
  EXPECT_THAT(helper.error().message(), HasSubstr("\"uidmap\" package"));
}

TEST(SandboxUsernsTest, DisabledReasons) {
  EXPECT_EQ(userns_disabled_reason("15000\n", std::nullopt, std::nullopt), "");
  EXPECT_EQ(userns_disabled_reason(std::nullopt, std::nullopt, std::nullopt), "");
  EXPECT_EQ(userns_disabled_reason("15000\n", "1\n", "0\n"), "");
  EXPECT_THAT(userns_disabled_reason("0\n", "1\n", std::nullopt),
              HasSubstr("sysctl -w user.max_user_namespaces="));
  EXPECT_THAT(userns_disabled_reason("100\n", "0\n", std::nullopt),
              HasSubstr("sysctl -w kernel.unprivileged_userns_clone=1"));
  EXPECT_THAT(userns_disabled_reason("100\n", "1\n", "1\n"),
              HasSubstr("kernel.apparmor_restrict_unprivileged_userns=0"));
}

TEST(SandboxIdTest, FormatAndStateRoot) {
  EXPECT_EQ(sandbox_id(4242, 0xabc), "sandbox-4242-00000abc");
  EXPECT_EQ(sandbox_state_root("/run/user/1001/grove", true, 1001), "/run/user/1001/grove");
  EXPECT_EQ(sandbox_state_root("/run/grove", false, 1001), "/tmp/grove-1001");
  EXPECT_EQ(sandbox_state_root("/run/grove", false, 0), "/run/grove");
  EXPECT_EQ(sandbox_state_root("/srv/state", false, 1001), "/srv/state");
}

TEST(SandboxErrorTest, CloneRefusalsGetAHint) {
  auto clone_error = [](int code) {
    return Error::from_errno(code, "clone3(CLONE_NEWUSER|CLONE_NEWNS|CLONE_NEWPID)")
        .context("clone container init")
        .context("create container \"sandbox-1-00000001\"");
  };
  std::string eperm = explain_sandbox_error(clone_error(EPERM)).message();
  EXPECT_THAT(eperm, HasSubstr("the kernel refused to create a user namespace"));
  EXPECT_THAT(eperm, HasSubstr("kernel.unprivileged_userns_clone"));
  EXPECT_EQ(explain_sandbox_error(clone_error(EPERM)).code(), EPERM);
  EXPECT_THAT(explain_sandbox_error(clone_error(ENOSPC)).message(),
              HasSubstr("raise user.max_user_namespaces"));
  // Other errors, and clone failures without a user namespace, are left alone.
  Error other = Error::from_errno(EPERM, "mount(\"proc\")");
  EXPECT_EQ(explain_sandbox_error(other).message(), other.message());
  Error plain_clone = Error::from_errno(EPERM, "clone3(CLONE_NEWNS)");
  EXPECT_EQ(explain_sandbox_error(plain_clone).message(), plain_clone.message());
}

}  // namespace
}  // namespace grove::container
