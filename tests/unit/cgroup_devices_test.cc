// L0/L1: device cgroup rules. The spec -> rules merge (runc's specconv order and defaults,
// field-naming errors), the v1 devices.allow/devices.deny plans (golden lines, last-match-wins,
// minimal updates from a devices.list), the v2 eBPF program run through a small interpreter of
// the instructions it uses (so its decisions are checked without loading it) plus one golden
// listing, and apply_device_program's bpf call order and failure handling under FakeOps.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <linux/bpf.h>

#include <cstring>
#include <string>
#include <vector>

#include "libcontainer/base/strings.h"
#include "libcontainer/cgroup/devices.h"
#include "tests/support/fake_ops.h"

namespace grove::cgroup {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

oci::Spec spec_with(std::vector<oci::DeviceCgroup> rules, std::vector<oci::Device> devs = {}) {
  oci::Spec s;
  s.linux.emplace();
  s.linux->resources.emplace();
  s.linux->resources->devices = std::move(rules);
  s.linux->devices = std::move(devs);
  return s;
}

std::vector<std::string> lines(const std::vector<DeviceRule>& rules) {
  std::vector<std::string> out;
  for (const auto& r : rules)
    out.push_back(std::string(r.allow ? "allow " : "deny ") + describe(r));
  return out;
}

std::vector<std::string> lines(const std::vector<Write>& writes) {
  std::vector<std::string> out;
  for (const auto& w : writes) out.push_back(describe(w));
  return out;
}

// ---- device_rules --------------------------------------------------------------------------

TEST(CgroupDeviceRulesTest, SpecRulesThenRuncDefaults) {
  auto r = device_rules(spec_with({{.allow = false, .access = "rwm"},
                                   {.allow = true, .type = "c", .major = 4, .access = "rw"}}));
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_THAT(lines(*r),
              ElementsAre("deny a *:* rwm", "allow c 4:* rw", "allow c *:* m", "allow b *:* m",
                          "allow c 1:3 rwm", "allow c 1:8 rwm", "allow c 1:7 rwm",
                          "allow c 5:0 rwm", "allow c 1:5 rwm", "allow c 1:9 rwm",
                          "allow c 136:* rwm", "allow c 5:2 rwm", "allow c 10:200 rwm"));
}

TEST(CgroupDeviceRulesTest, NoLinuxSectionGivesTheDefaultsOnly) {
  auto r = device_rules(oci::Spec{});
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, default_device_rules());
  EXPECT_EQ(r->size(), 11u);  // runc has no /dev/console 5:1 (crun does)
}

TEST(CgroupDeviceRulesTest, LinuxDevicesGetNoRuleAndReplaceTheDefaultOfTheirPath) {
  // runc createDevices: a spec device with a default's path drops that default rule; the spec's
  // own devices are granted only through linux.resources.devices.
  auto r =
      device_rules(spec_with({}, {{.path = "/dev/zero", .type = "c", .major = 1, .minor = 5},
                                  {.path = "/dev/fuse", .type = "c", .major = 10, .minor = 229}}));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->size(), 10u);
  for (const DeviceRule& d : *r) {
    EXPECT_FALSE(d.major == 1 && d.minor == 5) << describe(d);
    EXPECT_FALSE(d.major == 10 && d.minor == 229) << describe(d);
  }
}

TEST(CgroupDeviceRulesTest, ErrorsNameTheField) {
  struct Case {
    oci::DeviceCgroup rule;
    std::string message;
  } cases[] = {
      {{.allow = true, .type = "c", .access = "rwx"},
       "linux.resources.devices[2].access: invalid device access \"rwx\""},
      {{.allow = true, .type = "c", .access = ""},
       "linux.resources.devices[2].access: device access cannot be empty"},
      {{.allow = true, .type = "u", .access = "r"},
       "linux.resources.devices[2].type: invalid cgroup device type \"u\""},
      {{.allow = true, .type = "c", .major = -2, .access = "r"},
       "linux.resources.devices[2].major: invalid major -2"},
      {{.allow = true, .type = "c", .minor = 1LL << 32, .access = "r"},
       "linux.resources.devices[2].minor: invalid minor 4294967296"},
  };
  for (const auto& c : cases) {
    auto r = device_rules(spec_with(
        {{.allow = false, .access = "rwm"}, {.allow = true, .type = "b", .access = "r"}, c.rule}));
    ASSERT_FALSE(r) << c.message;
    EXPECT_EQ(r.error().code(), EINVAL);
    EXPECT_EQ(r.error().message(), c.message);
  }
}

