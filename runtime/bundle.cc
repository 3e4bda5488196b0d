// config.json loading and the create/run flag plumbing (bundle.h).

#include "runtime/bundle.h"

#include <fcntl.h>

#include <cstdlib>

#include "libcontainer/base/strings.h"
#include "libcontainer/container/rootless.h"
#include "libcontainer/sys/probe.h"
#include "oci/parse.h"

namespace grove::cli {

Result<oci::Spec> load_bundle_spec(sys::Ops& ops, const std::string& bundle) {
  const std::string path = (bundle.empty() ? std::string(".") : bundle) + "/config.json";
  // One frame naming the file around the parser's "<pointer>: <reason>", so a user sees which
  // file and which field in one line.
  auto frame = [&] { return "bundle config " + q(path); };
  GROVE_ASSIGN_OR_RETURN(std::string text, ops.read_file_at(AT_FDCWD, path).context(frame));
  GROVE_ASSIGN_OR_RETURN(oci::Spec spec, oci::parse_config(text).context(frame));
  GROVE_TRY(oci::validate(spec).context(frame));
  return spec;
}

std::vector<FlagSpec> create_flags() {
  // runc 1.1's wording, so `grove create --help` reads like `runc create --help`.
  return {
      value_flag(FlagKind::kString, "bundle",
                 "path to the root of the bundle directory, defaults to the current directory",
                 {"b"}),
      value_flag(FlagKind::kString, "console-socket",
                 "path to an AF_UNIX socket which will receive a file descriptor referencing the "
                 "master end of the console's pseudoterminal"),
      value_flag(FlagKind::kString, "pid-file", "specify the file to write the process id to"),
      // runc 1.2's flag and wording.
      value_flag(FlagKind::kString, "pidfd-socket",
                 "path to an AF_UNIX socket which will receive a file descriptor referencing the "
                 "init process"),
      bool_flag("no-pivot",
                "do not use pivot root to jail process inside rootfs.  This should be used "
                "whenever the rootfs is on top of a ramdisk"),
      bool_flag("no-new-keyring",
                "do not create a new session keyring for the container.  This will cause the "
                "container to inherit the calling processes session key"),
      value_flag(FlagKind::kUint, "preserve-fds",
                 "Pass N additional file descriptors to the container (stdio + $LISTEN_FDS + N in "
                 "total)",
                 {}, "0"),
      // grove's own: runc has no strategies (architecture.md "Mount strategies").
      value_flag(FlagKind::kString, "mount-strategy",
                 "build the container's mount namespace with open-tree-namespace, pivot or chroot "
                 "instead of the probed default (overrides the run.grove.mount-strategy "
                 "annotation)"),
  };
}

int listen_fds_from_env(const char* listen_fds, const char* listen_pid, pid_t self) {
  if (listen_fds == nullptr || listen_pid == nullptr) return 0;
  long long n = 0;
  long long pid = 0;
  // go-systemd ignores the variables unless they were meant for this very process.
  if (!parse_int64(listen_pid, &pid) || pid != self) return 0;
  if (!parse_int64(listen_fds, &n) || n <= 0 || n > 65536) return 0;
  return static_cast<int>(n);
}

Result<container::CreateOptions> create_options(sys::Ops& ops, const Context& ctx) {
  container::CreateOptions o;
  if (ctx.global.systemd_cgroup) {
    // Accepted by every verb (engines pass it globally) but never silently ignored where it
    // matters: a container's cgroup would otherwise not be where the engine looks for it.
    return Error::not_supported(
        "--systemd-cgroup: grove has no systemd cgroup driver yet; use the cgroupfs manager "
        "(podman: cgroup_manager = \"cgroupfs\"; containerd: SystemdCgroup = false)");
  }
  o.id = ctx.args.at(0);
  o.bundle = ctx.flags.get_string("bundle");
  GROVE_ASSIGN_OR_RETURN(o.spec, load_bundle_spec(ops, o.bundle));
  o.root = ctx.global.root;
  o.pid_file = ctx.flags.get_string("pid-file");
  o.console_socket = ctx.flags.get_string("console-socket");
  o.pidfd_socket = ctx.flags.get_string("pidfd-socket");
  long long preserve = ctx.flags.get_int("preserve-fds", 0);
  if (preserve < 0 || preserve > 65536) {
    return Error::invalid("invalid --preserve-fds " + std::to_string(preserve));
  }
  o.preserve_fds = static_cast<int>(preserve);
  o.listen_fds =
      listen_fds_from_env(std::getenv("LISTEN_FDS"), std::getenv("LISTEN_PID"), ops.getpid());
  if (o.listen_fds > 0 && o.spec.process) {
    // runc hands the sockets on with the variables rewritten for the container's init.
    o.spec.process->env.push_back("LISTEN_FDS=" + std::to_string(o.listen_fds));
    o.spec.process->env.push_back("LISTEN_PID=1");
  }
  if (o.spec.process && !o.spec.process->selinux_label.empty()) {
    // architecture.md: with SELinux disabled the label is a logged no-op, never an error.
    sys::Features f = sys::probe(ops);
    if (!f.selinux) {
      ctx.log.debug("process.selinuxLabel " + q(o.spec.process->selinux_label) +
                    " not applied: " + f.selinux.reason);
    }
  }
  o.no_pivot = ctx.flags.get_bool("no-pivot");
  o.no_new_keyring = ctx.flags.get_bool("no-new-keyring");
  o.mount_strategy = ctx.flags.get_string("mount-strategy");
  o.rootless = container::is_rootless(ops, ctx.global.rootless);
  return o;
}

}  // namespace grove::cli
