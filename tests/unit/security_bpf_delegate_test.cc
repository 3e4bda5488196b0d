// L0/L1: the run.grove.bpf.delegate annotation: parsing, the planned bpffs op (describe lines),
// the fsconfig trace of the executor and the handoff hook, and the error cases.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "libcontainer/base/strings.h"
#include "libcontainer/mount/apply.h"
#include "libcontainer/plan/mount_plan.h"
#include "libcontainer/security/bpf_delegate.h"
#include "oci/default_spec.h"
#include "tests/support/fake_ops.h"

namespace grove::security {
namespace {

using ::testing::ElementsAre;
using testing::FakeOps;
using ::testing::HasSubstr;

constexpr const char* kLabel = "system_u:object_r:container_file_t:s0:c1,c2";

sys::Features features(bool selinux) {
  sys::Features f;
  f.new_mount_api = sys::Probe::yes();
  f.mount_setattr = sys::Probe::yes();
  f.openat2 = sys::Probe::yes();
  f.cgroup_layout = sys::CgroupLayout::kHybrid;
  f.selinux = selinux ? sys::Probe::yes() : sys::Probe::no("is_selinux_enabled() = 0");
  return f;
}

// A rootless-style spec: it has a user namespace.
oci::Spec userns_spec(const std::string& annotation) {
  oci::Spec spec = oci::default_spec(true, 1000, 1000);
  spec.annotations[kBpfDelegateAnnotation] = annotation;
  spec.linux->mount_label = kLabel;
  return spec;
}

std::vector<plan::BpfFsMount> bpf_ops(const plan::MountPlan& p) {
  std::vector<plan::BpfFsMount> out;
  for (const plan::MountOp& op : p.ops) {
    if (const auto* b = std::get_if<plan::BpfFsMount>(&op)) out.push_back(*b);
  }
  return out;
}

// Known names become one numeric mask (a kernel without BTF takes only numbers and "any"):
// BPF_MAP_CREATE=0, BPF_PROG_LOAD=5, BPF_BTF_LOAD=18; BPF_PROG_TYPE_SOCKET_FILTER=1, _XDP=6.
TEST(BpfDelegateTest, ParsesFourFieldsIntoNumericMasks) {
  auto d = parse_bpf_delegation("map_create|prog_load|btf_load::socket_filter|xdp:any");
  ASSERT_TRUE(d) << d.error().message();
  EXPECT_EQ(d->cmds, "0x40021");
  EXPECT_EQ(d->maps, "");
  EXPECT_EQ(d->progs, "0x42");
  EXPECT_EQ(d->attachs, "any");
  EXPECT_THAT(bpffs_options(*d),
              ElementsAre(std::pair<std::string, std::string>{"delegate_cmds", "0x40021"},
                          std::pair<std::string, std::string>{"delegate_progs", "0x42"},
                          std::pair<std::string, std::string>{"delegate_attachs", "any"}));
  auto n = parse_bpf_delegation("0x3|map_create:RINGBUF::");  // BPF_MAP_TYPE_RINGBUF=27
  ASSERT_TRUE(n);
  EXPECT_EQ(n->cmds, "0x3");
  EXPECT_EQ(n->maps, "0x8000000");
  // A name newer than grove's headers: the kernel's own syntax, for its BTF to resolve.
  auto f = parse_bpf_delegation("map_create|some_future_cmd:::");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->cmds, "map_create:some_future_cmd");
  EXPECT_EQ(parse_bpf_delegation("map_create|any:::")->cmds, "any");
}

TEST(BpfDelegateTest, BadValuesNameTheAnnotationAndTheField) {
  struct Case {
    const char* value;
    const char* want;
  };
  for (const Case& c : {
           Case{"any", "want 4 ':'-separated fields cmds:maps:progs:attachs, got 1"},
           Case{"any:any:any:any:any", "got 5"},
           Case{"", "got 0"},
           Case{":::", "delegates nothing"},
           Case{"any::a b:", "progs: bad item \"a b\""},
           Case{"map_create||prog_load:::", "cmds: bad item \"\""},
           Case{":hash,array::", "maps: bad item \"hash,array\""},
           Case{":::cgroup=1", "attachs: bad item \"cgroup=1\""},
       }) {
    auto r = parse_bpf_delegation(c.value);
    ASSERT_FALSE(r) << c.value;
    EXPECT_EQ(r.error().code(), EINVAL);
    EXPECT_THAT(r.error().message(), HasSubstr("annotations \"run.grove.bpf.delegate\""));
    EXPECT_THAT(r.error().message(), HasSubstr(c.want)) << c.value;
  }
}

TEST(BpfDelegateTest, PlannerAddsOneBpffsAfterTheSpecMounts) {
  auto p = plan::plan_mounts(userns_spec("map_create|prog_load::any:"), features(true), {});
  ASSERT_TRUE(p) << p.error().message();
  ASSERT_EQ(bpf_ops(*p).size(), 1u);
  std::vector<std::string> lines = plan::describe(*p);
  auto it = std::find_if(lines.begin(), lines.end(),
                         [](const std::string& l) { return l.rfind("bpffs", 0) == 0; });
  ASSERT_NE(it, lines.end());
  EXPECT_EQ(*it,
            "bpffs on \"/sys/fs/bpf\" delegate_cmds=\"0x21\" "
            "delegate_progs=\"any\" label=" +
                q(kLabel));
  // After /sys (a spec mount), before the default devices.
  EXPECT_THAT(*(it - 1), HasSubstr("on \"/sys/fs/cgroup\""));
  EXPECT_THAT(*(it + 1), HasSubstr("/dev/null"));
}

TEST(BpfDelegateTest, NoLabelWithoutSelinuxAndNothingWithoutAnnotation) {
  auto p = plan::plan_mounts(userns_spec("any:::"), features(false), {});
  ASSERT_TRUE(p);
  ASSERT_EQ(bpf_ops(*p).size(), 1u);
  EXPECT_EQ(plan::describe(plan::MountOp{bpf_ops(*p)[0]}),
            "bpffs on \"/sys/fs/bpf\" delegate_cmds=\"any\"");
  auto none = plan::plan_mounts(oci::default_spec(true, 1000, 1000), features(true), {});
  ASSERT_TRUE(none);
  EXPECT_TRUE(bpf_ops(*none).empty());
}

TEST(BpfDelegateTest, PlannerRefusesWithoutUserNamespaceAndBadValues) {
  oci::Spec spec = oci::default_spec(false);
  spec.annotations[kBpfDelegateAnnotation] = "any:::";
  auto r = plan::plan_mounts(spec, features(false), {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), EINVAL);
  EXPECT_THAT(r.error().message(),
              HasSubstr("annotations \"run.grove.bpf.delegate\": needs a user namespace"));
  auto bad = plan::plan_mounts(userns_spec("any::x-y:"), features(false), {});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code(), EINVAL);
  EXPECT_THAT(bad.error().message(), HasSubstr("progs: bad item \"x-y\""));
}

