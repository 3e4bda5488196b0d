#pragma once
// Internal to oci/: typed, pointer-tracking reads from nlohmann::json for the strict parsers.
// Every failure is Error::invalid("<JSON pointer>: <what>"). Nothing here throws: types are
// checked before any nlohmann accessor that could.
//
// decode(v, ptr, &out) overloads exist for bool, integers (range-checked), std::string,
// std::optional<T>, std::vector<T>, std::map<std::string, T> and, declared by the parse_*.cc
// files in namespace oci, for every spec struct (found through ADL at instantiation).

#include <cstdint>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "libcontainer/base/result.h"

namespace oci {

using Json = nlohmann::json;

// "/a/b" + "c/d" -> "/a/b/c~1d" (RFC 6901 escaping of '~' and '/').
std::string ptr_join(const std::string& base, std::string_view key);
std::string ptr_index(const std::string& base, size_t index);
// Error::invalid("<ptr>: <what>").
grove::Error bad_field(const std::string& ptr, std::string_view what);
// "expected <want>, got <json type>".
grove::Error bad_type(const std::string& ptr, std::string_view want, const Json& got);
// Parses JSON text; syntax errors become "<doc>: parse error at byte N: <detail>".
grove::Result<Json> parse_json_text(std::string_view text, std::string_view doc);

grove::Status decode(const Json& v, const std::string& ptr, bool* out);
grove::Status decode(const Json& v, const std::string& ptr, std::string* out);
// Integers of any width; `what` names the type in messages.
grove::Status decode_int(const Json& v, const std::string& ptr, long double min, long double max,
                         std::string_view what, int64_t* s, uint64_t* u);

template <typename T>
requires(std::is_integral_v<T> && !std::is_same_v<T, bool>) grove::Status
    decode(const Json& v, const std::string& ptr, T* out) {
  constexpr bool kSigned = std::is_signed_v<T>;
  constexpr std::string_view kName = kSigned ? (sizeof(T) == 8   ? "int64"
                                                : sizeof(T) == 4 ? "int32"
                                                                 : "int16")
                                             : (sizeof(T) == 8   ? "uint64"
                                                : sizeof(T) == 4 ? "uint32"
                                                                 : "uint16");
  int64_t s = 0;
  uint64_t u = 0;
  GROVE_TRY(decode_int(v, ptr, static_cast<long double>(std::numeric_limits<T>::min()),
                       static_cast<long double>(std::numeric_limits<T>::max()), kName, &s, &u));
  *out = kSigned ? static_cast<T>(s) : static_cast<T>(u);
  return grove::ok();
}

template <typename T>
grove::Status decode(const Json& v, const std::string& ptr, std::optional<T>* out) {
  T value{};
  GROVE_TRY(decode(v, ptr, &value));
  *out = std::move(value);
  return grove::ok();
}

template <typename T>
grove::Status decode(const Json& v, const std::string& ptr, std::vector<T>* out) {
  if (!v.is_array()) return bad_type(ptr, "array", v);
  out->clear();
  out->reserve(v.size());
  for (size_t i = 0; i < v.size(); ++i) {
    T value{};
    GROVE_TRY(decode(v[i], ptr_index(ptr, i), &value));
    out->push_back(std::move(value));
  }
  return grove::ok();
}

template <typename T>
grove::Status decode(const Json& v, const std::string& ptr, std::map<std::string, T>* out) {
  if (!v.is_object()) return bad_type(ptr, "object", v);
  out->clear();
  for (const auto& [key, item] : v.items()) {
    T value{};
    GROVE_TRY(decode(item, ptr_join(ptr, key), &value));
    out->emplace(key, std::move(value));
  }
  return grove::ok();
}

// One JSON object being read. Holds a reference to the object: keep it alive.
class Fields {
 public:
  // Error "expected object, got ..." unless `v` is an object.
  static grove::Result<Fields> of(const Json& v, const std::string& ptr);

  const std::string& ptr() const { return ptr_; }
  std::string at(std::string_view key) const { return ptr_join(ptr_, key); }
  // The member, or nullptr when absent or null.
  const Json* find(std::string_view key) const;
  grove::Error missing(std::string_view key) const;

  // REQUIRED member: "required field missing" when absent or null.
  template <typename T>
  grove::Status req(std::string_view key, T* out) const {
    const Json* v = find(key);
    if (v == nullptr) return missing(key);
    return decode(*v, at(key), out);
  }
  // OPTIONAL member: `*out` is left untouched when absent or null.
  template <typename T>
  grove::Status opt(std::string_view key, T* out) const {
    const Json* v = find(key);
    if (v == nullptr) return grove::ok();
    return decode(*v, at(key), out);
  }
  // String members restricted to `table`; `noun` names the set in "unknown <noun> \"x\"".
  grove::Status req_enum(std::string_view key, std::span<const std::string_view> table,
                         std::string_view noun, std::string* out) const;
  grove::Status opt_enum(std::string_view key, std::span<const std::string_view> table,
                         std::string_view noun, std::string* out) const;
  // Arrays of strings restricted to `table`.
  grove::Status opt_enum_list(std::string_view key, std::span<const std::string_view> table,
                              std::string_view noun, std::vector<std::string>* out) const;
  // An OPTIONAL string that must be an absolute path when present and non-empty ("" = unset).
  grove::Status opt_abs_path(std::string_view key, std::string* out) const;
  grove::Status req_abs_path(std::string_view key, std::string* out) const;

 private:
  Fields(const Json& obj, std::string ptr) : obj_(&obj), ptr_(std::move(ptr)) {}
  const Json* obj_;
  std::string ptr_;
};

// "unknown <noun> \"x\"" unless `value` is in `table`.
grove::Status check_enum(const std::string& ptr, std::string_view value,
                         std::span<const std::string_view> table, std::string_view noun);

}  // namespace oci
