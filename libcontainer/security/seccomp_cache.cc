// The compiled-filter cache (<state root>/.cache/seccomp/<sha256>.bpf, like crun's
// SECCOMP_CACHE_DIR, keyed by SHA-256 instead of BLAKE3), the load in the init, and the
// delivery of the notify fd to listenerPath.

#include <fcntl.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <nlohmann/json.hpp>

#include "libcontainer/base/strings.h"
#include "libcontainer/security/seccomp.h"
#include "libcontainer/security/sha256.h"
#include "oci/spec.h"

namespace grove::security {
namespace {

// Bump when the program grove builds for the same inputs changes (e.g. the ENOSYS stub).
constexpr std::string_view kProgramFormat = "grove-seccomp-program-v1";
constexpr char kMagic[8] = {'g', 'r', 'v', 's', 'e', 'c', 'c', 'p'};
constexpr uint32_t kFileVersion = 1;
constexpr std::size_t kHeader = sizeof kMagic + 3 * sizeof(uint32_t);

// One length-prefixed field: "<tag>=<len>:<value>;" so no value can imitate a separator.
void put(std::string& out, std::string_view tag, std::string_view value) {
  out += tag;
  out += '=';
  out += std::to_string(value.size());
  out += ':';
  out += value;
  out += ';';
}

void put_u32(std::string& out, uint32_t v) { out.append(reinterpret_cast<const char*>(&v), 4); }

uint32_t get_u32(std::string_view bytes, std::size_t off) {
  uint32_t v;
  std::memcpy(&v, bytes.data() + off, sizeof v);
  return v;
}

std::string libseccomp_version() {
  const scmp_version* v = seccomp_version();
  if (v == nullptr) return "unknown";
  return std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->micro);
}

// <root>/.cache/seccomp, created 0700; returned only when nobody but us can write it.
Result<UniqueFd> open_cache_dir(sys::Ops& ops, const std::string& root) {
  for (const std::string& dir : {root + "/.cache", root + "/.cache/seccomp"}) {
    auto made = ops.mkdirat(AT_FDCWD, dir, 0700);
    if (!made && made.error().code() != EEXIST) return std::move(made).error();
  }
  GROVE_ASSIGN_OR_RETURN(UniqueFd fd, ops.openat(AT_FDCWD, root + "/.cache/seccomp",
                                                 O_PATH | O_DIRECTORY | O_NOFOLLOW, 0));
  GROVE_ASSIGN_OR_RETURN(struct stat st, ops.fstat(fd.get()));
  if (st.st_uid != ::geteuid() || (st.st_mode & 022) != 0) {
    return Error::plain(
        EPERM, q(root + "/.cache/seccomp") + " is writable by others: not used as a filter cache");
  }
  return fd;
}

// Best effort: a failed write only costs the next create a compile.
void store(sys::Ops& ops, int dir, const std::string& name, const SeccompProgram& program) {
  std::string tmp = "." + name + "." + std::to_string(ops.getpid()) + ".tmp";
  auto fd = ops.openat(dir, tmp, O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (!fd) return;
  bool written = static_cast<bool>(ops.write(fd->get(), encode_seccomp_program(program)));
  fd->reset();
  if (!written || !ops.renameat2(dir, tmp, dir, name, 0)) (void)ops.unlinkat(dir, tmp, 0);
}

}  // namespace

std::string seccomp_canonical(const oci::Seccomp& s) {
  std::string out;
  put(out, "defaultAction", s.default_action);
  if (s.default_errno_ret) put(out, "defaultErrnoRet", std::to_string(*s.default_errno_ret));
  for (const std::string& a : s.architectures) put(out, "arch", a);
  for (const std::string& f : s.flags) put(out, "flag", f);
  for (const oci::Syscall& sc : s.syscalls) {
    put(out, "syscall", std::to_string(sc.names.size()));
    for (const std::string& n : sc.names) put(out, "name", n);
    put(out, "action", sc.action);
    if (sc.errno_ret) put(out, "errnoRet", std::to_string(*sc.errno_ret));
    for (const oci::SeccompArg& a : sc.args) {
      put(out, "arg",
          std::to_string(a.index) + "," + std::to_string(a.value) + "," +
              std::to_string(a.value_two) + "," + a.op);
    }
  }
  return out;
}

std::string seccomp_cache_key(const oci::Seccomp& seccomp, std::string_view kernel_release) {
  std::string text = seccomp_canonical(seccomp);
  put(text, "native", std::to_string(seccomp_arch_native()));
  put(text, "libseccomp", libseccomp_version());
  // libseccomp checks the kernel's actions while compiling, so a program is only reused on the
  // kernel it was built for.
  put(text, "kernel", kernel_release);
  put(text, "format", kProgramFormat);
  return sha256_hex(text);
}

std::string encode_seccomp_program(const SeccompProgram& program) {
  std::string out(kMagic, sizeof kMagic);
  put_u32(out, kFileVersion);
  put_u32(out, program.flags);
  put_u32(out, static_cast<uint32_t>(program.insns.size()));
  out.append(reinterpret_cast<const char*>(program.insns.data()),
             program.insns.size() * sizeof(sys::BpfInsn));
  auto digest = sha256(out);
  out.append(reinterpret_cast<const char*>(digest.data()), digest.size());
  return out;
}

Result<SeccompProgram> decode_seccomp_program(std::string_view bytes) {
  auto bad = [](const std::string& why) { return Error::plain(EBADMSG, "seccomp cache: " + why); };
  if (bytes.size() < kHeader + 32) return bad("short file");
  if (std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0) return bad("bad magic");
  if (get_u32(bytes, 8) != kFileVersion) return bad("unknown version");
  SeccompProgram out;
  out.flags = get_u32(bytes, 12);
  uint32_t count = get_u32(bytes, 16);
  if (count == 0 || count > 4096 || bytes.size() != kHeader + count * sizeof(sys::BpfInsn) + 32) {
    return bad("bad length");
  }
  std::string_view body = bytes.substr(0, bytes.size() - 32);
  auto digest = sha256(body);
  if (std::memcmp(digest.data(), bytes.data() + body.size(), 32) != 0) return bad("bad checksum");
  out.insns.resize(count);
  std::memcpy(out.insns.data(), bytes.data() + kHeader, count * sizeof(sys::BpfInsn));
  return out;
}

Result<PreparedSeccomp> prepare_seccomp(sys::Ops& ops, const oci::Seccomp& seccomp,
                                        const std::string& state_root) {
  PreparedSeccomp out;
  auto release = ops.uname();
  auto dir = open_cache_dir(ops, state_root);
  if (dir && release) {
    std::string name = seccomp_cache_key(seccomp, release->release) + ".bpf";
    out.cache_file = state_root + "/.cache/seccomp/" + name;
    auto bytes = ops.read_file_at(dir->get(), name);
    if (bytes) {
      auto cached = decode_seccomp_program(*bytes);
      if (cached) {
        out.program = std::move(*cached);
        out.from_cache = true;
        return out;
      }
      // Corrupt or foreign entry: compiled again and replaced below.
    }
    GROVE_ASSIGN_OR_RETURN(out.program, compile_seccomp(ops, seccomp));
    store(ops, dir->get(), name, out.program);
    return out;
  }
  GROVE_ASSIGN_OR_RETURN(out.program, compile_seccomp(ops, seccomp));
  return out;
}

Result<UniqueFd> load_seccomp(sys::Ops& ops, const SeccompProgram& program) {
  return ops.seccomp(SECCOMP_SET_MODE_FILTER, program.flags, program.insns)
      .context("load seccomp filter");
}

std::string container_process_state_json(int pid, const std::string& metadata,
                                         const std::string& state_json) {
  nlohmann::ordered_json j;
  j["ociVersion"] = std::string(oci::kSpecVersion);
  j["fds"] = {"seccompFd"};
  j["pid"] = pid;
  if (!metadata.empty()) j["metadata"] = metadata;
  j["state"] = nlohmann::ordered_json::parse(state_json, nullptr, false);
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Status send_to_seccomp_listener(sys::Ops& ops, const std::string& listener_path,
                                const std::string& process_state_json, int notify_fd) {
  auto frame = [&] { return "linux.seccomp.listenerPath " + q(listener_path); };
  GROVE_ASSIGN_OR_RETURN(UniqueFd sock, ops.socket(AF_UNIX, SOCK_STREAM, 0).context(frame));
  GROVE_TRY(ops.connect(sock.get(), listener_path).context(frame));
  // One sendmsg with the fd; the connection is closed right after (one state per connection).
  return ops.send_fds(sock.get(), process_state_json, {notify_fd}).context(frame);
}

}  // namespace grove::security