TEST(BpfDelegateTest, ExecutorTraceOpensInPlaceAndConfiguresWithContext) {
  plan::MountPlan p;
  p.strategy = {plan::Strategy::kPivot, "test"};
  BpfDelegation d{"map_create:prog_load", "", "any", ""};
  p.ops = {plan::BpfFsMount{kBpfFsTarget, d, kLabel}};
  FakeOps ops;
  auto prepared = mount::prepare_mounts(ops, p, mount::ApplyInputs{});
  ASSERT_TRUE(prepared) << prepared.error().message();
  EXPECT_THAT(ops.trace(),
              ElementsAre("fsopen(\"bpf\", 1)",
                          "fsconfig_set_string(<fsctx:bpf>, \"delegate_cmds\", "
                          "\"map_create:prog_load\")",
                          "fsconfig_set_string(<fsctx:bpf>, \"delegate_progs\", \"any\")",
                          "fsconfig_set_string(<fsctx:bpf>, \"context\", " + q(kLabel) + ")",
                          "fsconfig_create(<fsctx:bpf>)",
                          "fsmount(<fsctx:bpf>, FSMOUNT_CLOEXEC, NOSUID|NODEV|NOEXEC)"));
}

TEST(BpfDelegateTest, ExecutorHandsTheContextToConfigureHook) {
  plan::MountPlan p;
  p.strategy = {plan::Strategy::kPivot, "test"};
  p.ops = {plan::BpfFsMount{kBpfFsTarget, {"any", "", "", ""}, ""}};
  FakeOps ops;
  mount::ApplyInputs in;
  int seen_fd = -1;
  in.configure_bpffs = [&](int fsfd, const plan::BpfFsMount& op) -> Result<UniqueFd> {
    seen_fd = fsfd;
    EXPECT_EQ(op.delegation.cmds, "any");
    return ops.make_fd("mnt:bpf");
  };
  auto prepared = mount::prepare_mounts(ops, p, in);
  ASSERT_TRUE(prepared) << prepared.error().message();
  EXPECT_GE(seen_fd, 0);
  // Only the fsopen happens here; configuring is the hook's job.
  EXPECT_THAT(ops.trace(), ElementsAre("fsopen(\"bpf\", 1)"));
}

TEST(BpfDelegateTest, KernelRefusalCarriesTheOp) {
  plan::MountPlan p;
  p.strategy = {plan::Strategy::kPivot, "test"};
  p.ops = {plan::BpfFsMount{kBpfFsTarget, {"any", "", "", ""}, ""}};
  FakeOps ops;
  ops.fail_next("fsconfig_set_string", EPERM);  // no CAP_SYS_ADMIN in the initial userns
  auto r = mount::prepare_mounts(ops, p, mount::ApplyInputs{});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), EPERM);
  EXPECT_THAT(r.error().message(),
              HasSubstr("bpffs on \"/sys/fs/bpf\" delegate_cmds=\"any\": fsconfig_set_string("));
}

}  // namespace
}  // namespace grove::security
