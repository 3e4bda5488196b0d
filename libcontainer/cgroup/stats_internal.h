#pragma once
// Internal to libcontainer/cgroup: reading and parsing helpers shared by the stats readers,
// modelled on runc's fscommon (ParseUint, ParseKeyValue, GetCgroupParamUint, GetValueByKey).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "libcontainer/base/result.h"
#include "libcontainer/cgroup/cgroup.h"

namespace grove::cgroup::internal {

// A cgroup file as the readers see it: the hierarchy, its controller and the file name.
struct StatFile {
  Hierarchy hierarchy;
  std::string controller;
  std::string file;
};

// The file's contents, or nullopt when the reader reports ENOENT. Other errors gain a frame
// `read "<file>"`.
Result<std::optional<std::string>> read_optional(const FileReader& read, const StatFile& f);
// The file's contents; ENOENT is an error too (with the same frame).
Result<std::string> read_required(const FileReader& read, const StatFile& f);

// fscommon.ParseUint: a base-10 uint64; a negative integer reads as 0. EINVAL naming `file`.
Result<uint64_t> parse_uint(std::string_view s, const std::string& file);
// GetCgroupParamUint on contents: trimmed, "max" -> UINT64_MAX.
Result<uint64_t> param_uint(std::string_view contents, const std::string& file);
// Reads and parses one number; nullopt on ENOENT.
Result<std::optional<uint64_t>> read_uint(const FileReader& read, const StatFile& f);
// ParseKeyValue: "key value" (exactly one space separates them).
Result<std::pair<std::string, uint64_t>> key_value(std::string_view line, const std::string& file);
// Non-empty lines of `contents` parsed with key_value, in order.
Result<std::vector<std::pair<std::string, uint64_t>>> key_values(std::string_view contents,
                                                                 const std::string& file);
// GetValueByKey: the value of the first line starting with "key "; 0 when absent.
Result<uint64_t> value_by_key(std::string_view contents, std::string_view key,
                              const std::string& file);
// Lines of `s` split on '\n' without the final empty piece.
std::vector<std::string_view> lines_of(std::string_view s);
// Whitespace-separated fields (strings.Fields).
std::vector<std::string_view> fields_of(std::string_view s);
// A malformed-contents error: EINVAL "<file>: <what>".
Error parse_error(const std::string& file, const std::string& what);

}  // namespace grove::cgroup::internal
