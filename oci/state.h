#pragma once
// The container state document: the OCI runtime.md "state" fields plus runc's extras, as
// printed by `grove state` and stored in /run/grove/<id>/state.json. Pure (no syscalls, no
// clock): callers supply the creation time.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "libcontainer/base/result.h"

namespace oci {

// runtime.md lifecycle states, plus runc's "paused".
enum class ContainerStatus { kCreating, kCreated, kRunning, kStopped, kPaused };

// "creating", "created", "running", "stopped", "paused".
std::string_view to_string(ContainerStatus status);
// The inverse of to_string(); nullopt for any other string.
std::optional<ContainerStatus> status_from_string(std::string_view name);

struct State {
  std::string oci_version;  // "ociVersion"
  std::string id;
  ContainerStatus status = ContainerStatus::kCreating;
  int pid = 0;         // init pid as seen by the runtime; 0 when stopped
  std::string bundle;  // absolute path
  std::map<std::string, std::string> annotations;
  // runc's extra fields (containerd, podman and conmon read them).
  std::string rootfs;   // absolute path of the root filesystem
  std::string created;  // RFC 3339 with nanoseconds, UTC: "2024-05-01T10:00:00.123456789Z"
  std::string owner;    // runc always writes "" here
  bool operator==(const State&) const = default;
};

// runc's `state` output: ociVersion, id, pid, status, bundle, rootfs, created, annotations
// (omitted when empty), owner — in that order. `pretty` indents by two spaces like runc's
// `json.MarshalIndent`; otherwise one line. Ends with a newline only when pretty. Never fails.
std::string to_json_string(const State& state, bool pretty = true);

// Only the OCI runtime.md fields (ociVersion, id, status, pid, bundle, annotations): the
// document hooks receive on stdin. One line, no newline.
std::string to_oci_state_json(const State& state);

// Strict parse of either form above. Required: ociVersion, id (non-empty), status (one of
// the five names), bundle; optional: pid (>= 0), annotations, rootfs, created, owner. Unknown
// fields are ignored. Errors: Error::invalid "<pointer>: <reason>" or
// "state.json: parse error at byte N: ...". Never throws.
[[nodiscard]] grove::Result<State> parse_state(std::string_view json);

// Go's time.RFC3339Nano rendering of a UTC instant (trailing zeros of the fraction trimmed,
// no fraction when nsec == 0): format_rfc3339_nano(0, 5) == "1970-01-01T00:00:00.000000005Z".
// `nsec` must be in [0, 1e9). Pure.
std::string format_rfc3339_nano(int64_t unix_seconds, int64_t nsec);

}  // namespace oci
