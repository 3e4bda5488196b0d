// FakeOps: bpf(2) for cgroup device programs. A tiny model of the kernel's attach lists, so
// tests see what stays attached after a sequence of calls (and after injected failures).

#include <linux/bpf.h>

#include <algorithm>
#include <string>

#include "libcontainer/base/strings.h"
#include "libcontainer/sys/describe.h"
#include "tests/support/fake_ops.h"

namespace grove::testing {
namespace {

std::string prog_type_name(uint32_t t) {
  return t == BPF_PROG_TYPE_CGROUP_DEVICE ? "CGROUP_DEVICE" : std::to_string(t);
}

std::string attach_type_name(uint32_t t) {
  return t == BPF_CGROUP_DEVICE ? "CGROUP_DEVICE" : std::to_string(t);
}

// The id of a program fd this FakeOps handed out (label "bpf:prog:ID"), 0 for other fds.
uint32_t prog_id(const std::string& bare_label) {
  const std::string prefix = "bpf:prog:";
  if (bare_label.rfind(prefix, 0) != 0) return 0;
  return static_cast<uint32_t>(std::stoul(bare_label.substr(prefix.size())));
}

}  // namespace

Result<UniqueFd> FakeOps::bpf_prog_load(uint32_t prog_type,
                                        const std::vector<struct bpf_insn>& insns,
                                        const std::string& license) {
  std::string line = "bpf_prog_load(" + prog_type_name(prog_type) + ", " +
                     std::to_string(insns.size()) + " insns, " + q(license) + ")";
  if (int err = record("bpf_prog_load", line)) return Error::from_errno(err, line);
  bpf_progs_.push_back(insns);
  uint32_t id = next_bpf_id_++;
  bpf_known_ids_.insert(id);
  return new_fd("bpf:prog:" + std::to_string(id));
}

Status FakeOps::bpf_prog_attach(int target_fd, int prog_fd, uint32_t attach_type, uint32_t flags) {
  std::string line = "bpf_prog_attach(" + fd_name(target_fd) + ", " + fd_name(prog_fd) + ", " +
                     attach_type_name(attach_type) + ", " + sys::describe_bpf_attach_flags(flags) +
                     ")";
  GROVE_TRY(effect("bpf_prog_attach", line));
  bpf_attached_[bare_label(target_fd)].push_back(prog_id(bare_label(prog_fd)));
  return ok();
}

Status FakeOps::bpf_prog_detach2(int target_fd, int prog_fd, uint32_t attach_type) {
  std::string line = "bpf_prog_detach2(" + fd_name(target_fd) + ", " + fd_name(prog_fd) + ", " +
                     attach_type_name(attach_type) + ")";
  GROVE_TRY(effect("bpf_prog_detach2", line));
  auto& ids = bpf_attached_[bare_label(target_fd)];
  auto it = std::find(ids.begin(), ids.end(), prog_id(bare_label(prog_fd)));
  if (it == ids.end()) return Error::from_errno(ENOENT, line);  // as the kernel
  ids.erase(it);
  return ok();
}

Result<std::vector<uint32_t>> FakeOps::bpf_prog_query(int target_fd, uint32_t attach_type) {
  std::string line =
      "bpf_prog_query(" + fd_name(target_fd) + ", " + attach_type_name(attach_type) + ")";
  if (int err = record("bpf_prog_query", line)) return Error::from_errno(err, line);
  return bpf_attached(bare_label(target_fd));
}

Result<UniqueFd> FakeOps::bpf_prog_get_fd_by_id(uint32_t id) {
  std::string line = "bpf_prog_get_fd_by_id(" + std::to_string(id) + ")";
  if (int err = record("bpf_prog_get_fd_by_id", line)) return Error::from_errno(err, line);
  if (bpf_known_ids_.count(id) == 0) return Error::from_errno(ENOENT, line);
  return new_fd("bpf:prog:" + std::to_string(id));
}

std::vector<uint32_t> FakeOps::bpf_attached(const std::string& target_label) const {
  auto it = bpf_attached_.find(target_label);
  return it == bpf_attached_.end() ? std::vector<uint32_t>{} : it->second;
}

void FakeOps::set_bpf_attached(const std::string& target_label, std::vector<uint32_t> ids) {
  for (uint32_t id : ids) bpf_known_ids_.insert(id);
  bpf_attached_[target_label] = std::move(ids);
}

}  // namespace grove::testing
