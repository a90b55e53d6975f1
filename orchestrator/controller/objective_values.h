// What a multi-objective or constrained sweep tells its strategy about a trial: the
// summary of each objective and of each constrained metric, computed from the trial's
// running summaries exactly as the target metric's value is.
//
// Pure functions of the spec and one trial's summaries; no state, any thread.
#pragma once

#include <string>
#include <vector>

#include "orchestrator/controller/summary.h"
#include "orchestrator/spec/spec.h"
#include "search/strategy.h"

namespace sweep {

// Copies the spec's objectives' goals and constraint bounds into the strategy options
// (both stay empty for a sweep with one `metric:` and no constraints).
void SetObjectiveOptions(const SweepSpec& spec, StrategyOptions& options);

// Fills obs.values (one per `metrics:` entry; for `metric:` with constraints, the one
// target) and obs.constraint_values (one per constraint) when the sweep is
// multi-objective or constrained; leaves them empty otherwise.
void FillObjectiveValues(const SweepSpec& spec, const TrialSummary& summary, Observation& obs);

// Objectives after the first and constrained metrics that `summary` never reported,
// in spec order without repeats (the first objective has its own warning).
std::vector<std::string> MissingObjectiveMetrics(const SweepSpec& spec,
                                                 const TrialSummary& summary);

}  // namespace sweep
