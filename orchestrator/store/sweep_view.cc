// SweepView: counting, ranking and the best trial, each by the store's own rules
// (ranking.h), so the CLI and the dashboard share every number they show.
#include "orchestrator/store/sweep_view.h"

namespace sweep {
namespace {

constexpr TrialStatus kStatuses[] = {TrialStatus::kQueued,   TrialStatus::kRunning,
                                     TrialStatus::kFinished, TrialStatus::kFailed,
                                     TrialStatus::kStopped,  TrialStatus::kLost};

}  // namespace

uint64_t SweepView::done() const {
  auto at = [&](TrialStatus s) {
    auto it = counts.find(s);
    return it == counts.end() ? uint64_t{0} : it->second;
  };
  return at(TrialStatus::kFinished) + at(TrialStatus::kFailed) + at(TrialStatus::kStopped);
}

SweepView MakeSweepView(SweepRecord sweep, std::vector<TrialRecord> trials) {
  SweepView v;
  v.goal = SweepGoal(sweep);
  v.mode = SweepSummaryMode(sweep);
  v.planned = PlannedTrials(sweep.options);
  v.sweep = std::move(sweep);
  v.trials = std::move(trials);
  for (TrialStatus s : kStatuses) v.counts[s] = 0;
  for (const TrialRecord& t : v.trials) ++v.counts[t.status];
  v.value.resize(v.trials.size());
  if (v.sweep.metric.empty()) return v;
  auto ranking = RankTrials(v.sweep, v.trials, RankOptions{});
  if (!ranking.ok()) return v;
  for (const RankedTrial& row : ranking->rows) v.value[row.index] = row.value;
  BestSoFar best(v.goal);
  for (size_t i = 0; i < v.trials.size(); ++i) {
    if (v.value[i] && best.Offer(v.trials[i].id, v.trials[i].number, *v.value[i])) v.best = i;
  }
  return v;
}

Value StatusCountsJson(const std::map<TrialStatus, uint64_t>& counts) {
  Value out = Value::object();
  for (TrialStatus s : kStatuses) {
    auto it = counts.find(s);
    out[TrialStatusName(s)] = it == counts.end() ? 0 : it->second;
  }
  return out;
}

}  // namespace sweep
