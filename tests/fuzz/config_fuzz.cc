// libFuzzer target: config.json through oci::parse_config and oci::validate, then (when valid)
// the pure planners a create runs before anything exists on the host (mount plan with every
// kernel feature on and off, process settings). Crashes, sanitizer reports and hangs are bugs;
// errors are the expected answer to most inputs.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "libcontainer/plan/mount_plan.h"
#include "libcontainer/process/proc_settings.h"
#include "oci/parse.h"
#include "libcontainer/sys/features.h"
#include "oci/serialize.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view json(reinterpret_cast<const char*>(data), size);
  auto spec = oci::parse_config(json);
  if (!spec) return 0;
  (void)oci::serialize(*spec);
  if (!oci::validate(*spec)) return 0;
  grove::sys::Features none;
  grove::sys::Features all;
  for (grove::sys::Probe* p : {&all.new_mount_api, &all.mount_setattr, &all.open_tree_namespace,
                               &all.idmapped_mounts, &all.openat2, &all.time_ns, &all.user_ns,
                               &all.seccomp, &all.seccomp_notify}) {
    *p = grove::sys::Probe::yes();
  }
  for (const grove::sys::Features* f : {&none, &all}) {
    grove::plan::PlanOptions options;
    options.bundle_dir = "/bundle";
    if (auto plan = grove::plan::plan_mounts(*spec, *f, options)) {
      (void)grove::plan::describe(*plan);
    }
    (void)grove::process::plan_proc_settings(*spec, *f);
  }
  return 0;
}
