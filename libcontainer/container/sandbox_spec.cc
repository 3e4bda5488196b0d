// The rootless sandbox's spec and the pure parsers feeding it (sandbox_spec.h).

#include "libcontainer/container/sandbox_spec.h"

#include <algorithm>
#include <cstdio>
#include <limits>

#include "libcontainer/base/strings.h"

namespace grove::container {
namespace {

// Podman's default set for rootless containers: the process is root of its own user namespace,
// so these act only on what the namespace owns (its files, its subordinate ids) and let package
// managers and build tools chown, switch users and chroot; nothing else (no CAP_SYS_ADMIN, so no
// mounts inside, no CAP_NET_ADMIN, no CAP_SYS_PTRACE).
const std::vector<std::string> kSandboxCaps = {
    "CAP_CHOWN",   "CAP_DAC_OVERRIDE",     "CAP_FOWNER",    "CAP_FSETID",
    "CAP_KILL",    "CAP_NET_BIND_SERVICE", "CAP_SETFCAP",   "CAP_SETGID",
    "CAP_SETPCAP", "CAP_SETUID",           "CAP_SYS_CHROOT"};

constexpr std::string_view kDefaultPath =
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

bool parse_u32(std::string_view s, uint32_t* out) {
  long long v = 0;
  if (s.empty() || s[0] == '-' || s[0] == '+' || !parse_int64(s, &v)) return false;
  if (v < 0 || v > std::numeric_limits<uint32_t>::max()) return false;
  *out = static_cast<uint32_t>(v);
  return true;
}

bool has_env(const std::vector<std::string>& env, std::string_view key) {
  for (const std::string& e : env) {
    if (e.size() > key.size() && e.compare(0, key.size(), key) == 0 && e[key.size()] == '=')
      return true;
  }
  return false;
}

oci::Process sandbox_process(const SandboxSpecOptions& o) {
  oci::Process p;
  p.terminal = o.terminal;
  p.args = o.command;
  p.env = o.env;
  if (!has_env(p.env, "PATH")) p.env.emplace_back(kDefaultPath);
  if (o.terminal && !has_env(p.env, "TERM")) p.env.emplace_back("TERM=xterm");
  p.cwd = o.cwd;
  p.capabilities = oci::Capabilities{.bounding = kSandboxCaps,
                                     .effective = kSandboxCaps,
                                     .permitted = kSandboxCaps,
                                     .ambient = kSandboxCaps};
  p.no_new_privileges = true;
  return p;
}

// /proc, the minimal /dev (the planner adds the default device nodes, bound from the host in a
// user namespace), /tmp, then the current directory and the volumes, in that order, so a
// volume or the cwd under /tmp lands on the new tmpfs rather than under it.
std::vector<oci::Mount> sandbox_mounts(const SandboxSpecOptions& o) {
  std::vector<oci::Mount> m = {
      {.destination = "/proc", .type = "proc", .source = "proc"},
      {.destination = "/dev",
       .type = "tmpfs",
       .source = "tmpfs",
       .options = {"nosuid", "strictatime", "mode=755", "size=65536k"}},
      // No gid=5: the tty group is not mapped (runc's rootless spec drops it too).
      {.destination = "/dev/pts",
       .type = "devpts",
       .source = "devpts",
       .options = {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"}},
      {.destination = "/dev/shm",
       .type = "tmpfs",
       .source = "shm",
       .options = {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}},
      {.destination = "/tmp",
       .type = "tmpfs",
       .source = "tmpfs",
       .options = {"nosuid", "nodev", "mode=1777"}},
  };
  if (o.rootfs.empty()) {
    for (const std::string& p : o.readonly_submounts) {
      m.push_back({.destination = p, .type = "bind", .source = p, .options = {"rbind", "rro"}});
    }
  }
  if (o.cwd != "/") {
    m.push_back({.destination = o.cwd, .type = "bind", .source = o.cwd, .options = {"rbind"}});
  }
  for (const Volume& v : o.volumes) {
    oci::Mount b{
        .destination = v.destination, .type = "bind", .source = v.source, .options = {"rbind"}};
    // "rro" (mount_setattr AT_RECURSIVE), not "ro": runc's "ro" on a bind leaves the mounts
    // below it writable; bwrap's --ro-bind is recursive too.
    if (v.readonly) b.options.push_back("rro");
    m.push_back(std::move(b));
  }
  return m;
}

bool under(std::string_view path, std::string_view dir) {
  if (dir == "/") return true;
  return path == dir || (path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 &&
                         path[dir.size()] == '/');
}

// mountinfo escapes ' ', '\t', '\n' and '\\' as \ooo (fs/proc_namespace.c mangle()).
std::string unescape_mountinfo(std::string_view s) {
  auto octal = [](char c) { return c >= '0' && c <= '7'; };
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size() && octal(s[i + 1]) && octal(s[i + 2]) && octal(s[i + 3])) {
      out += static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
      i += 3;
    } else {
      out += s[i];
    }
  }
  return out;
}

}  // namespace

std::vector<std::string> writable_mount_points(std::string_view mountinfo) {
  std::vector<std::string> out;
  for (const std::string& line : split(mountinfo, '\n')) {
    // id parent major:minor root mountpoint options [optional...] - fstype source superopts
    std::vector<std::string> f = split(line, ' ');
    if (f.size() < 7) continue;
    bool rw = false;
    for (const std::string& opt : split(f[5], ',')) rw = rw || opt == "rw";
    if (rw && !f[4].empty() && f[4][0] == '/') out.push_back(unescape_mountinfo(f[4]));
  }
  return out;
}

std::vector<std::string> sandbox_readonly_submounts(const std::vector<std::string>& writable) {
  std::vector<std::string> c;
  for (const std::string& p : writable) {
    if (p == "/" || under(p, "/proc") || under(p, "/dev") || under(p, "/tmp")) continue;
    c.push_back(p);
  }
  std::sort(c.begin(), c.end());
  c.erase(std::unique(c.begin(), c.end()), c.end());
  std::vector<std::string> out;
  for (const std::string& p : c) {
    // Sorted: a parent comes before its children ("/a" < "/a/b"; "/a-b" sorts between but is
    // not under "/a").
    bool nested = false;
    for (const std::string& kept : out) nested = nested || under(p, kept);
    if (!nested) out.push_back(p);
  }
  return out;
}

std::vector<SubIdRange> parse_subid(std::string_view text, std::string_view user, uint32_t id) {
  std::vector<SubIdRange> out;
  const std::string id_text = std::to_string(id);
  for (const std::string& raw : split(text, '\n')) {
    std::string_view line = raw;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> f = split(line, ':');
    if (f.size() != 3) continue;
    if (f[0] != user && f[0] != id_text) continue;
    SubIdRange r;
    if (!parse_u32(f[1], &r.start) || !parse_u32(f[2], &r.count) || r.count == 0) continue;
    if (uint64_t{r.start} + r.count - 1 > std::numeric_limits<uint32_t>::max()) continue;
    out.push_back(r);
  }
  return out;
}

Result<Volume> parse_volume(std::string_view spec, std::string_view cwd) {
  auto bad = [&](std::string_view why) {
    return Error::invalid("invalid volume " + q(spec) + ": " + std::string(why) +
                          " (want SRC:DST[:ro|:rw])");
  };
  if (spec.find('\0') != std::string_view::npos) return bad("NUL byte");
  std::vector<std::string> f = split(spec, ':');
  if (f.size() < 2 || f.size() > 3) return bad("expected 2 or 3 ':'-separated fields");
  Volume v;
  if (f[0].empty()) return bad("empty source");
  if (f[1].empty()) return bad("empty destination");
  if (f[1][0] != '/') return bad("destination must be absolute");
  v.source = f[0][0] == '/' ? f[0] : std::string(cwd) + (cwd == "/" ? "" : "/") + f[0];
  v.destination = f[1];
  if (f.size() == 3) {
    if (f[2] == "ro") {
      v.readonly = true;
    } else if (f[2] != "rw") {
      return bad("unknown option " + q(f[2]));
    }
  }
  return v;
}

Result<SandboxNet> parse_sandbox_net(std::string_view value) {
  if (value == "none") return SandboxNet::kNone;
  if (value == "host") return SandboxNet::kHost;
  return Error::invalid("invalid --net " + q(value) + ": want none or host");
}

Result<SandboxMap> parse_sandbox_map(std::string_view value) {
  if (value == "auto") return SandboxMap::kAuto;
  if (value == "root") return SandboxMap::kRoot;
  if (value == "subids") return SandboxMap::kSubids;
  return Error::invalid("invalid --map " + q(value) + ": want auto, root or subids");
}

std::vector<oci::IdMapping> sandbox_id_mappings(uint32_t id,
                                                const std::vector<SubIdRange>& ranges) {
  std::vector<oci::IdMapping> out = {{.container_id = 0, .host_id = id, .size = 1}};
  uint64_t next = 1;
  constexpr uint64_t kIds =
      uint64_t{std::numeric_limits<uint32_t>::max()};  // (uint32_t)-1 unmappable
  for (const SubIdRange& r : ranges) {
    if (next >= kIds) break;
    uint64_t size = std::min<uint64_t>(r.count, kIds - next);
    out.push_back({.container_id = static_cast<uint32_t>(next),
                   .host_id = r.start,
                   .size = static_cast<uint32_t>(size)});
    next += size;
  }
  return out;
}

const std::vector<std::string>& sandbox_denied_syscalls() {
  // Docker's default profile refuses these to processes without CAP_SYS_ADMIN & co; in a user
  // namespace most already fail, but each is attack surface a developer sandbox never needs:
  // the kernel keyring is not namespaced (keyctl, add_key, request_key); modules, kexec,
  // reboot, swap, acct, clock and quota changes; bpf, perf_event_open and userfaultfd (kernel
  // exploit primitives); open_by_handle_at (escapes bind mounts, CVE "shocker"); io_uring
  // (bypasses seccomp for the operations it runs); obsolete calls (uselib, ustat, vm86, ...).
  static const std::vector<std::string> kDenied = {
      "_sysctl",
      "acct",
      "add_key",
      "bpf",
      "clock_adjtime",
      "clock_settime",
      "create_module",
      "delete_module",
      "finit_module",
      "get_kernel_syms",
      "init_module",
      "io_uring_enter",
      "io_uring_register",
      "io_uring_setup",
      "ioperm",
      "iopl",
      "kexec_file_load",
      "kexec_load",
      "keyctl",
      "lookup_dcookie",
      "nfsservctl",
      "open_by_handle_at",
      "perf_event_open",
      "query_module",
      "quotactl",
      "reboot",
      "request_key",
      "settimeofday",
      "stime",
      "swapoff",
      "swapon",
      "syslog",
      "uselib",
      "userfaultfd",
      "ustat",
      "vm86",
      "vm86old",
  };
  return kDenied;
}

oci::Seccomp sandbox_seccomp() {
  oci::Seccomp s;
  s.default_action = "SCMP_ACT_ALLOW";
  s.syscalls.push_back(oci::Syscall{
      .names = sandbox_denied_syscalls(), .action = "SCMP_ACT_ERRNO", .errno_ret = EPERM});
  return s;
}

Result<oci::Spec> sandbox_spec(const SandboxSpecOptions& o) {
  if (o.command.empty()) return Error::invalid("sandbox: no command given (grove sandbox -- CMD)");
  if (o.cwd.empty() || o.cwd[0] != '/')
    return Error::invalid("sandbox: working directory " + q(o.cwd) + " is not absolute");
  if (!o.rootfs.empty() && o.rootfs[0] != '/')
    return Error::invalid("sandbox: --rootfs " + q(o.rootfs) + " is not absolute");
  if (o.subuids.empty() != o.subgids.empty()) {
    return Error::invalid("sandbox: subordinate ranges for only one of uids and gids");
  }
  oci::Spec spec;
  spec.oci_version = std::string(oci::kSpecVersion);
  spec.process = sandbox_process(o);
  spec.root = oci::Root{.path = o.rootfs.empty() ? "/" : o.rootfs, .readonly = o.rootfs.empty()};
  spec.mounts = sandbox_mounts(o);
  oci::Linux& l = spec.linux.emplace();
  l.uid_mappings = sandbox_id_mappings(o.uid, o.subuids);
  l.gid_mappings = sandbox_id_mappings(o.gid, o.subgids);
  l.namespaces = {{oci::NamespaceType::kUser},
                  {oci::NamespaceType::kMount},
                  {oci::NamespaceType::kPid},
                  {oci::NamespaceType::kIpc},
                  {oci::NamespaceType::kUts}};
  if (o.net == SandboxNet::kNone) l.namespaces.push_back({oci::NamespaceType::kNetwork});
  l.seccomp = sandbox_seccomp();
  // The command runs as PID 2 under a reaper, so SIGINT/SIGTERM reach programs without
  // handlers (process/reaper.h).
  spec.annotations["run.grove.init"] = "reaper";
  // ... which dies with grove, so a `grove sandbox` killed with SIGKILL leaves nothing running.
  spec.annotations["run.grove.kill-with-runtime"] = "true";
  return spec;
}

std::string userns_disabled_reason(std::optional<std::string_view> max_user_namespaces,
                                   std::optional<std::string_view> unprivileged_userns_clone,
                                   std::optional<std::string_view> apparmor_restrict) {
  auto value = [](std::string_view s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.remove_suffix(1);
    return s;
  };
  if (max_user_namespaces && value(*max_user_namespaces) == "0") {
    return "user namespaces are disabled: user.max_user_namespaces is 0 (enable them with "
           "`sysctl -w user.max_user_namespaces=15000` as root)";
  }
  if (unprivileged_userns_clone && value(*unprivileged_userns_clone) == "0") {
    return "unprivileged user namespaces are disabled: kernel.unprivileged_userns_clone is 0 "
           "(enable them with `sysctl -w kernel.unprivileged_userns_clone=1` as root)";
  }
  if (apparmor_restrict && value(*apparmor_restrict) == "1") {
    return "unprivileged user namespaces are restricted by AppArmor: "
           "kernel.apparmor_restrict_unprivileged_userns is 1 (allow them with `sysctl -w "
           "kernel.apparmor_restrict_unprivileged_userns=0` as root, or an AppArmor profile "
           "granting `userns,` to grove)";
  }
  return "";
}

std::string sandbox_id(pid_t pid, uint32_t random) {
  char hex8[9];
  std::snprintf(hex8, sizeof hex8, "%08x", random);
  return "sandbox-" + std::to_string(pid) + "-" + hex8;
}

}  // namespace grove::container

