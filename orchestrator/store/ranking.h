// Ranking the trials of a sweep by a metric, and tracking the best trial so far.
//
// Which number ranks a trial (the "summary value"):
// - for the sweep's target metric with the sweep's goal: TrialRecord::value, the
//   summary the controller computed; when it is absent, it is computed from the
//   trial's summary JSON as below;
// - for any other metric (`--metric M`), or the target metric under the other goal:
//   computed from TrialRecord::summary[M] with the sweep's summary mode, read from
//   SweepRecord::options.summary ("last" when absent): last -> "last",
//   min -> "min", max -> "max", best -> "min" when minimizing, "max" when maximizing
//   (the ranking's goal, so `--goal` applies).
// A summary field that is null or a string "NaN" counts as NaN (JSON cannot carry
// NaN, stores may write null for it); a metric missing from the summary means the
// trial has no value.
//
// Order: trials with a finite number first, best first by the goal; NaN, Infinity and
// -Infinity rank after every finite number (an infinite loss is a diverged run, not
// the best one; W&B would sort -Infinity first under minimize); trials without a
// value come last; ties (including NaN vs NaN and no value vs no value) are broken
// by trial number, lower first. Every status is ranked: the caller shows each
// trial's status beside its value.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "orchestrator/spec/spec.h"
#include "orchestrator/store/records.h"
#include "search/strategy.h"

namespace sweep {

// "minimize" / "maximize".
const char* GoalName(Goal goal);
std::optional<Goal> ParseGoal(const std::string& s);
// "last" / "min" / "max" / "best".
const char* SummaryModeName(SummaryMode mode);
std::optional<SummaryMode> ParseSummaryMode(const std::string& s);

// The sweep's goal (minimize when absent or unrecognised) and summary mode (last when
// options.summary is absent or unrecognised).
Goal SweepGoal(const SweepRecord& sweep);
SummaryMode SweepSummaryMode(const SweepRecord& sweep);

// The summary value of `metric` for one trial, per the rules above; nullopt when the
// trial never reported the metric.
std::optional<double> SummaryValue(const TrialRecord& trial, const std::string& metric,
                                   SummaryMode mode, Goal goal);

// True when `a` ranks strictly before `b` (values of two trials with the given
// numbers), per the order above.
bool RanksBefore(const std::optional<double>& a, uint64_t a_number, const std::optional<double>& b,
                 uint64_t b_number, Goal goal);

struct RankOptions {
  std::string metric;        // "" = the sweep's target metric
  std::optional<Goal> goal;  // nullopt = the sweep's goal
};

struct RankedTrial {
  size_t index = 0;             // position in the trials vector given to RankTrials
  std::optional<double> value;  // nullopt = no value
  size_t rank = 0;              // 1-based position in the ranking
};

struct Ranking {
  std::string metric;
  Goal goal = Goal::kMinimize;
  SummaryMode summary = SummaryMode::kLast;
  bool is_target = false;         // metric is the sweep's target metric
  std::vector<RankedTrial> rows;  // every trial, best first
};

// Ranks `trials` (of `sweep`). Fails with a usage error when no metric is given and
// the sweep has no target metric. Never reorders `trials`.
Result<Ranking> RankTrials(const SweepRecord& sweep, const std::vector<TrialRecord>& trials,
                           const RankOptions& options);

// The best value seen so far and which trial holds it, for progress lines and
// `sweep status`. NaN never becomes best; a tie keeps the lower trial number.
// Not thread-safe; cheap to copy.
class BestSoFar {
 public:
  explicit BestSoFar(Goal goal) : goal_(goal) {}

  // Considers one trial's value; returns true when it became the best.
  bool Offer(const std::string& trial_id, uint64_t number, double value);

  bool has_value() const { return has_value_; }
  double value() const { return value_; }  // only when has_value()
  const std::string& trial_id() const { return trial_id_; }
  uint64_t number() const { return number_; }

 private:
  Goal goal_;
  bool has_value_ = false;
  double value_ = 0;
  std::string trial_id_;
  uint64_t number_ = 0;
};

}  // namespace sweep
