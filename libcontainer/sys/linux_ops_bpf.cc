// LinuxOps: bpf(2) for cgroup device programs (BPF_PROG_TYPE_CGROUP_DEVICE). glibc has no bpf()
// wrapper; every fd the kernel returns from bpf(2) is already O_CLOEXEC (bpf_prog_new_fd).

#include <linux/bpf.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <vector>

#include "libcontainer/base/strings.h"
#include "libcontainer/sys/describe.h"
#include "libcontainer/sys/linux_ops.h"
#include "libcontainer/sys/linux_ops_internal.h"

namespace grove::sys {
namespace {

using internal::fd_str;

long sys_bpf(int cmd, union bpf_attr* attr) { return ::syscall(SYS_bpf, cmd, attr, sizeof(*attr)); }

uint64_t ptr(const void* p) { return static_cast<uint64_t>(reinterpret_cast<uintptr_t>(p)); }

std::string prog_type_name(uint32_t t) {
  return t == BPF_PROG_TYPE_CGROUP_DEVICE ? "cgroup_device" : "prog_type " + std::to_string(t);
}

std::string attach_type_name(uint32_t t) {
  return t == BPF_CGROUP_DEVICE ? "cgroup_device" : "attach_type " + std::to_string(t);
}

// How much of the verifier log an error quotes: the first complaint is what explains a reject.
constexpr size_t kLogQuote = 512;

}  // namespace

Result<UniqueFd> LinuxOps::bpf_prog_load(uint32_t prog_type,
                                         const std::vector<struct bpf_insn>& insns,
                                         const std::string& license) {
  union bpf_attr attr;
  std::memset(&attr, 0, sizeof(attr));
  attr.prog_type = prog_type;
  attr.insns = ptr(insns.data());
  attr.insn_cnt = static_cast<uint32_t>(insns.size());
  attr.license = ptr(license.c_str());
  long rc = sys_bpf(BPF_PROG_LOAD, &attr);
  if (rc >= 0) return UniqueFd(static_cast<int>(rc));
  int err = errno;
  auto what = [&] {
    return "bpf(BPF_PROG_LOAD, " + prog_type_name(prog_type) + ", " + std::to_string(insns.size()) +
           " insns)";
  };
  if (err != EACCES && err != EINVAL) return Error::from_errno(err, what());
  // The verifier explains a reject only into a log buffer; asking for one on every load costs
  // time, so reload with a log only after a failure (libbpf does the same).
  std::vector<char> log(256 * 1024, '\0');
  attr.log_level = 1;
  attr.log_buf = ptr(log.data());
  attr.log_size = static_cast<uint32_t>(log.size());
  rc = sys_bpf(BPF_PROG_LOAD, &attr);
  if (rc >= 0) return UniqueFd(static_cast<int>(rc));  // a transient failure: keep the program
  std::string text(log.data(), ::strnlen(log.data(), log.size()));
  if (text.empty()) return Error::from_errno(err, what());
  if (text.size() > kLogQuote) text = text.substr(0, kLogQuote) + "...";
  return Error::from_errno(err, what() + " verifier log " + q(text));
}

Status LinuxOps::bpf_prog_attach(int target_fd, int prog_fd, uint32_t attach_type, uint32_t flags) {
  union bpf_attr attr;
  std::memset(&attr, 0, sizeof(attr));
  attr.target_fd = static_cast<uint32_t>(target_fd);
  attr.attach_bpf_fd = static_cast<uint32_t>(prog_fd);
  attr.attach_type = attach_type;
  attr.attach_flags = flags;
  return internal::check(sys_bpf(BPF_PROG_ATTACH, &attr), [&] {
    return "bpf(BPF_PROG_ATTACH, " + fd_str(target_fd) + ", prog " + fd_str(prog_fd) + ", " +
           attach_type_name(attach_type) + ", " + describe_bpf_attach_flags(flags) + ")";
  });
}

Status LinuxOps::bpf_prog_detach2(int target_fd, int prog_fd, uint32_t attach_type) {
  union bpf_attr attr;
  std::memset(&attr, 0, sizeof(attr));
  attr.target_fd = static_cast<uint32_t>(target_fd);
  attr.attach_bpf_fd = static_cast<uint32_t>(prog_fd);
  attr.attach_type = attach_type;
  return internal::check(sys_bpf(BPF_PROG_DETACH, &attr), [&] {
    return "bpf(BPF_PROG_DETACH, " + fd_str(target_fd) + ", prog " + fd_str(prog_fd) + ", " +
           attach_type_name(attach_type) + ")";
  });
}

Result<std::vector<uint32_t>> LinuxOps::bpf_prog_query(int target_fd, uint32_t attach_type) {
  // Kernels cap a cgroup at 64 programs per attach type (BPF_CGROUP_MAX_PROGS); grow on ENOSPC
  // in case that changes, as crun does.
  for (uint32_t cap = 64;; cap *= 2) {
    std::vector<uint32_t> ids(cap);
    union bpf_attr attr;
    std::memset(&attr, 0, sizeof(attr));
    attr.query.target_fd = static_cast<uint32_t>(target_fd);
    attr.query.attach_type = attach_type;
    attr.query.prog_ids = ptr(ids.data());
    attr.query.prog_cnt = cap;
    if (sys_bpf(BPF_PROG_QUERY, &attr) == 0) {
      ids.resize(attr.query.prog_cnt);
      return ids;
    }
    int err = errno;
    if (err != ENOSPC || cap >= 65536) {
      return Error::from_errno(err, "bpf(BPF_PROG_QUERY, " + fd_str(target_fd) + ", " +
                                        attach_type_name(attach_type) + ")");
    }
  }
}

Result<UniqueFd> LinuxOps::bpf_prog_get_fd_by_id(uint32_t id) {
  union bpf_attr attr;
  std::memset(&attr, 0, sizeof(attr));
  attr.prog_id = id;
  return internal::check_fd(sys_bpf(BPF_PROG_GET_FD_BY_ID, &attr), [&] {
    return "bpf(BPF_PROG_GET_FD_BY_ID, " + std::to_string(id) + ")";
  });
}

}  // namespace grove::sys
