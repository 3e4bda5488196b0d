#pragma once
// linux.seccomp: translation of the runtime-spec section into libseccomp rules, compilation to
// a classic-BPF program in the runtime process (before clone), a cache of compiled programs
// keyed by content hash, and the load in the container init with seccomp(2) through sys::Ops
// (the same path for a fresh compile and a cached program).
//
// Behaviour matched with runc (libcontainer/seccomp/seccomp_linux.go, patchbpf):
//  - SCMP_ACT_KILL is SCMP_ACT_KILL_THREAD; errnoRet defaults to EPERM for ERRNO and TRACE;
//  - syscall names libseccomp does not know are skipped, not an error; a rule whose action
//    equals the default action is skipped (libseccomp refuses it);
//  - args: several conditions on one argument index become one rule per condition, otherwise
//    one rule with all conditions;
//  - SECCOMP_FILTER_FLAG_TSYNC is accepted and ignored (the init is single-threaded);
//  - SCMP_ACT_NOTIFY is refused as the default action and for the syscall the init uses to
//    pass the listener fd (sendmsg here, write in runc): either would wait for an agent that
//    has not received the fd yet;
//  - unless the default action is ALLOW/LOG/TRACE (or ERRNO with ENOSYS), a stub runs before
//    the libseccomp program and returns ENOSYS for syscall numbers above the highest one the
//    profile names on each architecture, so a libc probing a syscall newer than the profile
//    (clone3, openat2, ...) falls back instead of failing with the default errno.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "libcontainer/base/result.h"
#include "libcontainer/base/unique_fd.h"
#include "libcontainer/sys/ops.h"
#include "oci/spec.h"

