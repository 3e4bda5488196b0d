// The run.grove.bpf.delegate annotation and the bpffs it asks for. Syntax in bpf_delegate.h;
// kernel side in kernel/bpf/inode.c (bpf_parse_param: strsep(":") over each value, "any", an
// enum name matched without its BPF_/BPF_MAP_TYPE_/BPF_PROG_TYPE_ prefix, else kstrtou64).

#include "libcontainer/security/bpf_delegate.h"

#include <sys/mount.h>

#include <array>

#include "libcontainer/base/strings.h"
#include "libcontainer/sys/uapi.h"

namespace grove::security {
namespace {

constexpr std::array<const char*, 4> kFieldNames = {"cmds", "maps", "progs", "attachs"};

bool valid_item(const std::string& item) {
  if (item.empty()) return false;
  for (char c : item) {
    bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

// One field: "" stays "", "a|b" becomes the kernel's "a:b".
Result<std::string> parse_field(const std::string& field) {
  if (field.empty()) return std::string();
  std::string out;
  for (const std::string& item : split(field, '|')) {
    if (!valid_item(item)) {
      return Error::invalid("bad item " + q(item) +
                            " (want \"any\", a kernel enum name or a number, '|'-separated)");
    }
    out += (out.empty() ? "" : ":") + item;
  }
  return out;
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
    auto f = parse_field(fields[i]);
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
