#include "libcontainer/container/status.h"

#include <fcntl.h>

#include <string>

#include "libcontainer/base/strings.h"

namespace grove::container {

const char* to_string(RunState state) noexcept {
  switch (state) {
    case RunState::kCreating:
      return "creating";
    case RunState::kCreated:
      return "created";
    case RunState::kRunning:
      return "running";
    case RunState::kStopped:
      return "stopped";
    case RunState::kPaused:
      return "paused";
  }
  return "stopped";
}

Result<ProcStat> parse_proc_stat(std::string_view text) {
  auto bad = [] { return Error::invalid("malformed /proc/<pid>/stat"); };
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
  std::size_t close = text.rfind(')');
  if (close == std::string_view::npos || close + 2 >= text.size()) return bad();
  // After ") " come fields 3, 4, ...; field 22 is the 20th of them.
  std::vector<std::string> fields = split(text.substr(close + 2), ' ');
  long long start = 0;
  long long flags = 0;  // field 9 is an unsigned int: it fits
  if (fields.size() < 20 || fields[0].size() != 1 || !parse_int64(fields[19], &start) ||
      start < 0 || !parse_int64(fields[6], &flags) || flags < 0) {
    return bad();
  }
  return ProcStat{fields[0][0], static_cast<uint64_t>(start), static_cast<uint64_t>(flags)};
}

RunState derive_state(const ContainerRecord& record, const std::optional<ProcStat>& live) {
  if (record.init_pid <= 0) {
    return record.phase == "creating" ? RunState::kCreating : RunState::kStopped;
  }
  if (!live || live->state == 'Z' || live->state == 'X' ||
      live->start_time != record.init_start_time) {
    return RunState::kStopped;
  }
  if (record.paused) return RunState::kPaused;
  if (record.phase == "creating") return RunState::kCreating;
  if (record.phase == "created") return RunState::kCreated;
  return RunState::kRunning;
}

Result<std::optional<ProcStat>> read_proc_stat(sys::Ops& ops, pid_t pid) {
  std::string path = "/proc/" + std::to_string(pid) + "/stat";
  auto text = ops.read_file_at(AT_FDCWD, path);
  if (!text) {
    int code = text.error().code();
    if (code == ENOENT || code == ESRCH) return std::optional<ProcStat>();
    return std::move(text).error();
  }
  GROVE_ASSIGN_OR_RETURN(ProcStat st, parse_proc_stat(*text).context(path));
  return std::optional<ProcStat>(st);
}

Result<RunState> current_state(sys::Ops& ops, const ContainerRecord& record) {
  if (record.init_pid <= 0) return derive_state(record, std::nullopt);
  GROVE_ASSIGN_OR_RETURN(auto live, read_proc_stat(ops, record.init_pid));
  return derive_state(record, live);
}

}  // namespace grove::container
