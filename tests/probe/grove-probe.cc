// grove-probe: a small static binary run as a container's process by the e2e tests. It prints one
// JSON object describing what the process sees (ids, capabilities, rlimits, fds, namespaces,
// mounts, scheduling, time namespace offsets, ...) and exits 0, so a test can assert every spec
// field from inside the container. Only libc and a few std containers are used; it is linked
// statically so it runs in any rootfs.
//
// Usage: grove-probe [--sysctl=KEY]...   (KEY dotted, as in config.json; its value is reported
// under "sysctl")
//        grove-probe --attack-exe=DEV:INO --seconds=N
//   CVE-2019-5736 attacker: for N seconds, scans every other process visible in /proc and tries
//   to open its /proc/<pid>/exe and /proc/<pid>/fd/* (O_PATH, then O_WRONLY); counts how often it
//   reached the file whose st_dev:st_ino is DEV:INO (the runtime binary) and how often it opened
//   it for writing, and prints {"attack":{...}} instead of the usual report.

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

extern char** environ;

namespace {

std::string quote(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

std::string read_file(const std::string& path, bool* ok = nullptr) {
  std::string out;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (ok != nullptr) *ok = fd >= 0;
  if (fd < 0) return out;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == sep) {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

// The value of "Key:\t..." in /proc/self/status, trimmed.
std::string status_field(const std::string& status, const std::string& key) {
  for (const std::string& line : split(status, '\n')) {
    if (line.compare(0, key.size() + 1, key + ":") == 0) {
      size_t i = key.size() + 1;
      while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
      return line.substr(i);
    }
  }
  return "";
}

std::string num_array(const std::vector<long long>& v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) out += (i ? "," : "") + std::to_string(v[i]);
  return out + "]";
}

std::string ids_json() {
  uid_t r, e, s;
  gid_t gr, ge, gs;
  getresuid(&r, &e, &s);
  getresgid(&gr, &ge, &gs);
  gid_t groups[256];
  int n = getgroups(256, groups);
  std::vector<long long> g;
  for (int i = 0; i < n; ++i) g.push_back(groups[i]);
  return "\"uid\":" + num_array({r, e, s}) + ",\"gid\":" + num_array({gr, ge, gs}) +
         ",\"groups\":" + num_array(g);
}

std::string env_json() {
  std::string out = "[";
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    out += (e == environ ? "" : ",") + quote(*e);
  }
  return out + "]";
}

std::string namespaces_json() {
  static const char* kNs[] = {"cgroup", "ipc", "mnt", "net", "pid", "time", "user", "uts"};
  std::string out = "{";
  bool first = true;
  for (const char* ns : kNs) {
    struct stat st;
    if (::stat((std::string("/proc/self/ns/") + ns).c_str(), &st) != 0) continue;
    out += (first ? "" : ",") + quote(ns) + ":" + std::to_string(st.st_ino);
    first = false;
  }
  return out + "}";
}

std::string caps_json(const std::string& status) {
  std::string out = "{";
  const char* kSets[] = {"CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"};
  for (size_t i = 0; i < 5; ++i) {
    out += (i ? "," : "") + quote(kSets[i]) + ":" + quote(status_field(status, kSets[i]));
  }
  return out + "}";
}

std::string rlimits_json() {
  struct Named {
    const char* name;
    int resource;
  };
  static const Named kLimits[] = {
      {"RLIMIT_AS", RLIMIT_AS},
      {"RLIMIT_CORE", RLIMIT_CORE},
      {"RLIMIT_CPU", RLIMIT_CPU},
      {"RLIMIT_DATA", RLIMIT_DATA},
      {"RLIMIT_FSIZE", RLIMIT_FSIZE},
      {"RLIMIT_LOCKS", RLIMIT_LOCKS},
      {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
      {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
      {"RLIMIT_NICE", RLIMIT_NICE},
      {"RLIMIT_NOFILE", RLIMIT_NOFILE},
      {"RLIMIT_NPROC", RLIMIT_NPROC},
      {"RLIMIT_RSS", RLIMIT_RSS},
      {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
      {"RLIMIT_RTTIME", RLIMIT_RTTIME},
      {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
      {"RLIMIT_STACK", RLIMIT_STACK},
  };
  std::string out = "{";
  bool first = true;
  for (const Named& l : kLimits) {
    struct rlimit r;
    if (::getrlimit(static_cast<__rlimit_resource>(l.resource), &r) != 0) continue;
    out += (first ? "" : ",") + quote(l.name) + ":[" + std::to_string(r.rlim_cur) + "," +
           std::to_string(r.rlim_max) + "]";
    first = false;
  }
  return out + "}";
}

// Open fds other than the one reading /proc/self/fd, with their targets.
std::string fds_json() {
  DIR* d = ::opendir("/proc/self/fd");
  if (d == nullptr) return "{}";
  int own = ::dirfd(d);
  std::string out = "{";
  bool first = true;
  while (struct dirent* e = ::readdir(d)) {
    if (e->d_name[0] == '.') continue;
    if (std::atoi(e->d_name) == own) continue;
    char target[4096];
    ssize_t n = ::readlinkat(own, e->d_name, target, sizeof target - 1);
    target[n > 0 ? n : 0] = '\0';
    out += (first ? "" : ",") + quote(e->d_name) + ":" + quote(target);
    first = false;
  }
  ::closedir(d);
  return out + "}";
}

std::string sched_json() {
  int policy = ::sched_getscheduler(0);
  struct sched_param sp;
  int prio = ::sched_getparam(0, &sp) == 0 ? sp.sched_priority : -1;
  errno = 0;
  int nice = ::getpriority(PRIO_PROCESS, 0);
  long ioprio = ::syscall(SYS_ioprio_get, 1 /* IOPRIO_WHO_PROCESS */, 0);
  return "\"scheduler\":{\"policy\":" + std::to_string(policy) +
         ",\"priority\":" + std::to_string(prio) + ",\"nice\":" + std::to_string(nice) +
         "},\"ioprio\":{\"class\":" + std::to_string(ioprio < 0 ? -1 : ioprio >> 13) +
         ",\"priority\":" + std::to_string(ioprio < 0 ? -1 : ioprio & 0x1fff) + "}";
}

std::string affinity_json() {
  cpu_set_t set;
  CPU_ZERO(&set);
  std::vector<long long> cpus;
  if (::sched_getaffinity(0, sizeof set, &set) == 0) {
    for (int c = 0; c < CPU_SETSIZE; ++c) {
      if (CPU_ISSET(c, &set)) cpus.push_back(c);
    }
  }
  return num_array(cpus);
}

std::string mempolicy_json() {
  int mode = -1;
  unsigned long mask[16] = {};
  long rc = ::syscall(SYS_get_mempolicy, &mode, mask, 16 * 8 * sizeof(unsigned long), nullptr, 0);
  std::vector<long long> nodes;
  for (int n = 0; rc == 0 && n < 16 * 64; ++n) {
    if (mask[n / 64] & (1UL << (n % 64))) nodes.push_back(n);
  }
  return "{\"mode\":" + std::to_string(rc == 0 ? mode : -1) + ",\"nodes\":" + num_array(nodes) +
         "}";
}

// mountinfo: "id parent maj:min root mountpoint opts [optional...] - fstype source superopts".
std::string mounts_json() {
  std::string out = "[";
  bool first = true;
  for (const std::string& line : split(read_file("/proc/self/mountinfo"), '\n')) {
    std::vector<std::string> f = split(line, ' ');
    size_t dash = 0;
    while (dash < f.size() && f[dash] != "-") ++dash;
    if (f.size() < 6 || dash + 3 >= f.size() + 1) continue;
    std::string fstype = dash + 1 < f.size() ? f[dash + 1] : "";
    std::string super = dash + 3 < f.size() ? f[dash + 3] : "";
    out += std::string(first ? "" : ",") + "{\"mount_point\":" + quote(f[4]) +
           ",\"fstype\":" + quote(fstype) + ",\"options\":" + quote(f[5]) +
           ",\"super_options\":" + quote(super) + "}";
    first = false;
  }
  return out + "]";
}

std::string timens_json() {
  bool ok = false;
  std::string text = read_file("/proc/self/timens_offsets", &ok);
  std::string out = "{";
  bool first = true;
  for (const std::string& line : split(text, '\n')) {
    std::vector<std::string> f;
    for (const std::string& w : split(line, ' ')) {
      if (!w.empty()) f.push_back(w);
    }
    if (f.size() != 3) continue;
    out += (first ? "" : ",") + quote(f[0]) + ":[" + f[1] + "," + f[2] + "]";
    first = false;
  }
  struct timespec mono, boot;
  ::clock_gettime(CLOCK_MONOTONIC, &mono);
  ::clock_gettime(CLOCK_BOOTTIME, &boot);
  return "\"timens_offsets\":" + out + "},\"clock\":{\"monotonic\":" + std::to_string(mono.tv_sec) +
         ",\"boottime\":" + std::to_string(boot.tv_sec) + "}";
}

std::string sysctls_json(int argc, char** argv) {
  std::string out = "{";
  bool first = true;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--sysctl=", 0) != 0) continue;
    std::string key = a.substr(9);
    std::string path = "/proc/sys/";
    for (char c : key) path += c == '.' ? '/' : c;
    bool ok = false;
    std::string v = read_file(path, &ok);
    while (!v.empty() && v.back() == '\n') v.pop_back();
    out += (first ? "" : ",") + quote(key) + ":" + (ok ? quote(v) : "null");
    first = false;
  }
  return out + "}";
}

// One attempt on `path`: does it lead to the target inode, and can it be opened for writing?
struct AttackCounts {
  long pids_seen = 0;        // distinct other pids scanned (summed over rounds)
  long paths_tried = 0;      // exe links and fd links tried
  long target_reached = 0;   // O_PATH open landed on the target inode
  long target_writable = 0;  // O_WRONLY open of a path that reached the target succeeded
  long writes = 0;           // bytes-level write attempts that succeeded (must stay 0)
};

void attack_path(const std::string& path, dev_t dev, ino_t ino, AttackCounts* c) {
  ++c->paths_tried;
  int fd = ::open(path.c_str(), O_PATH | O_CLOEXEC);
  if (fd < 0) return;
  struct stat st;
  bool hit = ::fstat(fd, &st) == 0 && st.st_dev == dev && st.st_ino == ino;
  ::close(fd);
  if (!hit) return;
  ++c->target_reached;
  int w = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (w < 0) return;
  ++c->target_writable;
  // Never actually damage the binary: an empty write proves the access.
  if (::write(w, "", 0) == 0) ++c->writes;
  ::close(w);
}

std::string attack_exe(const std::string& target, int seconds) {
  unsigned maj = 0, min = 0;
  unsigned long long ino = 0;
  std::sscanf(target.c_str(), "%u,%u:%llu", &maj, &min, &ino);
  dev_t dev = makedev(maj, min);
  AttackCounts c;
  std::string self = std::to_string(::getpid());
  struct timespec start, now;
  ::clock_gettime(CLOCK_MONOTONIC, &start);
  do {
    DIR* d = ::opendir("/proc");
    if (d == nullptr) break;
    while (struct dirent* e = ::readdir(d)) {
      if (e->d_name[0] < '0' || e->d_name[0] > '9' || self == e->d_name) continue;
      ++c.pids_seen;
      std::string base = std::string("/proc/") + e->d_name;
      attack_path(base + "/exe", dev, static_cast<ino_t>(ino), &c);
      DIR* fds = ::opendir((base + "/fd").c_str());
      if (fds == nullptr) continue;
      while (struct dirent* f = ::readdir(fds)) {
        if (f->d_name[0] == '.') continue;
        attack_path(base + "/fd/" + f->d_name, dev, static_cast<ino_t>(ino), &c);
      }
      ::closedir(fds);
    }
    ::closedir(d);
    ::clock_gettime(CLOCK_MONOTONIC, &now);
  } while (now.tv_sec - start.tv_sec < seconds);
  return "{\"attack\":{\"pids_seen\":" + std::to_string(c.pids_seen) +
         ",\"paths_tried\":" + std::to_string(c.paths_tried) +
         ",\"target_reached\":" + std::to_string(c.target_reached) +
         ",\"target_writable\":" + std::to_string(c.target_writable) +
         ",\"writes\":" + std::to_string(c.writes) + "}}\n";
}

// readlink of a /proc/self link ("" when unreadable).
std::string self_link(const char* name) {
  char buf[4096];
  ssize_t n = ::readlink((std::string("/proc/self/") + name).c_str(), buf, sizeof buf - 1);
  buf[n > 0 ? n : 0] = '\0';
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  std::string attack_target;
  int attack_seconds = 3;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--attack-exe=", 0) == 0) attack_target = a.substr(13);
    if (a.rfind("--seconds=", 0) == 0) attack_seconds = std::atoi(a.c_str() + 10);
  }
  if (!attack_target.empty()) {
    std::string r = attack_exe(attack_target, attack_seconds);
    std::fwrite(r.data(), 1, r.size(), stdout);
    return 0;
  }
  std::string status = read_file("/proc/self/status");
  char cwd[4096];
  if (::getcwd(cwd, sizeof cwd) == nullptr) std::strcpy(cwd, "");
  struct utsname u;
  ::uname(&u);
  mode_t mask = ::umask(0);
  ::umask(mask);
  std::string oom = read_file("/proc/self/oom_score_adj");
  while (!oom.empty() && oom.back() == '\n') oom.pop_back();
  std::string j = "{";
  j += "\"pid\":" + std::to_string(::getpid()) + ",\"ppid\":" + std::to_string(::getppid());
  j += "," + ids_json();
  j += ",\"umask\":" + std::to_string(mask);
  j += ",\"cwd\":" + quote(cwd);
  j += ",\"root_link\":" + quote(self_link("root")) + ",\"cwd_link\":" + quote(self_link("cwd"));
  j += ",\"env\":" + env_json();
  j += ",\"hostname\":" + quote(u.nodename) + ",\"domainname\":" + quote(u.domainname);
  j += ",\"machine\":" + quote(u.machine);
  j += ",\"namespaces\":" + namespaces_json();
  j += ",\"caps\":" + caps_json(status);
  j += ",\"no_new_privs\":" + std::to_string(::prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
  j += ",\"seccomp\":" + quote(status_field(status, "Seccomp"));
  j += ",\"rlimits\":" + rlimits_json();
  j += ",\"fds\":" + fds_json();
  j += ",\"oom_score_adj\":" + (oom.empty() ? std::string("null") : oom);
  j += "," + sched_json();
  j += ",\"personality\":" + std::to_string(::personality(0xffffffff));
  j += ",\"cpu_affinity\":" + affinity_json();
  j += ",\"mempolicy\":" + mempolicy_json();
  j += ",\"mounts\":" + mounts_json();
  j += "," + timens_json();
  j += ",\"sysctl\":" + sysctls_json(argc, argv);
  j += "}\n";
  std::fwrite(j.data(), 1, j.size(), stdout);
  return 0;
}
