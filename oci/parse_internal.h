#pragma once
// Internal to oci/: decoders for the spec structs, split across parse_*.cc. Each checks that
// `v` is an object and reports errors as "<ptr>/<field>: <reason>" (see json_read.h).

#include <string>

#include "libcontainer/base/result.h"
#include "oci/json_read.h"
#include "oci/spec.h"

namespace oci {

grove::Status decode(const Json& v, const std::string& ptr, IdMapping* out);  // parse.cc
grove::Status decode(const Json& v, const std::string& ptr, Mount* out);      // parse.cc
grove::Status decode(const Json& v, const std::string& ptr, Hook* out);       // parse.cc
grove::Status decode(const Json& v, const std::string& ptr, Hooks* out);      // parse.cc
grove::Status decode(const Json& v, const std::string& ptr, Process* out);    // parse_process.cc
grove::Status decode(const Json& v, const std::string& ptr, Linux* out);      // parse_linux.cc
grove::Status decode(const Json& v, const std::string& ptr, Seccomp* out);    // parse_seccomp.cc
grove::Status decode(const Json& v, const std::string& ptr, Resources* out);  // parse_resources.cc

}  // namespace oci
