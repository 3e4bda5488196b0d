// config.json "process" (also the whole document of `exec --process FILE`).

#include <string>

#include "oci/enums.h"
#include "oci/json_read.h"
#include "oci/parse_internal.h"

namespace oci {

grove::Status decode(const Json& v, const std::string& ptr, ConsoleSize* out) {
  GROVE_ASSIGN_OR_RETURN(Fields f, Fields::of(v, ptr));
  GROVE_TRY(f.req("height", &out->height));
  return f.req("width", &out->width);
}

grove::Status decode(const Json& v, const std::string& ptr, User* out) {
  GROVE_ASSIGN_OR_RETURN(Fields f, Fields::of(v, ptr));
  GROVE_TRY(f.req("uid", &out->uid));
  GROVE_TRY(f.req("gid", &out->gid));
  GROVE_TRY(f.opt("umask", &out->umask));
  GROVE_TRY(f.opt("additionalGids", &out->additional_gids));
  return f.opt("username", &out->username);
}

grove::Status decode(const Json& v, const std::string& ptr, Capabilities* out) {
  // Names are not checked here: like runc >= 1.2 the security layer decides what to do with a
  // capability this kernel does not know (warn and skip), so configs stay portable.
  GROVE_ASSIGN_OR_RETURN(Fields f, Fields::of(v, ptr));
  GROVE_TRY(f.opt("bounding", &out->bounding));
  GROVE_TRY(f.opt("effective", &out->effective));
  GROVE_TRY(f.opt("inheritable", &out->inheritable));
  GROVE_TRY(f.opt("permitted", &out->permitted));
  return f.opt("ambient", &out->ambient);
}

grove::Status decode(const Json& v, const std::string& ptr, Rlimit* out) {
  GROVE_ASSIGN_OR_RETURN(Fields f, Fields::of(v, ptr));
  GROVE_TRY(f.req_enum("type", kRlimitTypes, "rlimit type", &out->type));
  GROVE_TRY(f.req("hard", &out->hard));
  return f.req("soft", &out->soft);
}

grove::Status decode(const Json& v, const std::string& ptr, Scheduler* out) {
  GROVE_ASSIGN_OR_RETURN(Fields f, Fields::of(v, ptr));
  GROVE_TRY(f.req_enum("policy", kSchedulerPolicies, "scheduler policy", &out->policy));
  GROVE_TRY(f.opt("nice", &out->nice));
  GROVE_TRY(f.opt("priority", &out->priority));
  GROVE_TRY(f.opt_enum_list("flags", kSchedulerFlags, "scheduler flag", &out->flags));
  GROVE_TRY(f.opt("runtime", &out->runtime));
  GROVE_TRY(f.opt("deadline", &out->deadline));
  return f.opt("period", &out->period);
}

grove::Status decode(const Json& v, const std::string& ptr, IoPriority* out) {
  GROVE_ASSIGN_OR_RETURN(Fields f, Fields::of(v, ptr));
  GROVE_TRY(f.req_enum("class", kIoPriorityClasses, "I/O priority class", &out->klass));
  return f.req("priority", &out->priority);
}

grove::Status decode(const Json& v, const std::string& ptr, CpuAffinity* out) {
  GROVE_ASSIGN_OR_RETURN(Fields f, Fields::of(v, ptr));
  GROVE_TRY(f.opt("initial", &out->initial));
  return f.opt("final", &out->final);
}

namespace {

// runc (libcontainer/env.go) refuses entries without '=' and with an empty name; a NUL byte
// could never reach execve intact, so it is refused too.
grove::Status check_env(const Fields& f, const std::vector<std::string>& env) {
  for (size_t i = 0; i < env.size(); ++i) {
    const std::string& e = env[i];
    size_t eq = e.find('=');
    std::string ptr = ptr_index(f.at("env"), i);
    if (eq == std::string::npos) return bad_field(ptr, "missing '=' in environment variable");
    if (eq == 0) return bad_field(ptr, "environment variable name must not be empty");
    if (e.find('\0') != std::string::npos) return bad_field(ptr, "contains a NUL byte");
  }
  return grove::ok();
}

grove::Status decode_args(const Fields& f, Process* out) {
  // config.md: "at least one entry is REQUIRED (non-Windows)"; Windows may use commandLine.
  GROVE_TRY(f.opt("args", &out->args));
  GROVE_TRY(f.opt("commandLine", &out->command_line));
  if (out->args.empty()) {
    if (f.find("args") == nullptr) return f.missing("args");
    return bad_field(f.at("args"), "must contain at least one entry");
  }
  return grove::ok();
}

}  // namespace

grove::Status decode(const Json& v, const std::string& ptr, Process* out) {
  GROVE_ASSIGN_OR_RETURN(Fields f, Fields::of(v, ptr));
  GROVE_TRY(f.opt("terminal", &out->terminal));
  GROVE_TRY(f.opt("consoleSize", &out->console_size));
  // config.md marks uid/gid REQUIRED inside "user" but not "user" itself; Go (runc) reads an
  // absent user as uid 0 / gid 0, and so do we.
  GROVE_TRY(f.opt("user", &out->user));
  GROVE_TRY(decode_args(f, out));
  GROVE_TRY(f.opt("env", &out->env));
  GROVE_TRY(check_env(f, out->env));
  GROVE_TRY(f.req_abs_path("cwd", &out->cwd));
  GROVE_TRY(f.opt("capabilities", &out->capabilities));
  GROVE_TRY(f.opt("rlimits", &out->rlimits));
  GROVE_TRY(f.opt("noNewPrivileges", &out->no_new_privileges));
  GROVE_TRY(f.opt("apparmorProfile", &out->apparmor_profile));
  GROVE_TRY(f.opt("oomScoreAdj", &out->oom_score_adj));
  GROVE_TRY(f.opt("scheduler", &out->scheduler));
  GROVE_TRY(f.opt("selinuxLabel", &out->selinux_label));
  GROVE_TRY(f.opt("ioPriority", &out->io_priority));
  return f.opt("execCPUAffinity", &out->exec_cpu_affinity);
}

}  // namespace oci
