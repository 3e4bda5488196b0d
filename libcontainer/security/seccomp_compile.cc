// compile_seccomp(): libseccomp builds and exports the program; grove prepends runc's ENOSYS
// stub (patchbpf/enosys_linux.go), re-derived here for classic BPF without a Go assembler.

#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>

#include <cstring>
#include <map>
#include <set>

#include "libcontainer/base/defer.h"
#include "libcontainer/base/strings.h"
#include "libcontainer/security/seccomp.h"

namespace grove::security {
namespace {

constexpr uint32_t kRetEnosys = SECCOMP_RET_ERRNO | ENOSYS;
constexpr uint32_t kX32SyscallBit = 0x40000000;  // x32 syscalls carry it (asm/unistd.h)
constexpr uint32_t kFarJump = 0xffffffff;        // placeholder: "ja to the libseccomp program"

sys::BpfInsn stmt(uint16_t code, uint32_t k) { return {code, 0, 0, k}; }
sys::BpfInsn jump(uint16_t code, uint32_t k, uint8_t jt, uint8_t jf) { return {code, jt, jf, k}; }
sys::BpfInsn load_nr() { return stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)); }
sys::BpfInsn ret_enosys() { return stmt(BPF_RET | BPF_K, kRetEnosys); }
sys::BpfInsn to_filter() { return stmt(BPF_JMP | BPF_JA, kFarJump); }

// "nr > max: ENOSYS, else into the filter" (3 instructions, short jumps only).
void above_max(std::vector<sys::BpfInsn>& out, int max) {
  out.push_back(jump(BPF_JMP | BPF_JGT | BPF_K, static_cast<uint32_t>(max), 0, 1));
  out.push_back(ret_enosys());
  out.push_back(to_filter());
}

// The section for one AUDIT_ARCH value; `maxes` maps libseccomp arch tokens to the highest
// syscall number the profile names for them.
std::vector<sys::BpfInsn> arch_section(uint32_t audit, const std::map<uint32_t, int>& maxes) {
  std::vector<sys::BpfInsn> out = {load_nr()};
  if (audit == SCMP_ARCH_X86_64) {
    // x86_64 and x32 share AUDIT_ARCH_X86_64; the syscall number's bit 30 tells them apart.
    std::vector<sys::BpfInsn> native, x32;
    auto n = maxes.find(SCMP_ARCH_X86_64), x = maxes.find(SCMP_ARCH_X32);
    if (n != maxes.end())
      above_max(native, n->second);
    else
      native.push_back(to_filter());
    if (x != maxes.end())
      above_max(x32, x->second);
    else
      x32.push_back(to_filter());
    out.push_back(
        jump(BPF_JMP | BPF_JSET | BPF_K, kX32SyscallBit, static_cast<uint8_t>(native.size()), 0));
    out.insert(out.end(), native.begin(), native.end());
    out.insert(out.end(), x32.begin(), x32.end());
    return out;
  }
  if (audit == SCMP_ARCH_S390 || audit == SCMP_ARCH_S390X) {
    // s390 multiplexes unknown large syscall numbers through nr 0 (setup(2), long gone): runc
    // answers ENOSYS for it.
    out.push_back(jump(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1));
    out.push_back(ret_enosys());
  }
  above_max(out, maxes.begin()->second);
  return out;
}

// runc's stub: load the arch, jump to its section, where syscall numbers above the profile's
// highest get ENOSYS; everything else (and unlisted arches) falls into libseccomp's program.
std::vector<sys::BpfInsn> enosys_stub(const oci::Seccomp& seccomp, const SeccompRules& rules) {
  std::set<uint32_t> tokens(rules.arches.begin(), rules.arches.end());
  tokens.insert(seccomp_arch_native());  // always, like runc (Docker omits it on ppc64le)
  std::map<uint32_t, std::map<uint32_t, int>> by_audit;
  for (uint32_t token : tokens) {
    int max = -1;
    for (const oci::Syscall& s : seccomp.syscalls) {
      for (const std::string& name : s.names) {
        max = std::max(max, seccomp_syscall_resolve_name_arch(token, name.c_str()));
      }
    }
    if (max <= 0) continue;  // nothing known on this arch: leave it to the filter
    by_audit[token == SCMP_ARCH_X32 ? SCMP_ARCH_X86_64 : token][token] = max;
  }
  std::vector<std::vector<sys::BpfInsn>> sections;
  for (const auto& [audit, maxes] : by_audit) sections.push_back(arch_section(audit, maxes));
  // Header: ld arch; per section "jeq audit, 0, 1; ja section"; then ja filter.
  std::vector<sys::BpfInsn> out = {stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch))};
  std::size_t start = 1 + 2 * sections.size() + 1;
  std::size_t i = 0;
  for (const auto& [audit, maxes] : by_audit) {
    out.push_back(jump(BPF_JMP | BPF_JEQ | BPF_K, audit, 0, 1));
    out.push_back(stmt(BPF_JMP | BPF_JA, static_cast<uint32_t>(start - (out.size() + 1))));
    start += sections[i++].size();
  }
  out.push_back(to_filter());
  for (const auto& s : sections) out.insert(out.end(), s.begin(), s.end());
  // Resolve "ja to the filter": the libseccomp program starts right after the stub.
  for (std::size_t k = 0; k < out.size(); ++k) {
    if (out[k].code == (BPF_JMP | BPF_JA) && out[k].k == kFarJump) {
      out[k].k = static_cast<uint32_t>(out.size() - (k + 1));
    }
  }
  return out;
}

