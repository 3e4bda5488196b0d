#pragma once
// `grove sandbox`: the host-facing half. Reads what the pure builder (sandbox_spec.h) needs
// from the host (ids, user name, /etc/subuid, /etc/subgid, the newuidmap helpers, the
// user-namespace sysctls, the terminal), prepares the private state directory and returns the
// CreateOptions that container::create/start (the same path as `grove run`) take.

#include <string>
#include <vector>

#include "libcontainer/base/result.h"
#include "libcontainer/container/container.h"
#include "libcontainer/container/sandbox_spec.h"
#include "libcontainer/sys/ops.h"

namespace grove::container {

struct SandboxRequest {
  std::string image;                 // --image: an EROFS image as the root (root only)
  std::string rootfs;                // --rootfs; relative to cwd; "" = the host's "/"
  std::vector<std::string> volumes;  // -v values, unparsed
  std::string net = "none";          // --net
  std::string map = "auto";          // --map
  std::vector<std::string> command;
  std::vector<std::string> env;  // the caller's environment
  std::string cwd;               // absolute
  std::string state_root;        // from sandbox_state_root()
};

struct PreparedSandbox {
  CreateOptions create;            // id generated, spec built, root = the state root; console unset
  std::vector<std::string> notes;  // for --debug: how ids are mapped and why
};

// Checks and gathers everything, builds the spec and creates the state root (0700, must be
// owned by the caller and not group/other-writable). Nothing else is created.
// --image (root only) becomes the run.grove.rootfs.images annotation with a tmpfs upper
// (image/root_spec.h); create mounts and checks it.
// Errors: EINVAL for bad -v/--net/--map/--rootfs values and an empty command; ENOTSUP for
// --image when not root (unprivileged users cannot mount EROFS: it lacks FS_USERNS_MOUNT; the
// message adds that file-backed EROFS needs a real filesystem when the image is on tmpfs); EPERM naming the sysctl when user namespaces are
// disabled (userns_disabled_reason); decide_sandbox_mapping's ENOENT for --map=subids; EPERM
// for a state root owned by someone else or writable by others; the failing syscall's errno.
[[nodiscard]] Result<PreparedSandbox> prepare_sandbox(sys::Ops& ops, const SandboxRequest& req);

// `e` from create/start of a sandbox, with one outer frame telling a newcomer what to do when
// it is the kernel refusing the user namespace (EPERM/EACCES/ENOSPC/EUSERS from the init's
// clone3): the sysctls to check. Other errors come back unchanged.
Error explain_sandbox_error(Error e);

}  // namespace grove::container
