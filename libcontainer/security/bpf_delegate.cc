// The run.grove.bpf.delegate annotation and the bpffs it asks for. Syntax in bpf_delegate.h;
// kernel side in kernel/bpf/inode.c (bpf_parse_param: strsep(":") over each value, "any", an
// enum name matched without its BPF_/BPF_MAP_TYPE_/BPF_PROG_TYPE_ prefix, else kstrtou64).

#include "libcontainer/security/bpf_delegate.h"

#include <sys/mount.h>

#include <array>
#include <cstdint>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <optional>

#include "libcontainer/base/strings.h"
#include "libcontainer/security/bpf_names.h"
#include "libcontainer/sys/uapi.h"

namespace grove::security {
namespace {

constexpr std::array<const char*, 4> kFieldNames = {"cmds", "maps", "progs", "attachs"};
constexpr std::array<BpfEnum, 4> kFieldEnums = {BpfEnum::kCmd, BpfEnum::kMapType,
                                                BpfEnum::kProgType, BpfEnum::kAttachType};

bool valid_item(const std::string& item) {
  if (item.empty()) return false;
  for (char c : item) {
    bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

// A number as the kernel's kstrtou64(s, 0) reads it: decimal, 0x hex or 0 octal.
std::optional<std::uint64_t> parse_kernel_u64(const std::string& s) {
  if (s.empty() || s[0] < '0' || s[0] > '9') return std::nullopt;
  errno = 0;
  char* end = nullptr;
  unsigned long long v = std::strtoull(s.c_str(), &end, 0);
  if (errno != 0 || end == nullptr || *end != '\0') return std::nullopt;
  return static_cast<std::uint64_t>(v);
}

// One field: "" stays ""; "a|b" becomes one numeric mask ("0x..."), the form every kernel takes
// (names need the kernel's BTF), when every item is a name grove knows (bpf_names.h) or a
// number; "any" stays "any"; otherwise the kernel's own "a:b" (it resolves newer names itself).
Result<std::string> parse_field(const std::string& field, BpfEnum which) {
  if (field.empty()) return std::string();
  std::string names;
  std::uint64_t mask = 0;
  bool numeric = true;
  bool any = false;
  for (const std::string& item : split(field, '|')) {
    if (!valid_item(item)) {
      return Error::invalid("bad item " + q(item) +
                            " (want \"any\", a kernel enum name or a number, '|'-separated)");
    }
    names += (names.empty() ? "" : ":") + item;
    std::optional<std::uint64_t> number = parse_kernel_u64(item);
    if (item == "any") {
      any = true;
    } else if (std::optional<unsigned> v = bpf_enum_value(which, item); v && *v < 64) {
      mask |= std::uint64_t{1} << *v;
    } else if (number) {
      mask |= *number;
    } else {
      numeric = false;
    }
  }
  if (any) return std::string("any");
  if (!numeric) return names;
  char hex[24];
  std::snprintf(hex, sizeof hex, "0x%llx", static_cast<unsigned long long>(mask));
  return std::string(hex);
}

std::string annotation_frame() { return std::string("annotations ") + q(kBpfDelegateAnnotation); }

}  // namespace

Result<BpfDelegation> parse_bpf_delegation(const std::string& value) {
  std::vector<std::string> fields = split(value, ':');
  if (fields.size() != kFieldNames.size()) {
    return Error::invalid(annotation_frame() + ": " + q(value) +
                          ": want 4 ':'-separated fields cmds:maps:progs:attachs, got " +
                          std::to_string(fields.size()));
  }
  BpfDelegation d;
  std::array<std::string*, 4> out = {&d.cmds, &d.maps, &d.progs, &d.attachs};
  for (size_t i = 0; i < fields.size(); ++i) {
    auto f = parse_field(fields[i], kFieldEnums[i]);
    if (!f) {
      return std::move(f).error().context(kFieldNames[i]).context(annotation_frame());
    }
    *out[i] = std::move(*f);
  }
  if (d == BpfDelegation{}) {
    return Error::invalid(annotation_frame() + ": " + q(value) + " delegates nothing");
  }
  return d;
}

Result<std::optional<BpfDelegation>> bpf_delegation_from_annotations(
    const std::map<std::string, std::string>& annotations) {
  auto it = annotations.find(kBpfDelegateAnnotation);
  if (it == annotations.end()) return std::optional<BpfDelegation>();
  GROVE_ASSIGN_OR_RETURN(BpfDelegation d, parse_bpf_delegation(it->second));
  return std::optional<BpfDelegation>(std::move(d));
}

std::vector<std::pair<std::string, std::string>> bpffs_options(const BpfDelegation& d) {
  std::vector<std::pair<std::string, std::string>> out;
  if (!d.cmds.empty()) out.emplace_back("delegate_cmds", d.cmds);
  if (!d.maps.empty()) out.emplace_back("delegate_maps", d.maps);
  if (!d.progs.empty()) out.emplace_back("delegate_progs", d.progs);
  if (!d.attachs.empty()) out.emplace_back("delegate_attachs", d.attachs);
  return out;
}

Result<UniqueFd> configure_bpffs(sys::Ops& ops, int fsfd, const BpfDelegation& d,
                                 const std::string& label) {
  for (const auto& [key, value] : bpffs_options(d)) {
    GROVE_TRY(ops.fsconfig_set_string(fsfd, key, value));
  }
  // Generic LSM option, taken by the VFS before bpffs sees it (kernel.md §4.3): pinned objects
  // and directories then carry the container's file label.
  if (!label.empty()) GROVE_TRY(ops.fsconfig_set_string(fsfd, "context", label));
  // SELinux records the creator of this superblock as the token grantor (bpf_token_perms).
  GROVE_TRY(ops.fsconfig_create(fsfd));
  return ops.fsmount(fsfd, FSMOUNT_CLOEXEC,
                     MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
}

}  // namespace grove::security
