// seccomp notify listener delivery (seccomp_notify.h).

#include "libcontainer/container/seccomp_notify.h"

#include "libcontainer/security/seccomp.h"

namespace grove::container {

Status send_seccomp_listener(sys::Ops& ops, const oci::Seccomp& seccomp,
                             const ContainerRecord& rec, oci::ContainerStatus status,
                             pid_t init_pid, pid_t pid, int fd) {
  oci::State state;
  state.oci_version = rec.oci_version;
  state.id = rec.id;
  state.status = status;
  state.pid = init_pid;
  state.bundle = rec.bundle;
  state.annotations = rec.annotations;
  std::string json = security::container_process_state_json(pid, seccomp.listener_metadata,
                                                            oci::to_oci_state_json(state));
  return security::send_to_seccomp_listener(ops, seccomp.listener_path, json, fd);
}

}  // namespace grove::container
