// cgroup v2 device control: the BPF_PROG_TYPE_CGROUP_DEVICE program built from the emulated
// device state, and its installation (load, attach, detach the old programs).
//
// Program layout (crun src/libcrun/ebpf.c, adopted by runc's devicefilter; systemd's before
// them): R2 = type, R3 = access, R4 = major, R5 = minor; one block per exception that jumps to
// the next block unless the request matches, else returns the exception's verdict; the last
// block returns the default. Exceptions never overlap in verdict (all are the opposite of the
// default), so their order does not matter.

#include <linux/bpf.h>

#include <string>
#include <vector>

#include "libcontainer/cgroup/devices.h"
#include "libcontainer/cgroup/devices_internal.h"

namespace grove::cgroup {
namespace {

using internal::DeviceMeta;

struct bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
  struct bpf_insn i = {};
  i.code = code;
  i.dst_reg = dst & 0xf;
  i.src_reg = src & 0xf;
  i.off = off;
  i.imm = imm;
  return i;
}

struct bpf_insn ldx_w(uint8_t dst, uint8_t src, int16_t off) {
  return insn(BPF_LDX | BPF_MEM | BPF_W, dst, src, off, 0);
}
struct bpf_insn alu32_imm(uint8_t op, uint8_t dst, int32_t imm) {
  return insn(BPF_ALU | op | BPF_K, dst, 0, 0, imm);
}
struct bpf_insn mov32_reg(uint8_t dst, uint8_t src) {
  return insn(BPF_ALU | BPF_MOV | BPF_X, dst, src, 0, 0);
}
struct bpf_insn jne_imm(uint8_t dst, int32_t imm, int16_t off) {
  return insn(BPF_JMP | BPF_JNE | BPF_K, dst, 0, off, imm);
}
struct bpf_insn jne_reg(uint8_t dst, uint8_t src, int16_t off) {
  return insn(BPF_JMP | BPF_JNE | BPF_X, dst, src, off, 0);
}
struct bpf_insn jeq_imm(uint8_t dst, int32_t imm, int16_t off) {
  return insn(BPF_JMP | BPF_JEQ | BPF_K, dst, 0, off, imm);
}
struct bpf_insn mov64_imm(uint8_t dst, int32_t imm) {
  return insn(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm);
}
struct bpf_insn exit_insn() {
  return insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
}

// One exception block. Jump offsets count from the next instruction to the first instruction
// after this block's "return verdict" pair.
void append_block(std::vector<struct bpf_insn>& p, const DeviceMeta& m, unsigned bits,
                  bool verdict) {
  const bool check_access = bits != internal::kAccAll;  // "rwm" matches any request
  const bool check_major = m.major >= 0;
  const bool check_minor = m.minor >= 0;
  int16_t left = static_cast<int16_t>(1 + (check_access ? 3 : 0) + (check_major ? 1 : 0) +
                                      (check_minor ? 1 : 0) + 2);
  auto skip = [&](int16_t consumed) { return static_cast<int16_t>(left -= consumed); };
  int32_t type = m.type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR;
  p.push_back(jne_imm(BPF_REG_2, type, skip(1)));
  if (check_access) {
    p.push_back(mov32_reg(BPF_REG_1, BPF_REG_3));
    p.push_back(alu32_imm(BPF_AND, BPF_REG_1, static_cast<int32_t>(bits)));
    if (verdict) {
      // An allow exception needs every requested letter: (access & bits) == access (kernel
      // match_exception).
      p.push_back(jne_reg(BPF_REG_1, BPF_REG_3, skip(3)));
    } else {
      // A deny exception matches on any requested letter: (access & bits) != 0 (kernel
      // match_exception_partial), so "rw" is refused by a "w" deny. runc's and crun's programs
      // use the subset test here too and let such a request through; cgroup v1 does not.
      p.push_back(jeq_imm(BPF_REG_1, 0, skip(3)));
    }
  }
  // Linux device numbers fit in 12 (major) and 20 (minor) bits, so the 64-bit compare against
  // the sign-extended immediate is exact for every device that can exist.
  if (check_major) p.push_back(jne_imm(BPF_REG_4, static_cast<int32_t>(m.major), skip(1)));
  if (check_minor) p.push_back(jne_imm(BPF_REG_5, static_cast<int32_t>(m.minor), skip(1)));
  p.push_back(mov64_imm(BPF_REG_0, verdict ? 1 : 0));
  p.push_back(exit_insn());
}

}  // namespace

