#pragma once
// Busybox OCI bundles for e2e and priv tests: a mkdtemp directory holding bundle/rootfs with
// /bin/busybox (copied from the host's static busybox) and its applets as symlinks, and a
// config.json written from oci::default_spec(false) with terminal=false and the test's args.
// Removed recursively by the destructor. Not thread-safe; no root needed to build one.

#include <string>
#include <vector>

#include "libcontainer/base/result.h"
#include "oci/spec.h"

namespace grove::testing {

// "" when /bin/busybox exists and is executable, else the reason to skip
// ("needs /bin/busybox (Debian package busybox-static)").
std::string missing_busybox();

class BusyboxBundle {
 public:
  // The applets linked in rootfs/bin.
  static constexpr const char* kApplets[] = {"sh", "true", "false",    "sleep", "cat", "echo",
                                             "ls", "id",   "hostname", "head",  "kill"};

  // Creates the directory tree and the rootfs (not config.json: call write_config()).
  // The spec is default_spec(false) with terminal=false, root.readonly=false, PATH=/bin and
  // process.args = `args`. Errors: mkdtemp/copy/symlink errno.
  [[nodiscard]] static Result<BusyboxBundle> make(std::vector<std::string> args);

  BusyboxBundle(BusyboxBundle&& other) noexcept;
  BusyboxBundle& operator=(BusyboxBundle&&) = delete;
  BusyboxBundle(const BusyboxBundle&) = delete;
  ~BusyboxBundle();

  const std::string& dir() const { return dir_; }        // the mkdtemp directory
  const std::string& bundle() const { return bundle_; }  // dir()/bundle
  oci::Spec& spec() { return spec_; }                    // edit, then write_config()

  // Where add_probe() puts the probe inside the container.
  static constexpr const char* kProbePath = "/bin/grove-probe";

  // Copies the static probe binary (tests/probe/grove-probe.cc; the e2e tests get its build path
  // as GROVE_PROBE) to rootfs/bin/grove-probe, mode 0755. Errors: copy errno.
  [[nodiscard]] Status add_probe(const std::string& probe_binary);

  // linux.cgroupsPath of the spec: "/grove-test/<basename of dir()>", so containers made from
  // this bundle share one cgroup under the tests' own /grove-test (never the host's cgroups).
  const std::string& cgroup_path() const { return cgroup_path_; }
  // The directories of cgroup_path() that exist now, in every mounted hierarchy (a test that
  // cleaned up expects none). The destructor removes what is left (rmdir, best effort).
  std::vector<std::string> leftover_cgroups() const;

  // Writes spec() as bundle()/config.json, or `raw` verbatim when given (for malformed
  // configs). Errors: open/write errno.
  [[nodiscard]] Status write_config();
  [[nodiscard]] Status write_raw_config(const std::string& raw);

 private:
  BusyboxBundle() = default;
  std::string dir_;
  std::string bundle_;
  std::string cgroup_path_;
  oci::Spec spec_;
};

}  // namespace grove::testing
