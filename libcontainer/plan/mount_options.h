#pragma once
// OCI mount options -> kernel flags. One constexpr table (crun's mount_flags.perf, runc's
// specconv mountFlags/recAttrFlags/mountPropagationMapping) and a pure parser. No syscalls.

#include <sys/mount.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "libcontainer/base/result.h"

namespace grove::plan {

// Mount propagation type. kNone means "not requested" (leave the kernel's default).
enum class Propagation : std::uint8_t { kNone, kPrivate, kShared, kSlave, kUnbindable };

// Stable lower-case names: "none", "private", "shared", "slave", "unbindable".
const char* to_string(Propagation p) noexcept;
// MS_PRIVATE / MS_SHARED / MS_SLAVE / MS_UNBINDABLE (the values mount_setattr's `propagation`
// field takes); 0 for kNone.
unsigned long propagation_ms_flag(Propagation p) noexcept;

// What an option does besides flags and attributes.
enum class OptionKind : std::uint8_t {
  kFlag,         // a MS_* flag and/or a MOUNT_ATTR_* applied to the mount itself
  kSbFlag,       // a superblock flag (sync, dirsync, mand, lazytime...): fsconfig flag by name
  kRecAttr,      // r* options: MOUNT_ATTR_* applied with AT_RECURSIVE
  kPropagation,  // [r]private, [r]shared, [r]slave, [r]unbindable
  kBind,         // bind / rbind
  kIdmap,        // idmap / ridmap: idmapped mount from the mount's uid/gid mappings
  kTmpcopyup,    // crun's tmpcopyup: copy the shadowed directory into a new tmpfs
  kIgnored,      // "defaults" and friends: accepted, no effect
};

// One row of the option table.
struct MountOptionDef {
  std::string_view name;
  bool clear;                  // the option clears ms_flag/mount_attr instead of setting them
  unsigned long ms_flag;       // MS_* bit for mount(2) (0 when none)
  std::uint64_t mount_attr;    // MOUNT_ATTR_* bit for fsmount/mount_setattr (0 when none)
  bool recursive;              // applies to the whole subtree (rbind, r* attrs, rprivate...)
  Propagation propagation;     // kPropagation rows only
  OptionKind kind;
};

// Finds `name` in the table (exact, case-sensitive, like runc); nullptr for fs-specific options.
const MountOptionDef* find_mount_option(std::string_view name) noexcept;
// The whole table, for tests and `grove features` (mountOptions list).
const std::vector<std::string_view>& known_mount_option_names();

// A parsed OCI options list. Atime handling follows mount_setattr(2): an atime option puts
// MOUNT_ATTR__ATIME into the *_clr mask and its value into *_set.
struct MountOptions {
  unsigned long flags = 0;          // MS_* set (classic view; also used for describe())
  std::uint64_t attr_set = 0;       // MOUNT_ATTR_* for the mount itself
  std::uint64_t attr_clr = 0;
  std::uint64_t rec_attr_set = 0;   // MOUNT_ATTR_* applied recursively (r* options)
  std::uint64_t rec_attr_clr = 0;
  Propagation propagation = Propagation::kNone;
  bool propagation_recursive = false;
  std::vector<std::string> sb_flags;  // superblock flag names in order ("sync", "nomand", ...)
  std::vector<std::string> data;      // fs-specific options in order ("mode=755", "size=65536k")
  bool is_bind = false;
  bool is_recursive_bind = false;
  bool idmap = false;
  bool idmap_recursive = false;
  bool tmpcopyup = false;

  // The fs data string as mount(2) takes it: data joined by ','.
  std::string data_string() const;
};

// Parses an OCI options list. Unknown options are fs data. Later options win over earlier ones
// (like mount(8)). Errors: EINVAL for an empty option or one containing a NUL byte or ',' (which
// would smuggle extra options into the data string).
[[nodiscard]] Result<MountOptions> parse_mount_options(const std::vector<std::string>& options);

// "ro|nosuid|nodev" rendering of a MOUNT_ATTR_* mask ("0" when empty). The atime field renders
// as "noatime"/"strictatime", or "atime" when the mask is the whole MOUNT_ATTR__ATIME field (a
// clear mask); unknown bits render as hex.
std::string attr_to_string(std::uint64_t mask);

}  // namespace grove::plan
