// libFuzzer target: the strings of `grove exec --user UID[:GID]` and `--additional-gids` (one
// per line of the input after the first) through exec_process_from_args.

#include <cstddef>
#include <cstdint>
#include <string>

#include "libcontainer/base/strings.h"
#include "libcontainer/container/exec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> lines = grove::split(input, '\n');
  grove::container::ProcessOverrides o;
  o.args = {"true"};
  if (!lines.empty()) o.user = lines[0];
  for (std::size_t i = 1; i < lines.size(); ++i) o.additional_gids.push_back(lines[i]);
  oci::Process base;
  base.cwd = "/";
  (void)grove::container::exec_process_from_args(base, o);
  return 0;
}
