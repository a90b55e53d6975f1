// What the user sees while `sweep launch` runs: a live progress line on a terminal
// (redrawn in place), plain timestamped log lines otherwise. Used from the
// controller's loop thread only.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

#include "base/log.h"

namespace sweep {

struct ProgressCounts {
  uint64_t finished = 0;
  uint64_t failed = 0;
  uint64_t stopped = 0;
  uint64_t lost = 0;
  uint64_t running = 0;
  std::optional<uint64_t> total;  // planned trials, when known
  std::string metric;             // target metric name
  std::optional<double> best;
  std::string best_trial;
  double elapsed_s = 0;
  double mean_trial_s = 0;  // mean duration of ended trials, for the ETA
  int slots = 1;
};

class ProgressDisplay {
 public:
  // tty = redraw one line in place (a terminal); otherwise only Log lines appear.
  ProgressDisplay(std::ostream& out, bool tty, bool quiet);

  // Redraws the live line (terminal only).
  void Update(const ProgressCounts& counts);
  // A line of its own (a trial started/ended, a warning); the live line is redrawn
  // below it on a terminal. Suppressed on the terminal by quiet unless important is
  // set. Logged through spdlog (base/log.h) at error for "error: ..." lines, warn for
  // "warning: ..." lines, info otherwise; the log file, when attached, gets them all.
  void Log(const std::string& line, bool important = false);
  // A line for `--log-level debug` (placement, commits): terminal only at that level.
  void Debug(const std::string& line);
  // Also writes every kept line to `path` (rotating: 10 MiB x 3 files). Refuses a
  // symbolic link. Creates missing parent folders.
  Status AttachLogFile(const std::string& path);
  // Clears the live line before the final report.
  void Finish();

  // "1h02m", "3m05s", "42s".
  static std::string FormatDuration(double seconds);
  // The live line's text without terminal control codes (tested directly).
  static std::string Line(const ProgressCounts& counts);

 private:
  void Print(const std::string& line);

  std::ostream& out_;
  bool tty_;
  bool drawn_ = false;
  ProgressCounts last_;
  LineLog log_;
};

}  // namespace sweep
