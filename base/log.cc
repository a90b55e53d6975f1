// LineLog over spdlog: one logger per LineLog with up to two sinks, a rotating file
// sink (pattern "2026-12-06T21:50:10.123Z info  line") and a sink that hands the bare
// text to the component's terminal writer, which keeps its own formatting (the
// controller's live progress line must be redrawn around each log line, which no
// stock sink does). The quiet filter needs to know whether a line is important,
// which spdlog's levels cannot express, so it is applied before the terminal sink.
#include "base/log.h"

#include <fcntl.h>
#include <spdlog/logger.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/rotating_file_sink.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>

namespace sweep {
namespace {

std::mutex settings_mu;
LogSettings settings;

spdlog::level::level_enum ToSpd(LogLevel l) {
  switch (l) {
    case LogLevel::kTrace:
      return spdlog::level::trace;
    case LogLevel::kDebug:
      return spdlog::level::debug;
    case LogLevel::kInfo:
      return spdlog::level::info;
    case LogLevel::kWarn:
      return spdlog::level::warn;
    case LogLevel::kError:
      return spdlog::level::err;
  }
  return spdlog::level::info;
}

LogLevel FromSpd(spdlog::level::level_enum l) {
  switch (l) {
    case spdlog::level::trace:
      return LogLevel::kTrace;
    case spdlog::level::debug:
      return LogLevel::kDebug;
    case spdlog::level::warn:
      return LogLevel::kWarn;
    case spdlog::level::err:
    case spdlog::level::critical:
      return LogLevel::kError;
    default:
      return LogLevel::kInfo;
  }
}

// Hands each message's text to a TerminalWriter; no formatting of its own.
class TerminalSink : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit TerminalSink(LineLog::TerminalWriter write) : write_(std::move(write)) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    if (write_) write_(FromSpd(msg.level), std::string(msg.payload.data(), msg.payload.size()));
  }
  void flush_() override {}

 private:
  LineLog::TerminalWriter write_;
};

}  // namespace

std::optional<LogLevel> ParseLogLevel(std::string_view name) {
  for (LogLevel l :
       {LogLevel::kTrace, LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarn, LogLevel::kError}) {
    if (name == LogLevelName(l)) return l;
  }
  return std::nullopt;
}

const char* LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kTrace:
      return "trace";
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

void SetLogSettings(const LogSettings& s) {
  std::lock_guard<std::mutex> lock(settings_mu);
  settings = s;
}

LogSettings GetLogSettings() {
  std::lock_guard<std::mutex> lock(settings_mu);
  return settings;
}

struct LineLog::Impl {
  std::shared_ptr<spdlog::logger> terminal;
  std::shared_ptr<spdlog::logger> file;  // null until AttachFile
  std::string name;
};

LineLog::LineLog(std::string name, TerminalWriter terminal) : impl_(std::make_unique<Impl>()) {
  impl_->name = name;
  // Not registered with spdlog's global registry: two sweeps' controllers in one
  // process (tests) must not share or replace each other's loggers.
  impl_->terminal =
      std::make_shared<spdlog::logger>(name, std::make_shared<TerminalSink>(std::move(terminal)));
  impl_->terminal->set_level(spdlog::level::trace);  // LineLog filters by level itself
}

LineLog::~LineLog() {
  if (impl_->file) impl_->file->flush();
}

Status LineLog::AttachFile(const std::string& path, size_t max_bytes, size_t files) {
  // Create the file ourselves with O_NOFOLLOW so that a link planted at its place
  // is refused rather than written through; spdlog then opens a regular file.
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0) return Status::Io("cannot open " + path + ": " + std::strerror(errno));
  ::close(fd);
  try {
    auto sink = std::make_shared<spdlog::sinks::rotating_file_sink_mt>(path, max_bytes,
                                                                       files > 1 ? files - 1 : 0);
    auto logger = std::make_shared<spdlog::logger>(impl_->name, std::move(sink));
    logger->set_formatter(std::make_unique<spdlog::pattern_formatter>(
        "%Y-%m-%dT%H:%M:%S.%eZ %-5l %v", spdlog::pattern_time_type::utc));
    logger->set_level(spdlog::level::trace);
    logger->flush_on(spdlog::level::info);  // a crash loses at most debug lines
    impl_->file = std::move(logger);
  } catch (const spdlog::spdlog_ex& e) {
    return Status::Io("cannot write " + path + ": " + e.what());
  }
  return Status::Ok();
}

bool LineLog::Enabled(LogLevel level) const { return level >= GetLogSettings().level; }

void LineLog::Write(LogLevel level, const std::string& line, bool important) {
  LogSettings s = GetLogSettings();
  if (level < s.level) return;
  if (impl_->file) impl_->file->log(ToSpd(level), "{}", line);
  if ((s.quiet || quiet_) && !important && level < LogLevel::kWarn) return;
  impl_->terminal->log(ToSpd(level), "{}", line);
}

void LineLog::Flush() {
  if (impl_->file) impl_->file->flush();
}

}  // namespace sweep
