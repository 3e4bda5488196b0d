#pragma once
// The runtime-spec features document grove advertises (`grove features`). Engines act on it:
// CRI-O enables idmapped mounts only when linux.mountExtensions.idmap.enabled is true and RRO
// only when "rro" is in mountOptions, so every entry must be something grove really does on this
// kernel. Built from a sys::Features value, so tests can feed a hand-made one.

#include <optional>
#include <string_view>

#include "libcontainer/rdt/intel_rdt.h"
#include "libcontainer/sys/features.h"
#include "oci/features.h"

namespace grove::container {

// The mount strategy grove picks for the default spec when nothing overrides it
// (plan::choose_strategy): "open-tree-namespace" when the kernel has OPEN_TREE_NAMESPACE, else
// "pivot" (architecture.md, "Mount strategies"). Pure.
std::string_view default_mount_strategy(const sys::Features& features);

// The features document for a runtime running with `features`:
//  - ociVersionMin "1.0.0", ociVersionMax oci::kSpecVersion; all six hooks;
//  - mountOptions: the planner's option table (plan::known_mount_option_names()), minus the
//    recursive-attribute options (rro, rnosuid, ...) without mount_setattr(2) and idmap/ridmap
//    without idmapped mounts;
//  - linux: namespaces the kernel has (user and time only when probed usable), every capability
//    in oci::kCapabilities, cgroup v1/v2 from the probed layout (systemd false), seccomp
//    actions/operators/archs/flags (archs as known to the linked libseccomp), apparmor, selinux
//    and idmap enabled as probed, netDevices enabled, intelRdt enabled (with schemata) when
//    `resctrl` was found, monitoring when it offers monitoring groups (rdt/intel_rdt.h);
//  - annotations: "run.grove.probe.<name>" = "true" or "false: <reason>" for every probe
//    (kebab-case field names of sys::Features), "run.grove.probe.cgroup-layout",
//    "run.grove.mount-strategy" (default_mount_strategy()), grove's version and commit, and
//    libseccomp's version;
//  - potentiallyUnsafeConfigAnnotations: "run.grove." (those annotations change how the
//    runtime mounts the rootfs).
// Pure apart from reading libseccomp's version and arch table; never fails.
oci::Features features_document(const sys::Features& features,
                                const std::optional<rdt::Resctrl>& resctrl = std::nullopt);

}  // namespace grove::container
