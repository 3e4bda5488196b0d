// `grove spec [--rootless] [--bundle DIR]`: writes a starter config.json, like `runc spec`.

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <string>

#include "libcontainer/base/strings.h"
#include "oci/default_spec.h"
#include "oci/serialize.h"
#include "runtime/cli.h"

namespace grove::cli {
namespace {

// Creates `path` exclusively and writes `text`. O_EXCL closes runc's stat-then-write race and
// never follows a symlink planted at the destination.
Status write_new_file(const std::string& path, const std::string& text) {
  std::FILE* f = std::fopen(path.c_str(), "wxe");  // O_WRONLY|O_CREAT|O_EXCL|O_CLOEXEC
  if (f == nullptr) {
    // runc's exact message (it checks with stat first); scripts grep for it.
    if (errno == EEXIST) return Error::plain(EEXIST, "File config.json exists. Remove it first");
    return Error::last("create " + q(path));
  }
  size_t written = std::fwrite(text.data(), 1, text.size(), f);
  int saved = written == text.size() ? 0 : errno;
  if (std::fclose(f) != 0 && saved == 0) saved = errno;
  if (saved != 0) return Error::from_errno(saved, "write " + q(path));
  return ok();
}

Status run_spec(Context& ctx) {
  bool rootless = ctx.flags.get_bool("rootless");
  // runc maps container root to the invoking user in rootless specs.
  oci::Spec spec = oci::default_spec(rootless, ::geteuid(), ::getegid());
  std::string bundle = ctx.flags.get_string("bundle");
  std::string path = bundle.empty() ? "config.json" : bundle + "/config.json";
  ctx.log.debug("writing " + q(path) + (rootless ? " (rootless)" : ""));
  return write_new_file(path, oci::serialize(spec));
}

const VerbRegistration kRegister{{
    .name = "spec",
    .aliases = {},
    .summary = "create a new specification file",
    .args_usage = {},
    .description =
        "The spec command creates the new specification file named \"config.json\" for\n"
        "the bundle (the current directory unless --bundle is given). It refuses to\n"
        "overwrite an existing config.json.\n"
        "\n"
        "The spec generated is just a starter file: its process runs \"sh\" and its root\n"
        "filesystem is the directory \"rootfs\" next to config.json. Edit it to suit the\n"
        "container. With --rootless the spec adds a user namespace mapping container\n"
        "root to the invoking user and drops what an unprivileged user cannot do.",
    .flags = {value_flag(FlagKind::kString, "bundle", "path to the root of the bundle directory",
                         {"b"}),
              bool_flag("rootless", "generate a configuration for a rootless container")},
    .args = ArgCount::exactly(0),
    .flags_before_args_only = false,
    .hidden = false,
    .handler = run_spec,
}};

}  // namespace
}  // namespace grove::cli
