// `grove features`: the runtime-spec features document for this kernel, as JSON on stdout.

#include <string>

#include "libcontainer/container/features.h"
#include "libcontainer/rdt/intel_rdt.h"
#include "libcontainer/sys/linux_ops.h"
#include "libcontainer/sys/probe.h"
#include "oci/features.h"
#include "runtime/cli.h"

namespace grove::cli {
namespace {

Status run_features(Context& ctx) {
  sys::LinuxOps ops;
  sys::Features features = sys::probe(ops);
  ctx.log.debug("mount strategy " + std::string(container::default_mount_strategy(features)));
  // An unreadable mountinfo only means no resctrl is reported.
  auto resctrl = rdt::probe(ops);
  std::optional<rdt::Resctrl> found = resctrl ? *resctrl : std::nullopt;
  ctx.out << oci::to_json_string(container::features_document(features, found));
  return ok();
}

const VerbRegistration kRegister{{
    .name = "features",
    .aliases = {},
    .summary = "show the enabled features",
    .args_usage = {},
    .description = "Show the features grove supports on this kernel, as the runtime-spec 1.3.0\n"
                   "features document (JSON). Only what grove implements and the kernel provides\n"
                   "is listed. The run.grove.probe.* annotations give the result of every kernel\n"
                   "probe (\"true\", or \"false: \" and the reason), and run.grove.mount-strategy\n"
                   "the mount strategy a container would use.",
    .flags = {},
    .args = ArgCount::exactly(0),
    .flags_before_args_only = false,
    .hidden = false,
    .handler = run_features,
}};

}  // namespace
}  // namespace grove::cli