// ---- plan_devices_v1 -----------------------------------------------------------------------

TEST(CgroupDevicesV1Test, DefaultSpecGolden) {
  auto rules = device_rules(spec_with({{.allow = false, .access = "rwm"}}));
  ASSERT_TRUE(rules);
  auto plan = plan_devices_v1(*rules);
  ASSERT_TRUE(plan) << plan.error().message();
  EXPECT_THAT(
      lines(*plan),
      ElementsAre("v1 devices/devices.deny=a", "v1 devices/devices.allow=b *:* m",
                  "v1 devices/devices.allow=c *:* m", "v1 devices/devices.allow=c 1:3 rwm",
                  "v1 devices/devices.allow=c 1:5 rwm", "v1 devices/devices.allow=c 1:7 rwm",
                  "v1 devices/devices.allow=c 1:8 rwm", "v1 devices/devices.allow=c 1:9 rwm",
                  "v1 devices/devices.allow=c 5:0 rwm", "v1 devices/devices.allow=c 5:2 rwm",
                  "v1 devices/devices.allow=c 10:200 rwm", "v1 devices/devices.allow=c 136:* rwm"));
  for (const Write& w : *plan) {
    EXPECT_EQ(w.hierarchy, Hierarchy::kV1);
    EXPECT_EQ(w.controller, "devices");
  }
}

TEST(CgroupDevicesV1Test, LastMatchWins) {
  // Allowed, then denied: gone. Denied in part: the rest stays. Denied, then allowed: there.
  std::vector<DeviceRule> rules = {
      {'a', -1, -1, "rwm", false}, {'c', 1, 3, "rwm", true}, {'c', 1, 3, "rwm", false},
      {'c', 1, 5, "rwm", true},    {'c', 1, 5, "w", false},  {'c', 1, 9, "r", false},
      {'c', 1, 9, "rw", true},
  };
  auto plan = plan_devices_v1(rules);
  ASSERT_TRUE(plan);
  EXPECT_THAT(lines(*plan),
              ElementsAre("v1 devices/devices.deny=a", "v1 devices/devices.allow=c 1:5 rm",
                          "v1 devices/devices.allow=c 1:9 rw"));
}

TEST(CgroupDevicesV1Test, NoLeadingRuleMeansDefaultDeny) {
  auto plan = plan_devices_v1({{'c', 1, 3, "rw", true}});
  ASSERT_TRUE(plan);
  EXPECT_THAT(lines(*plan),
              ElementsAre("v1 devices/devices.deny=a", "v1 devices/devices.allow=c 1:3 rw"));
}

TEST(CgroupDevicesV1Test, AllowAllThenDenies) {
  // A blacklist: allow everything, deny /dev/sda's numbers; a later "a" allow resets it all.
  auto plan = plan_devices_v1({{'a', -1, -1, "rwm", true}, {'b', 8, 0, "w", false}});
  ASSERT_TRUE(plan);
  EXPECT_THAT(lines(*plan),
              ElementsAre("v1 devices/devices.allow=a", "v1 devices/devices.deny=b 8:0 w"));
  plan = plan_devices_v1({{'b', 8, 0, "w", false}, {'a', -1, -1, "rwm", true}});
  ASSERT_TRUE(plan);
  EXPECT_THAT(lines(*plan), ElementsAre("v1 devices/devices.allow=a"));
}

TEST(CgroupDevicesV1Test, HolePunchingIsRefused) {
  auto plan = plan_devices_v1({{'c', 1, -1, "rwm", true}, {'c', 1, 3, "w", false}});
  ASSERT_FALSE(plan);
  EXPECT_EQ(plan.error().code(), EINVAL);
  EXPECT_THAT(plan.error().message(), HasSubstr("\"c 1:3 w\""));
  EXPECT_THAT(plan.error().message(), HasSubstr("\"c 1:* rwm\""));
}

