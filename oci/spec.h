#pragma once
// The OCI runtime-spec v1.3.0 config.json model (Linux platform), as plain aggregates.
//
// Field names are the JSON names in snake_case (`ociVersion` -> `oci_version`). Optional objects
// and scalars whose absence matters are std::optional; arrays are std::vector (absent == empty);
// strings are std::string (absent == ""). Enumerated strings (seccomp actions, rlimit types, ...)
// stay strings, checked by oci::parse_config() against the tables in oci/enums.h; namespace types
// are an enum because every layer switches on them. Windows/Solaris/VM/z/OS/FreeBSD sections are
// kept as opaque JSON so that parse -> serialize round-trips keep them.
// Pure data: no syscalls, no allocation beyond the members, safe to copy across fork.

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// Spec::linux mirrors the JSON name; GNU dialects (-std=gnu++20) predefine `linux` as 1.
#ifdef linux
#error "oci/spec.h needs -std=c++20 (CMAKE_CXX_EXTENSIONS OFF): 'linux' is a macro in GNU mode"
#endif

namespace oci {

// The runtime-spec version grove writes (default_spec(), state, features).
inline constexpr std::string_view kSpecVersion = "1.3.0";

struct IdMapping {            // linux.uidMappings[], mounts[].uidMappings[]
  uint32_t container_id = 0;  // "containerID"
  uint32_t host_id = 0;       // "hostID"
  uint32_t size = 0;
  bool operator==(const IdMapping&) const = default;
};

struct Root {
  std::string path;  // REQUIRED; relative paths are relative to the bundle
  bool readonly = false;
  bool operator==(const Root&) const = default;
};

struct Mount {
  std::string destination;  // REQUIRED, absolute
  std::string type;
  std::string source;
  std::vector<std::string> options;
  std::vector<IdMapping> uid_mappings;
  std::vector<IdMapping> gid_mappings;
  bool operator==(const Mount&) const = default;
};

struct ConsoleSize {  // process.consoleSize
  uint32_t height = 0;
  uint32_t width = 0;
  bool operator==(const ConsoleSize&) const = default;
};

struct User {
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::optional<uint32_t> umask;
  std::vector<uint32_t> additional_gids;
  std::string username;  // windows only; kept for round-trips
  bool operator==(const User&) const = default;
};

struct Capabilities {  // each entry is "CAP_XXX"
  std::vector<std::string> bounding;
  std::vector<std::string> effective;
  std::vector<std::string> inheritable;
  std::vector<std::string> permitted;
  std::vector<std::string> ambient;
  bool operator==(const Capabilities&) const = default;
};

struct Rlimit {
  std::string type;  // "RLIMIT_NOFILE", ... (checked against enums.h)
  uint64_t hard = 0;
  uint64_t soft = 0;
  bool operator==(const Rlimit&) const = default;
};

struct Scheduler {
  std::string policy;  // REQUIRED: SCHED_OTHER|SCHED_FIFO|SCHED_RR|SCHED_BATCH|SCHED_ISO|...
  int32_t nice = 0;
  int32_t priority = 0;
  std::vector<std::string> flags;  // SCHED_FLAG_*
  uint64_t runtime = 0;
  uint64_t deadline = 0;
  uint64_t period = 0;
  bool operator==(const Scheduler&) const = default;
};

struct IoPriority {
  std::string klass;  // JSON "class": IOPRIO_CLASS_RT|IOPRIO_CLASS_BE|IOPRIO_CLASS_IDLE
  int32_t priority = 0;
  bool operator==(const IoPriority&) const = default;
};

struct CpuAffinity {  // process.execCPUAffinity; cpu lists like "0-3,7"
  std::string initial;
  std::string final;
  bool operator==(const CpuAffinity&) const = default;
};

struct Process {
  bool terminal = false;
  std::optional<ConsoleSize> console_size;
  User user;                      // absent in JSON == uid 0, gid 0
  std::vector<std::string> args;  // at least one entry on Linux
  std::string command_line;       // windows only
  std::vector<std::string> env;   // "KEY=value"
  std::string cwd;                // REQUIRED, absolute
  std::optional<Capabilities> capabilities;
  std::vector<Rlimit> rlimits;
  bool no_new_privileges = false;
  std::string apparmor_profile;
  std::optional<int32_t> oom_score_adj;
  std::optional<Scheduler> scheduler;
  std::string selinux_label;
  std::optional<IoPriority> io_priority;
  std::optional<CpuAffinity> exec_cpu_affinity;
  bool operator==(const Process&) const = default;
};

struct Hook {
  std::string path;  // REQUIRED, absolute
  std::vector<std::string> args;
  std::vector<std::string> env;
  std::optional<int32_t> timeout;  // seconds, > 0
  bool operator==(const Hook&) const = default;
};

struct Hooks {
  std::vector<Hook> prestart;  // deprecated by the spec, still honoured
  std::vector<Hook> create_runtime;
  std::vector<Hook> create_container;
  std::vector<Hook> start_container;
  std::vector<Hook> poststart;
  std::vector<Hook> poststop;
  bool operator==(const Hooks&) const = default;
};

enum class NamespaceType { kPid, kNetwork, kMount, kIpc, kUts, kUser, kCgroup, kTime };

struct Namespace {
  NamespaceType type = NamespaceType::kMount;
  std::string path;  // "" = create a new namespace; else join this one (absolute)
  bool operator==(const Namespace&) const = default;
};

struct TimeOffset {  // linux.timeOffsets{"monotonic"|"boottime": ...}
  int64_t secs = 0;
  uint32_t nanosecs = 0;
  bool operator==(const TimeOffset&) const = default;
};

struct Device {      // linux.devices[]
  std::string path;  // REQUIRED, absolute
  std::string type;  // REQUIRED: c|b|u|p
  int64_t major = 0;
  int64_t minor = 0;
  std::optional<uint32_t> file_mode;
  std::optional<uint32_t> uid;
  std::optional<uint32_t> gid;
  bool operator==(const Device&) const = default;
};

struct NetDevice {  // linux.netDevices{<host name>: {name}}
  std::string name;
  bool operator==(const NetDevice&) const = default;
};

struct DeviceCgroup {  // linux.resources.devices[]
  bool allow = false;  // REQUIRED
  std::string type;    // a|c|b ("" = all)
  std::optional<int64_t> major;
  std::optional<int64_t> minor;
  std::string access;  // subset of "rwm"
  bool operator==(const DeviceCgroup&) const = default;
};

struct Memory {
  std::optional<int64_t> limit;
  std::optional<int64_t> reservation;
  std::optional<int64_t> swap;
  std::optional<int64_t> kernel;
  std::optional<int64_t> kernel_tcp;  // "kernelTCP"
  std::optional<uint64_t> swappiness;
  std::optional<bool> disable_oom_killer;  // "disableOOMKiller"
  std::optional<bool> use_hierarchy;
  std::optional<bool> check_before_update;
  bool operator==(const Memory&) const = default;
};

struct Cpu {
  std::optional<uint64_t> shares;
  std::optional<int64_t> quota;
  std::optional<uint64_t> burst;
  std::optional<uint64_t> period;
  std::optional<int64_t> realtime_runtime;
  std::optional<uint64_t> realtime_period;
  std::string cpus;
  std::string mems;
  std::optional<int64_t> idle;
  bool operator==(const Cpu&) const = default;
};

struct Pids {
  std::optional<int64_t> limit;  // <= 0 means unlimited
  bool operator==(const Pids&) const = default;
};

struct WeightDevice {
  int64_t major = 0;
  int64_t minor = 0;
  std::optional<uint16_t> weight;
  std::optional<uint16_t> leaf_weight;
  bool operator==(const WeightDevice&) const = default;
};

struct ThrottleDevice {
  int64_t major = 0;
  int64_t minor = 0;
  uint64_t rate = 0;
  bool operator==(const ThrottleDevice&) const = default;
};

struct BlockIo {  // "blockIO"
  std::optional<uint16_t> weight;
  std::optional<uint16_t> leaf_weight;
  std::vector<WeightDevice> weight_device;
  std::vector<ThrottleDevice> throttle_read_bps_device;
  std::vector<ThrottleDevice> throttle_write_bps_device;
  std::vector<ThrottleDevice> throttle_read_iops_device;   // "throttleReadIOPSDevice"
  std::vector<ThrottleDevice> throttle_write_iops_device;  // "throttleWriteIOPSDevice"
  bool operator==(const BlockIo&) const = default;
};

struct HugepageLimit {
  std::string page_size;  // JSON "pageSize", e.g. "2MB"
  uint64_t limit = 0;
  bool operator==(const HugepageLimit&) const = default;
};

struct InterfacePriority {
  std::string name;
  uint32_t priority = 0;
  bool operator==(const InterfacePriority&) const = default;
};

struct Network {
  std::optional<uint32_t> class_id;  // "classID"
  std::vector<InterfacePriority> priorities;
  bool operator==(const Network&) const = default;
};

struct Rdma {
  std::optional<uint32_t> hca_handles;
  std::optional<uint32_t> hca_objects;
  bool operator==(const Rdma&) const = default;
};

struct Resources {
  std::vector<DeviceCgroup> devices;
  std::optional<Memory> memory;
  std::optional<Cpu> cpu;
  std::optional<Pids> pids;
  std::optional<BlockIo> block_io;  // "blockIO"
  std::vector<HugepageLimit> hugepage_limits;
  std::optional<Network> network;
  std::map<std::string, Rdma> rdma;
  std::map<std::string, std::string> unified;  // cgroup v2 file -> value
  bool operator==(const Resources&) const = default;
};

struct SeccompArg {
  uint32_t index = 0;  // REQUIRED
  uint64_t value = 0;  // REQUIRED
  uint64_t value_two = 0;
  std::string op;  // REQUIRED: SCMP_CMP_*
  bool operator==(const SeccompArg&) const = default;
};

struct Syscall {
  std::vector<std::string> names;  // REQUIRED, non-empty
  std::string action;              // REQUIRED: SCMP_ACT_*
  std::optional<uint32_t> errno_ret;
  std::vector<SeccompArg> args;
  bool operator==(const Syscall&) const = default;
};

struct Seccomp {
  std::string default_action;  // REQUIRED: SCMP_ACT_*
  std::optional<uint32_t> default_errno_ret;
  std::vector<std::string> architectures;  // SCMP_ARCH_*
  std::vector<std::string> flags;          // SECCOMP_FILTER_FLAG_*
  std::string listener_path;
  std::string listener_metadata;
  std::vector<Syscall> syscalls;
  bool operator==(const Seccomp&) const = default;
};

struct IntelRdt {
  std::string clos_id;  // "closID"
  std::vector<std::string> schemata;
  std::string l3_cache_schema;
  std::string mem_bw_schema;
  bool enable_monitoring = false;
  bool operator==(const IntelRdt&) const = default;
};

struct MemoryPolicy {
  std::string mode;                // REQUIRED: MPOL_*
  std::string nodes;               // REQUIRED (may be "" for MPOL_DEFAULT/MPOL_LOCAL)
  std::vector<std::string> flags;  // MPOL_F_*
  bool operator==(const MemoryPolicy&) const = default;
};

struct Personality {
  std::string domain;  // REQUIRED: LINUX|LINUX32
  std::vector<std::string> flags;
  bool operator==(const Personality&) const = default;
};

struct Linux {
  std::vector<IdMapping> uid_mappings;
  std::vector<IdMapping> gid_mappings;
  std::map<std::string, std::string> sysctl;
  std::optional<Resources> resources;
  std::string cgroups_path;
  std::vector<Namespace> namespaces;
  std::vector<Device> devices;
  std::map<std::string, NetDevice> net_devices;
  std::optional<Seccomp> seccomp;
  std::string rootfs_propagation;  // "" | shared|slave|private|unbindable (+ r-forms)
  std::vector<std::string> masked_paths;
  std::vector<std::string> readonly_paths;
  std::string mount_label;
  std::optional<IntelRdt> intel_rdt;
  std::optional<MemoryPolicy> memory_policy;
  std::optional<Personality> personality;
  std::map<std::string, TimeOffset> time_offsets;
  bool operator==(const Linux&) const = default;
};

struct Spec {
  std::string oci_version;  // REQUIRED, 1.0.0 .. 1.3.x
  std::optional<Process> process;
  std::optional<Root> root;  // REQUIRED on Linux
  std::string hostname;
  std::string domainname;
  std::vector<Mount> mounts;
  Hooks hooks;
  std::map<std::string, std::string> annotations;
  std::optional<Linux> linux;
  // Other platforms: opaque, preserved verbatim.
  std::optional<nlohmann::json> solaris;
  std::optional<nlohmann::json> windows;
  std::optional<nlohmann::json> vm;
  std::optional<nlohmann::json> zos;
  std::optional<nlohmann::json> freebsd;
  bool operator==(const Spec&) const = default;
};

// "pid", "network", "mount", "ipc", "uts", "user", "cgroup", "time".
std::string_view to_string(NamespaceType type);
// The inverse of to_string(); nullopt for anything else (case-sensitive).
std::optional<NamespaceType> namespace_type_from_string(std::string_view name);

// The entry of `linux.namespaces` with this type, or nullptr (also when `spec.linux` is unset).
const Namespace* find_namespace(const Spec& spec, NamespaceType type);
// True when the spec lists a namespace of this type (new or joined).
bool has_namespace(const Spec& spec, NamespaceType type);

}  // namespace oci
