#pragma once
// Renders syscall flag bitmasks as stable, readable strings for error frames, debug logs and
// FakeOps traces: describe_open_tree_flags(OPEN_TREE_CLONE|AT_RECURSIVE) ==
// "OPEN_TREE_CLONE|AT_RECURSIVE". Zero renders as "0"; bits without a name render as one
// trailing hex term ("RDONLY|0x40000000"). Pure functions, no allocation beyond the result.

#include <sys/types.h>

#include <cstdint>
#include <span>
#include <string>

#include "libcontainer/sys/ops_types.h"

namespace grove::sys {

struct FlagName {
  uint64_t bit;
  const char* name;
};

// Generic: names every set bit of `value` found in `table` (in table order), then the rest as hex.
std::string describe_bits(uint64_t value, std::span<const FlagName> table);

// open_tree(2)/open_tree_attr(2): OPEN_TREE_CLONE|OPEN_TREE_NAMESPACE|OPEN_TREE_CLOEXEC|AT_*.
std::string describe_open_tree_flags(unsigned flags);
// move_mount(2): "F_EMPTY_PATH|T_SYMLINKS|BENEATH" (MOVE_MOUNT_ prefix dropped).
std::string describe_move_mount_flags(unsigned flags);
// fsmount(2) flags: "FSMOUNT_CLOEXEC|FSMOUNT_NAMESPACE".
std::string describe_fsmount_flags(unsigned flags);
// fspick(2) flags: "FSPICK_CLOEXEC|FSPICK_EMPTY_PATH".
std::string describe_fspick_flags(unsigned flags);
// MOUNT_ATTR_* bits without prefix: "RDONLY|NOSUID|NOATIME|IDMAP".
std::string describe_mount_attr_flags(uint64_t attrs);
// A whole struct mount_attr: "RDONLY|NOSUID", "RDONLY clr=NOEXEC propagation=PRIVATE",
// "IDMAP userns_fd=5"; "0" when empty.
std::string describe_mount_attr(const MountAttr& attr);
// Propagation value (MS_* bits): "PRIVATE", "SHARED", "SLAVE", "UNBINDABLE", "0".
std::string describe_propagation(uint64_t propagation);
// mount(2) flags: "MS_BIND|MS_REC|MS_RDONLY".
std::string describe_ms_flags(unsigned long flags);
// umount2(2) flags: "MNT_DETACH|UMOUNT_NOFOLLOW".
std::string describe_umount_flags(int flags);
// AT_* flags: "AT_EMPTY_PATH|AT_SYMLINK_NOFOLLOW|AT_RECURSIVE|AT_REMOVEDIR".
std::string describe_at_flags(int flags);
// CLONE_* bits (clone3/unshare/setns): "CLONE_NEWNS|CLONE_NEWPID|CLONE_INTO_CGROUP".
std::string describe_clone_flags(uint64_t flags);
// open(2) flags: access mode first ("O_RDONLY"), then the rest: "O_RDONLY|O_DIRECTORY|O_PATH".
std::string describe_open_flags(uint64_t flags);
// RESOLVE_* bits: "RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS".
std::string describe_resolve_flags(uint64_t resolve);
// File mode as octal with the type: "0755", "S_IFCHR|0666".
std::string describe_mode(mode_t mode);
// Signal name ("SIGKILL") or the number.
std::string describe_signal(int sig);
// --- bpf (cgroup devices) ---
// bpf(BPF_PROG_ATTACH) flags without the BPF_F_ prefix: "ALLOW_MULTI|REPLACE".
std::string describe_bpf_attach_flags(uint32_t flags);

}  // namespace grove::sys