TEST(CgroupDevicesV1Test, UpdateFromDevicesListWritesOnlyTheDifference) {
  // The running container allows 1:3 rwm and 1:5 rwm; the update keeps 1:3, narrows 1:5 to r
  // and adds 1:9: no deny-all window.
  std::string list = "c 1:3 rwm\nc 1:5 rwm\n";
  auto plan = plan_devices_v1(
      {{'c', 1, 3, "rwm", true}, {'c', 1, 5, "r", true}, {'c', 1, 9, "rw", true}}, list);
  ASSERT_TRUE(plan) << plan.error().message();
  EXPECT_THAT(lines(*plan),
              ElementsAre("v1 devices/devices.deny=c 1:5 wm", "v1 devices/devices.allow=c 1:9 rw"));
}

TEST(CgroupDevicesV1Test, UpdateFromAllowAllListStartsOver) {
  // "a *:* rwm" is a blacklist whose deny exceptions devices.list does not show.
  auto plan = plan_devices_v1({{'c', 1, 3, "rwm", true}}, std::string("a *:* rwm\n"));
  ASSERT_TRUE(plan);
  EXPECT_THAT(lines(*plan),
              ElementsAre("v1 devices/devices.deny=a", "v1 devices/devices.allow=c 1:3 rwm"));
  auto same = plan_devices_v1({{'c', 1, 3, "rwm", true}}, std::string("c 1:3 rwm\n"));
  ASSERT_TRUE(same);
  EXPECT_TRUE(same->empty());
}

TEST(CgroupDevicesV1Test, MalformedDevicesListIsEinval) {
  auto plan = plan_devices_v1({}, std::string("c 1:x rwm\n"));
  ASSERT_FALSE(plan);
  EXPECT_EQ(plan.error().code(), EINVAL);
  EXPECT_THAT(plan.error().message(), HasSubstr("\"c 1:x rwm\""));
}

// ---- device_program ------------------------------------------------------------------------

// Runs a cgroup-device eBPF program on one request, supporting exactly the instruction forms
// a device program may use; anything else fails the test. Returns R0.
uint64_t run(const std::vector<struct bpf_insn>& p, char type, uint32_t major, uint32_t minor,
             const std::string& access) {
  uint32_t acc = 0;
  for (char c : access) {
    acc |= c == 'r' ? BPF_DEVCG_ACC_READ : c == 'w' ? BPF_DEVCG_ACC_WRITE : BPF_DEVCG_ACC_MKNOD;
  }
  uint32_t ctx[3] = {(type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR) | (acc << 16), major,
                     minor};
  uint64_t r[11] = {};
  for (size_t pc = 0; pc < p.size(); ++pc) {
    const struct bpf_insn& i = p[pc];
    uint64_t src = BPF_SRC(i.code) == BPF_X ? r[i.src_reg] : static_cast<uint64_t>(int64_t{i.imm});
    switch (i.code) {
      case BPF_LDX | BPF_MEM | BPF_W:
        EXPECT_EQ(i.src_reg, BPF_REG_1);
        EXPECT_TRUE(i.off == 0 || i.off == 4 || i.off == 8);
        r[i.dst_reg] = ctx[i.off / 4];
        break;
      case BPF_ALU | BPF_AND | BPF_K:
        r[i.dst_reg] = static_cast<uint32_t>(r[i.dst_reg] & src);
        break;
      case BPF_ALU | BPF_RSH | BPF_K:
        r[i.dst_reg] = static_cast<uint32_t>(r[i.dst_reg]) >> i.imm;
        break;
      case BPF_ALU | BPF_MOV | BPF_X:
        r[i.dst_reg] = static_cast<uint32_t>(src);
        break;
      case BPF_ALU64 | BPF_MOV | BPF_K:
        r[i.dst_reg] = src;
        break;
      case BPF_JMP | BPF_JNE | BPF_K:
      case BPF_JMP | BPF_JNE | BPF_X:
        if (r[i.dst_reg] != src) pc += i.off;
        break;
      case BPF_JMP | BPF_JEQ | BPF_K:
        if (r[i.dst_reg] == src) pc += i.off;
        break;
      case BPF_JMP | BPF_EXIT:
        return r[0];
      default:
        ADD_FAILURE() << "unexpected opcode " << hex(i.code) << " at " << pc;
        return 99;
    }
  }
  ADD_FAILURE() << "ran off the end";
  return 99;
}

