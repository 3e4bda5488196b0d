#pragma once
// Small string helpers: quoting for messages, joining and splitting.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace grove {

// Double-quotes `s`, escaping '"', '\\' and every non-printable byte (\n, \t, \xNN), so values
// from hostile configs cannot forge log lines or terminal escapes.
std::string q(std::string_view s);

std::string join(const std::vector<std::string>& parts, std::string_view sep);
// Splits on `sep`; keeps empty fields ("a::b" -> {"a","","b"}); "" -> {}.
std::vector<std::string> split(std::string_view s, char sep);
// "0x1021994": lower-case hex with a 0x prefix, for magic numbers and unnamed flag bits.
std::string hex(uint64_t v);
bool starts_with(std::string_view s, std::string_view prefix);
// Parses a base-10 integer that fills the whole string; false on junk or overflow.
bool parse_int64(std::string_view s, long long* out);

}  // namespace grove
