// FakeOps: seccomp(2) and the unix client socket of the notify listener (#4).

#include <linux/seccomp.h>
#include <sys/socket.h>

#include "libcontainer/base/strings.h"
#include "tests/support/fake_ops.h"

namespace grove::testing {
namespace {

// SECCOMP_FILTER_FLAG_* rendered like the other flag sets in traces.
std::string seccomp_flags(unsigned flags) {
  static const std::pair<unsigned, const char*> kNames[] = {
      {SECCOMP_FILTER_FLAG_TSYNC, "TSYNC"},
      {SECCOMP_FILTER_FLAG_LOG, "LOG"},
      {SECCOMP_FILTER_FLAG_SPEC_ALLOW, "SPEC_ALLOW"},
      {SECCOMP_FILTER_FLAG_NEW_LISTENER, "NEW_LISTENER"},
      {1U << 5, "WAIT_KILLABLE_RECV"},
  };
  std::vector<std::string> out;
  for (const auto& [bit, name] : kNames) {
    if (flags & bit) {
      out.emplace_back(name);
      flags &= ~bit;
    }
  }
  if (flags != 0) out.push_back(std::to_string(flags));
  return out.empty() ? "0" : join(out, "|");
}

}  // namespace

Result<UniqueFd> FakeOps::seccomp(unsigned op, unsigned flags,
                                  const std::vector<sys::BpfInsn>& prog) {
  std::string line =
      "seccomp(" +
      (op == SECCOMP_SET_MODE_FILTER ? std::string("SET_MODE_FILTER") : std::to_string(op)) + ", " +
      seccomp_flags(flags) + ", " + std::to_string(prog.size()) + " insns)";
  if (int err = record("seccomp", line)) return Error::from_errno(err, line);
  seccomp_progs_.push_back(prog);
  if ((flags & SECCOMP_FILTER_FLAG_NEW_LISTENER) == 0) return UniqueFd();
  return new_fd("seccomp:listener");
}

}  // namespace grove::testing
