#include "libcontainer/plan/mount_options.h"

#include <array>
#include <cstdio>

#include "libcontainer/base/strings.h"

namespace grove::plan {
namespace {

using K = OptionKind;
using P = Propagation;
constexpr std::uint64_t kAtimeField = MOUNT_ATTR__ATIME;

// The table. Sources: runc libcontainer/specconv/spec_linux.go (mountFlags, recAttrFlags,
// mountPropagationMapping, extensionFlags) and crun src/libcrun/mount_flags.perf. Mount-level
// flags carry both the MS_* bit (classic mount(2)) and the MOUNT_ATTR_* bit (new mount API);
// superblock-only flags (sync, dirsync, mand, lazytime, iversion, silent, acl) have no mount
// attribute and go to fsconfig(FSCONFIG_SET_FLAG) by name for new filesystems.
constexpr std::array<MountOptionDef, 64> kTable{{
    // name, clear, ms_flag, mount_attr, recursive, propagation, kind
    {"defaults", false, 0, 0, false, P::kNone, K::kIgnored},
    {"ro", false, MS_RDONLY, MOUNT_ATTR_RDONLY, false, P::kNone, K::kFlag},
    {"rw", true, MS_RDONLY, MOUNT_ATTR_RDONLY, false, P::kNone, K::kFlag},
    {"nosuid", false, MS_NOSUID, MOUNT_ATTR_NOSUID, false, P::kNone, K::kFlag},
    {"suid", true, MS_NOSUID, MOUNT_ATTR_NOSUID, false, P::kNone, K::kFlag},
    {"nodev", false, MS_NODEV, MOUNT_ATTR_NODEV, false, P::kNone, K::kFlag},
    {"dev", true, MS_NODEV, MOUNT_ATTR_NODEV, false, P::kNone, K::kFlag},
    {"noexec", false, MS_NOEXEC, MOUNT_ATTR_NOEXEC, false, P::kNone, K::kFlag},
    {"exec", true, MS_NOEXEC, MOUNT_ATTR_NOEXEC, false, P::kNone, K::kFlag},
    {"noatime", false, MS_NOATIME, MOUNT_ATTR_NOATIME, false, P::kNone, K::kFlag},
    {"atime", true, MS_NOATIME, MOUNT_ATTR_NOATIME, false, P::kNone, K::kFlag},
    {"nodiratime", false, MS_NODIRATIME, MOUNT_ATTR_NODIRATIME, false, P::kNone, K::kFlag},
    {"diratime", true, MS_NODIRATIME, MOUNT_ATTR_NODIRATIME, false, P::kNone, K::kFlag},
    {"relatime", false, MS_RELATIME, kAtimeField, false, P::kNone, K::kFlag},
    {"norelatime", true, MS_RELATIME, kAtimeField, false, P::kNone, K::kFlag},
    {"strictatime", false, MS_STRICTATIME, MOUNT_ATTR_STRICTATIME, false, P::kNone, K::kFlag},
    {"nostrictatime", true, MS_STRICTATIME, MOUNT_ATTR_STRICTATIME, false, P::kNone, K::kFlag},
    {"nosymfollow", false, MS_NOSYMFOLLOW, MOUNT_ATTR_NOSYMFOLLOW, false, P::kNone, K::kFlag},
    {"symfollow", true, MS_NOSYMFOLLOW, MOUNT_ATTR_NOSYMFOLLOW, false, P::kNone, K::kFlag},
    {"remount", false, MS_REMOUNT, 0, false, P::kNone, K::kFlag},
    {"sync", false, MS_SYNCHRONOUS, 0, false, P::kNone, K::kSbFlag},
    {"async", true, MS_SYNCHRONOUS, 0, false, P::kNone, K::kSbFlag},
    {"dirsync", false, MS_DIRSYNC, 0, false, P::kNone, K::kSbFlag},
    {"mand", false, MS_MANDLOCK, 0, false, P::kNone, K::kSbFlag},
    {"nomand", true, MS_MANDLOCK, 0, false, P::kNone, K::kSbFlag},
    {"lazytime", false, MS_LAZYTIME, 0, false, P::kNone, K::kSbFlag},
    {"nolazytime", true, MS_LAZYTIME, 0, false, P::kNone, K::kSbFlag},
    {"iversion", false, MS_I_VERSION, 0, false, P::kNone, K::kSbFlag},
    {"noiversion", true, MS_I_VERSION, 0, false, P::kNone, K::kSbFlag},
    {"silent", false, MS_SILENT, 0, false, P::kNone, K::kSbFlag},
    {"loud", true, MS_SILENT, 0, false, P::kNone, K::kSbFlag},
    {"acl", false, MS_POSIXACL, 0, false, P::kNone, K::kSbFlag},
    {"noacl", true, MS_POSIXACL, 0, false, P::kNone, K::kSbFlag},
    {"bind", false, MS_BIND, 0, false, P::kNone, K::kBind},
    {"rbind", false, MS_BIND | MS_REC, 0, true, P::kNone, K::kBind},
    {"private", false, MS_PRIVATE, 0, false, P::kPrivate, K::kPropagation},
    {"rprivate", false, MS_PRIVATE | MS_REC, 0, true, P::kPrivate, K::kPropagation},
    {"shared", false, MS_SHARED, 0, false, P::kShared, K::kPropagation},
    {"rshared", false, MS_SHARED | MS_REC, 0, true, P::kShared, K::kPropagation},
    {"slave", false, MS_SLAVE, 0, false, P::kSlave, K::kPropagation},
    {"rslave", false, MS_SLAVE | MS_REC, 0, true, P::kSlave, K::kPropagation},
    {"unbindable", false, MS_UNBINDABLE, 0, false, P::kUnbindable, K::kPropagation},
    {"runbindable", false, MS_UNBINDABLE | MS_REC, 0, true, P::kUnbindable, K::kPropagation},
    {"rro", false, 0, MOUNT_ATTR_RDONLY, true, P::kNone, K::kRecAttr},
    {"rrw", true, 0, MOUNT_ATTR_RDONLY, true, P::kNone, K::kRecAttr},
    {"rnosuid", false, 0, MOUNT_ATTR_NOSUID, true, P::kNone, K::kRecAttr},
    {"rsuid", true, 0, MOUNT_ATTR_NOSUID, true, P::kNone, K::kRecAttr},
    {"rnodev", false, 0, MOUNT_ATTR_NODEV, true, P::kNone, K::kRecAttr},
    {"rdev", true, 0, MOUNT_ATTR_NODEV, true, P::kNone, K::kRecAttr},
    {"rnoexec", false, 0, MOUNT_ATTR_NOEXEC, true, P::kNone, K::kRecAttr},
    {"rexec", true, 0, MOUNT_ATTR_NOEXEC, true, P::kNone, K::kRecAttr},
    {"rnodiratime", false, 0, MOUNT_ATTR_NODIRATIME, true, P::kNone, K::kRecAttr},
    {"rdiratime", true, 0, MOUNT_ATTR_NODIRATIME, true, P::kNone, K::kRecAttr},
    {"rrelatime", false, 0, kAtimeField, true, P::kNone, K::kRecAttr},
    {"rnorelatime", true, 0, kAtimeField, true, P::kNone, K::kRecAttr},
    {"rnoatime", false, 0, MOUNT_ATTR_NOATIME, true, P::kNone, K::kRecAttr},
    {"ratime", true, 0, MOUNT_ATTR_NOATIME, true, P::kNone, K::kRecAttr},
    {"rstrictatime", false, 0, MOUNT_ATTR_STRICTATIME, true, P::kNone, K::kRecAttr},
    {"rnostrictatime", true, 0, MOUNT_ATTR_STRICTATIME, true, P::kNone, K::kRecAttr},
    {"rnosymfollow", false, 0, MOUNT_ATTR_NOSYMFOLLOW, true, P::kNone, K::kRecAttr},
    {"rsymfollow", true, 0, MOUNT_ATTR_NOSYMFOLLOW, true, P::kNone, K::kRecAttr},
    {"idmap", false, 0, MOUNT_ATTR_IDMAP, false, P::kNone, K::kIdmap},
    {"ridmap", false, 0, MOUNT_ATTR_IDMAP, true, P::kNone, K::kIdmap},
    {"tmpcopyup", false, 0, 0, false, P::kNone, K::kTmpcopyup},
}};

// MOUNT_ATTR_* bits that share the 3-bit atime field: setting one of them means "clear the
// field, then set this value" (mount_setattr(2): "MOUNT_ATTR__ATIME ... must be cleared").
bool is_atime_value(std::uint64_t attr) {
  return attr == kAtimeField || attr == MOUNT_ATTR_NOATIME || attr == MOUNT_ATTR_STRICTATIME;
}

// Applies one set/clear of `attr` to a (set, clr) pair; later options override earlier ones.
void apply_attr(std::uint64_t attr, bool clear, std::uint64_t* set, std::uint64_t* clr) {
  if (is_atime_value(attr)) {
    *set &= ~kAtimeField;
    *clr |= kAtimeField;
    // "relatime" is value 0; clearing noatime/strictatime/relatime leaves the default (0).
    if (!clear && attr != kAtimeField) *set |= attr;
    return;
  }
  if (clear) {
    *set &= ~attr;
    *clr |= attr;
  } else {
    *set |= attr;
    *clr &= ~attr;
  }
}

void apply_def(const MountOptionDef& d, MountOptions* out) {
  if (d.clear) out->flags &= ~d.ms_flag;
  else out->flags |= d.ms_flag;
  switch (d.kind) {
    case K::kFlag:
      if (d.mount_attr != 0) apply_attr(d.mount_attr, d.clear, &out->attr_set, &out->attr_clr);
      break;
    case K::kRecAttr:
      apply_attr(d.mount_attr, d.clear, &out->rec_attr_set, &out->rec_attr_clr);
      break;
    case K::kSbFlag:
      out->sb_flags.emplace_back(d.name);
      break;
    case K::kPropagation:
      out->propagation = d.propagation;
      out->propagation_recursive = d.recursive;
      break;
    case K::kBind:
      out->is_bind = true;
      out->is_recursive_bind = out->is_recursive_bind || d.recursive;
      break;
    case K::kIdmap:
      out->idmap = true;
      out->idmap_recursive = out->idmap_recursive || d.recursive;
      break;
    case K::kTmpcopyup:
      out->tmpcopyup = true;
      break;
    case K::kIgnored:
      break;
  }
}

}  // namespace

const char* to_string(Propagation p) noexcept {
  switch (p) {
    case P::kNone: return "none";
    case P::kPrivate: return "private";
    case P::kShared: return "shared";
    case P::kSlave: return "slave";
    case P::kUnbindable: return "unbindable";
  }
  return "none";
}

unsigned long propagation_ms_flag(Propagation p) noexcept {
  switch (p) {
    case P::kNone: return 0;
    case P::kPrivate: return MS_PRIVATE;
    case P::kShared: return MS_SHARED;
    case P::kSlave: return MS_SLAVE;
    case P::kUnbindable: return MS_UNBINDABLE;
  }
  return 0;
}

const MountOptionDef* find_mount_option(std::string_view name) noexcept {
  for (const auto& d : kTable) {
    if (d.name == name) return &d;
  }
  return nullptr;
}

const std::vector<std::string_view>& known_mount_option_names() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> v;
    for (const auto& d : kTable) v.push_back(d.name);
    return v;
  }();
  return names;
}

