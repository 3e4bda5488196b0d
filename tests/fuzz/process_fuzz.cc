// libFuzzer target: an `exec --process` file through oci::parse_process and the checks `grove
// exec` makes before anything runs (validate_exec_process, the exec settings planner).

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "libcontainer/container/exec.h"
#include "oci/parse.h"
#include "oci/serialize.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view json(reinterpret_cast<const char*>(data), size);
  auto process = oci::parse_process(json);
  if (!process) return 0;
  (void)oci::serialize(*process);
  (void)grove::container::validate_exec_process(*process);
  return 0;
}
