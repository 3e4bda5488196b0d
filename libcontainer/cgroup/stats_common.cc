// Reading and parsing helpers shared by the v1 and v2 stats readers (stats_internal.h).

#include <cerrno>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "libcontainer/base/strings.h"
#include "libcontainer/cgroup/stats_internal.h"

namespace grove::cgroup::internal {

Error parse_error(const std::string& file, const std::string& what) {
  return Error::invalid(file + ": " + what);
}

Result<std::optional<std::string>> read_optional(const FileReader& read, const StatFile& f) {
  auto r = read(f.hierarchy, f.controller, f.file);
  if (r) return std::optional<std::string>(std::move(*r));
  if (r.error().code() == ENOENT) return std::optional<std::string>();
  return std::move(r).error().context("read " + q(f.file));
}

Result<std::string> read_required(const FileReader& read, const StatFile& f) {
  auto r = read(f.hierarchy, f.controller, f.file);
  if (!r) return std::move(r).error().context("read " + q(f.file));
  return std::move(*r);
}

namespace {

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  constexpr std::string_view kSpace = " \t\n\r\v\f";
  size_t b = s.find_first_not_of(kSpace);
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(kSpace);
  return s.substr(b, e - b + 1);
}

}  // namespace

Result<uint64_t> parse_uint(std::string_view s, const std::string& file) {
  // strconv.ParseUint, then runc's fallback: a negative integer (even beyond int64) reads as 0,
  // e.g. memory.kmem.limit_in_bytes on some kernels.
  if (s.size() > 1 && s[0] == '-' && all_digits(s.substr(1))) return uint64_t{0};
  if (!all_digits(s)) return parse_error(file, "invalid number " + q(s));
  uint64_t v = 0;
  for (char c : s) {
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (std::numeric_limits<uint64_t>::max() - d) / 10) {
      return parse_error(file, "number out of range " + q(s));
    }
    v = v * 10 + d;
  }
  return v;
}

Result<uint64_t> param_uint(std::string_view contents, const std::string& file) {
  std::string_view t = trim(contents);
  if (t == "max") return std::numeric_limits<uint64_t>::max();
  return parse_uint(t, file);
}

Result<std::optional<uint64_t>> read_uint(const FileReader& read, const StatFile& f) {
  GROVE_ASSIGN_OR_RETURN(auto contents, read_optional(read, f));
  if (!contents) return std::optional<uint64_t>();
  GROVE_ASSIGN_OR_RETURN(uint64_t v, param_uint(*contents, f.file));
  return std::optional<uint64_t>(v);
}

Result<std::pair<std::string, uint64_t>> key_value(std::string_view line, const std::string& file) {
  size_t sp = line.find(' ');
  if (sp == std::string_view::npos || sp == 0 || sp + 1 == line.size()) {
    return parse_error(file, "line " + q(line) + " is not in \"key value\" format");
  }
  GROVE_ASSIGN_OR_RETURN(uint64_t v, parse_uint(line.substr(sp + 1), file));
  return std::make_pair(std::string(line.substr(0, sp)), v);
}

Result<std::vector<std::pair<std::string, uint64_t>>> key_values(std::string_view contents,
                                                                 const std::string& file) {
  std::vector<std::pair<std::string, uint64_t>> out;
  for (std::string_view line : lines_of(contents)) {
    GROVE_ASSIGN_OR_RETURN(auto kv, key_value(line, file));
    out.push_back(std::move(kv));
  }
  return out;
}

Result<uint64_t> value_by_key(std::string_view contents, std::string_view key,
                              const std::string& file) {
  std::string prefix = std::string(key) + " ";
  for (std::string_view line : lines_of(contents)) {
    if (line.substr(0, prefix.size()) == prefix)
      return parse_uint(line.substr(prefix.size()), file);
  }
  return uint64_t{0};
}

std::vector<std::string_view> lines_of(std::string_view s) {
  std::vector<std::string_view> out;
  while (!s.empty()) {
    size_t nl = s.find('\n');
    std::string_view line = s.substr(0, nl);
    // bufio.Scanner's ScanLines drops a trailing '\r'.
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    out.push_back(line);
    if (nl == std::string_view::npos) break;
    s.remove_prefix(nl + 1);
  }
  return out;
}

std::vector<std::string_view> fields_of(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  auto space = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
  };
  while (i < s.size()) {
    while (i < s.size() && space(s[i])) ++i;
    size_t b = i;
    while (i < s.size() && !space(s[i])) ++i;
    if (i > b) out.push_back(s.substr(b, i - b));
  }
  return out;
}

}  // namespace grove::cgroup::internal
