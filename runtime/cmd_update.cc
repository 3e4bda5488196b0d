// `grove update [flags] ID`: runc's update. New limits come from a LinuxResources JSON document
// (--resources FILE, "-" = stdin; what containerd and CRI-O send) and/or from flags, which
// override the document's fields.

#include <unistd.h>

#include <cctype>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "libcontainer/base/strings.h"
#include "libcontainer/container/container.h"
#include "libcontainer/sys/linux_ops.h"
#include "oci/parse.h"
#include "runtime/cli.h"

namespace grove::cli {
namespace {

Result<std::string> read_document(const std::string& path) {
  std::stringstream buf;
  if (path == "-") {
    buf << std::cin.rdbuf();
  } else {
    std::ifstream in(path);
    if (!in) return Error::last("open " + q(path));
    buf << in.rdbuf();
  }
  return buf.str();
}

// docker/go-units RAMInBytes, as runc parses memory flags: "512m", "1g", "1024", "-1".
Result<int64_t> parse_bytes(const std::string& flag, const std::string& text) {
  if (text == "-1") return int64_t{-1};
  std::size_t i = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])))
    ++i;
  long long n = 0;
  if (i == 0 || !parse_int64(text.substr(0, i), &n)) {
    return Error::invalid("--" + flag + ": invalid size " + q(text));
  }
  std::string unit;
  for (char c : text.substr(i)) unit += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  static constexpr std::pair<std::string_view, int> kUnits[] = {
      {"", 0}, {"b", 0}, {"k", 1}, {"kb", 1}, {"kib", 1}, {"m", 2}, {"mb", 2}, {"mib", 2},
      {"g", 3}, {"gb", 3}, {"gib", 3}, {"t", 4}, {"tb", 4}, {"tib", 4}};
  for (const auto& [name, power] : kUnits) {
    if (unit != name) continue;
    int64_t v = n;
    for (int p = 0; p < power; ++p) v *= 1024;
    return v;
  }
  return Error::invalid("--" + flag + ": invalid size " + q(text));
}

Result<long long> parse_number(const FlagValues& f, const std::string& flag) {
  long long n = 0;
  if (!parse_int64(f.get_string(flag), &n)) {
    return Error::invalid("--" + flag + ": invalid number " + q(f.get_string(flag)));
  }
  return n;
}

Status apply_memory_flags(const FlagValues& f, oci::Resources& r) {
  auto set = [&](const char* flag, std::optional<int64_t>& field) -> Status {
    if (!f.is_set(flag)) return ok();
    GROVE_ASSIGN_OR_RETURN(field, parse_bytes(flag, f.get_string(flag)));
    return ok();
  };
  if (!r.memory) r.memory.emplace();
  GROVE_TRY(set("memory", r.memory->limit));
  GROVE_TRY(set("memory-reservation", r.memory->reservation));
  GROVE_TRY(set("memory-swap", r.memory->swap));
  GROVE_TRY(set("kernel-memory", r.memory->kernel));
  GROVE_TRY(set("kernel-memory-tcp", r.memory->kernel_tcp));
  if (*r.memory == oci::Memory{}) r.memory.reset();
  return ok();
}

Status apply_cpu_flags(const FlagValues& f, oci::Resources& r) {
  if (!r.cpu) r.cpu.emplace();
  oci::Cpu& c = *r.cpu;
  auto num = [&](const char* flag, auto& field) -> Status {
    if (!f.is_set(flag)) return ok();
    GROVE_ASSIGN_OR_RETURN(long long n, parse_number(f, flag));
    field = static_cast<std::remove_reference_t<decltype(*field)>>(n);
    return ok();
  };
  GROVE_TRY(num("cpu-period", c.period));
  GROVE_TRY(num("cpu-quota", c.quota));
  GROVE_TRY(num("cpu-share", c.shares));
  GROVE_TRY(num("cpu-rt-period", c.realtime_period));
  GROVE_TRY(num("cpu-rt-runtime", c.realtime_runtime));
  GROVE_TRY(num("cpu-idle", c.idle));
  if (f.is_set("cpuset-cpus")) c.cpus = f.get_string("cpuset-cpus");
  if (f.is_set("cpuset-mems")) c.mems = f.get_string("cpuset-mems");
  if (c == oci::Cpu{}) r.cpu.reset();
  return ok();
}

