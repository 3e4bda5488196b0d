// File helpers for tests (files.h).

#include "tests/support/files.h"

#include <fstream>
#include <sstream>

namespace grove::testing {

std::string read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace grove::testing
