#pragma once
// Shared pieces of the verbs that create containers (create, run): loading a bundle's
// config.json, the flags runc's create and run share, and turning those flags plus the
// environment (LISTEN_FDS) into container::CreateOptions. No logic beyond flag plumbing.

#include <string>
#include <vector>

#include "libcontainer/base/result.h"
#include "libcontainer/container/container.h"
#include "libcontainer/sys/ops.h"
#include "oci/spec.h"
#include "runtime/cli.h"

namespace grove::cli {

// Reads <bundle>/config.json ("" = the current directory), parses it strictly and validates it.
// Errors: the read's errno (ENOENT for a bundle without config.json) and EINVAL for a bad spec,
// each in one frame naming the file: `"/b/config.json": /process/args: must not be empty`.
[[nodiscard]] Result<oci::Spec> load_bundle_spec(sys::Ops& ops, const std::string& bundle);

// The flags of `runc create`, in runc's order and wording (run adds its own to these).
std::vector<FlagSpec> create_flags();

// Systemd socket activation as runc does it (go-systemd activation.Files): the number of fds
// handed over, LISTEN_FDS when LISTEN_PID is this process, else 0. `listen_fds`/`listen_pid` are
// the raw environment values (nullptr when unset). Pure.
int listen_fds_from_env(const char* listen_fds, const char* listen_pid, pid_t self);

// CreateOptions for `ctx.args[0]` from create's flags, the bundle's config.json and the
// environment. With LISTEN_FDS the process gets LISTEN_FDS=n and LISTEN_PID=1 appended to its
// env, as runc does. Errors: load_bundle_spec's; EINVAL for a negative --preserve-fds.
[[nodiscard]] Result<container::CreateOptions> create_options(sys::Ops& ops, const Context& ctx);

}  // namespace grove::cli
