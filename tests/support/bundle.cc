// Busybox test bundles (bundle.h).

#include "tests/support/bundle.h"

#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <system_error>

#include "libcontainer/base/strings.h"
#include "libcontainer/cgroup/manager.h"
#include "libcontainer/sys/linux_ops.h"
#include "oci/default_spec.h"
#include "oci/serialize.h"

namespace grove::testing {
namespace {

namespace fs = std::filesystem;

constexpr const char* kBusybox = "/bin/busybox";

Status from_ec(const std::error_code& ec, const std::string& what) {
  return Error::from_errno(ec.value() != 0 ? ec.value() : EIO, what);
}

Status write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
  out.close();
  if (!out) return Error::from_errno(EIO, "write " + q(path));
  return ok();
}

Status populate_rootfs(const std::string& rootfs) {
  std::error_code ec;
  for (const char* d : {"bin", "proc", "dev", "sys", "tmp", "etc"}) {
    fs::create_directories(rootfs + "/" + d, ec);
    if (ec) return from_ec(ec, "mkdir " + q(rootfs + "/" + d));
  }
  fs::copy_file(kBusybox, rootfs + "/bin/busybox", ec);
  if (ec) return from_ec(ec, "copy " + q(kBusybox));
  for (const char* applet : BusyboxBundle::kApplets) {
    fs::create_symlink("busybox", rootfs + "/bin/" + applet, ec);
    if (ec) return from_ec(ec, "symlink " + q(applet));
  }
  return ok();
}

}  // namespace

std::string missing_busybox() {
  if (::access(kBusybox, X_OK) != 0) return "needs /bin/busybox (Debian package busybox-static)";
  return "";
}

Result<BusyboxBundle> BusyboxBundle::make(std::vector<std::string> args) {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl =
      std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/grove-bundle-XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) return Error::last("mkdtemp(" + q(tmpl) + ")");
  BusyboxBundle b;
  b.dir_ = tmpl;
  b.bundle_ = b.dir_ + "/bundle";
  GROVE_TRY(populate_rootfs(b.bundle_ + "/rootfs"));
  b.spec_ = oci::default_spec(false);
  b.spec_.process->terminal = false;
  b.spec_.process->args = std::move(args);
  b.spec_.process->env = {"PATH=/bin", "TERM=xterm"};
  b.spec_.root->path = "rootfs";
  b.spec_.root->readonly = false;
  b.cgroup_path_ = "/grove-test/" + fs::path(b.dir_).filename().string();
  b.spec_.linux->cgroups_path = b.cgroup_path_;
  return b;
}

std::vector<std::string> BusyboxBundle::leftover_cgroups() const {
  std::vector<std::string> out;
  sys::LinuxOps ops;
  auto dirs = cgroup::detect_dirs(ops, cgroup_path_);
  if (!dirs) return out;
  for (const std::string& d : dirs->all()) {
    std::error_code ec;
    if (fs::exists(d, ec)) out.push_back(d);
  }
  return out;
}

BusyboxBundle::BusyboxBundle(BusyboxBundle&& other) noexcept
    : dir_(std::move(other.dir_)),
      bundle_(std::move(other.bundle_)),
      cgroup_path_(std::move(other.cgroup_path_)),
      spec_(std::move(other.spec_)) {
  other.dir_.clear();
}

BusyboxBundle::~BusyboxBundle() {
  if (dir_.empty()) return;
  for (const std::string& d : leftover_cgroups()) ::rmdir(d.c_str());
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

Status BusyboxBundle::add_probe(const std::string& probe_binary) {
  std::error_code ec;
  const std::string dest = bundle_ + "/rootfs" + kProbePath;
  fs::copy_file(probe_binary, dest, fs::copy_options::overwrite_existing, ec);
  if (ec) return from_ec(ec, "copy " + q(probe_binary));
  fs::permissions(dest, fs::perms(0755), ec);
  if (ec) return from_ec(ec, "chmod " + q(dest));
  return ok();
}

Status BusyboxBundle::write_config() { return write_raw_config(oci::serialize(spec_)); }

Status BusyboxBundle::write_raw_config(const std::string& raw) {
  return write_file(bundle_ + "/config.json", raw);
}

}  // namespace grove::testing
