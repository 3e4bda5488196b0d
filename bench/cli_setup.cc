// The bench bundles, rootfs, scratch directories and namespace (cli_setup.h).

#include "bench/cli_setup.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "libcontainer/base/strings.h"
#include "oci/default_spec.h"
#include "oci/serialize.h"

namespace grove::bench {
namespace fs = std::filesystem;
namespace {

bool contains(const nlohmann::json& list, const std::string& v) {
  if (!list.is_array()) return false;
  return std::any_of(list.begin(), list.end(),
                     [&](const nlohmann::json& e) { return e.is_string() && e == v; });
}

// containers/common's rule (pkg/seccomp): includes must all match, excludes must not match.
bool entry_applies(const nlohmann::json& call, const std::vector<std::string>& caps) {
  const std::string arch = "amd64";
  auto in_caps = [&](const nlohmann::json& c) {
    return c.is_string() && std::find(caps.begin(), caps.end(), c.get<std::string>()) != caps.end();
  };
  const nlohmann::json inc = call.value("includes", nlohmann::json::object());
  const nlohmann::json exc = call.value("excludes", nlohmann::json::object());
  if (inc.contains("arches") && !inc["arches"].empty() && !contains(inc["arches"], arch)) {
    return false;
  }
  if (inc.contains("caps") && !std::all_of(inc["caps"].begin(), inc["caps"].end(), in_caps)) {
    return false;
  }
  if (exc.contains("arches") && contains(exc["arches"], arch)) return false;
  if (exc.contains("caps") && std::any_of(exc["caps"].begin(), exc["caps"].end(), in_caps)) {
    return false;
  }
  return true;
}

nlohmann::json oci_syscall(const nlohmann::json& call) {
  nlohmann::json out = {{"names", call["names"]}, {"action", call["action"]}};
  if (call.contains("errnoRet")) out["errnoRet"] = call["errnoRet"];
  nlohmann::json args = nlohmann::json::array();
  if (call.contains("args") && call["args"].is_array()) {
    for (const nlohmann::json& a : call["args"]) {
      args.push_back({{"index", a.value("index", 0)},
                      {"value", a.value("value", uint64_t{0})},
                      {"valueTwo", a.value("valueTwo", uint64_t{0})},
                      {"op", a.value("op", std::string("SCMP_CMP_EQ"))}});
    }
  }
  if (!args.empty()) out["args"] = std::move(args);
  return out;
}

}  // namespace

std::string_view to_string(Variant v) {
  switch (v) {
    case Variant::kDefault: return "default";
    case Variant::kSeccomp: return "seccomp";
    case Variant::kUserns: return "userns";
    case Variant::kNoNetns: return "nonetns";
  }
  return "?";
}

Result<Variant> variant_from_string(std::string_view s) {
  for (Variant v : {Variant::kDefault, Variant::kSeccomp, Variant::kUserns, Variant::kNoNetns}) {
    if (s == to_string(v)) return v;
  }
  return Error::invalid("--variant: unknown variant " + q(s) +
                        " (default, seccomp, userns, nonetns)");
}

Result<nlohmann::json> oci_seccomp_from_profile(std::string_view text,
                                                const std::vector<std::string>& caps) {
  nlohmann::json p = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!p.is_object() || !p.contains("defaultAction") || !p["syscalls"].is_array()) {
    return Error::invalid("seccomp profile: not a containers/moby profile");
  }
  nlohmann::json out = {{"defaultAction", p["defaultAction"]}};
  if (p.contains("defaultErrnoRet")) out["defaultErrnoRet"] = p["defaultErrnoRet"];
  nlohmann::json arches = nlohmann::json::array();
  for (const nlohmann::json& m : p.value("archMap", nlohmann::json::array())) {
    if (m.value("architecture", std::string()) != "SCMP_ARCH_X86_64") continue;
    arches.push_back(m["architecture"]);
    for (const nlohmann::json& s : m.value("subArchitectures", nlohmann::json::array())) {
      arches.push_back(s);
    }
  }
  if (!arches.empty()) out["architectures"] = std::move(arches);
  nlohmann::json calls = nlohmann::json::array();
  for (const nlohmann::json& call : p["syscalls"]) {
    if (!call.is_object() || !call["names"].is_array() || call["names"].empty()) continue;
    if (entry_applies(call, caps)) calls.push_back(oci_syscall(call));
  }
  out["syscalls"] = std::move(calls);
  return out;
}

nlohmann::json bench_config(Variant v, const std::vector<std::string>& args,
                            const std::string& root, const std::string& cgroups_path,
                            const nlohmann::json& seccomp) {
  nlohmann::json c = nlohmann::json::parse(oci::serialize(oci::default_spec(false)));
  // crun 1.8.1 refuses ociVersion 1.3.0 ("unknown version specified"); every contender gets the
  // version runc 1.1's `runc spec` writes, so all read the same document.
  c["ociVersion"] = "1.0.2-dev";
  c["process"]["args"] = args;
  c["process"]["terminal"] = false;
  c["root"]["path"] = root;
  c["linux"]["cgroupsPath"] = cgroups_path;
  nlohmann::json& ns = c["linux"]["namespaces"];
  if (v == Variant::kSeccomp) c["linux"]["seccomp"] = seccomp;
  if (v == Variant::kUserns) {
    ns.push_back({{"type", "user"}});
    nlohmann::json map = nlohmann::json::array({{{"containerID", 0}, {"hostID", 100000},
                                                 {"size", 65536}}});
    c["linux"]["uidMappings"] = map;
    c["linux"]["gidMappings"] = map;
  }
  if (v == Variant::kNoNetns) {
    nlohmann::json kept = nlohmann::json::array();
    for (const nlohmann::json& n : ns) {
      if (n.value("type", std::string()) != "network") kept.push_back(n);
    }
    ns = std::move(kept);
  }
  return c;
}

