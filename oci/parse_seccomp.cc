// config.json "linux.seccomp": actions, operators, architectures and flags are closed sets
// (libseccomp v2.6.0 names, see enums.h).

#include <string>

#include "oci/enums.h"
#include "oci/json_read.h"
#include "oci/parse_internal.h"

namespace oci {

grove::Status decode(const Json& v, const std::string& ptr, SeccompArg* out) {
  GROVE_ASSIGN_OR_RETURN(Fields f, Fields::of(v, ptr));
  GROVE_TRY(f.req("index", &out->index));
  // Syscalls take at most six arguments (seccomp_data.args[6]).
  if (out->index > 5) return bad_field(f.at("index"), "must be between 0 and 5");
  GROVE_TRY(f.req("value", &out->value));
  GROVE_TRY(f.opt("valueTwo", &out->value_two));
  return f.req_enum("op", kSeccompOperators, "seccomp operator", &out->op);
}

grove::Status decode(const Json& v, const std::string& ptr, Syscall* out) {
  GROVE_ASSIGN_OR_RETURN(Fields f, Fields::of(v, ptr));
  GROVE_TRY(f.req("names", &out->names));
  if (out->names.empty()) return bad_field(f.at("names"), "must contain at least one entry");
  GROVE_TRY(f.req_enum("action", kSeccompActions, "seccomp action", &out->action));
  GROVE_TRY(f.opt("errnoRet", &out->errno_ret));
  return f.opt("args", &out->args);
}

grove::Status decode(const Json& v, const std::string& ptr, Seccomp* out) {
  GROVE_ASSIGN_OR_RETURN(Fields f, Fields::of(v, ptr));
  GROVE_TRY(f.req_enum("defaultAction", kSeccompActions, "seccomp action", &out->default_action));
  GROVE_TRY(f.opt("defaultErrnoRet", &out->default_errno_ret));
  GROVE_TRY(
      f.opt_enum_list("architectures", kSeccompArchs, "seccomp architecture", &out->architectures));
  GROVE_TRY(f.opt_enum_list("flags", kSeccompFlags, "seccomp flag", &out->flags));
  GROVE_TRY(f.opt("listenerPath", &out->listener_path));
  GROVE_TRY(f.opt("listenerMetadata", &out->listener_metadata));
  return f.opt("syscalls", &out->syscalls);
}

}  // namespace oci
