#pragma once
// File helpers shared by the unit, priv and e2e tests.

#include <string>

namespace grove::testing {

// The whole content of the file at `path`, byte for byte (no newline translation). Returns ""
// when the file cannot be opened (missing, unreadable, a directory), so a test compares the
// result with what it expects instead of handling an error.
std::string read_text_file(const std::string& path);

}  // namespace grove::testing
