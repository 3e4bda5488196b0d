// L0/L1: linux.seccomp translation (spec -> libseccomp rules, field-naming errors), the compiled
// program run through a small classic-BPF interpreter (so rule semantics and the ENOSYS stub
// are checked without loading anything), the cache key and file format, the cache itself in a
// mkdtemp directory (no root needed), and the load order in finalize_and_exec() under FakeOps.

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "libcontainer/process/exec_setup.h"
#include "libcontainer/security/seccomp.h"
#include "libcontainer/security/sha256.h"
#include "libcontainer/sys/linux_ops.h"
#include "tests/support/fake_ops.h"

namespace grove::security {
namespace {

using ::testing::HasSubstr;

// Runs a classic-BPF seccomp program on one syscall; returns the SECCOMP_RET_* value.
uint32_t run_bpf(const std::vector<sys::BpfInsn>& prog, int nr, uint32_t arch,
                 std::array<uint64_t, 6> args = {}) {
  struct seccomp_data d = {};
  d.nr = nr;
  d.arch = arch;
  for (int i = 0; i < 6; ++i) d.args[i] = args[i];
  uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = {};
  auto word = [&](uint32_t off) {
    uint32_t v;
    std::memcpy(&v, reinterpret_cast<const char*>(&d) + off, 4);
    return v;
  };
  for (std::size_t pc = 0; pc < prog.size(); ++pc) {
    const sys::BpfInsn& i = prog[pc];
    uint32_t src = BPF_SRC(i.code) == BPF_X ? x : i.k;
    switch (BPF_CLASS(i.code)) {
      case BPF_LD:
        a = BPF_MODE(i.code) == BPF_ABS ? word(i.k) : BPF_MODE(i.code) == BPF_MEM ? mem[i.k] : i.k;
        break;
      case BPF_LDX:
        x = BPF_MODE(i.code) == BPF_MEM ? mem[i.k] : i.k;
        break;
      case BPF_ST:
        mem[i.k] = a;
        break;
      case BPF_STX:
        mem[i.k] = x;
        break;
      case BPF_ALU:
        if (BPF_OP(i.code) == BPF_AND)
          a &= src;
        else if (BPF_OP(i.code) == BPF_OR)
          a |= src;
        else
          ADD_FAILURE() << "alu op " << i.code;
        break;
      case BPF_JMP: {
        if (BPF_OP(i.code) == BPF_JA) {
          pc += i.k;
          break;
        }
        bool t = BPF_OP(i.code) == BPF_JEQ   ? a == src
                 : BPF_OP(i.code) == BPF_JGT ? a > src
                 : BPF_OP(i.code) == BPF_JGE ? a >= src
                                             : (a & src) != 0;
        pc += t ? i.jt : i.jf;
        break;
      }
      case BPF_RET:
        return BPF_RVAL(i.code) == BPF_A ? a : i.k;
      case BPF_MISC:
        if (BPF_MISCOP(i.code) == BPF_TAX)
          x = a;
        else
          a = x;
        break;
    }
  }
  ADD_FAILURE() << "fell off the end of the program";
  return 0;
}

oci::Seccomp allow_but_mkdir() {
  oci::Seccomp s;
  s.default_action = "SCMP_ACT_ALLOW";
  s.syscalls.push_back({{"mkdir", "mkdirat"}, "SCMP_ACT_ERRNO", 1, {}});
  return s;
}

TEST(SeccompTranslateTest, ActionsLikeRunc) {
  EXPECT_EQ(*seccomp_action("SCMP_ACT_KILL", std::nullopt), SCMP_ACT_KILL_THREAD);
  EXPECT_EQ(*seccomp_action("SCMP_ACT_KILL_PROCESS", std::nullopt), SCMP_ACT_KILL_PROCESS);
  EXPECT_EQ(*seccomp_action("SCMP_ACT_ERRNO", std::nullopt), SCMP_ACT_ERRNO(EPERM));
  EXPECT_EQ(*seccomp_action("SCMP_ACT_ERRNO", 38u), SCMP_ACT_ERRNO(38));
  EXPECT_EQ(*seccomp_action("SCMP_ACT_TRACE", std::nullopt), SCMP_ACT_TRACE(EPERM));
  EXPECT_EQ(*seccomp_action("SCMP_ACT_NOTIFY", std::nullopt), SCMP_ACT_NOTIFY);
  EXPECT_EQ(*seccomp_action("SCMP_ACT_LOG", std::nullopt), SCMP_ACT_LOG);
  EXPECT_EQ(seccomp_action("SCMP_ACT_ALLOW", 1u).error().code(), EINVAL);
  EXPECT_EQ(*seccomp_flag("SECCOMP_FILTER_FLAG_TSYNC"), 0u);
  EXPECT_EQ(*seccomp_flag("SECCOMP_FILTER_FLAG_LOG"), unsigned{SECCOMP_FILTER_FLAG_LOG});
  EXPECT_EQ(*seccomp_operator("SCMP_CMP_MASKED_EQ"), SCMP_CMP_MASKED_EQ);
  EXPECT_EQ(*seccomp_arch("SCMP_ARCH_X86_64"), SCMP_ARCH_X86_64);
}

TEST(SeccompTranslateTest, RulesFromTheSpec) {
  oci::Seccomp s = allow_but_mkdir();
  s.architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86"};
  s.flags = {"SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_TSYNC"};
  s.syscalls.push_back({{"getpid"}, "SCMP_ACT_ALLOW", std::nullopt, {}});
  s.syscalls.push_back({{"no_such_syscall"}, "SCMP_ACT_ERRNO", std::nullopt, {}});
  s.syscalls.push_back({{"personality"},
                        "SCMP_ACT_ERRNO",
                        std::nullopt,
                        {{0, 8, 0, "SCMP_CMP_NE"}, {0, 0x20008, 0, "SCMP_CMP_NE"}}});
  s.syscalls.push_back({{"socket"},
                        "SCMP_ACT_KILL",
                        std::nullopt,
                        {{0, 16, 0, "SCMP_CMP_EQ"}, {2, 0xff, 9, "SCMP_CMP_MASKED_EQ"}}});
  auto r = translate_seccomp(s);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->default_action, SCMP_ACT_ALLOW);
  EXPECT_EQ(r->arches, (std::vector<uint32_t>{SCMP_ARCH_X86_64, SCMP_ARCH_X86}));
  EXPECT_EQ(r->flags, unsigned{SECCOMP_FILTER_FLAG_LOG});
  // getpid == default action: skipped like runc; the unknown name is recorded, not an error.
  EXPECT_EQ(r->skipped, std::vector<std::string>{"no_such_syscall"});
  ASSERT_EQ(r->rules.size(), 5u);
  EXPECT_EQ(r->rules[0].name, "mkdir");
  EXPECT_EQ(r->rules[0].action, SCMP_ACT_ERRNO(1));
  EXPECT_EQ(r->rules[1].syscall, __NR_mkdirat);
  // Two conditions on arg 0: one rule each (runc); different args: one rule, both conditions.
  EXPECT_EQ(r->rules[2].conditions, (std::vector<SeccompCondition>{{0, SCMP_CMP_NE, 8, 0}}));
  EXPECT_EQ(r->rules[3].conditions, (std::vector<SeccompCondition>{{0, SCMP_CMP_NE, 0x20008, 0}}));
  EXPECT_EQ(r->rules[4].action, SCMP_ACT_KILL_THREAD);
  EXPECT_EQ(r->rules[4].conditions.size(), 2u);
  EXPECT_FALSE(r->enosys_stub);  // default ALLOW
}

TEST(SeccompTranslateTest, BadValuesNameTheirField) {
  struct Case {
    const char* field;
    void (*set)(oci::Seccomp&);
  };
  const Case cases[] = {
      {"linux.seccomp.defaultAction: unknown seccomp action",
       [](oci::Seccomp& s) { s.default_action = "SCMP_ACT_NOPE"; }},
      {"linux.seccomp.syscalls[2].action: unknown seccomp action \"SCMP_ACT_FOO\"",
       [](oci::Seccomp& s) {
         s.syscalls.push_back({{"read"}, "SCMP_ACT_ERRNO", std::nullopt, {}});
         s.syscalls.push_back({{"write"}, "SCMP_ACT_FOO", std::nullopt, {}});
       }},
      {"linux.seccomp.architectures[1]: unknown seccomp architecture \"SCMP_ARCH_VAX\"",
       [](oci::Seccomp& s) {
         s.architectures = {"SCMP_ARCH_X86", "SCMP_ARCH_VAX"};
       }},
      {"linux.seccomp.syscalls[1].args[0].op: unknown seccomp operator \"SCMP_CMP_XX\"",
       [](oci::Seccomp& s) {
         s.syscalls.push_back(
             {{"read"}, "SCMP_ACT_ERRNO", std::nullopt, {{0, 1, 0, "SCMP_CMP_XX"}}});
       }},
      {"linux.seccomp.flags[1]: unknown seccomp flag \"SECCOMP_FILTER_FLAG_NOPE\"",
       [](oci::Seccomp& s) {
         s.flags = {"SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_NOPE"};
       }},
      {"linux.seccomp.syscalls[1].action: errnoRet only applies",
       [](oci::Seccomp& s) {
         s.syscalls.push_back({{"read"}, "SCMP_ACT_KILL", 3u, {}});
       }},
      {"linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action",
       [](oci::Seccomp& s) { s.default_action = "SCMP_ACT_NOTIFY"; }},
      {"linux.seccomp.syscalls[1].names[1]: SCMP_ACT_NOTIFY cannot be used for sendmsg",
       [](oci::Seccomp& s) {
         s.syscalls.push_back({{"connect", "sendmsg"}, "SCMP_ACT_NOTIFY", std::nullopt, {}});
       }},
      {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV needs an SCMP_ACT_NOTIFY rule",
       [](oci::Seccomp& s) { s.flags = {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"}; }},
  };
  for (const Case& c : cases) {
    oci::Seccomp s = allow_but_mkdir();
    c.set(s);
    auto r = translate_seccomp(s);
    ASSERT_FALSE(r) << c.field;
    EXPECT_EQ(r.error().code(), EINVAL) << c.field;
    EXPECT_THAT(r.error().message(), HasSubstr(c.field));
  }
}

TEST(SeccompTranslateTest, ArchUnknownToLibseccompIsNotSupported) {
  if (seccomp_arch_resolve_name("m68k") != 0) GTEST_SKIP() << "this libseccomp knows m68k";
  auto r = seccomp_arch("SCMP_ARCH_M68K");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ENOTSUP);
  EXPECT_THAT(r.error().message(), HasSubstr("not supported by libseccomp"));
}

TEST(SeccompTranslateTest, NotifyAsksForAListener) {
  oci::Seccomp s = allow_but_mkdir();
  s.syscalls.push_back({{"getcwd"}, "SCMP_ACT_NOTIFY", std::nullopt, {}});
  s.flags = {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"};
  auto r = translate_seccomp(s);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->flags, kSeccompFlagNewListener | (1U << 5));
}

#if defined(__x86_64__)
TEST(SeccompCompileTest, ProgramDoesWhatTheProfileSays) {
  sys::LinuxOps ops;
  oci::Seccomp s = allow_but_mkdir();
  s.syscalls.push_back(
      {{"personality"}, "SCMP_ACT_ERRNO", 22u, {{0, 0xff, 8, "SCMP_CMP_MASKED_EQ"}}});
  s.syscalls.push_back({{"kill"}, "SCMP_ACT_KILL_PROCESS", std::nullopt, {}});
  auto p = compile_seccomp(ops, s);
  ASSERT_TRUE(p) << p.error().message();
  EXPECT_FALSE(p->notify());
  const uint32_t x86_64 = AUDIT_ARCH_X86_64;
  EXPECT_EQ(run_bpf(p->insns, __NR_mkdir, x86_64), SECCOMP_RET_ERRNO | 1);
  EXPECT_EQ(run_bpf(p->insns, __NR_mkdirat, x86_64), SECCOMP_RET_ERRNO | 1);
  EXPECT_EQ(run_bpf(p->insns, __NR_getpid, x86_64), SECCOMP_RET_ALLOW);
  EXPECT_EQ(run_bpf(p->insns, __NR_kill, x86_64), SECCOMP_RET_KILL_PROCESS);
  EXPECT_EQ(run_bpf(p->insns, __NR_personality, x86_64, {0x1008}), SECCOMP_RET_ERRNO | 22);
  EXPECT_EQ(run_bpf(p->insns, __NR_personality, x86_64, {0x1009}), SECCOMP_RET_ALLOW);
  // Only the native arch was asked for: i386 syscalls hit libseccomp's bad-arch action (kill).
  EXPECT_EQ(run_bpf(p->insns, 5, AUDIT_ARCH_I386), SECCOMP_RET_KILL_THREAD);
}

TEST(SeccompCompileTest, EnosysStubForSyscallsNewerThanTheProfile) {
  sys::LinuxOps ops;
  oci::Seccomp s;
  s.default_action = "SCMP_ACT_ERRNO";
  s.architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"};
  s.syscalls.push_back({{"read", "write", "getpid", "openat"}, "SCMP_ACT_ALLOW", std::nullopt, {}});
  auto p = compile_seccomp(ops, s);
  ASSERT_TRUE(p) << p.error().message();
  const uint32_t x86_64 = AUDIT_ARCH_X86_64;
  EXPECT_EQ(run_bpf(p->insns, __NR_read, x86_64), SECCOMP_RET_ALLOW);
  EXPECT_EQ(run_bpf(p->insns, __NR_openat, x86_64), SECCOMP_RET_ALLOW);
  // Below the profile's highest number (openat = 257): the default errno.
  EXPECT_EQ(run_bpf(p->insns, __NR_mkdir, x86_64), SECCOMP_RET_ERRNO | EPERM);
  // Above it (clone3 = 435): ENOSYS, so libc falls back as on an older kernel.
  EXPECT_EQ(run_bpf(p->insns, __NR_clone3, x86_64), SECCOMP_RET_ERRNO | ENOSYS);
  // x32 and i386 get their own thresholds (x32 openat = bit 30 | 257; i386 openat = 295).
  EXPECT_EQ(run_bpf(p->insns, 0x40000000 | 0, x86_64), SECCOMP_RET_ALLOW);
  EXPECT_EQ(run_bpf(p->insns, 0x40000000 | 435, x86_64), SECCOMP_RET_ERRNO | ENOSYS);
  EXPECT_EQ(run_bpf(p->insns, 20 /* i386 getpid */, AUDIT_ARCH_I386), SECCOMP_RET_ALLOW);
  EXPECT_EQ(run_bpf(p->insns, 435, AUDIT_ARCH_I386), SECCOMP_RET_ERRNO | ENOSYS);
  // defaultErrnoRet ENOSYS already says it: no stub, same answer.
  s.default_errno_ret = ENOSYS;
  auto plain = compile_seccomp(ops, s);
  ASSERT_TRUE(plain);
  EXPECT_LT(plain->insns.size(), p->insns.size());
  EXPECT_EQ(run_bpf(plain->insns, __NR_clone3, x86_64), SECCOMP_RET_ERRNO | ENOSYS);
}

// Over 32 rules libseccomp builds a binary tree (runc's SCMP_FLTATR_CTL_OPTIMIZE 2): same answers.
TEST(SeccompCompileTest, LongProfilesUseTheBinaryTree) {
  sys::LinuxOps ops;
  oci::Seccomp s;
  s.default_action = "SCMP_ACT_ERRNO";
  std::vector<std::string> allowed;
  for (int nr = 0; nr < 120; nr += 2) {
    const char* name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86_64, nr);
    if (name == nullptr) continue;
    allowed.push_back(name);
    ::free(const_cast<char*>(name));
  }
  for (const std::string& name : allowed) {
    s.syscalls.push_back({{name}, "SCMP_ACT_ALLOW", std::nullopt, {}});
  }
  ASSERT_GT(s.syscalls.size(), 32u);
  auto p = compile_seccomp(ops, s);
  ASSERT_TRUE(p) << p.error().message();
  for (int nr = 0; nr < 119; ++nr) {
    uint32_t want = nr % 2 == 0 ? SECCOMP_RET_ALLOW : SECCOMP_RET_ERRNO | EPERM;
    EXPECT_EQ(run_bpf(p->insns, nr, AUDIT_ARCH_X86_64), want) << "nr " << nr;
  }
  // 118 is the highest number the profile names: anything above is ENOSYS (the stub).
  EXPECT_EQ(run_bpf(p->insns, 119, AUDIT_ARCH_X86_64), SECCOMP_RET_ERRNO | ENOSYS);
  EXPECT_EQ(run_bpf(p->insns, __NR_clone3, AUDIT_ARCH_X86_64), SECCOMP_RET_ERRNO | ENOSYS);
}
#endif

TEST(SeccompCacheKeyTest, StableAndSensitive) {
  oci::Seccomp s = allow_but_mkdir();
  const std::string key = seccomp_cache_key(s, "6.18.0");
  EXPECT_EQ(key.size(), 64u);
  EXPECT_EQ(seccomp_cache_key(allow_but_mkdir(), "6.18.0"), key);
  // The listener does not change the program, so it shares the entry.
  oci::Seccomp listener = s;
  listener.listener_path = "/run/agent.sock";
  listener.listener_metadata = "x";
  EXPECT_EQ(seccomp_cache_key(listener, "6.18.0"), key);
  std::vector<oci::Seccomp> changed(6, s);
  changed[0].syscalls[0].errno_ret = 2;
  changed[1].syscalls[0].names = {"mkdirat", "mkdir"};
  changed[2].flags = {"SECCOMP_FILTER_FLAG_LOG"};
  changed[3].architectures = {"SCMP_ARCH_X86"};
  changed[4].syscalls[0].args = {{1, 0, 0, "SCMP_CMP_EQ"}};
  changed[5].default_errno_ret = 1;
  changed[5].default_action = "SCMP_ACT_ERRNO";
  for (const oci::Seccomp& c : changed) EXPECT_NE(seccomp_cache_key(c, "6.18.0"), key);
  EXPECT_NE(seccomp_cache_key(s, "6.19.0"), key);
  // Length prefixes: moving a boundary between names changes the serialisation.
  oci::Seccomp a = s, b = s;
  a.syscalls[0].names = {"ab", "c"};
  b.syscalls[0].names = {"a", "bc"};
  EXPECT_NE(seccomp_canonical(a), seccomp_canonical(b));
}

TEST(SeccompCacheKeyTest, Sha256KnownAnswers) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(sha256_hex(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(SeccompCacheFileTest, RoundTripAndCorruption) {
  SeccompProgram p;
  p.flags = kSeccompFlagNewListener;
  p.insns = {{BPF_LD | BPF_W | BPF_ABS, 0, 0, 4}, {BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW}};
  std::string bytes = encode_seccomp_program(p);
  auto back = decode_seccomp_program(bytes);
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(*back, p);
  std::string flipped = bytes;
  flipped[25] ^= 1;
  EXPECT_EQ(decode_seccomp_program(flipped).error().code(), EBADMSG);
  EXPECT_EQ(decode_seccomp_program(bytes.substr(0, bytes.size() - 1)).error().code(), EBADMSG);
  EXPECT_EQ(decode_seccomp_program("").error().code(), EBADMSG);
}

class SeccompCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/grove-seccomp-cache-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(root_); }
  std::string root_;
  sys::LinuxOps ops_;
};

TEST_F(SeccompCacheTest, SecondPrepareIsACacheHit) {
  auto first = prepare_seccomp(ops_, allow_but_mkdir(), root_);
  ASSERT_TRUE(first) << first.error().message();
  EXPECT_FALSE(first->from_cache);
  ASSERT_FALSE(first->cache_file.empty());
  struct stat st1;
  ASSERT_EQ(::stat(first->cache_file.c_str(), &st1), 0);
  EXPECT_EQ(st1.st_mode & 07777, 0600u);
  struct stat dir;
  ASSERT_EQ(::stat((root_ + "/.cache/seccomp").c_str(), &dir), 0);
  EXPECT_EQ(dir.st_mode & 07777, 0700u);
  auto second = prepare_seccomp(ops_, allow_but_mkdir(), root_);
  ASSERT_TRUE(second) << second.error().message();
  EXPECT_TRUE(second->from_cache);
  EXPECT_EQ(second->program, first->program);
  struct stat st2;
  ASSERT_EQ(::stat(second->cache_file.c_str(), &st2), 0);
  EXPECT_EQ(st2.st_ino, st1.st_ino);  // not rewritten
}

TEST_F(SeccompCacheTest, CorruptEntryIsRecompiledAndReplaced) {
  auto first = prepare_seccomp(ops_, allow_but_mkdir(), root_);
  ASSERT_TRUE(first);
  {
    UniqueFd fd(::open(first->cache_file.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC));
    ASSERT_TRUE(fd.valid());
    ASSERT_EQ(::write(fd.get(), "grvseccp", 8), 8);
  }
  auto again = prepare_seccomp(ops_, allow_but_mkdir(), root_);
  ASSERT_TRUE(again) << again.error().message();
  EXPECT_FALSE(again->from_cache);
  EXPECT_EQ(again->program, first->program);
  auto third = prepare_seccomp(ops_, allow_but_mkdir(), root_);
  ASSERT_TRUE(third);
  EXPECT_TRUE(third->from_cache);
}

TEST_F(SeccompCacheTest, WorldWritableCacheDirIsNotTrusted) {
  ASSERT_EQ(::mkdir((root_ + "/.cache").c_str(), 0700), 0);
  ASSERT_EQ(::mkdir((root_ + "/.cache/seccomp").c_str(), 0700), 0);
  ASSERT_EQ(::chmod((root_ + "/.cache/seccomp").c_str(), 0777), 0);
  auto p = prepare_seccomp(ops_, allow_but_mkdir(), root_);
  ASSERT_TRUE(p) << p.error().message();
  EXPECT_FALSE(p->from_cache);
  EXPECT_EQ(p->cache_file, "");
  EXPECT_TRUE(std::filesystem::is_empty(root_ + "/.cache/seccomp"));
}

TEST(SeccompLoadTest, FakeOpsTraceOfTheLoad) {
  testing::FakeOps ops;
  SeccompProgram p;
  p.flags = kSeccompFlagNewListener | SECCOMP_FILTER_FLAG_LOG;
  p.insns = {{BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW}};
  auto fd = load_seccomp(ops, p);
  ASSERT_TRUE(fd) << fd.error().message();
  EXPECT_TRUE(fd->valid());
  EXPECT_EQ(ops.trace_text(), "seccomp(SET_MODE_FILTER, LOG|NEW_LISTENER, 1 insns)");
  ASSERT_EQ(ops.seccomp_programs().size(), 1u);
  EXPECT_EQ(ops.seccomp_programs()[0], p.insns);
  ops.fail_next("seccomp", EACCES);
  auto denied = load_seccomp(ops, p);
  ASSERT_FALSE(denied);
  EXPECT_EQ(denied.error().code(), EACCES);
  EXPECT_THAT(denied.error().message(), HasSubstr("load seccomp filter: seccomp(SET_MODE_FILTER"));
}

// runc's order: with noNewPrivileges the filter goes on right before execve; without, before
// ids and capabilities are dropped (loading needs CAP_SYS_ADMIN then).
TEST(SeccompLoadTest, FinalizeLoadsLikeRunc) {
  SeccompProgram p;
  p.insns = {{BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW}};
  oci::Process proc;
  proc.args = {"/bin/true"};
  proc.cwd = "/";
  proc.user.uid = 1000;
  proc.user.gid = 1000;
  for (bool nnp : {true, false}) {
    proc.no_new_privileges = nnp;
    testing::FakeOps ops;
    // FakeOps' execve "returns", which finalize_and_exec reports as an exec failure.
    Status st = process::finalize_and_exec(ops, proc, "/bin/true", {0, 1, 2}, &p);
    ASSERT_FALSE(st);
    EXPECT_THAT(st.error().message(), HasSubstr("execve(")) << ops.trace_text();
    const auto& t = ops.trace();
    auto at = [&](const std::string& prefix) {
      for (std::size_t i = 0; i < t.size(); ++i) {
        if (t[i].rfind(prefix, 0) == 0) return static_cast<int>(i);
      }
      return -1;
    };
    ASSERT_GE(at("seccomp("), 0) << ops.trace_text();
    if (nnp) {
      EXPECT_EQ(at("seccomp("), at("execve(") - 1) << ops.trace_text();
      EXPECT_LT(at("set_no_new_privs("), at("seccomp("));
    } else {
      EXPECT_LT(at("seccomp("), at("setresuid(")) << ops.trace_text();
      EXPECT_LT(at("seccomp("), at("setgroups("));
    }
  }
}

TEST(SeccompListenerTest, ProcessStateAndDelivery) {
  std::string state =
      R"({"ociVersion":"1.3.0","id":"c1","status":"creating","pid":42,"bundle":"/b"})";
  auto j = nlohmann::json::parse(container_process_state_json(42, "meta", state));
  EXPECT_EQ(j["ociVersion"], "1.3.0");
  EXPECT_EQ(j["fds"], nlohmann::json::array({"seccompFd"}));
  EXPECT_EQ(j["pid"], 42);
  EXPECT_EQ(j["metadata"], "meta");
  EXPECT_EQ(j["state"]["id"], "c1");
  EXPECT_EQ(j["state"]["status"], "creating");
  EXPECT_FALSE(
      nlohmann::json::parse(container_process_state_json(42, "", state)).contains("metadata"));
  testing::FakeOps ops;
  UniqueFd notify = ops.make_fd("notify");
  ASSERT_TRUE(send_to_seccomp_listener(ops, "/run/agent.sock", "{}", notify.get()));
  EXPECT_THAT(ops.trace_text(), HasSubstr("connect(<socket:"));
  EXPECT_THAT(ops.trace_text(), HasSubstr("send_fds(<socket:"));
  EXPECT_THAT(ops.trace_text(), HasSubstr("[<notify>]"));
  ops.fail_next("connect", ECONNREFUSED);
  Status st = send_to_seccomp_listener(ops, "/run/agent.sock", "{}", notify.get());
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code(), ECONNREFUSED);
  EXPECT_THAT(st.error().message(), HasSubstr("linux.seccomp.listenerPath \"/run/agent.sock\""));
}

}  // namespace
}  // namespace grove::security
