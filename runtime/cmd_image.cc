// `grove image build SRC -o OUT.erofs [--digest-xattr NAME|--no-digest] [--mtime SECONDS]`:
// EROFS images from a directory or a tar stream (grove-image(8)). Flag plumbing and output only;
// the work is image::build_image.

#include <cstdio>

#include "libcontainer/base/strings.h"
#include "libcontainer/image/build.h"
#include "libcontainer/sys/linux_ops.h"
#include "runtime/cli.h"

namespace grove::cli {
namespace {

std::string hex(const std::array<uint8_t, 16>& u) {
  std::string s;
  char b[3];
  for (std::size_t i = 0; i < u.size(); ++i) {
    std::snprintf(b, sizeof b, "%02x", u[i]);
    s += b;
    if (i == 3 || i == 5 || i == 7 || i == 9) s += '-';
  }
  return s;
}

Status run_build(Context& ctx) {
  if (ctx.args.size() != 2) return Error::invalid("usage: grove image build SRC -o OUT.erofs");
  image::BuildRequest req;
  req.source = ctx.args[1];
  req.output = ctx.flags.get_string("output");
  if (req.output.empty()) return Error::invalid("image build: --output (-o) is required");
  if (ctx.flags.get_bool("no-digest") && ctx.flags.is_set("digest-xattr")) {
    return Error::invalid("image build: --no-digest and --digest-xattr exclude each other");
  }
  if (ctx.flags.get_bool("no-digest")) {
    req.options.digest_xattr = "";
  } else if (ctx.flags.is_set("digest-xattr")) {
    req.options.digest_xattr = ctx.flags.get_string("digest-xattr");
    if (req.options.digest_xattr.empty()) {
      return Error::invalid("image build: --digest-xattr needs a name (or use --no-digest)");
    }
  }
  if (ctx.flags.is_set("mtime")) req.options.mtime = ctx.flags.get_int("mtime");
  req.overlay_whiteouts = ctx.flags.get_bool("overlay-whiteouts");
  sys::LinuxOps ops;
  GROVE_ASSIGN_OR_RETURN(image::BuildSummary sum, image::build_image(ops, req));
  ctx.log.debug("image " + q(req.output) + ": " + std::to_string(sum.inodes) + " inodes");
  ctx.out << req.output << ": " << sum.bytes << " bytes, " << sum.inodes << " inodes, uuid "
          << hex(sum.uuid) << "\n";
  return ok();
}

Status run_image(Context& ctx) {
  const std::string& sub = ctx.args[0];
  if (sub == "build") return run_build(ctx);
  return Error::invalid("image: unknown subcommand " + q(sub) + " (want build)");
}

const VerbRegistration kRegister{{
    .name = "image",
    .aliases = {},
    .summary = "build EROFS root filesystem images",
    .args_usage = "build <src> -o <out.erofs>",
    .description =
        "The image command builds EROFS images for image-based container roots.\n"
        "\n"
        "  grove image build SRC -o OUT.erofs\n"
        "\n"
        "SRC is a directory, a tar file (plain or gzip) or - for a tar stream on stdin.\n"
        "The image is deterministic (same input, same bytes) and uncompressed; every\n"
        "regular file carries a SHA-256 fingerprint xattr (trusted.erofs.fingerprint by\n"
        "default) that Linux 7.0 uses to share page cache between images mounted with\n"
        "inode_share,domain_id. See grove-image(8).",
    .flags = {value_flag(FlagKind::kString, "output", "the image file to write", {"o"}),
              value_flag(FlagKind::kString, "digest-xattr",
                         "the xattr name of the per-file SHA-256 fingerprint", {},
                         "trusted.erofs.fingerprint"),
              bool_flag("no-digest", "write no fingerprints (and no page-cache sharing fields)"),
              value_flag(FlagKind::kInt, "mtime", "set every file's mtime to SECONDS"),
              bool_flag("overlay-whiteouts",
                        "turn OCI whiteouts (.wh.*) into overlayfs whiteouts and opaque dirs")},
    .args = ArgCount::at_least(1),
    .flags_before_args_only = false,
    .hidden = false,
    .handler = run_image,
}};

}  // namespace
}  // namespace grove::cli