Result<std::vector<struct bpf_insn>> device_program(const std::vector<DeviceRule>& rules) {
  internal::DeviceState state;
  GROVE_TRY(internal::apply_rules(state, rules));
  // struct bpf_cgroup_dev_ctx { u32 access_type; u32 major; u32 minor; } is in R1.
  std::vector<struct bpf_insn> p = {
      ldx_w(BPF_REG_2, BPF_REG_1, 0),         // R2 = access_type
      alu32_imm(BPF_AND, BPF_REG_2, 0xffff),  // R2 = type (BPF_DEVCG_DEV_*)
      ldx_w(BPF_REG_3, BPF_REG_1, 0),         // R3 = access_type
      alu32_imm(BPF_RSH, BPF_REG_3, 16),      // R3 = access (BPF_DEVCG_ACC_*)
      ldx_w(BPF_REG_4, BPF_REG_1, 4),         // R4 = major
      ldx_w(BPF_REG_5, BPF_REG_1, 8),         // R5 = minor
  };
  for (const auto& [meta, bits] : state.exceptions) {
    append_block(p, meta, bits, !state.default_allow);
  }
  p.push_back(mov64_imm(BPF_REG_0, state.default_allow ? 1 : 0));
  p.push_back(exit_insn());
  return p;
}

namespace {

struct OldProgram {
  uint32_t id;
  UniqueFd fd;
};

// fds for the programs attached now, taken before the new one is attached (runc's
// findAttachedCgroupDeviceFilters), so the list cannot include the new program.
Result<std::vector<OldProgram>> attached_programs(sys::Ops& ops, int cgroup_dir_fd) {
  GROVE_ASSIGN_OR_RETURN(std::vector<uint32_t> ids,
                         ops.bpf_prog_query(cgroup_dir_fd, BPF_CGROUP_DEVICE));
  std::vector<OldProgram> out;
  for (uint32_t id : ids) {
    auto fd = ops.bpf_prog_get_fd_by_id(id);
    if (!fd && fd.error().code() == ENOENT) continue;  // detached and freed meanwhile
    if (!fd) return std::move(fd.error()).context("old device program " + std::to_string(id));
    out.push_back({id, std::move(*fd)});
  }
  return out;
}

}  // namespace

Status apply_device_program(sys::Ops& ops, int cgroup_dir_fd,
                            const std::vector<DeviceRule>& rules) {
  GROVE_ASSIGN_OR_RETURN(std::vector<struct bpf_insn> program, device_program(rules));
  GROVE_ASSIGN_OR_RETURN(std::vector<OldProgram> old, attached_programs(ops, cgroup_dir_fd));
  GROVE_ASSIGN_OR_RETURN(UniqueFd prog, ops.bpf_prog_load(BPF_PROG_TYPE_CGROUP_DEVICE, program,
                                                          kDeviceProgramLicense));
  // ALLOW_MULTI lets the new filter join the old one before the old one goes, so an update
  // never leaves the cgroup unfiltered (runc loadAttachCgroupDeviceFilter). While both are
  // attached a request needs both to allow it. Once attached the cgroup holds a reference, so
  // closing our fd does not unload it.
  GROVE_TRY(ops.bpf_prog_attach(cgroup_dir_fd, prog.get(), BPF_CGROUP_DEVICE, BPF_F_ALLOW_MULTI));
  for (const OldProgram& o : old) {
    auto st = ops.bpf_prog_detach2(cgroup_dir_fd, o.fd.get(), BPF_CGROUP_DEVICE);
    if (!st && st.error().code() != ENOENT) {
      return std::move(st.error()).context("detach old device program " + std::to_string(o.id));
    }
  }
  return ok();
}

}  // namespace grove::cgroup
