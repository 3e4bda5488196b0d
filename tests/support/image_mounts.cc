// mountinfo and loop-device views for the image tests (image_mounts.h).

#include "tests/support/image_mounts.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/file.h>
#include <unistd.h>

#include <filesystem>
#include <sstream>

#include "libcontainer/base/strings.h"
#include "tests/support/files.h"

namespace grove::testing {

namespace fs = std::filesystem;

std::vector<MountLine> parse_mountinfo(const std::string& text) {
  std::vector<MountLine> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    std::vector<std::string> f = split(line, ' ');
    std::size_t dash = 6;
    while (dash < f.size() && f[dash] != "-") ++dash;
    if (dash + 2 < f.size()) {
      out.push_back({f[4], f[5], f[dash + 1], f[dash + 2]});
    } else if (dash + 1 < f.size()) {
      out.push_back({f[4], f[5], f[dash + 1], ""});
    }
  }
  return out;
}

std::vector<std::string> loops_backed_by(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/sys/block", ec)) {
    std::string bf = read_text_file(e.path().string() + "/loop/backing_file");
    if (!bf.empty() && bf.rfind(dir, 0) == 0) out.push_back(e.path().filename().string());
  }
  return out;
}

std::vector<std::string> image_mounts_under(const std::vector<std::string>& prefixes) {
  std::vector<std::string> out;
  for (const MountLine& m : parse_mountinfo(read_text_file("/proc/self/mountinfo"))) {
    if (m.fstype != "erofs" && m.fstype != "overlay") continue;
    for (const std::string& p : prefixes) {
      if (m.point.rfind(p, 0) == 0 || m.source.rfind(p, 0) == 0) {
        out.push_back(m.fstype + " " + m.point + " " + m.source);
        break;
      }
    }
  }
  return out;
}

std::set<std::string> cache_mount_keys(const std::string& cache) {
  std::set<std::string> out;
  const std::string prefix = cache + "/";
  for (const MountLine& m : parse_mountinfo(read_text_file("/proc/self/mountinfo"))) {
    if (m.fstype != "erofs" || m.point.rfind(prefix, 0) != 0) continue;
    std::string rest = m.point.substr(prefix.size());
    if (rest.size() > 4 && rest.substr(rest.size() - 4) == "/mnt") {
      out.insert(rest.substr(0, rest.size() - 4));
    }
  }
  return out;
}

std::vector<std::string> unheld_cache_mounts(const std::string& cache) {
  std::vector<std::string> out;
  int lock = ::open((cache + "/lock").c_str(), O_RDWR | O_CLOEXEC);
  if (lock < 0) return out;  // no cache: nothing mounted through it
  (void)::flock(lock, LOCK_EX);
  for (const std::string& key : cache_mount_keys(cache)) {
    std::error_code ec;
    fs::directory_iterator holders(cache + "/" + key + "/holders", ec);
    if (ec || holders == fs::directory_iterator()) out.push_back(key);
  }
  ::close(lock);
  return out;
}

std::string make_image_temp_dir(const std::string& prefix) {
  const char* tmp = ::getenv("TMPDIR");
  std::string tmpl =
      std::string(tmp != nullptr && *tmp ? tmp : "/var/tmp") + "/" + prefix + ".XXXXXX";
  return ::mkdtemp(tmpl.data()) != nullptr ? tmpl : std::string();
}

}  // namespace grove::testing
