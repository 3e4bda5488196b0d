// Device cgroup rules: from the spec (runc's specconv), the emulated cgroup v1 state (runc's
// devices emulator) and the v1 devices.allow/devices.deny writes. The v2 program is in
// devices_bpf.cc.

#include "libcontainer/cgroup/devices.h"

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "libcontainer/base/strings.h"
#include "libcontainer/cgroup/devices_internal.h"

namespace grove::cgroup {

namespace internal {

int access_bits(const std::string& access) {
  unsigned bits = 0;
  for (char c : access) {
    switch (c) {
      case 'r':
        bits |= kAccRead;
        break;
      case 'w':
        bits |= kAccWrite;
        break;
      case 'm':
        bits |= kAccMknod;
        break;
      default:
        return -1;
    }
  }
  return static_cast<int>(bits);
}

std::string access_string(unsigned bits) {
  std::string out;
  if (bits & kAccRead) out += 'r';
  if (bits & kAccWrite) out += 'w';
  if (bits & kAccMknod) out += 'm';
  return out;
}

namespace {

// runc's rmRule: cgroup v1 only removes access from the exception with exactly the same
// type:major:minor and silently keeps a wildcard exception that also covers the device, so a
// deny of "c 1:3 w" after an allow of "c 1:* rwm" would do nothing. runc refuses such rules
// rather than leave the user believing the device is blocked; so do we.
Status remove_access(DeviceState& state, const DeviceMeta& meta, unsigned bits) {
  const DeviceMeta partial[] = {
      {meta.type, -1, meta.minor}, {meta.type, meta.major, -1}, {meta.type, -1, -1}};
  for (const DeviceMeta& p : partial) {
    if (p == meta) continue;
    auto it = state.exceptions.find(p);
    if (it != state.exceptions.end() && (it->second & bits) != 0) {
      DeviceRule hole{meta.type, meta.major, meta.minor, access_string(bits)};
      DeviceRule wide{p.type, p.major, p.minor, access_string(it->second)};
      return Error::invalid("rule " + q(describe(hole)) +
                            " cannot be enforced: it punches a hole in the wildcard rule " +
                            q(describe(wide)));
    }
  }
  auto it = state.exceptions.find(meta);
  if (it == state.exceptions.end()) return ok();
  it->second &= ~bits;
  if (it->second == 0) state.exceptions.erase(it);
  return ok();
}

}  // namespace

Status apply_rules(DeviceState& state, const std::vector<DeviceRule>& rules) {
  for (const DeviceRule& r : rules) {
    if (r.type == 'a') {  // resets: "a" to devices.allow/devices.deny
      state = DeviceState{.default_allow = r.allow, .exceptions = {}};
      continue;
    }
    int bits = access_bits(r.access);
    if ((r.type != 'c' && r.type != 'b') || bits <= 0 || r.major < -1 || r.minor < -1 ||
        r.major > UINT32_MAX || r.minor > UINT32_MAX) {
      return Error::invalid("invalid device rule " + q(describe(r)));
    }
    DeviceMeta meta{r.type, r.major, r.minor};
    if (r.allow != state.default_allow) {
      state.exceptions[meta] |= static_cast<unsigned>(bits);
    } else {
      GROVE_TRY(remove_access(state, meta, static_cast<unsigned>(bits)));
    }
  }
  return ok();
}

namespace {

// One devices.list field: "*" or a decimal number.
Result<int64_t> parse_number(const std::string& s, const std::string& line) {
  if (s == "*") return int64_t{-1};
  long long v = 0;
  if (!parse_int64(s, &v) || v < 0 || v > UINT32_MAX) {
    return Error::invalid("malformed devices.list line " + q(line));
  }
  return int64_t{v};
}

}  // namespace

Result<DeviceState> parse_devices_list(const std::string& list) {
  // devices.list is an allow list: "a *:* rwm" alone means allow-all (a blacklist, whose deny
  // exceptions are not shown); otherwise the cgroup denies by default and lists the allows.
  DeviceState state;
  for (const std::string& line : split(list, '\n')) {
    if (line.empty()) continue;
    std::vector<std::string> f = split(line, ' ');
    std::vector<std::string> nums = f.size() == 3 ? split(f[1], ':') : std::vector<std::string>{};
    if (nums.size() != 2 || f[0].size() != 1) {
      return Error::invalid("malformed devices.list line " + q(line));
    }
    DeviceRule r{f[0][0], -1, -1, f[2], true};
    GROVE_ASSIGN_OR_RETURN(r.major, parse_number(nums[0], line));
    GROVE_ASSIGN_OR_RETURN(r.minor, parse_number(nums[1], line));
    if (r.type != 'a' && access_bits(r.access) <= 0) {
      return Error::invalid("malformed devices.list line " + q(line));
    }
    GROVE_TRY(apply_rules(state, {r}));
  }
  return state;
}

std::vector<DeviceRule> transition(const DeviceState& from, bool from_unknown,
                                   const DeviceState& to) {
  std::vector<DeviceRule> out;
  const std::map<DeviceMeta, unsigned> none;
  const std::map<DeviceMeta, unsigned>* old = &from.exceptions;
  if (from_unknown || from.default_allow || from.default_allow != to.default_allow) {
    out.push_back(DeviceRule{'a', -1, -1, "rwm", to.default_allow});
    old = &none;
  }
  auto get = [](const std::map<DeviceMeta, unsigned>& m, const DeviceMeta& k) -> unsigned {
    auto it = m.find(k);
    return it == m.end() ? 0 : it->second;
  };
  // Access to take away first, then access to grant (runc's order): an update never grants
  // more than either the old or the new policy in between.
  for (const auto& [meta, bits] : *old) {
    unsigned dropped = bits & ~get(to.exceptions, meta);
    if (dropped) {
      out.push_back({meta.type, meta.major, meta.minor, access_string(dropped), to.default_allow});
    }
  }
  for (const auto& [meta, bits] : to.exceptions) {
    unsigned gained = bits & ~get(*old, meta);
    if (gained) {
      out.push_back({meta.type, meta.major, meta.minor, access_string(gained), !to.default_allow});
    }
  }
  return out;
}

}  // namespace internal

std::string describe(const DeviceRule& r) {
  auto num = [](int64_t n) { return n < 0 ? std::string("*") : std::to_string(n); };
  return std::string(1, r.type) + " " + num(r.major) + ":" + num(r.minor) + " " + r.access;
}

namespace {

// runc libcontainer/specconv AllowedDevices, with the path runc matches against linux.devices
// ("" for the path-less rules). runc dropped /dev/console 5:1 in 2020 (commit 60e21ec2) and
// re-added /dev/net/tun 10:200 for compatibility; crun still lists 5:1.
struct DefaultDevice {
  const char* path;
  DeviceRule rule;
};
const DefaultDevice kDefaultDevices[] = {
    {"", {'c', -1, -1, "m", true}},          {"", {'b', -1, -1, "m", true}},
    {"/dev/null", {'c', 1, 3, "rwm", true}}, {"/dev/random", {'c', 1, 8, "rwm", true}},
    {"/dev/full", {'c', 1, 7, "rwm", true}}, {"/dev/tty", {'c', 5, 0, "rwm", true}},
    {"/dev/zero", {'c', 1, 5, "rwm", true}}, {"/dev/urandom", {'c', 1, 9, "rwm", true}},
    {"", {'c', 136, -1, "rwm", true}},  // /dev/pts/*
    {"", {'c', 5, 2, "rwm", true}},     // /dev/ptmx
    {"", {'c', 10, 200, "rwm", true}},  // /dev/net/tun
};

// linux.resources.devices[i] -> rule; errors get one frame naming the field: `<at>.access`.
Result<DeviceRule> convert(const oci::DeviceCgroup& d, const std::string& at) {
  DeviceRule r{'a', d.major.value_or(-1), d.minor.value_or(-1), d.access, d.allow};
  if (!d.type.empty()) {
    if (d.type.size() != 1 || std::string("abc").find(d.type[0]) == std::string::npos) {
      return Error::invalid("invalid cgroup device type " + q(d.type)).context(at + ".type");
    }
    r.type = d.type[0];
  }
  if (r.major < -1 || r.major > UINT32_MAX) {
    return Error::invalid("invalid major " + std::to_string(r.major)).context(at + ".major");
  }
  if (r.minor < -1 || r.minor > UINT32_MAX) {
    return Error::invalid("invalid minor " + std::to_string(r.minor)).context(at + ".minor");
  }
  // runc: "device access at %d field cannot be empty".
  if (d.access.empty()) {
    return Error::invalid("device access cannot be empty").context(at + ".access");
  }
  if (internal::access_bits(d.access) < 0) {
    return Error::invalid("invalid device access " + q(d.access)).context(at + ".access");
  }
  return r;
}

}  // namespace

Result<std::vector<DeviceRule>> device_rules(const oci::Spec& spec) {
  std::vector<DeviceRule> out;
  std::set<std::string> spec_paths;
  if (spec.linux) {
    for (const oci::Device& d : spec.linux->devices) spec_paths.insert(d.path);
    const auto& res = spec.linux->resources;
    for (size_t i = 0; res && i < res->devices.size(); ++i) {
      GROVE_ASSIGN_OR_RETURN(DeviceRule r, convert(res->devices[i], "linux.resources.devices[" +
                                                                        std::to_string(i) + "]"));
      out.push_back(r);
    }
  }
  // runc appends the defaults after the spec's rules (so a spec cannot take them away) and
  // drops the default of a path linux.devices redefines (runc commit 0709202d).
  for (const DefaultDevice& d : kDefaultDevices) {
    if (*d.path == '\0' || spec_paths.count(d.path) == 0) out.push_back(d.rule);
  }
  return out;
}

const std::vector<DeviceRule>& default_device_rules() {
  static const std::vector<DeviceRule> kRules = [] {
    std::vector<DeviceRule> out;
    for (const DefaultDevice& d : kDefaultDevices) out.push_back(d.rule);
    return out;
  }();
  return kRules;
}

Result<std::vector<Write>> plan_devices_v1(const std::vector<DeviceRule>& rules,
                                           const std::optional<std::string>& current_list) {
  internal::DeviceState target;
  GROVE_TRY(internal::apply_rules(target, rules));
  internal::DeviceState current;
  if (current_list) {
    GROVE_ASSIGN_OR_RETURN(current, internal::parse_devices_list(*current_list));
  }
  std::vector<Write> out;
  for (const DeviceRule& r : internal::transition(current, !current_list, target)) {
    out.push_back(Write{.hierarchy = Hierarchy::kV1,
                        .controller = "devices",
                        .file = r.allow ? "devices.allow" : "devices.deny",
                        .value = r.type == 'a' ? "a" : describe(r)});
  }
  return out;
}

}  // namespace grove::cgroup
