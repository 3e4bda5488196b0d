// tmpcopyup: the recursive copy (copy_up.h). runc does it with fileutils.CopyDirectory from a
// /proc/self/fd path into a scratch tmpfs on the host, crun with copy_recursive_fd_to_fd after the
// mount; grove copies fd-relative from the resolved destination into the still-detached tmpfs.

#include "libcontainer/mount/copy_up.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>

#include "libcontainer/base/strings.h"

namespace grove::mount {
namespace {

// Deeper than this is a loop through bind mounts (a/b bound onto a/b/c/...), not a real tree.
constexpr int kMaxDepth = 256;
// One read(2) per chunk; /run and /tmp hold small files.
constexpr size_t kChunk = 128 * 1024;
// Permission bits plus setuid/setgid/sticky.
constexpr mode_t kModeBits = 07777;

std::string child_path(const std::string& dir, const std::string& name) {
  return dir == "/" ? "/" + name : dir + "/" + name;
}

struct Copier {
  sys::Ops& ops;

  // chown first: chown(2) of a non-directory clears setuid/setgid, chmod then restores them.
  Status owner_and_mode(int fd, const struct stat& st) {
    GROVE_TRY(ops.fchownat(fd, "", st.st_uid, st.st_gid, AT_EMPTY_PATH));
    return ops.fchmod(fd, st.st_mode & kModeBits);
  }

  Status file(int src, int dst, const std::string& name) {
    // O_NONBLOCK: should the file have become a fifo since the fstatat, open must not block.
    GROVE_ASSIGN_OR_RETURN(UniqueFd in,
                           ops.openat(src, name, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK, 0));
    GROVE_ASSIGN_OR_RETURN(struct stat st, ops.fstat(in.get()));
    if (!S_ISREG(st.st_mode)) return Error::from_errno(ESTALE, "changed type during the copy");
    GROVE_ASSIGN_OR_RETURN(UniqueFd out,
                           ops.openat(dst, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0600));
    for (;;) {
      GROVE_ASSIGN_OR_RETURN(std::string chunk, ops.read(in.get(), kChunk));
      if (chunk.empty()) break;
      GROVE_TRY(ops.write(out.get(), chunk));
    }
    return owner_and_mode(out.get(), st);
  }

  Status symlink(int src, int dst, const std::string& name, const struct stat& st) {
    GROVE_ASSIGN_OR_RETURN(std::string target, ops.readlinkat(src, name));
    GROVE_TRY(ops.symlinkat(target, dst, name));
    return ops.fchownat(dst, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW);
  }

  // fifo, socket, char/block device. EPERM for a device without CAP_MKNOD in the user namespace
  // is returned, not skipped (runc and crun fail the same way).
  Status special(int dst, const std::string& name, const struct stat& st) {
    GROVE_TRY(ops.mknodat(dst, name, st.st_mode & (S_IFMT | kModeBits), st.st_rdev));
    GROVE_TRY(ops.fchownat(dst, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW));
    // mknodat's mode went through the umask and chown cleared setuid/setgid. fchmodat follows
    // symlinks, which is safe here: `name` is the node just made in a detached mount that only
    // this process can reach (and an O_PATH fd cannot be fchmod'ed).
    return ops.fchmodat(dst, name, st.st_mode & kModeBits, 0);
  }

  Status directory(int src, int dst, const std::string& name, const struct stat& st,
                   const std::string& path, int depth) {
    auto frame = [&] { return "copy " + q(path); };
    if (depth >= kMaxDepth) {
      return Error::from_errno(ELOOP, "more than 256 nested directories").context(frame());
    }
    GROVE_TRY(ops.mkdirat(dst, name, 0700).context(frame));
    GROVE_ASSIGN_OR_RETURN(
        UniqueFd from, ops.openat(src, name, O_PATH | O_DIRECTORY | O_NOFOLLOW, 0).context(frame));
    GROVE_ASSIGN_OR_RETURN(
        UniqueFd to, ops.openat(dst, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0).context(frame));
    GROVE_TRY(tree(from.get(), to.get(), path, depth + 1));
    // Last, so that a 0555 directory still took its entries.
    return owner_and_mode(to.get(), st).context(frame);
  }

  Status entry(int src, int dst, const std::string& name, const std::string& path, int depth) {
    auto frame = [&] { return "copy " + q(path); };
    GROVE_ASSIGN_OR_RETURN(struct stat st,
                           ops.fstatat(src, name, AT_SYMLINK_NOFOLLOW).context(frame));
    if (S_ISDIR(st.st_mode)) return directory(src, dst, name, st, path, depth);
    if (S_ISREG(st.st_mode)) return file(src, dst, name).context(frame);
    if (S_ISLNK(st.st_mode)) return symlink(src, dst, name, st).context(frame);
    return special(dst, name, st).context(frame);
  }

  // The entries of `src` into `dst`, in name order (a stable order for traces and errors).
  Status tree(int src, int dst, const std::string& path, int depth) {
    GROVE_ASSIGN_OR_RETURN(std::vector<std::string> names,
                           ops.list_dir(src, "").context([&] { return "copy " + q(path); }));
    std::sort(names.begin(), names.end());
    for (const std::string& name : names) {
      GROVE_TRY(entry(src, dst, name, child_path(path, name), depth));
    }
    return ok();
  }
};

}  // namespace

bool copy_up_root_mode(const std::vector<std::string>& data) {
  return std::none_of(data.begin(), data.end(),
                      [](const std::string& d) { return d.compare(0, d.find('='), "mode") == 0; });
}

Status copy_up(sys::Ops& ops, int src_dir, int dst_root, const std::string& path, bool root_mode) {
  auto frame = [&] { return "copy " + q(path); };
  // fsmount(2) returns an O_PATH fd: reopen the root for fchmod (openat on it works).
  GROVE_ASSIGN_OR_RETURN(UniqueFd dst,
                         ops.openat(dst_root, ".", O_RDONLY | O_DIRECTORY, 0).context(frame));
  Copier copier{ops};
  GROVE_TRY(copier.tree(src_dir, dst.get(), path, 0));
  if (!root_mode) return ok();
  GROVE_ASSIGN_OR_RETURN(struct stat st, ops.fstat(src_dir).context(frame));
  return ops.fchmod(dst.get(), st.st_mode & kModeBits).context(frame);
}

}  // namespace grove::mount
