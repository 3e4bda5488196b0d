// libFuzzer target: the run.grove.* annotation values grove interprets: run.grove.bpf.delegate
// (parse_bpf_delegation), run.grove.mount-strategy (strategy_from_string), run.grove.init and
// run.grove.kill-with-runtime (reaper.h). The input is the value given to each of them.

#include <cstddef>
#include <cstdint>
#include <string>

#include "libcontainer/container/container.h"
#include "libcontainer/plan/mount_plan.h"
#include "libcontainer/process/reaper.h"
#include "libcontainer/security/bpf_delegate.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string value(reinterpret_cast<const char*>(data), size);
  if (auto d = grove::security::parse_bpf_delegation(value)) {
    (void)grove::security::bpffs_options(*d);
  }
  (void)grove::plan::strategy_from_string(value);
  oci::Spec spec;
  spec.annotations[grove::security::kBpfDelegateAnnotation] = value;
  spec.annotations[std::string(grove::container::kMountStrategyAnnotation)] = value;
  spec.annotations[std::string(grove::process::kInitAnnotation)] = value;
  spec.annotations[std::string(grove::process::kKillWithRuntimeAnnotation)] = value;
  (void)grove::security::bpf_delegation_from_annotations(spec.annotations);
  (void)grove::process::wants_reaper(spec);
  (void)grove::process::wants_kill_with_runtime(spec);
  return 0;
}
