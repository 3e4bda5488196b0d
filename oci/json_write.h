#pragma once
// Internal to oci/: omitempty-style writers for the serializers. encode() overloads for the
// spec structs live in serialize*.cc, in namespace oci, and are found through ADL.

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "oci/spec.h"

namespace oci {

using Json = nlohmann::json;

inline Json encode(const std::string& s) { return s; }
inline Json encode(bool b) { return b; }
template <typename T>
requires std::is_integral_v<T> Json encode(T v) { return v; }

template <typename T>
Json encode(const std::vector<T>& values) {
  Json out = Json::array();
  for (const T& v : values) out.push_back(encode(v));
  return out;
}

template <typename T>
Json encode(const std::map<std::string, T>& values) {
  Json out = Json::object();
  for (const auto& [k, v] : values) out[k] = encode(v);
  return out;
}

// Omitted when empty / false / nullopt / zero (put_nonzero).
inline void put(Json& j, const char* key, const std::string& s) {
  if (!s.empty()) j[key] = s;
}
inline void put(Json& j, const char* key, bool b) {
  if (b) j[key] = true;
}
template <typename T>
void put(Json& j, const char* key, const std::optional<T>& v) {
  if (v) j[key] = encode(*v);
}
template <typename T>
void put(Json& j, const char* key, const std::vector<T>& v) {
  if (!v.empty()) j[key] = encode(v);
}
template <typename T>
void put(Json& j, const char* key, const std::map<std::string, T>& v) {
  if (!v.empty()) j[key] = encode(v);
}
template <typename T>
requires std::is_integral_v<T>
void put_nonzero(Json& j, const char* key, T v) {
  if (v != 0) j[key] = v;
}

Json encode(const IdMapping& m);
Json encode(const Linux& linux);  // serialize_linux.cc

}  // namespace oci
