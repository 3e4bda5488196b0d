#include "tests/clients/client_env.h"

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <pwd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/support/files.h"

namespace grove::testing {
namespace fs = std::filesystem;

namespace {

constexpr const char* kUser = "grove-podman";
constexpr const char* kSubIds = "400000-465535";
constexpr const char* kApplets[] = {"sh",   "true",  "false", "sleep", "cat",   "echo", "ls",
                                    "id",   "touch", "mkdir", "grep",  "head",  "tty",  "stty",
                                    "kill", "ps",    "env",   "wc",    "mount", "rm",   "hostname"};

// "K='v' K2='v2' ": for env(1), whose following argument is the command.
std::string env_args(const std::map<std::string, std::string>& env) {
  std::string out;
  for (const auto& [k, v] : env) out += k + "=" + shq(v) + " ";
  return out;
}

// "export K='v'; ...": for a shell line, where pipelines and lists all see the variables.
std::string env_prefix(const std::map<std::string, std::string>& env) {
  std::string out;
  for (const auto& [k, v] : env) out += "export " + k + "=" + shq(v) + "; ";
  return out;
}

}  // namespace

std::string shq(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string missing_programs(const std::vector<std::string>& programs) {
  for (const std::string& p : programs) {
    bool found = false;
    for (const char* dir : {"/usr/sbin", "/usr/bin", "/sbin", "/bin"}) {
      if (::access((std::string(dir) + "/" + p).c_str(), X_OK) == 0) found = true;
    }
    if (!found) return "needs " + p + " (apt-get install " + p + "; scripts/test installs it)";
  }
  return "";
}

std::string ensure_test_user(TestUser* user) {
  if (::geteuid() != 0) return "rootless scenarios need root to set up their test user";
  if (read_text_file("/proc/sys/user/max_user_namespaces").starts_with("0")) {
    return "user namespaces are disabled (sysctl user.max_user_namespaces=0)";
  }
  std::string q = std::string(kUser);
  if (::getpwnam(kUser) == nullptr &&
      std::system(("useradd -m -s /bin/sh " + q + " >/dev/null 2>&1").c_str()) != 0) {
    return "useradd " + q + " failed";
  }
  if (read_text_file("/etc/subuid").find(q + ":") == std::string::npos &&
      std::system(("usermod --add-subuids " + std::string(kSubIds) + " --add-subgids " +
                   kSubIds + " " + q + " >/dev/null 2>&1")
                      .c_str()) != 0) {
    return "usermod --add-subuids failed for " + q;
  }
  struct passwd* pw = ::getpwnam(kUser);
  if (pw == nullptr) return "no passwd entry for " + q + " after useradd";
  user->name = q;
  user->uid = pw->pw_uid;
  user->gid = pw->pw_gid;
  user->home = pw->pw_dir;
  user->runtime_dir = "/run/user/" + std::to_string(pw->pw_uid);
  std::istringstream subuid(read_text_file("/etc/subuid"));
  for (std::string line; std::getline(subuid, line);) {
    if (line.starts_with(q + ":")) {
      user->subuid_start = std::stoul(line.substr(q.size() + 1));
      break;
    }
  }
  std::error_code ec;
  fs::create_directories(user->runtime_dir, ec);
  if (::chown(user->runtime_dir.c_str(), user->uid, user->gid) != 0 ||
      ::chmod(user->runtime_dir.c_str(), 0700) != 0) {
    return "cannot prepare " + user->runtime_dir;
  }
  return "";
}

void kill_user_processes(const TestUser& user) {
  if (user.name.empty()) return;
  for (int i = 0; i < 50; ++i) {
    if (std::system(("pkill -KILL -u " + user.name + " >/dev/null 2>&1").c_str()) != 0) return;
    ::usleep(100 * 1000);
  }
}

std::string ClientEnv::init(const std::string& grove_binary) {
  char templ[] = "/tmp/grove-clients-XXXXXX";
  if (::mkdtemp(templ) == nullptr) return std::string("mkdtemp: ") + std::strerror(errno);
  dir_ = templ;
  ::chmod(dir_.c_str(), 0755);
  cgroup_parent_ = "/grove-test/" + fs::path(dir_).filename().string();
  std::error_code ec;
  fs::create_directories(dir_ + "/bin", ec);
  grove_ = dir_ + "/bin/grove";
  fs::copy_file(grove_binary, grove_, ec);
  if (ec) return "copy " + grove_binary + ": " + ec.message();
  fs::permissions(grove_, fs::perms(0755), ec);
  rootfs_ = dir_ + "/rootfs";
  for (const char* d : {"/bin", "/etc", "/tmp", "/run", "/var/tmp", "/home"}) {
    fs::create_directories(rootfs_ + d, ec);
  }
  fs::copy_file("/bin/busybox", rootfs_ + "/bin/busybox", ec);
  if (ec) return "copy /bin/busybox: " + ec.message();
  for (const char* a : kApplets) fs::create_symlink("busybox", rootfs_ + "/bin/" + a, ec);
  std::ofstream(rootfs_ + "/etc/passwd") << "root:x:0:0:root:/root:/bin/sh\n";
  std::ofstream(rootfs_ + "/etc/group") << "root:x:0:\n";
  std::ofstream(rootfs_ + "/run/marker") << "from the image\n";
  return "";
}

ClientEnv::~ClientEnv() {
  if (dir_.empty()) return;
  for (const std::string& m : leftover_mounts()) ::umount2(m.c_str(), MNT_DETACH);
  std::error_code ec;
  fs::remove_all(dir_, ec);
  // Deepest first: rmdir only removes empty cgroups, so a parent goes after its children.
  std::vector<std::string> cg = leftover_cgroups();
  for (auto it = cg.rbegin(); it != cg.rend(); ++it) ::rmdir(it->c_str());
}

RunOptions ClientEnv::next_options() const {
  RunOptions o;
  int n = seq_++;
  o.out_path = dir_ + "/.out-" + std::to_string(n);
  o.err_path = dir_ + "/.err-" + std::to_string(n);
  return o;
}

Ran ClientEnv::sh(const std::string& command, const std::map<std::string, std::string>& env) const {
  RunOptions o = next_options();
  Ran r = run_shell(env_prefix(env) + command, o);
  ::unlink(o.out_path.c_str());
  ::unlink(o.err_path.c_str());
  return r;
}

Ran ClientEnv::sh_tty(const std::string& command,
                      const std::map<std::string, std::string>& env) const {
  int master = -1, peer = -1;
  struct winsize ws = {24, 80, 0, 0};
  if (::openpty(&master, &peer, nullptr, nullptr, &ws) != 0) return Ran{};
  RunOptions o = next_options();
  o.terminal_fd = peer;
  pid_t pid = spawn_binary({"/bin/sh", "-c", env_prefix(env) + command}, o);
  ::close(peer);
  std::string screen;
  for (;;) {
    struct pollfd p = {master, POLLIN, 0};
    int n = ::poll(&p, 1, 200);
    if (n > 0) {
      char buf[4096];
      ssize_t got = ::read(master, buf, sizeof buf);
      if (got > 0) {
        screen.append(buf, static_cast<size_t>(got));
        continue;
      }
      if (got < 0 && errno == EINTR) continue;
    }
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      // Drain what is left on the terminal, then report like finish_binary.
      while (::poll(&p, 1, 50) > 0) {
        char buf[4096];
        ssize_t got = ::read(master, buf, sizeof buf);
        if (got <= 0) break;
        screen.append(buf, static_cast<size_t>(got));
      }
      ::close(master);
      Ran r;
      r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 1000 + WTERMSIG(status);
      r.out = screen;
      r.err = read_text_file(o.err_path);
      ::unlink(o.out_path.c_str());
      ::unlink(o.err_path.c_str());
      return r;
    }
    if (n < 0 && errno != EINTR) break;
  }
  ::close(master);
  return finish_binary(pid, o);
}

Ran ClientEnv::sh_as(const TestUser& user, const std::string& command,
                     const std::map<std::string, std::string>& env) const {
  std::map<std::string, std::string> all = {
      {"HOME", user.home},
      {"USER", user.name},
      {"LOGNAME", user.name},
      {"PATH", "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"},
      {"XDG_RUNTIME_DIR", user.runtime_dir}};
  for (const auto& [k, v] : env) all[k] = v;
  std::string cmd = "cd / && exec setpriv --reuid=" + std::to_string(user.uid) +
                    " --regid=" + std::to_string(user.gid) + " --init-groups env -i " +
                    env_args(all) + "/bin/sh -c " + shq(command);
  return sh(cmd);
}

Ran ClientEnv::sh_crun(const std::string& command,
                       const std::map<std::string, std::string>& env) const {
  std::string inner = "umount -l /sys/fs/cgroup/unified 2>/dev/null; " + env_prefix(env) + command;
  return sh("unshare -m --propagation private /bin/sh -c " + shq(inner));
}

std::vector<std::string> ClientEnv::leftover_cgroups() const {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& h : fs::directory_iterator("/sys/fs/cgroup", ec)) {
    std::string top = h.path().string() + cgroup_parent_;
    if (!fs::is_directory(top, ec)) continue;
    out.push_back(top);
    for (auto it = fs::recursive_directory_iterator(top, ec);
         it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (it->is_directory(ec)) out.push_back(it->path().string());
    }
  }
  return out;
}

std::vector<std::string> ClientEnv::leftover_mounts() const {
  std::vector<std::string> out;
  std::istringstream mi(read_text_file("/proc/self/mountinfo"));
  std::string line;
  while (std::getline(mi, line)) {
    std::istringstream f(line);
    std::string id, parent, dev, root, point;
    f >> id >> parent >> dev >> root >> point;
    if (point.starts_with(dir_ + "/")) out.push_back(point);
  }
  // Deepest first, so unmounting in order never hits a busy parent.
  std::sort(out.rbegin(), out.rend());
  return out;
}

}  // namespace grove::testing
