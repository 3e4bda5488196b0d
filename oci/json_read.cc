// Typed, pointer-tracking JSON reads for the strict config.json parsers.

#include "oci/json_read.h"

#include <string>

#include "libcontainer/base/strings.h"

namespace oci {
namespace {

// nlohmann's messages look like "[json.exception.parse_error.101] parse error at line 1,
// column 2: syntax error while parsing value - invalid literal; last read: 'x'". Keep the part
// after the position (the byte offset is reported separately) and escape control characters so
// the error stays one line whatever the input held.
std::string parse_error_detail(const std::string& what) {
  std::string detail = what;
  size_t pos = detail.find("parse error");
  if (pos != std::string::npos) {
    size_t colon = detail.find(": ", pos);
    if (colon != std::string::npos) detail = detail.substr(colon + 2);
  }
  std::string out;
  for (unsigned char c : detail) {
    if (c < 0x20 || c == 0x7f) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

}  // namespace

std::string ptr_join(const std::string& base, std::string_view key) {
  std::string out = base;
  out += '/';
  for (char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

std::string ptr_index(const std::string& base, size_t index) {
  return base + "/" + std::to_string(index);
}

grove::Error bad_field(const std::string& ptr, std::string_view what) {
  std::string msg = ptr.empty() ? std::string("/") : ptr;
  msg += ": ";
  msg += what;
  return grove::Error::invalid(std::move(msg));
}

grove::Error bad_type(const std::string& ptr, std::string_view want, const Json& got) {
  std::string what = "expected ";
  what += want;
  what += ", got ";
  what += got.is_number_float() ? "fractional number" : got.type_name();
  return bad_field(ptr, what);
}

grove::Result<Json> parse_json_text(std::string_view text, std::string_view doc) {
  try {
    return Json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::parse_error& e) {
    return grove::Error::invalid(std::string(doc) + ": parse error at byte " +
                                 std::to_string(e.byte) + ": " + parse_error_detail(e.what()));
  } catch (const nlohmann::json::exception& e) {
    return grove::Error::invalid(std::string(doc) + ": " + parse_error_detail(e.what()));
  }
}

grove::Status decode(const Json& v, const std::string& ptr, bool* out) {
  if (!v.is_boolean()) return bad_type(ptr, "boolean", v);
  *out = v.get<bool>();
  return grove::ok();
}

grove::Status decode(const Json& v, const std::string& ptr, std::string* out) {
  if (!v.is_string()) return bad_type(ptr, "string", v);
  *out = v.get_ref<const std::string&>();
  // Every string reaches a C API (paths, argv, hostnames, options) that would stop at the first
  // NUL and silently use a different value ("/\0tmp" as "/").
  if (out->find('\0') != std::string::npos) return bad_field(ptr, "contains a NUL byte");
  return grove::ok();
}

grove::Status decode_int(const Json& v, const std::string& ptr, long double min, long double max,
                         std::string_view what, int64_t* s, uint64_t* u) {
  // Go's encoding/json (runc) rejects fractional numbers for integer fields; so do we.
  if (!v.is_number_integer()) return bad_type(ptr, what, v);
  long double value = 0;
  if (v.is_number_unsigned()) {
    *u = v.get<uint64_t>();
    *s = static_cast<int64_t>(*u);
    value = static_cast<long double>(*u);
  } else {
    *s = v.get<int64_t>();
    *u = static_cast<uint64_t>(*s);
    value = static_cast<long double>(*s);
  }
  if (value < min || value > max) {
    return bad_field(ptr, "value " + v.dump() + " out of range for " + std::string(what));
  }
  return grove::ok();
}

grove::Result<Fields> Fields::of(const Json& v, const std::string& ptr) {
  if (!v.is_object()) return bad_type(ptr, "object", v);
  return Fields(v, ptr);
}

const Json* Fields::find(std::string_view key) const {
  auto it = obj_->find(key);
  if (it == obj_->end() || it->is_null()) return nullptr;
  return &*it;
}

grove::Error Fields::missing(std::string_view key) const {
  return bad_field(at(key), "required field missing");
}

grove::Status check_enum(const std::string& ptr, std::string_view value,
                         std::span<const std::string_view> table, std::string_view noun) {
  for (std::string_view v : table) {
    if (v == value) return grove::ok();
  }
  return bad_field(ptr, "unknown " + std::string(noun) + " " + grove::q(value));
}

grove::Status Fields::req_enum(std::string_view key, std::span<const std::string_view> table,
                               std::string_view noun, std::string* out) const {
  GROVE_TRY(req(key, out));
  return check_enum(at(key), *out, table, noun);
}

grove::Status Fields::opt_enum(std::string_view key, std::span<const std::string_view> table,
                               std::string_view noun, std::string* out) const {
  if (find(key) == nullptr) return grove::ok();
  return req_enum(key, table, noun, out);
}

grove::Status Fields::opt_enum_list(std::string_view key, std::span<const std::string_view> table,
                                    std::string_view noun, std::vector<std::string>* out) const {
  GROVE_TRY(opt(key, out));
  for (size_t i = 0; i < out->size(); ++i) {
    GROVE_TRY(check_enum(ptr_index(at(key), i), (*out)[i], table, noun));
  }
  return grove::ok();
}

grove::Status Fields::req_abs_path(std::string_view key, std::string* out) const {
  GROVE_TRY(req(key, out));
  if (out->empty() || (*out)[0] != '/') return bad_field(at(key), "must be absolute");
  return grove::ok();
}

grove::Status Fields::opt_abs_path(std::string_view key, std::string* out) const {
  // "" is how Go's omitempty spells "unset", so it stays allowed here.
  GROVE_TRY(opt(key, out));
  if (!out->empty() && (*out)[0] != '/') return bad_field(at(key), "must be absolute");
  return grove::ok();
}

}  // namespace oci