std::string MountOptions::data_string() const { return join(data, ","); }

Result<MountOptions> parse_mount_options(const std::vector<std::string>& options) {
  MountOptions out;
  for (size_t i = 0; i < options.size(); ++i) {
    const std::string& o = options[i];
    auto where = [&] { return "options[" + std::to_string(i) + "] " + q(o); };
    if (o.empty()) return Error::invalid(where() + ": empty mount option");
    if (o.find('\0') != std::string::npos || o.find(',') != std::string::npos) {
      return Error::invalid(where() + ": mount option contains ',' or a NUL byte");
    }
    if (const MountOptionDef* d = find_mount_option(o)) {
      apply_def(*d, &out);
    } else {
      out.data.push_back(o);
    }
  }
  return out;
}

std::string attr_to_string(std::uint64_t mask) {
  static constexpr std::pair<std::uint64_t, const char*> kNames[] = {
      {MOUNT_ATTR_RDONLY, "ro"},         {MOUNT_ATTR_NOSUID, "nosuid"},
      {MOUNT_ATTR_NODEV, "nodev"},       {MOUNT_ATTR_NOEXEC, "noexec"},
      {MOUNT_ATTR_NODIRATIME, "nodiratime"}, {MOUNT_ATTR_IDMAP, "idmap"},
      {MOUNT_ATTR_NOSYMFOLLOW, "nosymfollow"}};
  std::vector<std::string> parts;
  for (const auto& [bit, name] : kNames) {
    if (mask & bit) parts.emplace_back(name);
  }
  std::uint64_t atime = mask & kAtimeField;
  if (atime == kAtimeField) parts.emplace_back("atime");
  else if (atime == MOUNT_ATTR_NOATIME) parts.emplace_back("noatime");
  else if (atime == MOUNT_ATTR_STRICTATIME) parts.emplace_back("strictatime");
  else if (atime != 0) parts.emplace_back("atime?");
  std::uint64_t known = kAtimeField;
  for (const auto& [bit, name] : kNames) known |= bit;
  if (mask & ~known) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(mask & ~known));
    parts.emplace_back(buf);
  }
  return parts.empty() ? "0" : join(parts, "|");
}

}  // namespace grove::plan
