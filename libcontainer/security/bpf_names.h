#pragma once
// The bpf enum names bpffs's delegate_* mount options take, mapped to their values, so grove can
// give the kernel numeric masks: a kernel without BTF (CONFIG_DEBUG_INFO_BTF unset) understands
// only numbers and "any" (kernel/bpf/inode.c bpf_parse_param). Pure.

#include <optional>
#include <string_view>

namespace grove::security {

enum class BpfEnum { kCmd, kMapType, kProgType, kAttachType };

// The value of `name` (case-insensitive, without its BPF_/BPF_MAP_TYPE_/BPF_PROG_TYPE_ prefix:
// "map_create", "array", "socket_filter", "cgroup_inet_ingress"), or nullopt when unknown.
std::optional<unsigned> bpf_enum_value(BpfEnum which, std::string_view name);

}  // namespace grove::security