bool allows(const std::vector<struct bpf_insn>& p, char type, uint32_t major, uint32_t minor,
            const std::string& access) {
  uint64_t v = run(p, type, major, minor, access);
  EXPECT_TRUE(v == 0 || v == 1);
  return v == 1;
}

TEST(CgroupDeviceProgramTest, DefaultSpecDecisions) {
  auto rules = device_rules(spec_with({{.allow = false, .access = "rwm"}}));
  ASSERT_TRUE(rules);
  auto p = device_program(*rules);
  ASSERT_TRUE(p) << p.error().message();
  EXPECT_TRUE(allows(*p, 'c', 1, 3, "rw"));    // /dev/null
  EXPECT_TRUE(allows(*p, 'c', 1, 5, "r"));     // /dev/zero
  EXPECT_TRUE(allows(*p, 'c', 136, 7, "rw"));  // /dev/pts/7
  EXPECT_TRUE(allows(*p, 'c', 10, 200, "rwm"));
  EXPECT_TRUE(allows(*p, 'b', 8, 0, "m"));   // mknod of anything
  EXPECT_FALSE(allows(*p, 'b', 8, 0, "r"));  // but no disk access
  EXPECT_FALSE(allows(*p, 'b', 8, 0, "rm"));
  EXPECT_FALSE(allows(*p, 'c', 1, 1, "r"));  // /dev/mem
  EXPECT_FALSE(allows(*p, 'c', 10, 229, "rw"));
  EXPECT_FALSE(allows(*p, 'b', 1, 3, "r"));  // type matters
}

TEST(CgroupDeviceProgramTest, LastMatchWinsAndAccessSubsets) {
  std::vector<DeviceRule> rules = {
      {'c', 1, 3, "rwm", true}, {'c', 1, 3, "w", false},  // 1:3 now "rm"
      {'c', 1, 5, "r", false},  {'c', 1, 5, "r", true},   // denied, then allowed
      {'c', 4, -1, "rw", true},
  };
  auto p = device_program(rules);
  ASSERT_TRUE(p);
  EXPECT_TRUE(allows(*p, 'c', 1, 3, "r"));
  EXPECT_FALSE(allows(*p, 'c', 1, 3, "rw"));  // the request needs every letter
  EXPECT_FALSE(allows(*p, 'c', 1, 3, "w"));
  EXPECT_TRUE(allows(*p, 'c', 1, 5, "r"));
  EXPECT_FALSE(allows(*p, 'c', 1, 5, "w"));
  EXPECT_TRUE(allows(*p, 'c', 4, 63, "rw"));
  EXPECT_FALSE(allows(*p, 'c', 4, 63, "m"));
  EXPECT_FALSE(allows(*p, 'c', 5, 63, "r"));
}

TEST(CgroupDeviceProgramTest, AllowAllWithDenies) {
  auto p = device_program({{'a', -1, -1, "rwm", true}, {'b', 8, -1, "w", false}});
  ASSERT_TRUE(p);
  EXPECT_TRUE(allows(*p, 'b', 8, 1, "r"));
  EXPECT_FALSE(allows(*p, 'b', 8, 1, "w"));
  EXPECT_FALSE(allows(*p, 'b', 8, 1, "rw"));  // denied letter in the request: denied
  EXPECT_TRUE(allows(*p, 'c', 8, 1, "w"));
  EXPECT_TRUE(allows(*p, 'b', 9, 1, "w"));
}

