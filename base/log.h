// Logging: the controller's and the agents' lines, through spdlog.
//
// A LineLog is one component's log. Each line has a level; lines below the
// process-wide level (`--log-level`, default info) are dropped. A kept line goes to
// the log file when one is attached (rotating; each line with a UTC timestamp and its
// level) and to the terminal writer, which prints it exactly as before spdlog came
// in (the terminal shows no level tags). `-q/--quiet` keeps the terminal to lines
// marked important (warnings, errors, and what the user must act on, such as the
// command agents connect with); the file still gets every kept line.
// spdlog is used only in log.cc, so its headers are compiled once.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>

#include "base/status.h"

namespace sweep {

enum class LogLevel { kTrace, kDebug, kInfo, kWarn, kError };

// "trace", "debug", "info", "warn", "error"; nullopt for anything else.
std::optional<LogLevel> ParseLogLevel(std::string_view name);
const char* LogLevelName(LogLevel level);

// The global flags. Set once by the CLI before a command runs; read by every LineLog.
struct LogSettings {
  LogLevel level = LogLevel::kInfo;  // lines below it are dropped, file and terminal
  bool quiet = false;                // terminal: important lines only
};
void SetLogSettings(const LogSettings& settings);
LogSettings GetLogSettings();

class LineLog {
 public:
  // Prints one kept line on the terminal (the text only, no level or time added).
  using TerminalWriter = std::function<void(LogLevel level, const std::string& line)>;

  // `name` identifies the logger in spdlog (e.g. "controller", "agent").
  LineLog(std::string name, TerminalWriter terminal);
  ~LineLog();
  LineLog(const LineLog&) = delete;
  LineLog& operator=(const LineLog&) = delete;

  // Also writes kept lines to `path`, rotated at max_bytes into path.1 .. path.<files-1>
  // ("controller.log" -> "controller.1.log"). Refuses a path that is a symbolic link
  // (kIo), and creates the file with mode 0644 when missing.
  Status AttachFile(const std::string& path, size_t max_bytes, size_t files);

  // This log's own -q (e.g. `sweep launch -q`), on top of the global one.
  void SetQuiet(bool quiet) { quiet_ = quiet; }

  // Logs one line (see the file comment for where it goes).
  void Write(LogLevel level, const std::string& line, bool important = false);
  // True when a line at `level` would be kept (skip building expensive lines).
  bool Enabled(LogLevel level) const;
  // Flushes the file.
  void Flush();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  bool quiet_ = false;
};

// Builds one line with << and writes it to `log` when it goes out of scope:
//   LogLine(log, LogLevel::kInfo) << "agent: connected to " << peer;
class LogLine {
 public:
  LogLine(LineLog& log, LogLevel level, bool important = false)
      : log_(log), level_(level), important_(important) {}
  ~LogLine() { log_.Write(level_, os_.str(), important_); }
  template <typename T>
  LogLine& operator<<(const T& v) {
    os_ << v;
    return *this;
  }
  LogLine& operator<<(std::ios_base& (*manip)(std::ios_base&)) {
    os_ << manip;
    return *this;
  }

 private:
  LineLog& log_;
  LogLevel level_;
  bool important_;
  std::ostringstream os_;
};

}  // namespace sweep
