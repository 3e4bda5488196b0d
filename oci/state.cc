// Container state document (runtime.md "State" + runc's containerState).

#include "oci/state.h"

#include <array>
#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>
#include <utility>

#include "libcontainer/base/strings.h"
#include "oci/json_read.h"

namespace oci {
namespace {

constexpr std::array<std::pair<ContainerStatus, std::string_view>, 5> kStatusNames = {{
    {ContainerStatus::kCreating, "creating"},
    {ContainerStatus::kCreated, "created"},
    {ContainerStatus::kRunning, "running"},
    {ContainerStatus::kStopped, "stopped"},
    {ContainerStatus::kPaused, "paused"},
}};

// runc's field order (libcontainer containerState / specs.State), kept with ordered_json so
// `grove state` output reads like runc's.
nlohmann::ordered_json state_json(const State& s, bool runc_fields) {
  nlohmann::ordered_json j;
  j["ociVersion"] = s.oci_version;
  j["id"] = s.id;
  if (runc_fields) {
    j["pid"] = s.pid;
    j["status"] = std::string(to_string(s.status));
  } else {
    j["status"] = std::string(to_string(s.status));
    j["pid"] = s.pid;
  }
  j["bundle"] = s.bundle;
  if (runc_fields) {
    j["rootfs"] = s.rootfs;
    j["created"] = s.created;
  }
  if (!s.annotations.empty()) j["annotations"] = s.annotations;
  if (runc_fields) j["owner"] = s.owner;
  return j;
}

grove::Status decode_state(const Json& doc, State* out) {
  if (!doc.is_object()) {
    return grove::Error::invalid("state.json: expected object, got " +
                                 std::string(doc.type_name()));
  }
  GROVE_ASSIGN_OR_RETURN(Fields f, Fields::of(doc, ""));
  GROVE_TRY(f.req("ociVersion", &out->oci_version));
  GROVE_TRY(f.req("id", &out->id));
  if (out->id.empty()) return bad_field(f.at("id"), "must not be empty");
  std::string status;
  GROVE_TRY(f.req("status", &status));
  std::optional<ContainerStatus> st = status_from_string(status);
  if (!st) return bad_field(f.at("status"), "unknown container status " + grove::q(status));
  out->status = *st;
  GROVE_TRY(f.opt("pid", &out->pid));
  if (out->pid < 0) return bad_field(f.at("pid"), "must not be negative");
  GROVE_TRY(f.req("bundle", &out->bundle));
  GROVE_TRY(f.opt("annotations", &out->annotations));
  GROVE_TRY(f.opt("rootfs", &out->rootfs));
  GROVE_TRY(f.opt("created", &out->created));
  return f.opt("owner", &out->owner);
}

}  // namespace

std::string_view to_string(ContainerStatus status) {
  for (const auto& [s, name] : kStatusNames) {
    if (s == status) return name;
  }
  return "unknown";
}

std::optional<ContainerStatus> status_from_string(std::string_view name) {
  for (const auto& [s, n] : kStatusNames) {
    if (n == name) return s;
  }
  return std::nullopt;
}

std::string to_json_string(const State& state, bool pretty) {
  auto handler = nlohmann::ordered_json::error_handler_t::replace;
  if (pretty) return state_json(state, true).dump(2, ' ', false, handler) + "\n";
  return state_json(state, true).dump(-1, ' ', false, handler);
}

std::string to_oci_state_json(const State& state) {
  return state_json(state, false)
      .dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

grove::Result<State> parse_state(std::string_view json) {
  GROVE_ASSIGN_OR_RETURN(Json doc, parse_json_text(json, "state.json"));
  State state;
  try {
    GROVE_TRY(decode_state(doc, &state));
  } catch (const nlohmann::json::exception& e) {
    return grove::Error::invalid(std::string("state.json: ") + e.what());
  }
  return state;
}

std::string format_rfc3339_nano(int64_t unix_seconds, int64_t nsec) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  std::string out = buf;
  if (nsec > 0) {
    char frac[32];
    std::snprintf(frac, sizeof(frac), ".%09lld", static_cast<long long>(nsec));
    std::string f = frac;
    while (f.back() == '0') f.pop_back();  // Go trims trailing zeros ("999999999" layout)
    out += f;
  }
  return out + "Z";
}

}  // namespace oci