Result<CliScratch> CliScratch::create(sys::Ops& ops, const std::string& busybox,
                                      const std::string& tmp_dir) {
  std::error_code ec;
  if (!fs::exists(busybox, ec)) {
    return Error::plain(ENOENT, "static busybox " + q(busybox) +
                                    " not found (Debian: apt-get install busybox-static)");
  }
  CliScratch s;
  s.pid_ = ops.getpid();
  const char* tmp = std::getenv("TMPDIR");
  std::string base = tmp_dir;
  if (base.empty()) base = tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
  s.dir_ = base + "/grove-bench-cli." + std::to_string(s.pid_);
  s.run_dir_ = "/run/grove-bench." + std::to_string(s.pid_);
  s.rootfs_ = s.dir_ + "/rootfs";
  for (const char* d : {"bin", "proc", "dev", "sys", "tmp", "etc"}) {
    fs::create_directories(s.rootfs_ + "/" + d, ec);
    if (ec) return Error::from_errno(ec.value(), "mkdir " + q(s.rootfs_ + "/" + d));
  }
  fs::create_directories(s.run_dir_, ec);
  if (ec) return Error::from_errno(ec.value(), "mkdir " + q(s.run_dir_));
  fs::copy_file(busybox, s.rootfs_ + "/bin/busybox", ec);
  if (ec) return Error::from_errno(ec.value(), "copy " + q(busybox));
  for (const char* applet : {"true", "sleep", "sh"}) {
    fs::create_symlink("busybox", s.rootfs_ + "/bin/" + applet, ec);
    if (ec) return Error::from_errno(ec.value(), "symlink bin/" + std::string(applet));
  }
  return s;
}

CliScratch::CliScratch(CliScratch&& o) noexcept
    : dir_(std::move(o.dir_)), run_dir_(std::move(o.run_dir_)), rootfs_(std::move(o.rootfs_)),
      pid_(o.pid_) {
  o.dir_.clear();
}

CliScratch::~CliScratch() {
  if (dir_.empty()) return;
  std::error_code ec;
  fs::remove_all(dir_, ec);
  fs::remove_all(run_dir_, ec);
  // Cgroups are removed leaves first: rmdir of a cgroup with children fails.
  const std::string mine = "grove-test/bench-" + std::to_string(pid_);
  for (const auto& h : fs::directory_iterator("/sys/fs/cgroup", ec)) {
    const fs::path top = h.path() / mine;
    if (!fs::is_directory(top, ec)) continue;
    std::vector<fs::path> dirs;
    for (auto it = fs::recursive_directory_iterator(top, ec);
         it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (it->is_directory(ec)) dirs.push_back(it->path());
    }
    std::sort(dirs.begin(), dirs.end(), [](const fs::path& a, const fs::path& b) {
      return a.string().size() > b.string().size();
    });
    dirs.push_back(top);
    for (const fs::path& d : dirs) fs::remove(d, ec);
  }
}

Result<std::string> CliScratch::bundle(const std::string& name, const nlohmann::json& config) {
  const std::string b = dir_ + "/bundles/" + name;
  std::error_code ec;
  if (fs::exists(b + "/config.json", ec)) return b;
  fs::create_directories(b, ec);
  if (ec) return Error::from_errno(ec.value(), "mkdir " + q(b));
  std::ofstream(b + "/config.json") << config.dump(1) << "\n";
  return b;
}

Result<std::string> CliScratch::state_root(const std::string& runtime) {
  const std::string r = run_dir_ + "/" + runtime;
  std::error_code ec;
  fs::create_directories(r, ec);
  if (ec) return Error::from_errno(ec.value(), "mkdir " + q(r));
  return r;
}

std::string CliScratch::cgroups_path(const std::string& name) const {
  return "/grove-test/bench-" + std::to_string(pid_) + "/" + name;
}

Result<std::string> enter_bench_namespace(sys::Ops& ops) {
  GROVE_TRY(ops.unshare(CLONE_NEWNS).context("private mount namespace"));
  GROVE_TRY(ops.mount("", "/", "", MS_REC | MS_PRIVATE, "").context("private mount namespace"));
  GROVE_ASSIGN_OR_RETURN(std::string info, ops.read_file_at(AT_FDCWD, "/proc/self/mountinfo"));
  if (info.find(" /sys/fs/cgroup/unified ") == std::string::npos) return std::string();
  GROVE_TRY(ops.umount2("/sys/fs/cgroup/unified", MNT_DETACH).context("hide the empty cgroup2"));
  return std::string(
      "all contenders ran in a private mount namespace with /sys/fs/cgroup/unified detached "
      "(Debian's crun 1.8.1 refuses this hybrid host otherwise)");
}

}  // namespace grove::bench