// A readable listing of the program, for the golden below.
std::string listing(const std::vector<struct bpf_insn>& p) {
  std::vector<std::string> out;
  for (const auto& i : p) {
    std::string d = "r" + std::to_string(i.dst_reg), s = "r" + std::to_string(i.src_reg);
    std::string imm = std::to_string(i.imm), off = "+" + std::to_string(i.off);
    switch (i.code) {
      case BPF_LDX | BPF_MEM | BPF_W:
        out.push_back(d + " = *(u32*)(" + s + "+" + std::to_string(i.off) + ")");
        break;
      case BPF_ALU | BPF_AND | BPF_K:
        out.push_back("w" + d.substr(1) + " &= " + imm);
        break;
      case BPF_ALU | BPF_RSH | BPF_K:
        out.push_back("w" + d.substr(1) + " >>= " + imm);
        break;
      case BPF_ALU | BPF_MOV | BPF_X:
        out.push_back("w" + d.substr(1) + " = w" + s.substr(1));
        break;
      case BPF_ALU64 | BPF_MOV | BPF_K:
        out.push_back(d + " = " + imm);
        break;
      case BPF_JMP | BPF_JNE | BPF_K:
        out.push_back("if " + d + " != " + imm + " goto " + off);
        break;
      case BPF_JMP | BPF_JNE | BPF_X:
        out.push_back("if " + d + " != " + s + " goto " + off);
        break;
      case BPF_JMP | BPF_JEQ | BPF_K:
        out.push_back("if " + d + " == " + imm + " goto " + off);
        break;
      case BPF_JMP | BPF_EXIT:
        out.push_back("exit");
        break;
      default:
        out.push_back("?" + hex(i.code));
    }
  }
  return join(out, "\n");
}

TEST(CgroupDeviceProgramTest, GoldenListing) {
  auto p = device_program({{'c', 1, 3, "rwm", true}, {'b', -1, -1, "m", true}});
  ASSERT_TRUE(p);
  // Exceptions in (major, minor, type) order: b *:* m first, then c 1:3 (rwm: no access test).
  EXPECT_EQ(listing(*p), R"(r2 = *(u32*)(r1+0)
w2 &= 65535
r3 = *(u32*)(r1+0)
w3 >>= 16
r4 = *(u32*)(r1+4)
r5 = *(u32*)(r1+8)
if r2 != 1 goto +5
w1 = w3
w1 &= 1
if r1 != r3 goto +2
r0 = 1
exit
if r2 != 2 goto +4
if r4 != 1 goto +3
if r5 != 3 goto +2
r0 = 1
exit
r0 = 0
exit)");
}

TEST(CgroupDeviceProgramTest, GoldenDenyBlockTestsOverlap) {
  auto p = device_program({{'a', -1, -1, "rwm", true}, {'b', 8, -1, "w", false}});
  ASSERT_TRUE(p);
  EXPECT_EQ(listing(*p), R"(r2 = *(u32*)(r1+0)
w2 &= 65535
r3 = *(u32*)(r1+0)
w3 >>= 16
r4 = *(u32*)(r1+4)
r5 = *(u32*)(r1+8)
if r2 != 1 goto +6
w1 = w3
w1 &= 4
if r1 == 0 goto +3
if r4 != 8 goto +2
r0 = 0
exit
r0 = 1
exit)");
}

TEST(CgroupDeviceProgramTest, HolePunchingIsRefused) {
  auto p = device_program({{'c', -1, -1, "rwm", true}, {'c', 1, 3, "rwm", false}});
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().code(), EINVAL);
}

// ---- apply_device_program (FakeOps) ----------------------------------------------------------

class CgroupDeviceApplyTest : public ::testing::Test {
 protected:
  void SetUp() override { cgroup_ = ops_.make_fd("cgroup"); }
  testing::FakeOps ops_;
  UniqueFd cgroup_;
  std::vector<DeviceRule> rules_ = {{'c', 1, 3, "rwm", true}};
};

TEST_F(CgroupDeviceApplyTest, FreshCgroupLoadsAndAttaches) {
  ASSERT_TRUE(apply_device_program(ops_, cgroup_.get(), rules_));
  EXPECT_EQ(ops_.trace_text(), R"(bpf_prog_query(<cgroup>, CGROUP_DEVICE)
bpf_prog_load(CGROUP_DEVICE, 13 insns, "Apache")
bpf_prog_attach(<cgroup>, <bpf:prog:100>, CGROUP_DEVICE, ALLOW_MULTI))");
  EXPECT_THAT(ops_.bpf_attached("cgroup"), ElementsAre(100u));
  ASSERT_EQ(ops_.bpf_programs().size(), 1u);
  EXPECT_EQ(ops_.bpf_programs()[0].size(), device_program(rules_)->size());
  EXPECT_THAT(ops_.open_fds(), ElementsAre("<cgroup>"));
}

