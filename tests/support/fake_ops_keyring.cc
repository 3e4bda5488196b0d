// FakeOps: keyctl(2) for the session keyring. Records the call; the serial is always 7.

#include <string>

#include "libcontainer/base/strings.h"
#include "tests/support/fake_ops.h"

namespace grove::testing {

Result<int32_t> FakeOps::keyctl_join_session_keyring(const std::string& name) {
  std::string line = "keyctl_join_session_keyring(" + (name.empty() ? "NULL" : q(name)) + ")";
  if (int err = record("keyctl_join_session_keyring", line)) return Error::from_errno(err, line);
  return 7;
}

}  // namespace grove::testing
