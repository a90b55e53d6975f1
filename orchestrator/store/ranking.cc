// Ranking: a stable sort of trial indices under one strict weak order.
//
// The order key of a trial is (class, value, number) where class is 0 for a finite
// number, 1 for NaN or +-Inf and 2 for no value; values compare by the goal only within class 0, so
// the order stays a strict weak order even with NaN (a raw `<` on NaN would not be,
// and std::sort would be undefined). Summary values come from the trial's summary
// JSON when the controller's own value does not apply (another metric or goal).
#include "orchestrator/store/ranking.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "orchestrator/report/report_format.h"

namespace sweep {
namespace {

int ValueClass(const std::optional<double>& v) {
  if (!v) return 2;
  // Non-finite after every finite value: -Inf under minimize is a run that diverged
  // (or a bug in the script), not the best run.
  return std::isfinite(*v) ? 0 : 1;
}

// The summary field a mode reads.
const char* SummaryField(SummaryMode mode, Goal goal) {
  switch (mode) {
    case SummaryMode::kLast:
      return "last";
    case SummaryMode::kMin:
      return "min";
    case SummaryMode::kMax:
      return "max";
    case SummaryMode::kBest:
      return goal == Goal::kMinimize ? "min" : "max";
  }
  return "last";
}

}  // namespace

const char* GoalName(Goal goal) { return goal == Goal::kMaximize ? "maximize" : "minimize"; }

std::optional<Goal> ParseGoal(const std::string& s) {
  if (s == "minimize") return Goal::kMinimize;
  if (s == "maximize") return Goal::kMaximize;
  return std::nullopt;
}

const char* SummaryModeName(SummaryMode mode) {
  switch (mode) {
    case SummaryMode::kLast:
      return "last";
    case SummaryMode::kMin:
      return "min";
    case SummaryMode::kMax:
      return "max";
    case SummaryMode::kBest:
      return "best";
  }
  return "last";
}

std::optional<SummaryMode> ParseSummaryMode(const std::string& s) {
  if (s == "last") return SummaryMode::kLast;
  if (s == "min") return SummaryMode::kMin;
  if (s == "max") return SummaryMode::kMax;
  if (s == "best") return SummaryMode::kBest;
  return std::nullopt;
}

Goal SweepGoal(const SweepRecord& sweep) { return ParseGoal(sweep.goal).value_or(Goal::kMinimize); }

SummaryMode SweepSummaryMode(const SweepRecord& sweep) {
  return ParseSummaryMode(sweep.options.summary).value_or(SummaryMode::kLast);
}

std::optional<double> SummaryValue(const TrialRecord& trial, const std::string& metric,
                                   SummaryMode mode, Goal goal) {
  if (!trial.summary.is_object()) return std::nullopt;
  auto it = trial.summary.find(metric);
  if (it == trial.summary.end() || !it->is_object()) return std::nullopt;
  auto field = it->find(SummaryField(mode, goal));
  if (field == it->end()) return std::nullopt;
  if (field->is_null()) return std::nan("");  // a NaN that went through JSON text
  if (auto v = NumberFromJson(*field)) return v;
  return std::nullopt;
}

bool RanksBefore(const std::optional<double>& a, uint64_t a_number, const std::optional<double>& b,
                 uint64_t b_number, Goal goal) {
  int ca = ValueClass(a), cb = ValueClass(b);
  if (ca != cb) return ca < cb;
  if (ca == 0 && *a != *b) return goal == Goal::kMinimize ? *a < *b : *a > *b;
  return a_number < b_number;
}

Result<Ranking> RankTrials(const SweepRecord& sweep, const std::vector<TrialRecord>& trials,
                           const RankOptions& options) {
  Ranking ranking;
  ranking.metric = options.metric.empty() ? sweep.metric : options.metric;
  if (ranking.metric.empty()) {
    return Status::Usage("sweep " + sweep.id +
                         " has no target metric; choose one with --metric NAME");
  }
  Goal sweep_goal = SweepGoal(sweep);
  ranking.goal = options.goal.value_or(sweep_goal);
  ranking.summary = SweepSummaryMode(sweep);
  ranking.is_target = ranking.metric == sweep.metric;
  // The controller's value was computed for the sweep's goal; it only differs from a
  // recomputation under another goal in "best" mode.
  bool use_record_value =
      ranking.is_target && (ranking.goal == sweep_goal || ranking.summary != SummaryMode::kBest);

  ranking.rows.resize(trials.size());
  for (size_t i = 0; i < trials.size(); ++i) {
    RankedTrial& row = ranking.rows[i];
    row.index = i;
    if (use_record_value && trials[i].value) {
      row.value = trials[i].value;
    } else {
      row.value = SummaryValue(trials[i], ranking.metric, ranking.summary, ranking.goal);
    }
  }
  std::stable_sort(ranking.rows.begin(), ranking.rows.end(),
                   [&](const RankedTrial& a, const RankedTrial& b) {
                     return RanksBefore(a.value, trials[a.index].number, b.value,
                                        trials[b.index].number, ranking.goal);
                   });
  for (size_t i = 0; i < ranking.rows.size(); ++i) ranking.rows[i].rank = i + 1;
  return ranking;
}

bool BestSoFar::Offer(const std::string& trial_id, uint64_t number, double value) {
  if (!std::isfinite(value)) return false;
  if (has_value_ && !RanksBefore(value, number, value_, number_, goal_)) return false;
  has_value_ = true;
  value_ = value;
  trial_id_ = trial_id;
  number_ = number;
  return true;
}

}  // namespace sweep
