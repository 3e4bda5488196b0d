#pragma once
// Helpers for privileged (L2) tests: skip macros that always state why, feature checks that
// return "" or a reason, and run_in_private_mntns() so every test's mounts vanish with a child.

#include <gtest/gtest.h>
#include <unistd.h>

#include <functional>
#include <string>

#include "libcontainer/base/result.h"

// Skips the current test unless running as root: "requires root (euid=1000)".
#define GROVE_REQUIRE_ROOT()                                                            \
  do {                                                                                  \
    if (::geteuid() != 0) GTEST_SKIP() << "requires root (euid=" << ::geteuid() << ")"; \
  } while (0)

// Skips the current test when `reason_expr` (a std::string, e.g. missing_new_mount_api())
// is non-empty, with that reason as the message.
#define GROVE_REQUIRE(reason_expr)                                             \
  do {                                                                         \
    std::string grove_require_reason_ = (reason_expr);                         \
    if (!grove_require_reason_.empty()) GTEST_SKIP() << grove_require_reason_; \
  } while (0)

namespace grove::testing {

// Runs `fn` in a forked child that first does unshare(CLONE_NEWNS) and makes "/" MS_REC|
// MS_PRIVATE, so nothing it mounts reaches the host; the mount namespace dies with the child.
// The child's Status crosses back as {code, show_errno, frames} over a pipe and is rebuilt here
// with an outer "private mntns" frame only for setup failures. gtest assertions inside `fn` are
// lost (they run in the child): return an Error instead. Needs root (EPERM otherwise). A child
// killed by a signal is reported as EINTR "private mntns child killed by SIGx".
Status run_in_private_mntns(const std::function<Status()>& fn);

// Feature checks for GROVE_REQUIRE: "" when usable, else why not.
std::string missing_root();                               // "requires root (euid=N)"
std::string missing_new_mount_api();                      // fsopen(2), 5.2
std::string missing_mount_setattr();                      // mount_setattr(2), 5.12
std::string missing_openat2();                            // openat2(2), 5.6
std::string missing_statmount();                          // statmount(2)/listmount(2), 6.8
std::string missing_open_tree_namespace();                // OPEN_TREE_NAMESPACE, 7.0
std::string missing_filesystem(const std::string& name);  // not in /proc/filesystems

// A fresh directory from mkdtemp under $TMPDIR (or /tmp), removed recursively (after lazily
// unmounting anything left on it) by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace grove::testing
