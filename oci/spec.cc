// Helpers over the config.json model: namespace type names and lookups.

#include "oci/spec.h"

#include <array>
#include <utility>

namespace oci {
namespace {

// Names as written in config.json (config-linux.md "Namespaces").
constexpr std::array<std::pair<NamespaceType, std::string_view>, 8> kNamespaceNames = {{
    {NamespaceType::kPid, "pid"},
    {NamespaceType::kNetwork, "network"},
    {NamespaceType::kMount, "mount"},
    {NamespaceType::kIpc, "ipc"},
    {NamespaceType::kUts, "uts"},
    {NamespaceType::kUser, "user"},
    {NamespaceType::kCgroup, "cgroup"},
    {NamespaceType::kTime, "time"},
}};

}  // namespace

std::string_view to_string(NamespaceType type) {
  for (const auto& [t, name] : kNamespaceNames) {
    if (t == type) return name;
  }
  return "unknown";
}

std::optional<NamespaceType> namespace_type_from_string(std::string_view name) {
  for (const auto& [t, n] : kNamespaceNames) {
    if (n == name) return t;
  }
  return std::nullopt;
}

const Namespace* find_namespace(const Spec& spec, NamespaceType type) {
  if (!spec.linux) return nullptr;
  for (const Namespace& ns : spec.linux->namespaces) {
    if (ns.type == type) return &ns;
  }
  return nullptr;
}

bool has_namespace(const Spec& spec, NamespaceType type) {
  return find_namespace(spec, type) != nullptr;
}

}  // namespace oci
