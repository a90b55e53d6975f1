// Counters the controller keeps about ended trials: per-status counts, the best
// value so far, mean duration (for the ETA) and the outcomes of the first trials
// (for the default failure budget).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "orchestrator/store/records.h"
#include "search/strategy.h"

namespace sweep {

struct ControllerState {
  std::string metric;
  Goal goal = Goal::kMinimize;

  uint64_t finished = 0;
  uint64_t failed = 0;
  uint64_t stopped = 0;
  uint64_t lost = 0;
  std::optional<double> best;
  std::string best_trial;
  double duration_sum = 0;  // of finished and stopped trials
  uint64_t duration_count = 0;
  // Outcome of each trial that finished or failed, in end order (true = failed); only
  // the first few are kept, for the "first 5 all failed" rule.
  std::vector<bool> first_outcomes;

  // Why the sweep stops scheduling (set once).
  bool no_new_trials = false;
  SweepStatus end_status = SweepStatus::kFinished;
  std::string end_reason;
  bool interrupted = false;    // SIGINT/SIGTERM received
  bool strategy_idle = false;  // the last Suggest returned nothing
  bool store_failed = false;

  // Counts one ended trial (any terminal status); others are ignored.
  void Count(const TrialRecord& rec);
  // True once the first `n` finished-or-failed trials all failed.
  bool FirstAllFailed(size_t n) const;
  double MeanDuration() const { return duration_count ? duration_sum / duration_count : 0; }
};

}  // namespace sweep
