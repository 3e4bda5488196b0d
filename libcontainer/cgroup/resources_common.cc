// Conversions and validations shared by the v1 and v2 resource planners (resources.h).

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "libcontainer/base/strings.h"
#include "libcontainer/cgroup/resources.h"
#include "libcontainer/cgroup/resources_internal.h"

namespace grove::cgroup {

Status check_memory_usage(const oci::Memory& m, std::optional<uint64_t> usage) {
  if (!m.check_before_update.value_or(false) || !usage) return ok();
  auto refuse = [&](const char* field, int64_t limit) -> Status {
    if (limit <= 0 || static_cast<uint64_t>(limit) > *usage) return ok();
    return Error::from_errno(EBUSY, std::string("linux.resources.memory.") + field +
                                        ": rejecting limit " + std::to_string(limit) +
                                        " <= current usage " + std::to_string(*usage) +
                                        " (checkBeforeUpdate)");
  };
  GROVE_TRY(refuse("swap", m.swap.value_or(0)));
  return refuse("limit", m.limit.value_or(0));
}

uint64_t cpu_shares_to_weight(uint64_t shares) {
  // The quadratic of opencontainers/cgroups fd95216 (runc 1.3.2+, crun 1.23+, Kubernetes
  // #131216): keeps the v1 default 1024 at the v2 default 100 instead of the linear formula's 39.
  if (shares == 0) return 0;
  if (shares <= 2) return 1;
  if (shares >= 262144) return 10000;
  double l = std::log2(static_cast<double>(shares));
  double exponent = (l * l + 125 * l) / 612.0 - 7.0 / 34.0;
  return static_cast<uint64_t>(std::ceil(std::pow(10.0, exponent)));
}

uint64_t blkio_weight_to_io_weight(uint16_t weight) {
  if (weight == 0) return 0;
  // runc computes in uint64: a weight below 10 wraps around; the kernel then rejects the write.
  return 1 + (static_cast<uint64_t>(weight) - 10) * 9999 / 990;
}

Result<int64_t> memory_swap_to_v2(int64_t swap, int64_t limit) {
  if (limit == -1 && swap == 0) return int64_t{-1};  // "both unlimited", as v1 does
  if (swap == -1 || swap == 0) return swap;
  if (limit == -1) return swap;
  if (limit == 0) {
    return Error::invalid("linux.resources.memory.swap: cannot be set without memory.limit");
  }
  if (limit < 0) {
    return Error::invalid("linux.resources.memory.limit: invalid value " + std::to_string(limit));
  }
  if (swap < limit) {
    return Error::invalid("linux.resources.memory.swap: must be >= memory.limit (" +
                          std::to_string(swap) + " < " + std::to_string(limit) + ")");
  }
  return swap - limit;
}

namespace {

bool is_power_of_two(uint64_t v) { return v != 0 && (v & (v - 1)) == 0; }

}  // namespace

Status validate_hugepage_size(std::string_view size, std::string_view field) {
  auto bad = [&] {
    return Error::invalid(std::string(field) + ": invalid hugepage size " + q(size) +
                          " (want e.g. \"2MB\" or \"1GB\")");
  };
  if (size.size() < 3) return bad();
  std::string_view unit = size.substr(size.size() - 2);
  std::string_view digits = size.substr(0, size.size() - 2);
  if (unit != "KB" && unit != "MB" && unit != "GB") return bad();
  if (digits.empty() || digits[0] == '0' || digits.size() > 12) return bad();
  long long n = 0;
  if (!parse_int64(digits, &n) || n <= 0 || digits[0] == '+') return bad();
  // The kernel names a size in the largest unit it divides (mm/hugetlb_cgroup.c mem_fmt):
  // "2048KB" is spelled "2MB", so a KB/MB count of 1024 or more never names a file.
  if (unit != "GB" && n >= 1024) return bad();
  if (!is_power_of_two(static_cast<uint64_t>(n))) return bad();
  return ok();
}

std::optional<std::string> hugepage_size_from_dirname(std::string_view name) {
  constexpr std::string_view kPrefix = "hugepages-";
  constexpr std::string_view kSuffix = "kB";
  if (name.size() <= kPrefix.size() + kSuffix.size() || name.substr(0, kPrefix.size()) != kPrefix ||
      name.substr(name.size() - kSuffix.size()) != kSuffix) {
    return std::nullopt;
  }
  std::string_view digits = name.substr(kPrefix.size(), name.size() - kPrefix.size() - 2);
  long long kib = 0;
  if (!parse_int64(digits, &kib) || kib < 0) return std::nullopt;
  // runc's getHugePageSizeFromFilenames, itself modelled on the kernel's mem_fmt.
  if (kib >= (1 << 20)) return std::to_string(kib >> 20) + "GB";
  if (kib >= (1 << 10)) return std::to_string(kib >> 10) + "MB";
  return std::to_string(kib) + "KB";
}

namespace internal {

void add(std::vector<Write>& out, Hierarchy h, const std::string& controller,
         const std::string& file, std::string value, std::vector<int> ignore_errnos) {
  Write w;
  w.hierarchy = h;
  w.controller = controller;
  w.file = file;
  w.value = std::move(value);
  w.ignore_errnos = std::move(ignore_errnos);
  out.push_back(std::move(w));
}

std::string pids_max_value(int64_t limit) {
  return limit > 0 ? std::to_string(limit) : std::string("max");
}

Status add_hugetlb(std::vector<Write>& out, Hierarchy h,
                   const std::vector<oci::HugepageLimit>& limits, const std::string& suffix) {
  for (size_t i = 0; i < limits.size(); ++i) {
    const auto& l = limits[i];
    GROVE_TRY(validate_hugepage_size(
        l.page_size, "linux.resources.hugepageLimits[" + std::to_string(i) + "].pageSize"));
    std::string prefix = "hugetlb." + l.page_size;
    std::string value = std::to_string(l.limit);
    add(out, h, "hugetlb", prefix + suffix, value);
    // Reservation accounting (kernel 5.7+): runc sets it to the same limit when it exists.
    add(out, h, "hugetlb", prefix + ".rsvd" + suffix, value, {ENOENT});
  }
  return ok();
}

void add_rdma(std::vector<Write>& out, Hierarchy h, const std::map<std::string, oci::Rdma>& rdma) {
  for (const auto& [dev, limits] : rdma) {
    std::string v = dev;
    if (limits.hca_handles) v += " hca_handle=" + std::to_string(*limits.hca_handles);
    if (limits.hca_objects) v += " hca_object=" + std::to_string(*limits.hca_objects);
    add(out, h, "rdma", "rdma.max", v);
  }
}

std::string dev_value(int64_t major, int64_t minor, const std::string& value) {
  return std::to_string(major) + ":" + std::to_string(minor) + " " + value;
}

}  // namespace internal
}  // namespace grove::cgroup