namespace grove::security {

// SECCOMP_FILTER_FLAG_NEW_LISTENER, for callers that test SeccompProgram::flags.
inline constexpr unsigned kSeccompFlagNewListener = 1U << 3;

// A filter ready for seccomp(SECCOMP_SET_MODE_FILTER, flags, insns).
struct SeccompProgram {
  std::vector<sys::BpfInsn> insns;
  unsigned flags = 0;  // SECCOMP_FILTER_FLAG_*; NEW_LISTENER when a rule uses SCMP_ACT_NOTIFY
  bool notify() const noexcept { return (flags & kSeccompFlagNewListener) != 0; }
  bool operator==(const SeccompProgram&) const = default;
};

// One argument comparison (struct scmp_arg_cmp).
struct SeccompCondition {
  unsigned index = 0;
  int op = 0;  // enum scmp_compare
  uint64_t a = 0;
  uint64_t b = 0;
  bool operator==(const SeccompCondition&) const = default;
};

// One seccomp_rule_add_array() call.
struct SeccompRule {
  std::string name;  // the syscall name, for messages
  int syscall = 0;   // native syscall number (seccomp_syscall_resolve_name)
  uint32_t action = 0;
  std::vector<SeccompCondition> conditions;
  bool operator==(const SeccompRule&) const = default;
};

// linux.seccomp as libseccomp calls: what compile_seccomp() feeds libseccomp.
struct SeccompRules {
  uint32_t default_action = 0;
  std::vector<uint32_t> arches;      // SCMP_ARCH_* tokens to add (the native one may be listed)
  unsigned flags = 0;                // kernel SECCOMP_FILTER_FLAG_* bits
  std::vector<SeccompRule> rules;    // in spec order
  std::vector<std::string> skipped;  // syscall names libseccomp does not know (runc skips them)
  bool enosys_stub = false;          // prepend the ENOSYS stub (see the header comment)
};

// Action name (+ errnoRet) -> SCMP_ACT_* value. Errors: EINVAL for an unknown name or an
// errnoRet on an action that takes none.
[[nodiscard]] Result<uint32_t> seccomp_action(std::string_view name,
                                              const std::optional<uint32_t>& errno_ret);
// "SCMP_ARCH_X86_64" -> libseccomp arch token. EINVAL unknown name; ENOTSUP when the linked
// libseccomp does not know it (2.5.4 lacks LOONGARCH64, M68K, SH, SHEB).
[[nodiscard]] Result<uint32_t> seccomp_arch(std::string_view name);
// "SCMP_CMP_EQ" -> enum scmp_compare. EINVAL unknown name.
[[nodiscard]] Result<int> seccomp_operator(std::string_view name);
// "SECCOMP_FILTER_FLAG_LOG" -> kernel flag bit (0 for TSYNC, ignored like runc). EINVAL unknown.
[[nodiscard]] Result<unsigned> seccomp_flag(std::string_view name);

// Translates the section. Pure apart from libseccomp's name tables. Errors: EINVAL (ENOTSUP for
// an arch the linked libseccomp lacks) naming the field, e.g. `linux.seccomp.syscalls[2].action:
// unknown seccomp action "SCMP_ACT_FOO"`.
[[nodiscard]] Result<SeccompRules> translate_seccomp(const oci::Seccomp& seccomp);

// translate_seccomp() + libseccomp (seccomp_init, arch/rule adds, seccomp_export_bpf through a
// pipe from `ops`) + the ENOSYS stub. Runs in the runtime process. Errors: translation errors;
// libseccomp's -errno with a `libseccomp: seccomp_rule_add("mkdir")`-style frame; E2BIG when the
// program exceeds the kernel's 4096 instructions.
[[nodiscard]] Result<SeccompProgram> compile_seccomp(sys::Ops& ops, const oci::Seccomp& seccomp);

// The canonical serialisation the cache key hashes: every field of the section that changes the
// program (listenerPath and listenerMetadata do not), in spec order, length-prefixed. Pure.
std::string seccomp_canonical(const oci::Seccomp& seccomp);
// Hex SHA-256 of seccomp_canonical() + the native arch + libseccomp's version + `kernel_release`
// + grove's program format version.
std::string seccomp_cache_key(const oci::Seccomp& seccomp, std::string_view kernel_release);

// The cache file format: "grvseccp" magic, version, flags, instruction count, instructions,
// then the SHA-256 of all that. decode fails (EBADMSG) on any short, corrupt or foreign file.
std::string encode_seccomp_program(const SeccompProgram& program);
[[nodiscard]] Result<SeccompProgram> decode_seccomp_program(std::string_view bytes);

// The program for `seccomp`, from <state_root>/.cache/seccomp/<key>.bpf when a valid entry is
// there, else compiled and stored (temp file + rename, 0600) for the next create. The cache dir
// is created 0700 and used only when owned by the caller's euid and not group/other-writable
// (anyone else could plant a permissive filter); otherwise the program is compiled and not
// cached. Cache write failures are ignored. `from_cache` says which path was taken.
struct PreparedSeccomp {
  SeccompProgram program;
  bool from_cache = false;
  std::string cache_file;  // "" when the cache was not usable
};
[[nodiscard]] Result<PreparedSeccomp> prepare_seccomp(sys::Ops& ops, const oci::Seccomp& seccomp,
                                                      const std::string& state_root);

// In the container init: seccomp(SECCOMP_SET_MODE_FILTER, program.flags, program.insns).
// Returns the notify listener fd when program.notify(), else an empty UniqueFd. Needs
// no_new_privs or CAP_SYS_ADMIN (EACCES otherwise). Allocation-free apart from the error path.
[[nodiscard]] Result<UniqueFd> load_seccomp(sys::Ops& ops, const SeccompProgram& program);

// The runtime-spec "container process state" JSON sent to listenerPath: ociVersion, fds
// ["seccompFd"], pid, metadata (when set), state (runtime.md state: ociVersion, id, status,
// pid, bundle, annotations). Pure.
std::string container_process_state_json(int pid, const std::string& metadata,
                                         const std::string& state_json);

// Connects to the AF_UNIX SOCK_STREAM socket `listener_path`, sends `process_state_json` with
// `notify_fd` as SCM_RIGHTS in one sendmsg, and closes the connection (one state per
// connection, as the spec requires). Errors: socket/connect/sendmsg errno with a
// `linux.seccomp.listenerPath "<path>"` frame.
[[nodiscard]] Status send_to_seccomp_listener(sys::Ops& ops, const std::string& listener_path,
                                              const std::string& process_state_json, int notify_fd);

}  // namespace grove::security
