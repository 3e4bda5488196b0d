#pragma once
// The operations of a mount plan (plan_mounts() in mount_plan.h), in execution order, as plain
// values. Every path named `target`/`path` is absolute and clean ("/dev/pts") and is resolved
// inside the container rootfs by the executor (libcontainer/mount/); `source`/`host_path` are host
// paths. Pure data: no syscalls, safe to copy across fork.

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "libcontainer/plan/mount_options.h"
#include "libcontainer/security/bpf_delegate.h"
#include "oci/spec.h"

namespace grove::plan {

// MOUNT_ATTR_* changes: `set`/`clr` on the top mount, `rec_set`/`rec_clr` on the whole tree.
struct MountAttrs {
  std::uint64_t set = 0;
  std::uint64_t clr = 0;
  std::uint64_t rec_set = 0;
  std::uint64_t rec_clr = 0;
  bool empty() const noexcept { return set == 0 && clr == 0 && rec_set == 0 && rec_clr == 0; }
};

// An idmapped mount: the user namespace to map through is built from these mappings.
struct IdmapSpec {
  std::vector<oci::IdMapping> uid_mappings;
  std::vector<oci::IdMapping> gid_mappings;
  bool recursive = false;
};

// A new filesystem instance: fsopen(fstype) + fsconfig(source, sb_flags, data, context=label) +
// fsmount(attrs.set) + move_mount onto `target` (a directory, created if missing).
// `copy_up` (OCI option "tmpcopyup", tmpfs only): before the move_mount, what the rootfs shows at
// `target` at that point of the plan is copied into the new instance (mount/copy_up.h).
struct NewFsMount {
  std::string target;
  std::string fstype;
  std::string source;                 // "" = none
  std::vector<std::string> sb_flags;  // fsconfig flags: "sync", "nomand", ...
  std::vector<std::string> data;      // "mode=755" -> set_string, "newinstance" -> set_flag
  std::string label;                  // SELinux mount label ("" = none)
  MountAttrs attrs;
  bool copy_up = false;  // tmpcopyup
  // When the kernel refuses the instance with EPERM or EBUSY, this host path is bound
  // recursively instead, with `attrs` ("" = no fallback). Used for cgroup2 in a user namespace
  // whose cgroup namespace is not its own (runc's mountCgroupV2 fallback).
  std::string fallback_bind;
};

// A bind mount of a host path: open_tree(OPEN_TREE_CLONE[|AT_RECURSIVE]) + mount_setattr on the
// detached tree + move_mount onto `target` (a directory or empty file like the source).
struct BindMount {
  std::string source;
  std::string target;
  bool recursive = false;
  MountAttrs attrs;
  std::optional<IdmapSpec> idmap;
};

// Mount propagation of an attached mount (after the mount ops that create it).
struct SetPropagation {
  std::string target;
  Propagation propagation = Propagation::kPrivate;
  bool recursive = false;
};

// mknod of a device inside the rootfs (replacing whatever non-directory is at `path`), then chown
// and chmod. `type` is 'c', 'b' or 'p' (the OCI 'u' is planned as 'c').
struct MakeDevice {
  std::string path;
  char type = 'c';
  std::uint32_t major = 0;
  std::uint32_t minor = 0;
  mode_t mode = 0666;
  uid_t uid = 0;
  gid_t gid = 0;
};

// A device bound from the host (user namespaces and rootless, where mknod is not allowed).
struct BindDevice {
  std::string path;       // inside the rootfs
  std::string host_path;  // host device node
};

// symlinkat(link_target, path); an existing different non-directory at `path` is replaced.
struct Symlink {
  std::string path;
  std::string link_target;
};

// /dev/console: an empty file, over which the executor binds the console pty when one is given.
struct Console {
  std::string path = "/dev/console";
};

// maskedPaths entry: a directory gets a read-only empty tmpfs, anything else the host /dev/null.
// A missing path is skipped.
// `label` is the SELinux context= of that tmpfs (runc's maskPath uses the mount label too).
struct MaskPath {
  std::string path;
  std::string label;  // SELinux mount label ("" = none)
};

// readonlyPaths entry: a recursive read-only bind of the path onto itself. Missing: skipped.
struct ReadonlyPath {
  std::string path;
};

// run.grove.bpf.delegate: a bpffs with BPF-token delegate options at `target` (/sys/fs/bpf).
// The fs context is opened (fsopen("bpf")) in the container's user namespace, so the bpffs
// belongs to it as BPF_TOKEN_CREATE requires; it is configured and created with
// security::configure_bpffs (delegate_* options, context=label), which needs the privileged
// runtime (ApplyInputs::configure_bpffs), then attached like a NewFsMount.
struct BpfFsMount {
  std::string target;
  security::BpfDelegation delegation;
  std::string label;  // SELinux mount label ("" = none)
};

// root.readonly: the rootfs mount itself (not its submounts) becomes read-only. Always last.
struct RootReadonly {};

using MountOp = std::variant<NewFsMount, BindMount, SetPropagation, MakeDevice, BindDevice,
                             Symlink, Console, MaskPath, ReadonlyPath, BpfFsMount, RootReadonly>;

// One stable line per op for --debug output, error frames and golden tests, e.g.
// `mount proc "proc" on "/proc" attr=nosuid|nodev|noexec`. Values are quoted with q().
std::string describe(const MountOp& op);

}  // namespace grove::plan
