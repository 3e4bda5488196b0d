// `grove sandbox`: reading the host for the pure builder, the state root (sandbox.h).

#include "libcontainer/container/sandbox.h"

#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <optional>
#include <random>

#include "libcontainer/base/strings.h"
#include "libcontainer/image/root_spec.h"
#include "libcontainer/process/id_map.h"

namespace grove::container {
namespace {

constexpr long kTmpfsMagic = 0x01021994;  // TMPFS_MAGIC, linux/magic.h

std::optional<std::string> read_optional(sys::Ops& ops, const std::string& path) {
  auto text = ops.read_file_at(AT_FDCWD, path);
  if (!text) return std::nullopt;
  return std::move(*text);
}

Status check_userns(sys::Ops& ops) {
  auto max = read_optional(ops, "/proc/sys/user/max_user_namespaces");
  auto clone = read_optional(ops, "/proc/sys/kernel/unprivileged_userns_clone");
  auto apparmor = read_optional(ops, "/proc/sys/kernel/apparmor_restrict_unprivileged_userns");
  std::string why = userns_disabled_reason(max, clone, apparmor);
  if (!why.empty()) return Error::plain(EPERM, why);
  return ok();
}

// EROFS cannot be mounted in a user namespace (no FS_USERNS_MOUNT): an unprivileged sandbox
// cannot use an image root; say so instead of failing obscurely later. Always returns an error.
Status refuse_image(sys::Ops& ops, const std::string& image) {
  GROVE_ASSIGN_OR_RETURN(struct statfs fs,
                         ops.statfs(image).context([&] { return "--image " + q(image); }));
  std::string msg = "--image " + q(image) +
                    ": not supported for an unprivileged user: the kernel does not allow "
                    "mounting EROFS in a user namespace; run as root, or unpack the image and "
                    "use --rootfs DIR";
  if (static_cast<long>(fs.f_type) == kTmpfsMagic) {
    msg +=
        "; note also that the image is on tmpfs, and file-backed EROFS needs a backing file "
        "on a real filesystem (tmpfs has no read_folio): move it to disk";
  }
  return Error::plain(ENOTSUP, msg);
}

std::string user_name(uid_t uid) {
  struct passwd pw;
  struct passwd* found = nullptr;
  char buf[4096];
  if (::getpwuid_r(uid, &pw, buf, sizeof buf, &found) == 0 && found != nullptr) {
    return found->pw_name;
  }
  return std::to_string(uid);
}

bool helpers_found(sys::Ops& ops) {
  auto has = [&](const char* name) {
    for (const char* dir : process::kIdMapHelperDirs) {
      if (ops.fstatat(AT_FDCWD, std::string(dir) + "/" + name, 0)) return true;
    }
    return false;
  };
  return has("newuidmap") && has("newgidmap");
}

Result<SandboxMapping> find_mapping(sys::Ops& ops, const SandboxRequest& req, uid_t uid,
                                    std::vector<std::string>& notes) {
  GROVE_ASSIGN_OR_RETURN(SandboxMap mode, parse_sandbox_map(req.map));
  const std::string user = user_name(uid);
  std::string subuid = read_optional(ops, "/etc/subuid").value_or("");
  std::string subgid = read_optional(ops, "/etc/subgid").value_or("");
  GROVE_ASSIGN_OR_RETURN(SandboxMapping m,
                         decide_sandbox_mapping(mode, user, parse_subid(subuid, user, uid),
                                                parse_subid(subgid, user, uid),
                                                mode != SandboxMap::kRoot && helpers_found(ops)));
  if (!m.note.empty()) notes.push_back(m.note);
  return m;
}

// The state root: created 0700 when missing (also its parent for $XDG_RUNTIME_DIR/grove is the
// user's own); an existing one must be a directory of ours that nobody else can write, since a
// planted directory in /tmp would let another user swap state files.
Status prepare_state_root(sys::Ops& ops, const std::string& root, uid_t uid) {
  auto made = ops.mkdirat(AT_FDCWD, root, 0700);
  if (!made && made.error().code() != EEXIST) {
    return std::move(made).error().context("state directory " + q(root) +
                                           " (set XDG_RUNTIME_DIR to a directory of yours, or "
                                           "pass --root)");
  }
  GROVE_ASSIGN_OR_RETURN(struct stat st, ops.fstatat(AT_FDCWD, root, AT_SYMLINK_NOFOLLOW));
  if (!S_ISDIR(st.st_mode) || st.st_uid != uid || (st.st_mode & 022) != 0) {
    return Error::plain(EPERM, "refusing state directory " + q(root) +
                                   ": not a directory owned by uid " + std::to_string(uid) +
                                   " and writable only by it (remove it, or pass --root)");
  }
  return ok();
}

// With the host's / as the root, a missing mount point would be created on the host itself (the
// root is made read-only only after the mounts), so volume destinations must exist already,
// unless they are under the sandbox's own tmpfs /tmp (like bwrap, which refuses them too).
Status check_host_destinations(sys::Ops& ops, const std::vector<Volume>& volumes) {
  for (const Volume& v : volumes) {
    if (v.destination == "/tmp" || starts_with(v.destination, "/tmp/")) continue;
    if (ops.fstatat(AT_FDCWD, v.destination, 0)) continue;
    return Error::plain(ENOENT, "volume destination " + q(v.destination) +
                                    " does not exist on the host's / (the sandbox's read-only "
                                    "root): create it first, bind under /tmp, or use --rootfs");
  }
  return ok();
}

// Writable host mounts below / that the caller can reach (the others it cannot use from inside
// either, and binding them would fail with EACCES).
std::vector<std::string> host_readonly_submounts(sys::Ops& ops) {
  std::string mountinfo = read_optional(ops, "/proc/self/mountinfo").value_or("");
  std::vector<std::string> out;
  for (std::string& p : sandbox_readonly_submounts(writable_mount_points(mountinfo))) {
    if (ops.fstatat(AT_FDCWD, p, AT_SYMLINK_NOFOLLOW)) out.push_back(std::move(p));
  }
  return out;
}

Result<SandboxSpecOptions> spec_options(sys::Ops& ops, const SandboxRequest& req,
                                        std::vector<std::string>& notes) {
  SandboxSpecOptions o;
  o.cwd = req.cwd;
  if (!req.image.empty()) {
    // The root is the image (create mounts it from the annotation): like a --rootfs, not the
    // host's "/".
    o.rootfs = req.image[0] == '/' ? req.image : req.cwd + "/" + req.image;
    GROVE_ASSIGN_OR_RETURN(struct stat st, ops.fstatat(AT_FDCWD, o.rootfs, 0).context([&] {
      return "--image " + q(req.image);
    }));
    if (!S_ISREG(st.st_mode))
      return Error::invalid("--image " + q(req.image) + ": not a regular file");
  } else if (!req.rootfs.empty()) {
    o.rootfs = req.rootfs[0] == '/' ? req.rootfs : req.cwd + "/" + req.rootfs;
    GROVE_ASSIGN_OR_RETURN(struct stat st, ops.fstatat(AT_FDCWD, o.rootfs, 0).context([&] {
      return "--rootfs " + q(req.rootfs);
    }));
    if (!S_ISDIR(st.st_mode))
      return Error::plain(ENOTDIR, "--rootfs " + q(req.rootfs) + ": not a directory");
  }
  for (const std::string& v : req.volumes) {
    GROVE_ASSIGN_OR_RETURN(Volume vol, parse_volume(v, req.cwd));
    o.volumes.push_back(std::move(vol));
  }
  if (o.rootfs.empty()) {
    GROVE_TRY(check_host_destinations(ops, o.volumes));
    o.readonly_submounts = host_readonly_submounts(ops);
  }
  GROVE_ASSIGN_OR_RETURN(o.net, parse_sandbox_net(req.net));
  o.uid = ::geteuid();
  o.gid = ::getegid();
  GROVE_ASSIGN_OR_RETURN(SandboxMapping m, find_mapping(ops, req, o.uid, notes));
  o.subuids = std::move(m.subuids);
  o.subgids = std::move(m.subgids);
  o.command = req.command;
  o.env = req.env;
  o.terminal = static_cast<bool>(ops.tcgetattr(0));
  return o;
}

}  // namespace

Result<PreparedSandbox> prepare_sandbox(sys::Ops& ops, const SandboxRequest& req) {
  if (!req.image.empty() && !req.rootfs.empty())
    return Error::invalid("--image and --rootfs are exclusive");
  if (!req.image.empty() && ::geteuid() != 0) {
    Status refused = refuse_image(ops, req.image);
    return std::move(refused).error();  // always an error
  }
  if (req.command.empty())
    return Error::invalid("sandbox: no command given (grove sandbox -- CMD)");
  PreparedSandbox out;
  GROVE_ASSIGN_OR_RETURN(SandboxSpecOptions so, spec_options(ops, req, out.notes));
  if (::geteuid() != 0) GROVE_TRY(check_userns(ops));
  GROVE_ASSIGN_OR_RETURN(out.create.spec, sandbox_spec(so));
  if (!req.image.empty()) {
    // One layer with the default tmpfs upper (image/root_spec.h); create checks the file.
    out.create.spec.annotations[std::string(image::kImagesAnnotation)] = so.rootfs;
  }
  std::random_device rd;
  out.create.id = sandbox_id(ops.getpid(), static_cast<uint32_t>(rd()));
  out.create.bundle = req.cwd;
  out.create.root = req.state_root;
  GROVE_TRY(prepare_state_root(ops, req.state_root, ::geteuid()));
  return out;
}

Error explain_sandbox_error(Error e) {
  const int code = e.code();
  const std::string frames = e.frames();
  if (frames.find("clone3(") == std::string::npos ||
      frames.find("CLONE_NEWUSER") == std::string::npos) {
    return e;
  }
  if (code == ENOSPC || code == EUSERS) {
    return std::move(e).context(
        "the user namespace limit is reached (raise user.max_user_namespaces with sysctl)");
  }
  if (code == EPERM || code == EACCES) {
    return std::move(e).context(
        "the kernel refused to create a user namespace (check user.max_user_namespaces, "
        "kernel.unprivileged_userns_clone and kernel.apparmor_restrict_unprivileged_userns "
        "with sysctl, and any seccomp policy around grove)");
  }
  return e;
}

}  // namespace grove::container
