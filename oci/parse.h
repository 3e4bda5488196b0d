#pragma once
// Strict parsing of config.json (runtime-spec v1.3.0) into oci::Spec, plus cross-field checks.
//
// Every error is Error::invalid (code() == EINVAL) with exactly one frame of the form
// "<JSON pointer>: <what is wrong>", e.g. "/mounts/3/destination: must be absolute", or, for
// malformed JSON, "config.json: parse error at byte N: <detail>" (N counts from 1, as
// nlohmann reports it). Unknown fields are ignored;
// JSON null counts as absent. No exceptions escape; no syscalls; thread-safe and reentrant.

#include <string_view>

#include "libcontainer/base/result.h"
#include "oci/spec.h"

namespace oci {

// Parses a whole config.json: types and ranges of every known field, REQUIRED fields
// (ociVersion, root.path, process.user/cwd/args when process is present, ...), absolute paths
// where the spec demands them, enumerated values (namespace types, seccomp actions/operators/
// architectures/flags, rlimit types, rootfs propagation, scheduler, I/O priority, memory policy,
// personality), and ociVersion in 1.0.0 .. 1.3.x (pre-release/build suffixes allowed).
// Does not run validate(); callers that create containers should call both.
[[nodiscard]] grove::Result<Spec> parse_config(std::string_view json);

// Parses a process.json (`grove exec --process FILE`): the same rules as config.json's
// "process" object, with pointers relative to the document ("/cwd: required field missing") and
// "process.json: parse error at byte N: ..." for malformed JSON.
[[nodiscard]] grove::Result<Process> parse_process(std::string_view json);

// Parses a LinuxResources document (`grove update --resources FILE`), the same rules as
// config.json's linux.resources, pointers relative to the document.
[[nodiscard]] grove::Result<Resources> parse_resources(std::string_view json);

// Cross-field checks on a parsed spec, matching runc's config validator where the spec is
// silent: no duplicated namespace types or rlimit types; uid/gid mappings only with a user
// namespace; hostname/domainname only with a uts namespace; timeOffsets only with a new time
// namespace; sysctls only in a namespace the container owns (net.* -> network, IPC keys -> ipc,
// kernel.hostname/domainname -> uts); idmapped mounts need mappings or a user namespace;
// errnoRet only with SCMP_ACT_ERRNO/TRACE; listenerMetadata needs listenerPath; at least one of
// weight/leafWeight per blockIO weightDevice and hcaHandles/hcaObjects per rdma entry.
// Errors: Error::invalid, one "<pointer>: <reason>" frame.
[[nodiscard]] grove::Status validate(const Spec& spec);

}  // namespace oci
