#pragma once
// The device-rule emulator shared by devices.cc (v1 writes) and devices_bpf.cc (v2 program).
// Private to libcontainer/cgroup. A port of the model in opencontainers/cgroups
// devices/devices_emulator.go (runc), see devices.h for the semantics.

#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "libcontainer/base/result.h"
#include "libcontainer/cgroup/devices.h"

namespace grove::cgroup::internal {

// Access bits, laid out like BPF_DEVCG_ACC_* (MKNOD=1, READ=2, WRITE=4).
inline constexpr unsigned kAccMknod = 1, kAccRead = 2, kAccWrite = 4;
inline constexpr unsigned kAccAll = kAccMknod | kAccRead | kAccWrite;

// "rwm" subset -> bits; -1 when a letter is not one of r, w, m.
int access_bits(const std::string& access);
// bits -> "rwm" subset in r, w, m order.
std::string access_string(unsigned bits);

// The match part of an exception: type 'c'/'b' and numbers (-1 = '*').
struct DeviceMeta {
  char type = 'c';
  int64_t major = -1;
  int64_t minor = -1;
  // Sorted by (major, minor, type), as runc's orderedEntries, so plans are deterministic.
  bool operator<(const DeviceMeta& o) const {
    return std::tie(major, minor, type) < std::tie(o.major, o.minor, o.type);
  }
  bool operator==(const DeviceMeta&) const = default;
};

// The state of a devices cgroup: the default verdict plus exceptions (access bits, never 0)
// whose verdict is the opposite of the default.
struct DeviceState {
  bool default_allow = false;
  std::map<DeviceMeta, unsigned> exceptions;
  bool operator==(const DeviceState&) const = default;
};

// Applies `rules` in order to `state` (start: default deny, no exceptions, as runc's
// buildEmulator). EINVAL when a rule removes access from a wildcard exception that only
// partly matches it ("cannot punch hole"), or for a malformed rule.
[[nodiscard]] Status apply_rules(DeviceState& state, const std::vector<DeviceRule>& rules);

// The state a devices.list describes ("a *:* rwm" = allow all; else deny + the listed allows).
[[nodiscard]] Result<DeviceState> parse_devices_list(const std::string& list);

// Rules that turn `from` into `to` (runc's Transition). A disruptive 'a' rule comes first when
// the defaults differ or `from_unknown` (a blacklist's deny list cannot be read back); then
// removal of lost access, then additions, each in DeviceMeta order.
std::vector<DeviceRule> transition(const DeviceState& from, bool from_unknown,
                                   const DeviceState& to);

}  // namespace grove::cgroup::internal
