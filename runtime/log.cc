// logrus-compatible log lines (runc uses logrus' TextFormatter and JSONFormatter).

#include "runtime/log.h"

#include <time.h>

#include <cerrno>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "libcontainer/base/strings.h"

namespace grove::cli {
namespace {

// logrus TextFormatter.needsQuoting: anything outside [A-Za-z0-9-._/@^+] is quoted; the empty
// string is not.
bool needs_quoting(std::string_view s) {
  for (char c : s) {
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '-' || c == '.' || c == '_' || c == '/' || c == '@' || c == '^' || c == '+';
    if (!plain) return true;
  }
  return false;
}

std::string text_value(std::string_view s) { return needs_quoting(s) ? q(s) : std::string(s); }

}  // namespace

const char* to_string(LogLevel level) noexcept {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarning:
      return "warning";
    case LogLevel::kError:
      return "error";
    case LogLevel::kFatal:
      return "fatal";
  }
  return "unknown";
}

Result<LogFormat> parse_log_format(std::string_view value) {
  if (value == "text") return LogFormat::kText;
  if (value == "json") return LogFormat::kJson;
  return Error::invalid("invalid log-format: " + std::string(value));
}

std::string rfc3339_nano(std::chrono::system_clock::time_point t) {
  auto since = t.time_since_epoch();
  auto secs = std::chrono::floor<std::chrono::seconds>(since);
  long nanos = static_cast<long>(std::chrono::nanoseconds(since - secs).count());
  time_t tt = static_cast<time_t>(secs.count());
  struct tm tm {};
  gmtime_r(&tt, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  std::string out = buf;
  if (nanos != 0) {
    std::snprintf(buf, sizeof buf, ".%09ld", nanos);
    std::string frac = buf;
    while (frac.back() == '0') frac.pop_back();  // Go's ".999999999" layout trims zeros
    out += frac;
  }
  return out + "Z";
}

std::string format_log_line(LogFormat format, LogLevel level, std::string_view msg,
                            std::chrono::system_clock::time_point t) {
  std::string time = rfc3339_nano(t);
  if (format == LogFormat::kJson) {
    // nlohmann objects are sorted maps: level, msg, time — the order logrus writes.
    nlohmann::json line = {{"level", to_string(level)}, {"msg", msg}, {"time", time}};
    return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  }
  return "time=" + text_value(time) + " level=" + to_string(level) + " msg=" + text_value(msg) +
         "\n";
}

Logger::Logger(std::ostream& stream, LogFormat format, bool debug)
    : stream_(&stream), format_(format), debug_(debug) {}

Logger::Logger(std::unique_ptr<std::FILE, FileCloser> file, LogFormat format, bool debug)
    : file_(std::move(file)), format_(format), debug_(debug) {}

Result<Logger> Logger::open_file(const std::string& path, LogFormat format, bool debug) {
  // "a" = O_WRONLY|O_CREAT|O_APPEND (runc opens its --log the same way); "e" = O_CLOEXEC so the
  // log fd never leaks into a container process.
  std::FILE* f = std::fopen(path.c_str(), "ae");
  if (f == nullptr) return Error::last("open log file " + q(path));
  return Logger(std::unique_ptr<std::FILE, FileCloser>(f), format, debug);
}

void Logger::log(LogLevel level, std::string_view msg) {
  if (level == LogLevel::kDebug && !debug_) return;
  std::string line = format_log_line(format_, level, msg, std::chrono::system_clock::now());
  if (file_) {
    // One fflush per line: with O_APPEND each line lands in one write(2), so lines from
    // concurrent grove processes sharing a log file do not interleave.
    std::fwrite(line.data(), 1, line.size(), file_.get());
    std::fflush(file_.get());
    return;
  }
  *stream_ << line << std::flush;
}

}  // namespace grove::cli
