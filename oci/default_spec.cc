// `runc spec` / `runc spec --rootless` (runc 1.1.5 libcontainer/specconv/example.go), verbatim
// apart from ociVersion. Checked field by field against runc's output in oci_default_spec_test.

#include "oci/default_spec.h"

#include <string>
#include <vector>

namespace oci {
namespace {

const std::vector<std::string> kDefaultCaps = {"CAP_AUDIT_WRITE", "CAP_KILL",
                                               "CAP_NET_BIND_SERVICE"};

Process default_process() {
  Process p;
  p.terminal = true;
  p.args = {"sh"};
  p.env = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"};
  p.cwd = "/";
  // runc leaves the inheritable set empty (CVE-2022-29162).
  p.capabilities = Capabilities{.bounding = kDefaultCaps,
                                .effective = kDefaultCaps,
                                .permitted = kDefaultCaps,
                                .ambient = kDefaultCaps};
  p.rlimits = {Rlimit{.type = "RLIMIT_NOFILE", .hard = 1024, .soft = 1024}};
  p.no_new_privileges = true;
  return p;
}

std::vector<Mount> default_mounts(bool rootless) {
  std::vector<Mount> m = {
      {.destination = "/proc", .type = "proc", .source = "proc"},
      {.destination = "/dev",
       .type = "tmpfs",
       .source = "tmpfs",
       .options = {"nosuid", "strictatime", "mode=755", "size=65536k"}},
      {.destination = "/dev/pts",
       .type = "devpts",
       .source = "devpts",
       .options = {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}},
      {.destination = "/dev/shm",
       .type = "tmpfs",
       .source = "shm",
       .options = {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}},
      {.destination = "/dev/mqueue",
       .type = "mqueue",
       .source = "mqueue",
       .options = {"nosuid", "noexec", "nodev"}},
      {.destination = "/sys",
       .type = "sysfs",
       .source = "sysfs",
       .options = {"nosuid", "noexec", "nodev", "ro"}},
      {.destination = "/sys/fs/cgroup",
       .type = "cgroup",
       .source = "cgroup",
       .options = {"nosuid", "noexec", "nodev", "relatime", "ro"}},
  };
  if (rootless) {
    // specconv.ToRootless: gid=5 may not be mapped, and sysfs cannot be mounted without owning
    // the network namespace, so /sys becomes a read-only recursive bind of the host's.
    m[2].options.pop_back();
    m[5] = {.destination = "/sys",
            .type = "none",
            .source = "/sys",
            .options = {"rbind", "nosuid", "noexec", "nodev", "ro"}};
  }
  return m;
}

Linux default_linux(bool rootless, uint32_t host_uid, uint32_t host_gid) {
  Linux l;
  l.masked_paths = {"/proc/acpi",        "/proc/asound",        "/proc/kcore",
                    "/proc/keys",        "/proc/latency_stats", "/proc/timer_list",
                    "/proc/timer_stats", "/proc/sched_debug",   "/sys/firmware",
                    "/proc/scsi"};
  l.readonly_paths = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"};
  if (!rootless) {
    l.resources = Resources{.devices = {DeviceCgroup{.allow = false, .access = "rwm"}}};
    l.namespaces = {{NamespaceType::kPid},
                    {NamespaceType::kNetwork},
                    {NamespaceType::kIpc},
                    {NamespaceType::kUts},
                    {NamespaceType::kMount}};
    return l;
  }
  // Rootless: no device cgroup rules, the host network, and a user namespace mapping root.
  l.uid_mappings = {{.container_id = 0, .host_id = host_uid, .size = 1}};
  l.gid_mappings = {{.container_id = 0, .host_id = host_gid, .size = 1}};
  l.namespaces = {{NamespaceType::kPid},
                  {NamespaceType::kIpc},
                  {NamespaceType::kUts},
                  {NamespaceType::kMount},
                  {NamespaceType::kUser}};
  return l;
}

}  // namespace

Spec default_spec(bool rootless, uint32_t host_uid, uint32_t host_gid) {
  Spec spec;
  spec.oci_version = std::string(kSpecVersion);
  spec.process = default_process();
  spec.root = Root{.path = "rootfs", .readonly = true};
  spec.hostname = "runc";
  spec.mounts = default_mounts(rootless);
  spec.linux = default_linux(rootless, host_uid, host_gid);
  return spec;
}

}  // namespace oci
