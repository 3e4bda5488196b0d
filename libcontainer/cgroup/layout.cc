#include "libcontainer/cgroup/layout.h"

#include <algorithm>
#include <cerrno>

#include "libcontainer/base/strings.h"

namespace grove::cgroup {
namespace {

// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string unescape(std::string_view s) {
  std::string out;
  auto oct = [](char c) { return c >= '0' && c <= '7'; };
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size() && oct(s[i + 1]) && oct(s[i + 2]) && oct(s[i + 3])) {
      out += static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
      i += 3;
      continue;
    }
    out += s[i];
  }
  return out;
}

// Controllers of a v1 mount from its super options ("rw,cpu,cpuacct", "rw,name=systemd").
std::vector<std::string> v1_controllers(std::string_view super_opts) {
  static constexpr std::string_view kNotControllers[] = {
      "rw", "ro", "noprefix", "clone_children", "xattr", "cpuset_v2_mode", "favordynmods"};
  std::vector<std::string> out;
  for (const std::string& opt : split(super_opts, ',')) {
    if (opt.empty() || opt.starts_with("release_agent=")) continue;
    if (std::find(std::begin(kNotControllers), std::end(kNotControllers), opt) !=
        std::end(kNotControllers))
      continue;
    out.push_back(opt);
  }
  return out;
}

std::string join_paths(std::string_view a, std::string_view b) {
  std::string out(a);
  if (b.empty() || b == "/") return out.empty() ? "/" : out;
  if (out.empty() || out.back() != '/') out += '/';
  out += b.front() == '/' ? b.substr(1) : b;
  return out;
}

}  // namespace

Mode Layout::mode() const {
  bool any_v1 = std::any_of(v1.begin(), v1.end(), [](const V1Mount& m) {
    return std::any_of(m.controllers.begin(), m.controllers.end(),
                       [](const std::string& c) { return !c.starts_with("name="); });
  });
  if (!any_v1) return unified.empty() ? Mode::kNone : Mode::kUnifiedOnly;
  return unified.empty() ? Mode::kLegacy : Mode::kHybrid;
}

const V1Mount* Layout::v1_mount(std::string_view controller) const {
  for (const V1Mount& m : v1) {
    if (std::find(m.controllers.begin(), m.controllers.end(), controller) != m.controllers.end())
      return &m;
  }
  return nullptr;
}

Result<Layout> parse_layout(std::string_view mountinfo) {
  Layout layout;
  int line_no = 0;
  for (const std::string& line : split(mountinfo, '\n')) {
    ++line_no;
    if (line.empty()) continue;
    // "<id> <parent> <maj:min> <root> <mountpoint> <opts> [optional...] - <fstype> <src> <super>"
    std::size_t dash = line.find(" - ");
    if (dash == std::string_view::npos) {
      return Error::invalid("mountinfo line " + std::to_string(line_no) + ": no separator");
    }
    std::vector<std::string> pre = split(line.substr(0, dash), ' ');
    std::vector<std::string> post = split(line.substr(dash + 3), ' ');
    if (pre.size() < 6 || post.size() < 3) {
      return Error::invalid("mountinfo line " + std::to_string(line_no) + ": too few fields");
    }
    if (pre[3] != "/") continue;  // a bind mount of a sub-cgroup
    std::string mountpoint = unescape(pre[4]);
    if (post[0] == "cgroup2") {
      if (layout.unified.empty()) layout.unified = mountpoint;
      continue;
    }
    if (post[0] != "cgroup") continue;
    V1Mount m{mountpoint, v1_controllers(post[2])};
    if (m.controllers.empty()) continue;
    bool seen = std::any_of(layout.v1.begin(), layout.v1.end(),
                            [&](const V1Mount& o) { return o.controllers == m.controllers; });
    if (!seen) layout.v1.push_back(std::move(m));
  }
  return layout;
}

Result<std::map<std::string, std::string>> parse_proc_cgroup(std::string_view text) {
  std::map<std::string, std::string> out;
  int line_no = 0;
  for (std::string_view line : split(text, '\n')) {
    ++line_no;
    if (line.empty()) continue;
    std::size_t a = line.find(':');
    std::size_t b = a == std::string_view::npos ? a : line.find(':', a + 1);
    if (b == std::string_view::npos) {
      return Error::invalid("/proc/self/cgroup line " + std::to_string(line_no) + ": malformed");
    }
    std::string_view controllers = line.substr(a + 1, b - a - 1);
    std::string path(line.substr(b + 1));
    if (controllers.empty()) {
      out[""] = path;
      continue;
    }
    for (const std::string& c : split(controllers, ',')) out[std::string(c)] = path;
  }
  return out;
}

std::string clean_path(std::string_view path) {
  if (path.empty()) return "";
  const bool absolute = path.front() == '/';
  std::vector<std::string> parts;
  for (const std::string& part : split(path, '/')) {
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      // Rooted: ".." at the top stays at the top, for relative paths too (runc's CleanPath).
      if (!parts.empty()) parts.pop_back();
      continue;
    }
    parts.push_back(part);
  }
  std::string out = absolute ? "/" : "";
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += '/';
    out += parts[i];
  }
  if (out.empty()) return ".";
  return out;
}

Result<std::string> container_path(std::string_view cgroups_path, std::string_view id) {
  if (cgroups_path.empty()) return "/" + std::string(id);
  // runc decides systemd-ness from --systemd-cgroup; a "a:b:c" path without it is a plain
  // (odd) relative path for runc. grove has no systemd driver, so it says so instead of creating
  // a directory literally named "machine.slice:libpod:x".
  if (std::count(cgroups_path.begin(), cgroups_path.end(), ':') == 2 &&
      cgroups_path.find('/') == std::string_view::npos) {
    return Error::not_supported("linux.cgroupsPath " + q(cgroups_path) +
                                ": systemd slice:prefix:name paths need the systemd cgroup "
                                "driver, which grove does not have (use a cgroupfs path)");
  }
  std::string path = clean_path(cgroups_path);
  if (path == "/" || path == ".") {
    return Error::invalid("linux.cgroupsPath " + q(cgroups_path) +
                          ": the root cgroup cannot be a container's cgroup");
  }
  return path;
}

std::string resolve_dir(std::string_view mountpoint, std::string_view path, std::string_view own,
                        bool unified) {
  if (!path.empty() && path.front() == '/') return join_paths(mountpoint, path);
  std::string base(own);
  if (unified && base != "/" && !base.empty()) {
    // runc fs2 _defaultDirPath: the own cgroup most probably has processes, so controllers
    // cannot be enabled below it; its parent is used.
    std::size_t slash = base.rfind('/');
    base = slash == 0 ? "/" : base.substr(0, slash);
  }
  return join_paths(join_paths(mountpoint, base), path);
}

}  // namespace grove::cgroup
