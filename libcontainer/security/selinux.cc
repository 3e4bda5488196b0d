// The SELinux keyring label. The policy of what gets which label lives in the
// planners (mount labels) and process settings (exec label); this file only makes the calls.

#include "libcontainer/security/selinux.h"

#include <fcntl.h>

#include "libcontainer/base/strings.h"
#include "libcontainer/security/procfs.h"

namespace grove::security {

Status set_key_label(sys::Ops& ops, const std::string& label) {
  auto st = write_proc_file(ops, kKeyCreateAttr, label);
  if (st) return ok();
  int code = st.error().code();
  // go-selinux setKeyLabel: a missing attribute means no LSM handles keycreate; a refused reset
  // is harmless (the label was never set).
  if (code == ENOENT) return ok();
  if (label.empty() && (code == EPERM || code == EACCES)) return ok();
  return std::move(st).error().context("keyring label " + q(label));
}

Status join_session_keyring(sys::Ops& ops, const std::string& name, const std::string& key_label) {
  if (!key_label.empty()) GROVE_TRY(set_key_label(ops, key_label).context("session keyring"));
  auto serial = ops.keyctl_join_session_keyring(name);
  if (!key_label.empty()) {
    // runc: `defer selinux.SetKeyLabel("")` with the error ignored.
    (void)set_key_label(ops, "");
  }
  if (!serial && serial.error().code() != ENOSYS) {
    return std::move(serial).error().context("session keyring");
  }
  return ok();
}

}  // namespace grove::security
