// `grove events [--stats] [--interval D] ID`: runc's events. Prints one JSON object per line:
// {"type":"stats","id":ID,"data":{...}} with runc's stats document (cgroup/stats.h), once with
// --stats, else every interval until the container stops, plus {"type":"oom","id":ID} when the
// kernel OOM-killed a process of the container since the last look.

#include <time.h>

#include <nlohmann/json.hpp>

#include "libcontainer/base/strings.h"
#include "libcontainer/cgroup/stats.h"
#include "libcontainer/container/container.h"
#include "libcontainer/sys/linux_ops.h"
#include "runtime/cli.h"

namespace grove::cli {
namespace {

// Go's time.ParseDuration for the units runc users write: "5s", "500ms", "1m", "1m30s".
Result<long long> parse_duration_ms(const std::string& text) {
  static constexpr std::pair<std::string_view, long long> kUnits[] = {
      {"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}};
  long long total = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t start = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
    long long n = 0;
    if (i == start || !parse_int64(text.substr(start, i - start), &n)) break;
    bool matched = false;
    for (const auto& [unit, ms] : kUnits) {
      if (text.compare(i, unit.size(), unit) != 0) continue;
      // "m" must not eat the "m" of "ms".
      if (unit == "m" && text.compare(i, 2, "ms") == 0) continue;
      total += n * ms;
      i += unit.size();
      matched = true;
      break;
    }
    if (!matched) break;
  }
  if (i != text.size() || text.empty() || total <= 0) {
    return Error::invalid("--interval: invalid duration " + q(text) + " (e.g. 5s, 500ms)");
  }
  return total;
}

void print_event(Context& ctx, const std::string& type, const std::string& id,
                 const cgroup::Stats* stats) {
  nlohmann::json ev = {{"type", type}, {"id", id}};
  if (stats != nullptr) ev["data"] = nlohmann::json::parse(cgroup::stats_json(*stats));
  ctx.out << ev.dump() << "\n" << std::flush;
}

Status run_events(Context& ctx) {
  const std::string& id = ctx.args.at(0);
  GROVE_ASSIGN_OR_RETURN(long long interval,
                         parse_duration_ms(ctx.flags.get_string("interval", "5s")));
  sys::LinuxOps ops;
  GROVE_ASSIGN_OR_RETURN(cgroup::Stats first, container::stats(ops, ctx.global.root, id));
  if (ctx.flags.get_bool("stats")) {
    print_event(ctx, "stats", id, &first);
    return ok();
  }
  uint64_t oom_kills = first.memory.oom_kills;
  for (;;) {
    struct timespec ts = {interval / 1000, (interval % 1000) * 1000000};
    ::nanosleep(&ts, nullptr);
    auto stats = container::stats(ops, ctx.global.root, id);
    if (!stats) {
      // The container stopped or was deleted: the stream ends, as runc's does.
      if (stats.error().code() == EINVAL || stats.error().code() == ENOENT) return ok();
      return std::move(stats).error();
    }
    if (stats->memory.oom_kills > oom_kills) print_event(ctx, "oom", id, nullptr);
    oom_kills = stats->memory.oom_kills;
    print_event(ctx, "stats", id, &*stats);
  }
}

const VerbRegistration kRegister{{
    .name = "events",
    .aliases = {},
    .summary = "display container events such as OOM notifications, cpu, memory, and IO usage "
               "statistics",
    .args_usage = "<container-id>",
    .description = "The events command displays information about the container. By default "
                   "the\ninformation is displayed once every 5 seconds.",
    .flags = {value_flag(FlagKind::kString, "interval", "set the stats collection interval", {},
                         "5s"),
              bool_flag("stats", "display the container's stats then exit")},
    .args = ArgCount::exactly(1),
    .flags_before_args_only = false,
    .hidden = false,
    .handler = run_events,
}};

}  // namespace
}  // namespace grove::cli
