#pragma once
// Device access control for the container's cgroup (config-linux.md "Device allowlist"):
//   device_rules(spec)      the spec's linux.resources.devices plus runc's default rules (pure)
//   plan_devices_v1(rules)  the devices.allow/devices.deny writes of a v1 devices cgroup (pure)
//   device_program(rules)   the BPF_PROG_TYPE_CGROUP_DEVICE program for cgroup v2 (pure)
//   apply_device_program    loads and attaches that program, replacing the previous one
//
// Semantics are cgroup v1's, as runc emulates them (opencontainers/cgroups devices/
// devices_emulator.go): the rules are applied in order to a state {default allow|deny, exception
// list}; a type 'a' rule resets the state to allow-all or deny-all; any other rule adds an
// exception (when its verdict differs from the default) or removes access letters from the
// exception with exactly the same type:major:minor. A request (type, major, minor, access) is
// decided by the default unless an exception matches its type and numbers and, for an allow
// exception, holds every requested access letter, or, for a deny exception, any of them (the
// kernel's match_exception/match_exception_partial). For rules that never punch holes into
// wildcards this is "the last matching rule wins, default deny" (without a leading 'a' rule the
// state starts at deny-all). The v1 writes and the v2 program are generated from the same
// emulated state, so v1 and v2 hosts enforce the same policy.

#include <linux/bpf.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "libcontainer/base/result.h"
#include "libcontainer/cgroup/cgroup.h"
#include "libcontainer/sys/ops.h"
#include "oci/spec.h"

namespace grove::cgroup {

// One device cgroup rule, as in devices.allow/devices.deny: `type` 'a' (all), 'c' or 'b';
// `major`/`minor` -1 for '*'; `access` a non-empty subset of "rwm".
struct DeviceRule {
  char type = 'a';
  int64_t major = -1;
  int64_t minor = -1;
  std::string access = "rwm";
  bool allow = false;
  bool operator==(const DeviceRule&) const = default;
};

// "c 1:3 rwm", "b 8:* m", "a *:* rwm" (devices.list syntax); the verdict is not shown.
std::string describe(const DeviceRule& r);

// The container's device rules in runc's order (libcontainer/specconv CreateCgroupConfig): the
// spec's linux.resources.devices (a missing type is 'a', missing numbers are '*'), then runc's
// default allow rules (specconv AllowedDevices): c *:* m, b *:* m, c 1:3 rwm (/dev/null),
// c 1:8 rwm (/dev/random), c 1:7 rwm (/dev/full), c 5:0 rwm (/dev/tty), c 1:5 rwm (/dev/zero),
// c 1:9 rwm (/dev/urandom), c 136:* rwm (pts), c 5:2 rwm (ptmx), c 10:200 rwm (tun).
// As runc does, a default that names a path (/dev/null ... /dev/urandom) is dropped when
// linux.devices lists the same path, and linux.devices entries get no rule of their own: the
// spec grants access to them through linux.resources.devices (runc 1.x; crun likewise).
// Errors: EINVAL naming the field, e.g. `linux.resources.devices[2].access: invalid device
// access "rwx"` (type not a|b|c, access empty or not a subset of "rwm", major/minor < -1 or
// > 2^32-1).
[[nodiscard]] Result<std::vector<DeviceRule>> device_rules(const oci::Spec& spec);

// runc's default allow rules (the list documented at device_rules), in order.
const std::vector<DeviceRule>& default_device_rules();

// The v1 writes (Hierarchy::kV1, controller "devices", file devices.allow|devices.deny, value
// "a" or describe(rule)) that bring the container's devices cgroup to the state `rules` define.
// `current_list` is the cgroup's devices.list when it is known (an update of a running
// container): then only the difference is written, and the cgroup never passes through
// deny-all unless the new policy needs it (runc's emulator Transition). Without it (a fresh
// cgroup, which inherits an unknown state) the plan starts with the disruptive `devices.deny a`
// (or `devices.allow a` for an allow-all policy) and then lists every exception, sorted by
// (major, minor, type). Errors: EINVAL when a deny rule would punch a hole into a wildcard
// exception ("c 1:* rwm" allowed, then "c 1:3 w" denied: cgroup v1 would silently ignore it,
// runc refuses it too) or when `current_list` cannot be parsed.
[[nodiscard]] Result<std::vector<Write>> plan_devices_v1(
    const std::vector<DeviceRule>& rules,
    const std::optional<std::string>& current_list = std::nullopt);

// The eBPF program (BPF_PROG_TYPE_CGROUP_DEVICE, license "Apache" as runc's) enforcing `rules`
// on a cgroup v2 directory; same policy as plan_devices_v1. It reads struct bpf_cgroup_dev_ctx
// {u32 access_type (type low 16 bits, BPF_DEVCG_ACC_* high 16), u32 major, u32 minor} and returns
// 1 (allow) or 0 (deny). One block per exception, then the default verdict (runc's
// devicefilter layout). Errors: EINVAL as plan_devices_v1.
[[nodiscard]] Result<std::vector<struct bpf_insn>> device_program(
    const std::vector<DeviceRule>& rules);

// The license string device_program's output is loaded with.
inline constexpr const char* kDeviceProgramLicense = "Apache";

// Installs device_program(rules) on the cgroup v2 directory `cgroup_dir_fd` (borrowed, an
// O_DIRECTORY fd), the way runc does for create and update: query the BPF_CGROUP_DEVICE
// programs attached now, get an fd for each (ids that vanished meanwhile are skipped), load the
// new program, attach it with BPF_F_ALLOW_MULTI, then detach each old one. The cgroup is never
// without a filter; if the load or the attach fails, nothing changed. If a detach fails the new
// program stays attached alongside the remaining old ones (all are enforced: access needs every
// program's consent) and the error names the old program's id. All fds are closed on return.
// Errors: EINVAL from device_program; the bpf op's errno (EPERM without CAP_SYS_ADMIN/
// CAP_BPF, EACCES with the verifier log when the kernel rejects the program).
[[nodiscard]] Status apply_device_program(sys::Ops& ops, int cgroup_dir_fd,
                                          const std::vector<DeviceRule>& rules);

}  // namespace grove::cgroup
