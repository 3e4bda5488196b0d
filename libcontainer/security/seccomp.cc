// linux.seccomp -> libseccomp rules -> classic BPF (seccomp.h). The runtime process compiles;
// the init only loads (seccomp_cache.cc).

#include "libcontainer/security/seccomp.h"

#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>

#include <cctype>

#include "libcontainer/base/strings.h"
#include "oci/enums.h"

namespace grove::security {
namespace {

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
constexpr unsigned kFlagWaitKillableRecv = 1U << 5;  // Linux 5.19; Debian 12's headers predate it
#else
constexpr unsigned kFlagWaitKillableRecv = SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
#endif
static_assert(kSeccompFlagNewListener == SECCOMP_FILTER_FLAG_NEW_LISTENER);

constexpr uint32_t kEperm = EPERM;

struct NamedOp {
  std::string_view name;
  int op;
};
constexpr NamedOp kOperators[] = {
    {"SCMP_CMP_NE", SCMP_CMP_NE},
    {"SCMP_CMP_LT", SCMP_CMP_LT},
    {"SCMP_CMP_LE", SCMP_CMP_LE},
    {"SCMP_CMP_EQ", SCMP_CMP_EQ},
    {"SCMP_CMP_GE", SCMP_CMP_GE},
    {"SCMP_CMP_GT", SCMP_CMP_GT},
    {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
};

std::string field(std::string_view base, std::size_t i, std::string_view leaf = {}) {
  std::string out = std::string(base) + "[" + std::to_string(i) + "]";
  if (!leaf.empty()) out += "." + std::string(leaf);
  return out;
}

// runc's rule: if two conditions test the same argument, each becomes its own rule (libseccomp
// would otherwise AND them, which is never what such profiles mean).
bool repeats_an_index(const std::vector<SeccompCondition>& conds) {
  for (std::size_t i = 0; i < conds.size(); ++i) {
    for (std::size_t j = i + 1; j < conds.size(); ++j) {
      if (conds[i].index == conds[j].index) return true;
    }
  }
  return false;
}

Result<std::vector<SeccompCondition>> conditions(const oci::Syscall& s, std::size_t i) {
  std::vector<SeccompCondition> out;
  for (std::size_t a = 0; a < s.args.size(); ++a) {
    const oci::SeccompArg& arg = s.args[a];
    auto where = [&] { return field(field("linux.seccomp.syscalls", i) + ".args", a); };
    GROVE_ASSIGN_OR_RETURN(int op,
                           seccomp_operator(arg.op).context([&] { return where() + ".op"; }));
    if (arg.index > 5) return Error::invalid(where() + ".index: must be between 0 and 5");
    out.push_back({arg.index, op, arg.value, arg.value_two});
  }
  return out;
}

// The rules of syscalls[i], appended to `out` (skipped names recorded).
Status add_rules(const oci::Syscall& s, std::size_t i, uint32_t default_action, SeccompRules* out) {
  GROVE_ASSIGN_OR_RETURN(uint32_t action, seccomp_action(s.action, s.errno_ret).context([&] {
    return field("linux.seccomp.syscalls", i, "action");
  }));
  GROVE_ASSIGN_OR_RETURN(auto conds, conditions(s, i));
  if (action == SCMP_ACT_NOTIFY) out->flags |= kSeccompFlagNewListener;
  for (std::size_t n = 0; n < s.names.size(); ++n) {
    const std::string& name = s.names[n];
    if (action == SCMP_ACT_NOTIFY && name == "sendmsg") {
      return Error::invalid(field(field("linux.seccomp.syscalls", i) + ".names", n) +
                            ": SCMP_ACT_NOTIFY cannot be used for sendmsg (the init sends the "
                            "listener fd with it)");
    }
    if (action == default_action) continue;  // redundant; libseccomp would refuse it (runc)
    int nr = seccomp_syscall_resolve_name(name.c_str());
    if (nr == __NR_SCMP_ERROR) {
      out->skipped.push_back(name);
      continue;
    }
    if (conds.empty() || !repeats_an_index(conds)) {
      out->rules.push_back({name, nr, action, conds});
      continue;
    }
    for (const SeccompCondition& c : conds) out->rules.push_back({name, nr, action, {c}});
  }
  return ok();
}

bool permissive(uint32_t action) {
  uint32_t kind = action & SECCOMP_RET_ACTION_FULL;
  return action == SCMP_ACT_ALLOW || action == SCMP_ACT_LOG || kind == SECCOMP_RET_TRACE ||
         action == SCMP_ACT_ERRNO(ENOSYS);
}

}  // namespace

Result<uint32_t> seccomp_action(std::string_view name, const std::optional<uint32_t>& errno_ret) {
  const bool takes_errno = name == "SCMP_ACT_ERRNO" || name == "SCMP_ACT_TRACE";
  if (errno_ret && !takes_errno) {
    return Error::invalid("errnoRet only applies to SCMP_ACT_ERRNO and SCMP_ACT_TRACE, not " +
                          q(name));
  }
  const uint32_t err = errno_ret.value_or(kEperm) & 0xffff;
  if (name == "SCMP_ACT_KILL" || name == "SCMP_ACT_KILL_THREAD") return SCMP_ACT_KILL_THREAD;
  if (name == "SCMP_ACT_KILL_PROCESS") return SCMP_ACT_KILL_PROCESS;
  if (name == "SCMP_ACT_TRAP") return SCMP_ACT_TRAP;
  if (name == "SCMP_ACT_ERRNO") return SCMP_ACT_ERRNO(err);
  if (name == "SCMP_ACT_TRACE") return SCMP_ACT_TRACE(err);
  if (name == "SCMP_ACT_ALLOW") return SCMP_ACT_ALLOW;
  if (name == "SCMP_ACT_LOG") return SCMP_ACT_LOG;
  if (name == "SCMP_ACT_NOTIFY") return SCMP_ACT_NOTIFY;
  return Error::invalid("unknown seccomp action " + q(name));
}

Result<uint32_t> seccomp_arch(std::string_view name) {
  constexpr std::string_view kPrefix = "SCMP_ARCH_";
  if (!oci::is_one_of(oci::kSeccompArchs, name)) {
    return Error::invalid("unknown seccomp architecture " + q(name));
  }
  // libseccomp's own names are the suffix in lower case ("x86_64", "aarch64", "mipsel64n32").
  std::string lower(name.substr(kPrefix.size()));
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  uint32_t token = seccomp_arch_resolve_name(lower.c_str());
  if (token != 0) return token;
  const scmp_version* v = seccomp_version();
  std::string version = v == nullptr ? "?"
                                     : std::to_string(v->major) + "." + std::to_string(v->minor) +
                                           "." + std::to_string(v->micro);
  return Error::not_supported("seccomp architecture " + q(name) +
                              " is not supported by libseccomp " + version);
}

Result<int> seccomp_operator(std::string_view name) {
  for (const NamedOp& o : kOperators) {
    if (o.name == name) return o.op;
  }
  return Error::invalid("unknown seccomp operator " + q(name));
}

Result<unsigned> seccomp_flag(std::string_view name) {
  // TSYNC synchronises the filter to all threads; the init has one (runc ignores it too).
  if (name == "SECCOMP_FILTER_FLAG_TSYNC") return 0U;
  if (name == "SECCOMP_FILTER_FLAG_LOG") return unsigned{SECCOMP_FILTER_FLAG_LOG};
  if (name == "SECCOMP_FILTER_FLAG_SPEC_ALLOW") return unsigned{SECCOMP_FILTER_FLAG_SPEC_ALLOW};
  if (name == "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV") return kFlagWaitKillableRecv;
  return Error::invalid("unknown seccomp flag " + q(name));
}

Result<SeccompRules> translate_seccomp(const oci::Seccomp& seccomp) {
  SeccompRules out;
  GROVE_ASSIGN_OR_RETURN(out.default_action,
                         seccomp_action(seccomp.default_action, seccomp.default_errno_ret)
                             .context("linux.seccomp.defaultAction"));
  if (out.default_action == SCMP_ACT_NOTIFY) {
    return Error::invalid(
        "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action (the init's "
        "own syscalls would wait for an agent that has not got the listener fd yet)");
  }
  for (std::size_t i = 0; i < seccomp.architectures.size(); ++i) {
    GROVE_ASSIGN_OR_RETURN(uint32_t arch, seccomp_arch(seccomp.architectures[i]).context([&] {
      return field("linux.seccomp.architectures", i);
    }));
    out.arches.push_back(arch);
  }
  for (std::size_t i = 0; i < seccomp.flags.size(); ++i) {
    GROVE_ASSIGN_OR_RETURN(unsigned bit, seccomp_flag(seccomp.flags[i]).context([&] {
      return field("linux.seccomp.flags", i);
    }));
    out.flags |= bit;
  }
  for (std::size_t i = 0; i < seccomp.syscalls.size(); ++i) {
    GROVE_TRY(add_rules(seccomp.syscalls[i], i, out.default_action, &out));
  }
  if ((out.flags & kFlagWaitKillableRecv) && !(out.flags & kSeccompFlagNewListener)) {
    // The kernel refuses WAIT_KILLABLE_RECV without a listener (EINVAL); say why up front.
    return Error::invalid(
        "linux.seccomp.flags: SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV needs an SCMP_ACT_NOTIFY "
        "rule");
  }
  out.enosys_stub = !permissive(out.default_action);
  return out;
}

}  // namespace grove::security
