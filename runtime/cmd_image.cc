// `grove image build SRC -o OUT.erofs [--digest-xattr NAME|--no-digest] [--mtime SECONDS]`:
// EROFS images from a directory or a tar stream (grove-image(8)). Flag plumbing and output only;
// the work is image::build_image.

#include <cstdio>

#include "libcontainer/base/strings.h"
#include "libcontainer/image/build.h"
#include "libcontainer/image/store.h"
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

std::string store_dir(const Context& ctx) {
  return ctx.flags.get_string("store", image::kDefaultStore);
}

// `convert LAYOUT[:REF]`: prints the layer image files top-most first, one per line (the order
// run.grove.rootfs.images takes).
Status run_convert(Context& ctx) {
  if (ctx.args.size() != 2) return Error::invalid("usage: grove image convert LAYOUT[:REF]");
  image::ConvertRequest req;
  req.layout = ctx.args[1];
  auto colon = req.layout.rfind(':');
  if (colon != std::string::npos && req.layout.find('/', colon) == std::string::npos) {
    req.ref = req.layout.substr(colon + 1);
    req.layout.resize(colon);
  }
  req.store = store_dir(ctx);
  req.name = ctx.flags.get_string("name");
  if (ctx.flags.get_bool("no-digest")) req.options.digest_xattr = "";
  if (ctx.flags.is_set("digest-xattr")) req.options.digest_xattr = ctx.flags.get_string("digest-xattr");
  sys::LinuxOps ops;
  GROVE_ASSIGN_OR_RETURN(image::StoredImage img, image::convert_layout(ops, req));
  for (auto it = img.layers.rbegin(); it != img.layers.rend(); ++it) {
    ctx.out << image::layer_image_path(req.store, *it) << "\n";
  }
  return ok();
}

Status run_ls(Context& ctx) {
  sys::LinuxOps ops;
  GROVE_ASSIGN_OR_RETURN(std::vector<image::StoredImage> all, image::list_images(ops, store_dir(ctx)));
  ctx.out << "NAME\tMANIFEST\tLAYERS\n";
  for (const auto& img : all) {
    ctx.out << img.name << "\t" << img.manifest << "\t" << img.layers.size() << "\n";
  }
  return ok();
}

Status run_rm(Context& ctx) {
  if (ctx.args.size() < 2) return Error::invalid("usage: grove image rm NAME...");
  sys::LinuxOps ops;
  for (std::size_t i = 1; i < ctx.args.size(); ++i) {
    GROVE_TRY(image::remove_image(ops, store_dir(ctx), ctx.args[i]));
  }
  return ok();
}

Status run_image(Context& ctx) {
  const std::string& sub = ctx.args[0];
  if (sub == "build") return run_build(ctx);
  if (sub == "convert") return run_convert(ctx);
  if (sub == "ls") return run_ls(ctx);
  if (sub == "rm") return run_rm(ctx);
  return Error::invalid("image: unknown subcommand " + q(sub) + " (want build, convert, ls, rm)");
}

const VerbRegistration kRegister{{
    .name = "image",
    .aliases = {},
    .summary = "build EROFS root filesystem images and keep them in a store",
    .args_usage = "build <src> -o <out.erofs> | convert <layout>[:<ref>] | ls | rm <name>",
    .description =
        "The image command builds EROFS images for image-based container roots.\n"
        "\n"
        "  grove image build SRC -o OUT.erofs\n"
        "  grove image convert OCI-LAYOUT[:REF] [--store DIR] [--name NAME]\n"
        "  grove image ls [--store DIR]\n"
        "  grove image rm NAME... [--store DIR]\n"
        "\n"
        "SRC is a directory, a tar file (plain or gzip) or - for a tar stream on stdin.\n"
        "The image is deterministic (same input, same bytes) and uncompressed; every\n"
        "regular file carries a SHA-256 fingerprint xattr (trusted.erofs.fingerprint by\n"
        "default) that Linux 7.0 uses to share page cache between images mounted with\n"
        "inode_share,domain_id. convert writes one image per layer of an OCI image\n"
        "layout (whiteouts in overlay form) into a content-addressed store\n"
        "(/var/lib/grove by default) and prints them top-most first. See grove-image(8).",
    .flags = {value_flag(FlagKind::kString, "output", "the image file to write", {"o"}),
              value_flag(FlagKind::kString, "digest-xattr",
                         "the xattr name of the per-file SHA-256 fingerprint", {},
                         "trusted.erofs.fingerprint"),
              bool_flag("no-digest", "write no fingerprints (and no page-cache sharing fields)"),
              value_flag(FlagKind::kInt, "mtime", "set every file's mtime to SECONDS"),
              value_flag(FlagKind::kString, "store", "the image store directory (not tmpfs)", {},
                         "/var/lib/grove"),
              value_flag(FlagKind::kString, "name", "the stored image name (convert)"),
              bool_flag("overlay-whiteouts",
                        "turn OCI whiteouts (.wh.*) into overlayfs whiteouts and opaque dirs")},
    .args = ArgCount::at_least(1),
    .flags_before_args_only = false,
    .hidden = false,
    .handler = run_image,
}};

}  // namespace
}  // namespace grove::cli
