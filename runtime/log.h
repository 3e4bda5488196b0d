#pragma once
// The CLI's logger. Lines look exactly like runc's (logrus) so engines can read them:
//   text: time="2026-01-02T03:04:05.123456789Z" level=error msg="container does not exist"
//   json: {"level":"error","msg":"container does not exist","time":"2026-01-02T03:04:05.1Z"}
// containerd reads the last "level":"error" line's msg from the --log file and shows it to users.
// Only the CLI logs; the library returns errors (style.md §2.2). Not thread-safe (the CLI is
// single-threaded); never use it between clone and execve.

#include <chrono>
#include <cstdio>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>

#include "libcontainer/base/result.h"

namespace grove::cli {

enum class LogLevel { kDebug, kInfo, kWarning, kError, kFatal };
enum class LogFormat { kText, kJson };

// logrus names: "debug", "info", "warning", "error", "fatal".
const char* to_string(LogLevel level) noexcept;

// "text" or "json"; anything else is EINVAL "invalid log-format: VALUE" (runc's wording).
[[nodiscard]] Result<LogFormat> parse_log_format(std::string_view value);

// Go's time.RFC3339Nano in UTC: "2026-01-02T03:04:05.123456789Z", trailing zeros of the fraction
// dropped (no fraction at all on a whole second), as logrus writes it.
std::string rfc3339_nano(std::chrono::system_clock::time_point t);

// One complete log line, '\n'-terminated. `msg` may hold any bytes: text format quotes it like
// Go's %q when logrus would, JSON replaces invalid UTF-8 with U+FFFD.
std::string format_log_line(LogFormat format, LogLevel level, std::string_view msg,
                            std::chrono::system_clock::time_point t);

class Logger {
 public:
  // Logs to `stream`, which must outlive the Logger (normally the CLI's stderr).
  Logger(std::ostream& stream, LogFormat format, bool debug);
  // Opens `path` for appending (created if missing, close-on-exec), like runc's --log. Errors:
  // the errno of the open, with the frame `open log file "PATH"`.
  [[nodiscard]] static Result<Logger> open_file(const std::string& path, LogFormat format,
                                                bool debug);

  // True when lines go to a --log file rather than the CLI's stderr stream.
  bool to_file() const noexcept { return file_ != nullptr; }
  bool debug_enabled() const noexcept { return debug_; }
  LogFormat format() const noexcept { return format_; }

  // Writes one line now (debug lines only when debug is enabled). Write errors are ignored: there
  // is nowhere left to report them.
  void log(LogLevel level, std::string_view msg);
  void debug(std::string_view msg) { log(LogLevel::kDebug, msg); }
  void info(std::string_view msg) { log(LogLevel::kInfo, msg); }
  void warn(std::string_view msg) { log(LogLevel::kWarning, msg); }
  void error(std::string_view msg) { log(LogLevel::kError, msg); }

 private:
  struct FileCloser {
    void operator()(std::FILE* f) const noexcept { std::fclose(f); }
  };
  Logger(std::unique_ptr<std::FILE, FileCloser> file, LogFormat format, bool debug);

  std::ostream* stream_ = nullptr;
  std::unique_ptr<std::FILE, FileCloser> file_;
  LogFormat format_;
  bool debug_;
};

}  // namespace grove::cli
