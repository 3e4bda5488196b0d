#include "libcontainer/process/exec_setup.h"

#include <fcntl.h>
#include <sys/capability.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <climits>

#include "libcontainer/base/strings.h"
#include "libcontainer/process/user_home.h"

namespace grove::process {
namespace {

constexpr const char* kDefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

struct RlimitName {
  std::string_view name;
  int resource;
};

constexpr RlimitName kRlimits[] = {
    {"RLIMIT_AS", RLIMIT_AS},
    {"RLIMIT_CORE", RLIMIT_CORE},
    {"RLIMIT_CPU", RLIMIT_CPU},
    {"RLIMIT_DATA", RLIMIT_DATA},
    {"RLIMIT_FSIZE", RLIMIT_FSIZE},
    {"RLIMIT_LOCKS", RLIMIT_LOCKS},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
    {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
    {"RLIMIT_NICE", RLIMIT_NICE},
    {"RLIMIT_NOFILE", RLIMIT_NOFILE},
    {"RLIMIT_NPROC", RLIMIT_NPROC},
    {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
    {"RLIMIT_RTTIME", RLIMIT_RTTIME},
    {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    {"RLIMIT_STACK", RLIMIT_STACK},
};

std::string env_value(const std::vector<std::string>& env, std::string_view key) {
  // The last definition wins, as with execve's environment lookups in glibc.
  std::string out;
  bool found = false;
  for (const std::string& kv : env) {
    if (kv.size() > key.size() && kv.compare(0, key.size(), key) == 0 && kv[key.size()] == '=') {
      out = kv.substr(key.size() + 1);
      found = true;
    }
  }
  return found ? out : std::string();
}

Result<std::vector<cap_value_t>> cap_values(const std::vector<std::string>& names) {
  std::vector<cap_value_t> out;
  for (const std::string& n : names) {
    GROVE_ASSIGN_OR_RETURN(int v, capability_number(n));
    out.push_back(static_cast<cap_value_t>(v));
  }
  return out;
}

// A cap_t with `values` set in flag `set` added to `caps`.
Status set_flag(cap_t caps, cap_flag_t set, const std::vector<cap_value_t>& values) {
  if (values.empty()) return ok();
  if (cap_set_flag(caps, set, static_cast<int>(values.size()), values.data(), CAP_SET) != 0) {
    return Error::last("cap_set_flag");
  }
  return ok();
}

}  // namespace

Status close_fds_except(sys::Ops& ops, std::vector<int> keep) {
  std::sort(keep.begin(), keep.end());
  keep.erase(std::unique(keep.begin(), keep.end()), keep.end());
  unsigned next = 0;  // first fd not yet known to be kept or closed
  for (int fd : keep) {
    if (fd < 0) continue;
    if (static_cast<unsigned>(fd) > next) GROVE_TRY(ops.close_range(next, fd - 1, 0));
    next = static_cast<unsigned>(fd) + 1;
  }
  return ops.close_range(next, UINT_MAX, 0);
}

std::vector<int> inherited_fds(int preserve_fds) {
  std::vector<int> out = {0, 1, 2};
  for (int i = 0; i < preserve_fds; ++i) out.push_back(3 + i);
  return out;
}

int listen_fds(const std::vector<std::string>& env) {
  long long n = 0;
  std::string v = env_value(env, "LISTEN_FDS");
  if (v.empty() || !parse_int64(v, &n) || n < 0 || n > 4096) return 0;
  return static_cast<int>(n);
}

Result<std::string> find_executable(sys::Ops& ops, const std::string& file,
                                    const std::vector<std::string>& env) {
  auto check = [&](const std::string& path) -> Status {
    GROVE_ASSIGN_OR_RETURN(struct stat st, ops.fstatat(AT_FDCWD, path, 0));
    if (!S_ISREG(st.st_mode) || (st.st_mode & 0111) == 0) {
      return Error::from_errno(EACCES, "exec: " + q(path));
    }
    return ok();
  };
  if (file.empty()) return Error::invalid("exec: empty process.args[0]");
  if (file.find('/') != std::string::npos) {
    GROVE_TRY(check(file).context([&] { return "exec: " + q(file); }));
    return file;
  }
  std::string path_var = env_value(env, "PATH");
  if (path_var.empty()) path_var = kDefaultPath;
  for (std::string dir : split(path_var, ':')) {
    if (dir.empty()) dir = ".";
    std::string candidate = dir + "/" + file;
    auto r = check(candidate);
    if (r) return candidate;
    // EACCES on a match is reported only if nothing later matches, like execvp.
  }
  return Error::plain(ENOENT, "exec: " + q(file) + ": executable file not found in $PATH");
}

Result<int> rlimit_resource(std::string_view name) {
  for (const RlimitName& r : kRlimits) {
    if (r.name == name) return r.resource;
  }
  return Error::invalid("unknown rlimit type " + q(name));
}

Status apply_rlimits(const std::vector<oci::Rlimit>& rlimits) {
  for (std::size_t i = 0; i < rlimits.size(); ++i) {
    const oci::Rlimit& r = rlimits[i];
    auto frame = [&] { return "rlimits[" + std::to_string(i) + "] " + q(r.type); };
    GROVE_ASSIGN_OR_RETURN(int res, rlimit_resource(r.type).context(frame));
    struct rlimit lim = {static_cast<rlim_t>(r.soft), static_cast<rlim_t>(r.hard)};
    // TODO(lifecycle): move to sys::Ops (prlimit) when it grows the method. #4
    if (::setrlimit(static_cast<__rlimit_resource>(res), &lim) != 0) {
      return Error::last("setrlimit(" + std::to_string(r.soft) + ", " + std::to_string(r.hard) +
                         ")")
          .context(frame());
    }
  }
  return ok();
}

Result<int> capability_number(std::string_view name) {
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  cap_value_t v;
  if (!starts_with(lower, "cap_") || cap_from_name(lower.c_str(), &v) != 0) {
    return Error::invalid("unknown capability " + q(name));
  }
  return static_cast<int>(v);
}

Status apply_bounding_set(const oci::Capabilities& caps) {
  GROVE_ASSIGN_OR_RETURN(auto keep, cap_values(caps.bounding));
  for (cap_value_t c = 0; c <= CAP_LAST_CAP; ++c) {
    if (std::find(keep.begin(), keep.end(), c) != keep.end()) continue;
    if (CAP_IS_SUPPORTED(c) && cap_drop_bound(c) != 0) {
      return Error::last("prctl(PR_CAPBSET_DROP, " + std::to_string(c) + ")");
    }
  }
  return ok();
}

Status apply_capability_sets(const oci::Capabilities& caps) {
  GROVE_ASSIGN_OR_RETURN(auto eff, cap_values(caps.effective));
  GROVE_ASSIGN_OR_RETURN(auto perm, cap_values(caps.permitted));
  GROVE_ASSIGN_OR_RETURN(auto inh, cap_values(caps.inheritable));
  GROVE_ASSIGN_OR_RETURN(auto amb, cap_values(caps.ambient));
  cap_t c = cap_init();
  if (c == nullptr) return Error::last("cap_init");
  Status st = set_flag(c, CAP_EFFECTIVE, eff);
  if (st) st = set_flag(c, CAP_PERMITTED, perm);
  if (st) st = set_flag(c, CAP_INHERITABLE, inh);
  if (st && cap_set_proc(c) != 0) st = Error::last("cap_set_proc");
  cap_free(c);
  GROVE_TRY(std::move(st));
  // Ambient capabilities must be in permitted and inheritable. runc's default spec lists
  // ambient caps with an empty inheritable set (CVE-2022-29162), so the kernel's EPERM for
  // such a cap is skipped, as runc does ("can't raise ambient capability", a warning).
  if (cap_reset_ambient() != 0 && errno != EINVAL) return Error::last("cap_reset_ambient");
  for (cap_value_t v : amb) {
    if (cap_set_ambient(v, CAP_SET) != 0 && errno != EPERM) {
      return Error::last("prctl(PR_CAP_AMBIENT_RAISE, " + std::to_string(v) + ")");
    }
  }
  return ok();
}

Status apply_user(sys::Ops& ops, const oci::User& user, bool keep_caps) {
  std::vector<gid_t> groups(user.additional_gids.begin(), user.additional_gids.end());
  // setgroups is EPERM in a user namespace with setgroups=deny; an empty list is then fine.
  auto sg = ops.setgroups(groups);
  if (!sg && !(groups.empty() && sg.error().code() == EPERM)) return sg;
  GROVE_TRY(ops.setresgid(user.gid, user.gid, user.gid));
  if (keep_caps) GROVE_TRY(ops.set_keepcaps(true));
  GROVE_TRY(ops.setresuid(user.uid, user.uid, user.uid));
  if (keep_caps) GROVE_TRY(ops.set_keepcaps(false));
  return ok();
}

Status enter_cwd(sys::Ops& ops, const std::string& cwd) {
  GROVE_TRY(ops.chdir(cwd));
  char buf[PATH_MAX];
  // glibc's getcwd fails with ENOENT when the kernel reports "(unreachable)/...": the cwd is not
  // under our root (a leaked host directory fd used as cwd).
  if (::getcwd(buf, sizeof buf) == nullptr || buf[0] != '/') {
    return Error::plain(ENOENT, "cwd " + q(cwd) + " is outside the container root");
  }
  return ok();
}

Status finalize_and_exec(sys::Ops& ops, const oci::Process& process, const std::string& exe,
                         std::vector<int> keep, const security::SeccompProgram* seccomp,
                         int exec_marker_fd) {
  const bool nnp = process.no_new_privileges;
  // runc's setupUser: HOME from the container's passwd entry for the uid when the env has none,
  // read in the container's root and before the uid change (the file may be root-only).
  std::vector<std::string> env = env_with_home(ops, process.env, process.user.uid);
  GROVE_TRY(close_fds_except(ops, std::move(keep)));
  GROVE_TRY(enter_cwd(ops, process.cwd).context("process.cwd"));
  GROVE_TRY(apply_rlimits(process.rlimits).context("process.rlimits"));
  // Before any seccomp filter, which may refuse write(2): from here only the filter, ids,
  // capabilities and execve remain, and their errors still follow the marker.
  if (exec_marker_fd >= 0) {
    GROVE_TRY(ops.write(exec_marker_fd, std::string(1, kExecMarker)).context("write exec fifo"));
  }
  if (seccomp != nullptr && !nnp) GROVE_TRY(security::load_seccomp(ops, *seccomp));
  const bool caps = process.capabilities.has_value();
  if (caps) GROVE_TRY(apply_bounding_set(*process.capabilities).context("capabilities.bounding"));
  GROVE_TRY(apply_user(ops, process.user, caps).context("process.user"));
  if (caps) GROVE_TRY(apply_capability_sets(*process.capabilities).context("capabilities"));
  // runc applies 0022 when the spec has no umask.
  ops.umask(process.user.umask ? static_cast<mode_t>(*process.user.umask) : 022);
  if (nnp) GROVE_TRY(ops.set_no_new_privs());
  if (seccomp != nullptr && nnp) GROVE_TRY(security::load_seccomp(ops, *seccomp));
  return ops.execve(exe, process.args, env).context([&] { return "exec " + q(exe); });
}

}  // namespace grove::process
