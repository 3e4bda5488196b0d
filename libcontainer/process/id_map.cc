// User namespace id maps written by the parent (id_map.h).

#include "libcontainer/process/id_map.h"

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <optional>

#include "libcontainer/base/strings.h"
#include "libcontainer/process/spawn.h"
#include "libcontainer/security/procfs.h"

namespace grove::process {
namespace {

constexpr std::size_t kMaxHelperOutput = 4096;

std::string join_args(const std::vector<std::string>& argv) {
  std::string out;
  for (const std::string& a : argv) out += (out.empty() ? "" : " ") + a;
  return out;
}

// argv[0] as an absolute path: itself, or the first kIdMapHelperDirs entry holding it.
Result<std::string> find_helper(sys::Ops& ops, const std::string& name) {
  if (!name.empty() && name[0] == '/') return name;
  std::string dirs;
  for (const char* dir : kIdMapHelperDirs) {
    std::string path = std::string(dir) + "/" + name;
    if (ops.fstatat(AT_FDCWD, path, 0)) return path;
    dirs += (dirs.empty() ? "" : ", ") + std::string(dir);
  }
  return Error::plain(ENOENT, name + " not found in " + dirs +
                                  " (install the \"uidmap\" package, or map only your own id)");
}

// The helper's side of the clone: output to the pipe, then execve; 127 when that fails.
[[noreturn]] void helper_child(sys::Ops& ops, const std::string& path,
                               const std::vector<std::string>& argv, int out_fd) {
  Status st = ops.dup3(out_fd, 1, 0);
  if (st) st = ops.dup3(out_fd, 2, 0);
  if (st) st = ops.execve(path, argv, {});
  std::string msg = "exec " + path + ": " + (st ? std::string("returned") : st.error().message());
  (void)ops.write(2, msg + "\n");
  ::_exit(127);
}

Status read_all(sys::Ops& ops, int fd, std::string* out) {
  for (;;) {
    auto chunk = ops.read(fd, 1024);
    if (!chunk) {
      if (chunk.error().code() == EINTR) continue;
      return std::move(chunk).error();
    }
    if (chunk->empty()) return ok();
    if (out->size() < kMaxHelperOutput) out->append(*chunk);
  }
}

Status write_direct(sys::Ops& ops, pid_t pid, const char* file,
                    const std::vector<oci::IdMapping>& mappings) {
  std::string path = "/proc/" + std::to_string(pid) + "/" + file;
  return security::write_proc_file(ops, path, format_id_map(mappings));
}

}  // namespace

IdMapWriter choose_id_map_writer(const std::vector<oci::IdMapping>& mappings, uid_t caller_euid,
                                 uint32_t caller_id) {
  if (mappings.empty()) return IdMapWriter::kNone;
  if (caller_euid == 0) return IdMapWriter::kDirect;
  // user_namespaces(7): without CAP_SETUID/CAP_SETGID in the parent namespace, one line whose
  // host id is the writer's own effective id, of length 1.
  if (mappings.size() == 1 && mappings[0].size == 1 && mappings[0].host_id == caller_id) {
    return IdMapWriter::kDirect;
  }
  return IdMapWriter::kHelper;
}

std::vector<std::string> id_map_helper_argv(const std::string& binary, pid_t pid,
                                            const std::vector<oci::IdMapping>& mappings) {
  std::vector<std::string> argv = {binary, std::to_string(pid)};
  for (const oci::IdMapping& m : mappings) {
    argv.push_back(std::to_string(m.container_id));
    argv.push_back(std::to_string(m.host_id));
    argv.push_back(std::to_string(m.size));
  }
  return argv;
}

Result<RunningHelper> start_id_map_helper(sys::Ops& ops, const std::vector<std::string>& argv) {
  if (argv.empty()) return Error::invalid("run_id_map_helper: empty argv");
  GROVE_ASSIGN_OR_RETURN(std::string path, find_helper(ops, argv[0]));
  GROVE_ASSIGN_OR_RETURN(sys::FdPair out, ops.pipe2(0));
  sys::CloneArgs args;
  args.exit_signal = SIGCHLD;
  GROVE_ASSIGN_OR_RETURN(sys::CloneResult child,
                         ops.clone3(args).context([&] { return join_args(argv); }));
  if (child.pid == 0) helper_child(ops, path, argv, out.second.get());
  return RunningHelper{argv, child.pid, std::move(out.first)};
}

Status finish_id_map_helper(sys::Ops& ops, RunningHelper helper) {
  auto frame = [&] { return join_args(helper.argv); };
  std::string output;
  Status read = read_all(ops, helper.output.get(), &output);
  GROVE_ASSIGN_OR_RETURN(sys::WaitStatus ws, ops.waitpid(helper.pid, 0).context(frame));
  GROVE_TRY(std::move(read).context(frame));
  if (ws.exited() && ws.status == 0) return ok();
  std::string what = ws.exited() ? "exit status " + std::to_string(ws.status)
                                 : "killed by signal " + std::to_string(ws.status);
  while (!output.empty() && (output.back() == '\n' || output.back() == ' ')) output.pop_back();
  if (!output.empty()) what += ", output: " + q(output);
  return Error::plain(EPERM, frame() + ": " + what);
}

Status run_id_map_helper(sys::Ops& ops, const std::vector<std::string>& argv) {
  GROVE_ASSIGN_OR_RETURN(RunningHelper h, start_id_map_helper(ops, argv));
  return finish_id_map_helper(ops, std::move(h));
}

Status write_id_maps(sys::Ops& ops, pid_t pid, const oci::Linux& linux) {
  const uid_t euid = ::geteuid();
  const IdMapWriter uid_writer = choose_id_map_writer(linux.uid_mappings, euid, euid);
  const IdMapWriter gid_writer = choose_id_map_writer(linux.gid_mappings, euid, ::getegid());
  // Both setuid helpers run at once: each is a few ms of exec and dynamic linking.
  std::optional<RunningHelper> uid_helper, gid_helper;
  if (uid_writer == IdMapWriter::kHelper) {
    GROVE_ASSIGN_OR_RETURN(
        uid_helper,
        start_id_map_helper(ops, id_map_helper_argv("newuidmap", pid, linux.uid_mappings)));
  }
  if (gid_writer == IdMapWriter::kHelper) {
    // newgidmap leaves setgroups allowed: the subordinate gids are the caller's to use.
    auto started =
        start_id_map_helper(ops, id_map_helper_argv("newgidmap", pid, linux.gid_mappings));
    if (!started) {
      if (uid_helper) (void)finish_id_map_helper(ops, std::move(*uid_helper));
      return std::move(started).error();
    }
    gid_helper = std::move(*started);
  }
  Status uid_st = uid_helper ? finish_id_map_helper(ops, std::move(*uid_helper)) : ok();
  Status gid_st = gid_helper ? finish_id_map_helper(ops, std::move(*gid_helper)) : ok();
  GROVE_TRY(std::move(uid_st));
  GROVE_TRY(std::move(gid_st));
  if (uid_writer == IdMapWriter::kDirect) {
    GROVE_TRY(write_direct(ops, pid, "uid_map", linux.uid_mappings));
  }
  if (gid_writer == IdMapWriter::kDirect) {
    // Unprivileged writers may map gids only after giving up setgroups(2) in the namespace
    // (user_namespaces(7), CVE-2014-8989); runc does the same without newgidmap.
    std::string setgroups = "/proc/" + std::to_string(pid) + "/setgroups";
    if (euid != 0) GROVE_TRY(security::write_proc_file(ops, setgroups, "deny"));
    GROVE_TRY(write_direct(ops, pid, "gid_map", linux.gid_mappings));
  }
  return ok();
}

}  // namespace grove::process
