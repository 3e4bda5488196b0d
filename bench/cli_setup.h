#pragma once
// The bundles grove-bench cli/exec/lib/floor run: one static rootfs (busybox-static as /bin/true
// and /bin/sleep) shared read-only by every container, and one bundle per (contender, variant,
// worker) whose config.json is `grove spec`'s default (oci::default_spec) with the process set to
// /bin/true, no terminal, and cgroupsPath /grove-test/bench-<pid>/<name> (never the host's own
// cgroups). Variants add the podman/crun default seccomp profile, a user namespace, or drop the
// network namespace. Not thread-safe; one per process.

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "libcontainer/base/result.h"
#include "libcontainer/sys/ops.h"

namespace grove::bench {

// What is added to / removed from the default spec.
enum class Variant {
  kDefault,  // `grove spec` as is: pid, network, ipc, uts and mount namespaces
  kSeccomp,  // + the default seccomp profile of podman/crun (containers-common seccomp.json)
  kUserns,   // + a user namespace mapping 0..65535 to host 100000..165535
  kNoNetns,  // - the network namespace (the default has one: this row shows what it costs)
};
std::string_view to_string(Variant v);
// "default", "seccomp", "userns", "nonetns". Errors: EINVAL naming the value.
[[nodiscard]] Result<Variant> variant_from_string(std::string_view s);

// Where podman (containers-common) keeps its default seccomp profile.
inline constexpr const char* kContainersSeccompProfile = "/usr/share/containers/seccomp.json";

// Turns a containers-common/moby seccomp profile into an OCI linux.seccomp object for x86_64 the
// way podman does (containers/common pkg/seccomp): architectures from archMap, and each syscalls[]
// entry kept when its includes (arches, caps) match and its excludes do not, with `caps` the
// process's bounding set. Pure. Errors: EINVAL for text that is not such a profile.
[[nodiscard]] Result<nlohmann::json> oci_seccomp_from_profile(std::string_view text,
                                                              const std::vector<std::string>& caps);

// The bench config.json: default_spec(false) with process.args = `args`, terminal false, the
// given cgroupsPath and the variant's changes (`seccomp` is the linux.seccomp object for
// kSeccomp, ignored otherwise). `root` is root.path (absolute). Pure.
nlohmann::json bench_config(Variant v, const std::vector<std::string>& args,
                            const std::string& root, const std::string& cgroups_path,
                            const nlohmann::json& seccomp);

// The directories of one bench run: <tmp>/grove-bench-cli.<pid>/{rootfs,bundles} and the state
// roots /run/grove-bench.<pid>/<runtime>. The destructor removes them and every cgroup left under
// /sys/fs/cgroup/*/grove-test/bench-<pid>.
class CliScratch {
 public:
  // Builds the rootfs from `busybox` (a static binary) under `tmp_dir` ("" = $TMPDIR, else
  // /tmp). Errors: ENOENT when busybox is missing, the failing filesystem call otherwise.
  [[nodiscard]] static Result<CliScratch> create(sys::Ops& ops, const std::string& busybox,
                                                 const std::string& tmp_dir);
  CliScratch(CliScratch&& other) noexcept;
  CliScratch& operator=(CliScratch&&) = delete;
  CliScratch(const CliScratch&) = delete;
  ~CliScratch();

  // Writes (once) and returns the bundle directory for `name` with config `config`.
  [[nodiscard]] Result<std::string> bundle(const std::string& name, const nlohmann::json& config);
  // The state root (--root) for a runtime: created on first use.
  [[nodiscard]] Result<std::string> state_root(const std::string& runtime);
  // cgroupsPath for a bundle named `name`.
  std::string cgroups_path(const std::string& name) const;
  const std::string& rootfs() const { return rootfs_; }
  const std::string& dir() const { return dir_; }

 private:
  CliScratch() = default;
  std::string dir_;
  std::string run_dir_;
  std::string rootfs_;
  pid_t pid_ = 0;
};

// Puts the calling (single-threaded) process into a private mount namespace (`/` MS_REC|
// MS_PRIVATE) and detaches /sys/fs/cgroup/unified there when it is mounted. Debian's crun 1.8.1
// refuses a hybrid host whose cgroup2 hierarchy is empty (tests/clients/client_env.cc sh_crun);
// every contender then runs in the same namespace, so the comparison stays fair. Returns a note
// for the report ("" when nothing was unmounted). Errors: the failing unshare/mount errno.
[[nodiscard]] Result<std::string> enter_bench_namespace(sys::Ops& ops);

}  // namespace grove::bench