namespace grove::container {

Result<SandboxMapping> decide_sandbox_mapping(SandboxMap mode, std::string_view user,
                                              std::vector<SubIdRange> subuids,
                                              std::vector<SubIdRange> subgids, bool helpers_found) {
  SandboxMapping out;
  if (mode == SandboxMap::kRoot) {
    out.note = "--map=root: only container root is mapped (to you)";
    return out;
  }
  const std::string hint =
      "add a range with `usermod --add-subuids 100000-165535 --add-subgids 100000-165535 " +
      std::string(user) + "` (as root), or use --map=root";
  if (subuids.empty() || subgids.empty()) {
    const char* which = subuids.empty() ? "uids" : "gids";
    const char* file = subuids.empty() ? "/etc/subuid" : "/etc/subgid";
    std::string why = std::string("no subordinate ") + which + " for " + q(user) + " in " + file;
    if (mode == SandboxMap::kSubids) return Error::plain(ENOENT, why + ": " + hint);
    out.note = why + ": only container root is mapped (to you)";
    return out;
  }
  if (!helpers_found) {
    std::string why = "newuidmap/newgidmap not found (install the \"uidmap\" package)";
    if (mode == SandboxMap::kSubids) return Error::plain(ENOENT, why);
    out.note = why + ": only container root is mapped (to you)";
    return out;
  }
  out.subuids = std::move(subuids);
  out.subgids = std::move(subgids);
  return out;
}

std::string sandbox_state_root(std::string_view global_root, bool xdg_runtime_dir_set, uid_t euid) {
  if (euid == 0 || xdg_runtime_dir_set || global_root != "/run/grove") {
    return std::string(global_root);
  }
  return "/tmp/grove-" + std::to_string(euid);
}

}  // namespace grove::container
