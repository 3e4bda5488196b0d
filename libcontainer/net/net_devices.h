#pragma once
// linux.netDevices (runtime-spec 1.3 config-linux.md "Network Devices"): host network devices
// moved into the container's network namespace by the runtime, from the host side, after the
// init exists and before it goes on with its setup (process/spawn.h SpawnOptions::setup_network),
// so hooks, net.* sysctls and the process all see them.
//
// Per device, following runc 1.4's devChangeNetNamespace: the device is set down on the host,
// its permanent global-scope addresses are read (net/netlink.h is_preserved), it is moved and
// renamed in one RTM_NEWLINK (IFLA_NET_NS_FD + IFLA_IFNAME), the addresses are added again in
// the container's namespace (the kernel drops them on the move) and the device is set up. MTU,
// MAC address and other link attributes travel with the device.
//
// Deletion: the runtime-spec says the runtime MUST NOT move the device out of the namespace
// before deleting the container (runc does not either): when the namespace dies the kernel
// returns physical devices to the initial namespace and destroys virtual ones (veth, dummy...);
// a namespace joined by path keeps its devices.

#include <sys/types.h>

#include "libcontainer/base/result.h"
#include "libcontainer/sys/ops.h"
#include "oci/spec.h"

namespace grove::net {

// Whether `name` is a valid interface name (the kernel's dev_valid_name): 1..15 bytes
// (IFNAMSIZ - 1), not "." or "..", no '/', ':' or whitespace. Pure.
bool valid_ifname(std::string_view name);

// Checks linux.netDevices before anything exists on the host. EINVAL naming the entry
// (`linux.netDevices["eth0"].name: ...`) for a bad host or container name, or two entries with
// the same container name; EINVAL naming linux.netDevices when the spec has no network
// namespace (new or joined by path) or `rootless` (moving a host device needs CAP_NET_ADMIN in
// the host's network namespace; runc refuses it the same way). No entries: ok. Pure.
[[nodiscard]] Status validate_net_devices(const oci::Spec& spec, bool rootless);

// Moves every linux.netDevices entry into the network namespace of the container whose init is
// `init_pid`: the namespace path from the spec when it is joined by path (the init joins it
// later), else /proc/<init_pid>/ns/net. All host devices are looked up, and their container
// names checked to be free there, before any is moved, so a missing one (ENODEV) or a taken name
// (EEXIST), both naming the entry, leaves every device where it was. A failure after that (rare:
// the kernel refusing the move) leaves the devices already moved in the container's namespace,
// as runc does; the kernel returns or destroys them when a new namespace dies. The calling thread
// enters the container's network namespace briefly to open a netlink socket there and returns
// to its own (grove is single-threaded here; style.md §2.8). Errors: the netlink errno (EEXIST:
// the name is taken in the container; EPERM: no CAP_NET_ADMIN) with a
// `linux.netDevices["<host name>"]` frame.
[[nodiscard]] Status move_net_devices(sys::Ops& ops, const oci::Spec& spec, pid_t init_pid);

}  // namespace grove::net