Result<oci::Resources> resources_from(const FlagValues& f) {
  oci::Resources r;
  if (f.is_set("resources")) {
    GROVE_ASSIGN_OR_RETURN(std::string doc, read_document(f.get_string("resources")));
    GROVE_ASSIGN_OR_RETURN(r, oci::parse_resources(doc));
  }
  GROVE_TRY(apply_memory_flags(f, r));
  GROVE_TRY(apply_cpu_flags(f, r));
  if (f.is_set("blkio-weight")) {
    if (!r.block_io) r.block_io.emplace();
    r.block_io->weight = static_cast<uint16_t>(f.get_int("blkio-weight"));
  }
  if (f.is_set("pids-limit")) r.pids = oci::Pids{f.get_int("pids-limit")};
  return r;
}

Status run_update(Context& ctx) {
  GROVE_ASSIGN_OR_RETURN(oci::Resources r, resources_from(ctx.flags));
  sys::LinuxOps ops;
  const std::string l3 = ctx.flags.get_string("l3-cache-schema");
  const std::string mb = ctx.flags.get_string("mem-bw-schema");
  // runc sets the cgroup limits, then the Intel RDT schemata.
  if (!(r == oci::Resources{}) || (l3.empty() && mb.empty())) {
    GROVE_TRY(container::update(ops, ctx.global.root, ctx.args.at(0), r));
  }
  return container::update_intel_rdt(ops, ctx.global.root, ctx.args.at(0), l3, mb);
}

FlagSpec str(const char* name, const char* usage) {
  return value_flag(FlagKind::kString, name, usage);
}

const VerbRegistration kRegister{{
    .name = "update",
    .aliases = {},
    .summary = "update container resource constraints",
    .args_usage = "<container-id>",
    .description =
        "The update command updates the resource constraints of a created, running or paused\n"
        "container. With --resources the new limits are read from a JSON document holding a\n"
        "linux.resources object (\"-\" reads it from standard input); flags override its "
        "fields.",
    .flags = {value_flag(FlagKind::kString, "resources",
                         "path to the file containing the resources to update or '-' to read "
                         "from the standard input",
                         {"r"}),
              value_flag(FlagKind::kInt, "blkio-weight",
                         "specifies per cgroup weight, range is from 10 to 1000"),
              str("cpu-period", "CPU CFS period to be used for hardcapping (in usecs)"),
              str("cpu-quota", "CPU CFS hardcap limit (in usecs); allowed cpu time in a period"),
              str("cpu-share", "CPU shares (relative weight vs. other containers)"),
              str("cpu-rt-period", "CPU realtime period to be used for hardcapping (in usecs)"),
              str("cpu-rt-runtime", "CPU realtime hardcap limit (in usecs)"),
              str("cpu-idle", "set cgroup SCHED_IDLE or not, 0: default, 1: idle"),
              str("cpuset-cpus", "CPU(s) to use"),
              str("cpuset-mems", "memory node(s) to use"),
              str("kernel-memory", "kernel memory limit (ignored, as by runc)"),
              str("kernel-memory-tcp", "kernel memory limit for tcp buffers (ignored)"),
              str("memory", "memory limit (in bytes; k, m, g suffixes)"),
              str("memory-reservation", "memory reservation or soft limit (in bytes)"),
              str("memory-swap",
                  "total memory usage (memory + swap); set '-1' to enable unlimited swap"),
              value_flag(FlagKind::kInt, "pids-limit",
                         "maximum number of pids allowed in the container"),
              str("l3-cache-schema", "the string of Intel RDT/CAT L3 cache schema"),
              str("mem-bw-schema", "the string of Intel RDT/MBA memory bandwidth schema")},
    .args = ArgCount::exactly(1),
    .flags_before_args_only = false,
    .hidden = false,
    .handler = run_update,
}};

}  // namespace
}  // namespace grove::cli
