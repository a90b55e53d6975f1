// Progress display. On a terminal the live line is rewritten with "\r\033[K" (carriage
// return + erase line) so log lines and the live line never interleave; off a
// terminal (CI logs, pipes) only whole lines are written, each with a UTC time.
#include "orchestrator/controller/progress.h"

#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>

#include "base/value.h"

namespace sweep {
namespace {

std::string TimeOfDay() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%H:%M:%S", &tm);
  return buf;
}

std::string Short(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

}  // namespace

ProgressDisplay::ProgressDisplay(std::ostream& out, bool tty, bool quiet)
    : out_(out),
      tty_(tty),
      log_("controller", [this](LogLevel, const std::string& line) { Print(line); }) {
  log_.SetQuiet(quiet);
}

Status ProgressDisplay::AttachLogFile(const std::string& path) {
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  if (ec) return Status::Io("cannot create the folder of " + path + ": " + ec.message());
  return log_.AttachFile(path, 10u << 20, 3);
}

std::string ProgressDisplay::FormatDuration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) seconds = 0;
  long s = std::lround(seconds);
  char buf[32];
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%ldh%02ldm", s / 3600, (s % 3600) / 60);
  else if (s >= 60)
    std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
  else
    std::snprintf(buf, sizeof buf, "%lds", s);
  return buf;
}

std::string ProgressDisplay::Line(const ProgressCounts& c) {
  uint64_t done = c.finished + c.failed + c.stopped;
  std::string line = "[" + std::to_string(done);
  if (c.total) line += "/" + std::to_string(*c.total);
  line += "] done " + std::to_string(c.finished) + "  running " + std::to_string(c.running) +
          "  failed " + std::to_string(c.failed);
  if (c.stopped) line += "  stopped " + std::to_string(c.stopped);
  if (c.lost) line += "  lost " + std::to_string(c.lost);
  if (c.best) {
    line += "  | best " + c.metric + "=" + Short(*c.best) + " (" + c.best_trial + ")";
  }
  line += "  | " + FormatDuration(c.elapsed_s);
  if (c.total && *c.total > done && c.mean_trial_s > 0 && c.slots > 0) {
    double remaining = static_cast<double>(*c.total - done) * c.mean_trial_s / c.slots;
    line += ", ETA " + FormatDuration(remaining);
  }
  return line;
}

void ProgressDisplay::Update(const ProgressCounts& counts) {
  last_ = counts;
  if (!tty_) return;
  out_ << "\r\033[K" << Line(counts) << std::flush;
  drawn_ = true;
}

void ProgressDisplay::Log(const std::string& line, bool important) {
  LogLevel level = line.rfind("error:", 0) == 0     ? LogLevel::kError
                   : line.rfind("warning:", 0) == 0 ? LogLevel::kWarn
                                                    : LogLevel::kInfo;
  log_.Write(level, line, important);
}

void ProgressDisplay::Debug(const std::string& line) { log_.Write(LogLevel::kDebug, line); }

void ProgressDisplay::Print(const std::string& line) {
  if (tty_) {
    out_ << "\r\033[K" << line << "\n";
    if (drawn_) out_ << Line(last_);
    out_ << std::flush;
  } else {
    out_ << TimeOfDay() << " " << line << "\n" << std::flush;
  }
}

void ProgressDisplay::Finish() {
  if (tty_ && drawn_) out_ << "\r\033[K" << std::flush;
  drawn_ = false;
}

}  // namespace sweep
