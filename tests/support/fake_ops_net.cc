// FakeOps: network device flags. Records the call.

#include <string>

#include "libcontainer/base/strings.h"
#include "tests/support/fake_ops.h"

namespace grove::testing {

Status FakeOps::set_link_up(const std::string& name) {
  std::string line = "set_link_up(" + q(name) + ")";
  if (int err = record("set_link_up", line)) return Error::from_errno(err, line);
  return ok();
}

}  // namespace grove::testing