TEST_F(CgroupDeviceApplyTest, UpdateAttachesTheNewBeforeDetachingTheOld) {
  ops_.set_bpf_attached("cgroup", {7, 9});
  ASSERT_TRUE(apply_device_program(ops_, cgroup_.get(), rules_));
  EXPECT_EQ(ops_.trace_text(), R"(bpf_prog_query(<cgroup>, CGROUP_DEVICE)
bpf_prog_get_fd_by_id(7)
bpf_prog_get_fd_by_id(9)
bpf_prog_load(CGROUP_DEVICE, 13 insns, "Apache")
bpf_prog_attach(<cgroup>, <bpf:prog:100>, CGROUP_DEVICE, ALLOW_MULTI)
bpf_prog_detach2(<cgroup>, <bpf:prog:7>, CGROUP_DEVICE)
bpf_prog_detach2(<cgroup>, <bpf:prog:9>, CGROUP_DEVICE))");
  EXPECT_THAT(ops_.bpf_attached("cgroup"), ElementsAre(100u));
  EXPECT_THAT(ops_.open_fds(), ElementsAre("<cgroup>"));
}

TEST_F(CgroupDeviceApplyTest, VanishedOldProgramsAreSkipped) {
  ops_.set_bpf_attached("cgroup", {7});
  ops_.fail_next("bpf_prog_get_fd_by_id", ENOENT);
  ASSERT_TRUE(apply_device_program(ops_, cgroup_.get(), rules_));
  EXPECT_EQ(ops_.calls("bpf_prog_detach2"), 0);
  EXPECT_THAT(ops_.open_fds(), ElementsAre("<cgroup>"));
}

TEST_F(CgroupDeviceApplyTest, FailureAtEachStep) {
  struct Step {
    const char* op;
    int err;
    std::vector<uint32_t> attached_after;  // what the cgroup is left with
    const char* frame;
  } steps[] = {
      {"bpf_prog_query", EPERM, {7}, "bpf_prog_query(<cgroup>, CGROUP_DEVICE)"},
      {"bpf_prog_get_fd_by_id", EPERM, {7}, "old device program 7: bpf_prog_get_fd_by_id(7)"},
      {"bpf_prog_load", EACCES, {7}, "bpf_prog_load(CGROUP_DEVICE, 13 insns, \"Apache\")"},
      {"bpf_prog_attach", EPERM, {7}, "bpf_prog_attach(<cgroup>, <bpf:prog:100>"},
      {"bpf_prog_detach2", EBUSY, {7, 100}, "detach old device program 7: bpf_prog_detach2("},
  };
  for (const Step& s : steps) {
    SCOPED_TRACE(s.op);
    testing::FakeOps ops;
    UniqueFd cg = ops.make_fd("cgroup");
    ops.set_bpf_attached("cgroup", {7});
    ops.fail_next(s.op, s.err);
    auto st = apply_device_program(ops, cg.get(), rules_);
    ASSERT_FALSE(st);
    EXPECT_EQ(st.error().code(), s.err);
    EXPECT_THAT(st.error().message(), HasSubstr(s.frame));
    EXPECT_EQ(ops.bpf_attached("cgroup"), s.attached_after);
    EXPECT_THAT(ops.open_fds(), ElementsAre("<cgroup>"));  // every bpf fd closed
  }
}

TEST_F(CgroupDeviceApplyTest, InvalidRulesMakeNoCall) {
  auto st = apply_device_program(ops_, cgroup_.get(),
                                 {{'c', 1, -1, "rwm", true}, {'c', 1, 3, "r", false}});
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code(), EINVAL);
  EXPECT_TRUE(ops_.trace().empty());
}

}  // namespace
}  // namespace grove::cgroup
