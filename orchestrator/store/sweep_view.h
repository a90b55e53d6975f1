// SweepView: one stored sweep as the read commands (`sweep ls`, `sweep status`) and
// the dashboard both present it, so they cannot disagree about a sweep's counts,
// its best trial or how many trials it plans.
//
// The rules, in one place: counts cover every trial status (zeros included); a
// trial's value is the ranking's value of the target metric (ranking.h: the
// controller's summary when recorded, else computed with the sweep's summary mode);
// the best trial is the one BestSoFar picks over those values (NaN never, a tie keeps
// the lower number); `done` counts finished, failed and stopped trials (lost ones
// are re-run, so they are not done); planned is PlannedTrials(options).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "orchestrator/store/controller_probe.h"
#include "orchestrator/store/ranking.h"
#include "orchestrator/store/records.h"

namespace sweep {

struct SweepView {
  SweepRecord sweep;
  std::vector<TrialRecord> trials;  // ordered by number
  Goal goal = Goal::kMinimize;      // SweepGoal(sweep)
  SummaryMode mode = SummaryMode::kLast;
  // Per trial (same index): the target metric's value; all nullopt without a metric.
  std::vector<std::optional<double>> value;
  std::map<TrialStatus, uint64_t> counts;  // every status, zeros included
  std::optional<size_t> best;              // index into trials
  std::optional<uint64_t> planned;         // PlannedTrials(sweep.options)
  // Whether its controller runs (filled by readers that probe it; kUnknown here).
  ControllerProbe controller;

  // Finished + failed + stopped.
  uint64_t done() const;
  // The best trial's value; only when best is set.
  double best_value() const { return *value[*best]; }
};

// Builds the view from records (pure: no store access). `trials` must be the
// sweep's trials ordered by number (as TrialStore::ListTrials returns them).
SweepView MakeSweepView(SweepRecord sweep, std::vector<TrialRecord> trials);

// {"queued": n, "running": n, "finished": n, "failed": n, "stopped": n, "lost": n}.
Value StatusCountsJson(const std::map<TrialStatus, uint64_t>& counts);

}  // namespace sweep
