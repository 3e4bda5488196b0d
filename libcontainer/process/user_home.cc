// HOME from the container's /etc/passwd (user_home.h).

#include "libcontainer/process/user_home.h"

#include <fcntl.h>

#include "libcontainer/base/strings.h"
#include "libcontainer/mount/resolve.h"

namespace grove::process {
namespace {

constexpr std::size_t kMaxPasswd = 4u << 20;  // a passwd file past this is not read at all

// runc's default exec user home (libcontainer/init_linux.go: defaultExecUser.Home).
constexpr const char* kDefaultHome = "/";

Result<UniqueFd> open_passwd(sys::Ops& ops) {
  GROVE_ASSIGN_OR_RETURN(UniqueFd root, ops.openat(AT_FDCWD, "/", O_PATH | O_DIRECTORY, 0));
  // open_in_root falls back to the component walk itself when openat2 is ENOSYS.
  return mount::open_in_root(ops, root.get(), "/etc/passwd", O_RDONLY,
                             mount::ResolveMode::kOpenat2);
}

Result<std::string> read_all(sys::Ops& ops, int fd) {
  std::string text;
  for (;;) {
    GROVE_ASSIGN_OR_RETURN(std::string chunk, ops.read(fd, 65536));
    if (chunk.empty()) return text;
    text += chunk;
    if (text.size() > kMaxPasswd) return Error::plain(EFBIG, "/etc/passwd too large");
  }
}

}  // namespace

std::optional<std::string> passwd_home(std::string_view passwd, uid_t uid) {
  for (const std::string& line : split(std::string(passwd), '\n')) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> f = split(line, ':');
    if (f.size() < 6) continue;
    long long v = 0;
    if (!parse_int64(f[2], &v) || v < 0 || static_cast<unsigned long long>(v) != uid) continue;
    return f[5];
  }
  return std::nullopt;
}

bool has_home(const std::vector<std::string>& env) {
  for (const std::string& kv : env) {
    if (starts_with(kv, "HOME=")) return true;
  }
  return false;
}

std::string lookup_home(sys::Ops& ops, uid_t uid) {
  auto fd = open_passwd(ops);
  if (!fd) return kDefaultHome;
  auto text = read_all(ops, fd->get());
  if (!text) return kDefaultHome;
  return passwd_home(*text, uid).value_or(kDefaultHome);
}

std::vector<std::string> env_with_home(sys::Ops& ops, std::vector<std::string> env, uid_t uid) {
  if (has_home(env)) return env;
  env.push_back("HOME=" + lookup_home(ops, uid));
  return env;
}

}  // namespace grove::process
