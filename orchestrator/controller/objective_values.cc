// Objective and constraint values of one trial (see objective_values.h). Each value uses
// its own metric's summary mode (metrics[i].summary; last by default, W&B's meaning)
// and goal; a constrained metric uses `last`, so a bound holds for the value the trial
// ended with.
#include "orchestrator/controller/objective_values.h"

#include <algorithm>

namespace sweep {

void SetObjectiveOptions(const SweepSpec& spec, StrategyOptions& options) {
  options.objectives.clear();
  options.constraints.clear();
  if (spec.objectives.size() >= 2)
    for (const MetricSpec& m : spec.objectives) options.objectives.push_back(m.goal);
  for (const ConstraintSpec& c : spec.constraints) options.constraints.push_back(c.bound);
  if (options.objectives.empty() && !options.constraints.empty())
    options.objectives.push_back(spec.metric.goal);
}

void FillObjectiveValues(const SweepSpec& spec, const TrialSummary& summary, Observation& obs) {
  obs.values.clear();
  obs.constraint_values.clear();
  if (spec.objectives.size() < 2 && spec.constraints.empty()) return;
  if (spec.objectives.size() >= 2) {
    for (const MetricSpec& m : spec.objectives)
      obs.values.push_back(summary.Value(m.name, m.summary, m.goal));
  } else {
    obs.values.push_back(summary.Value(spec.metric.name, spec.metric.summary, spec.metric.goal));
  }
  for (const ConstraintSpec& c : spec.constraints)
    obs.constraint_values.push_back(summary.Value(c.metric, SummaryMode::kLast, Goal::kMinimize));
}

std::vector<std::string> MissingObjectiveMetrics(const SweepSpec& spec,
                                                 const TrialSummary& summary) {
  std::vector<std::string> names;
  auto add = [&](const std::string& name) {
    if (name == spec.metric.name || summary.Count(name) > 0) return;
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  };
  for (const MetricSpec& m : spec.objectives) add(m.name);
  for (const ConstraintSpec& c : spec.constraints) add(c.metric);
  return names;
}

}  // namespace sweep