Error lib_error(int rc, const std::string& what) {
  return Error::from_errno(-rc, "libseccomp: " + what);
}

Status add_rule(scmp_filter_ctx ctx, const SeccompRule& r) {
  std::vector<scmp_arg_cmp> args;
  for (const SeccompCondition& c : r.conditions) {
    args.push_back({c.index, static_cast<scmp_compare>(c.op), c.a, c.b});
  }
  int rc = seccomp_rule_add_array(ctx, r.action, r.syscall, static_cast<unsigned>(args.size()),
                                  args.empty() ? nullptr : args.data());
  if (rc < 0) return lib_error(rc, "seccomp_rule_add(" + q(r.name) + ")");
  return ok();
}

// seccomp_export_bpf() into a non-blocking pipe: 4096 instructions (32 KiB, the kernel's
// limit) fit the 64 KiB pipe buffer, so no reader thread is needed, and a larger program fails
// with EAGAIN instead of blocking. (libseccomp 2.5.4 has no seccomp_export_bpf_mem.)
Result<std::vector<sys::BpfInsn>> export_bpf(sys::Ops& ops, scmp_filter_ctx ctx) {
  GROVE_ASSIGN_OR_RETURN(sys::FdPair pipe, ops.pipe2(O_NONBLOCK));
  int rc = seccomp_export_bpf(ctx, pipe.second.get());
  pipe.second.reset();
  if (rc == -EAGAIN) return Error::from_errno(E2BIG, "libseccomp: program larger than 32 KiB");
  if (rc < 0) return lib_error(rc, "seccomp_export_bpf()");
  std::string bytes;
  for (;;) {
    GROVE_ASSIGN_OR_RETURN(std::string chunk, ops.read(pipe.first.get(), 65536));
    if (chunk.empty()) break;
    bytes += chunk;
  }
  if (bytes.empty() || bytes.size() % sizeof(sys::BpfInsn) != 0) {
    return Error::plain(EIO, "libseccomp: exported " + std::to_string(bytes.size()) +
                                 " bytes, not whole BPF instructions");
  }
  std::vector<sys::BpfInsn> out(bytes.size() / sizeof(sys::BpfInsn));
  std::memcpy(out.data(), bytes.data(), bytes.size());
  return out;
}

}  // namespace

Result<SeccompProgram> compile_seccomp(sys::Ops& ops, const oci::Seccomp& seccomp) {
  GROVE_ASSIGN_OR_RETURN(SeccompRules rules, translate_seccomp(seccomp));
  scmp_filter_ctx ctx = seccomp_init(rules.default_action);
  if (ctx == nullptr)
    return Error::invalid("libseccomp: seccomp_init() refused the default action");
  Defer release([&] { seccomp_release(ctx); });
  for (uint32_t arch : rules.arches) {
    int rc = seccomp_arch_add(ctx, arch);
    if (rc < 0 && rc != -EEXIST) {
      return lib_error(rc, "seccomp_arch_add(" + std::to_string(arch) + ")");
    }
  }
  // runc: binary-tree dispatch for long profiles (libseccomp <= 2.5.4 misbehaves with none).
  if (seccomp.syscalls.size() > 32) (void)seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
  for (const SeccompRule& r : rules.rules) GROVE_TRY(add_rule(ctx, r));
  GROVE_ASSIGN_OR_RETURN(std::vector<sys::BpfInsn> body, export_bpf(ops, ctx));
  SeccompProgram out;
  out.flags = rules.flags;
  if (rules.enosys_stub) out.insns = enosys_stub(seccomp, rules);
  out.insns.insert(out.insns.end(), body.begin(), body.end());
  if (out.insns.size() > BPF_MAXINSNS) {
    return Error::plain(E2BIG, "seccomp program has " + std::to_string(out.insns.size()) +
                                   " instructions (the kernel takes at most 4096)");
  }
  return out;
}

}  // namespace grove::security
