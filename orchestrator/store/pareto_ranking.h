// Ranking a multi-objective or constrained sweep: feasibility, non-dominated sorting,
// the Pareto front's hypervolume. What `top`, `export`, `status` and the dashboard show.
//
// The objectives and constraints come from SweepRecord::options["pareto"], written at
// launch from the spec (ParetoOption), so reading a sweep never re-parses its spec.
//
// Order of the rows: (1) feasible trials with a finite value for every objective, by
// front (1 = Pareto-optimal among them), then within a front by the first objective
// (best first), then by trial number; (2) infeasible trials (a constrained metric out
// of bounds, or never reported unless impute is best), fewest violations first, then by
// trial number, each with the violated constraints named; (3) trials missing an
// objective value (or with NaN/inf), then trials still queued or running, by number.
// Lost attempts are listed last. Only rows of group (1) have a front number.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/value.h"
#include "orchestrator/spec/spec.h"
#include "orchestrator/store/records.h"

namespace sweep {

struct ParetoObjective {
  std::string name;
  Goal goal = Goal::kMinimize;
  SummaryMode summary = SummaryMode::kLast;
  std::optional<double> reference;  // the spec's reference coordinate, raw units
};

struct ParetoSetup {
  std::vector<ParetoObjective> objectives;  // `metrics:` or the one `metric:`
  std::vector<ConstraintSpec> constraints;  // `constraints:`
  Impute impute = Impute::kWorst;           // a constrained metric never reported
};

// The JSON stored as options["pareto"] for a spec with `metrics:` or `constraints:`;
// null for a plain single-objective spec.
Value ParetoOption(const SweepSpec& spec);
// The setup of a stored sweep; nullopt when it is not multi-objective or constrained.
std::optional<ParetoSetup> SweepPareto(const SweepRecord& sweep);

// The metrics a sweep is ranked by: its `metric`, every objective and every
// constrained metric. What a read command that only ranks needs of each summary.
std::vector<std::string> RankingMetricNames(const SweepRecord& sweep);

struct ParetoRow {
  size_t index = 0;                           // position in the trials given to RankPareto
  std::vector<std::optional<double>> values;  // per objective, raw units; nullopt = none
  bool feasible = true;
  std::vector<std::string> violations;  // "latency_ms=25.0 > max 20.0", "memory_gb not reported"
  size_t front = 0;                     // 1-based; 0 = not on any front (groups 2 and 3)
  size_t rank = 0;                      // 1-based position
};

struct ParetoRanking {
  ParetoSetup setup;
  std::vector<ParetoRow> rows;  // every trial, in the order of the file comment
  size_t front_size = 0;        // rows with front == 1
  // The hypervolume of front 1 against `reference` (raw units, one per objective); 0 with
  // no front. reference_derived: some coordinate was not in the spec and was taken
  // 10% of the front's range beyond its worst value (as BoTorch's infer_reference_point).
  double hypervolume = 0;
  std::vector<double> reference;
  bool reference_derived = false;
};

// Ranks `trials` under `setup`. Never reorders `trials`; never fails.
ParetoRanking RankPareto(const std::vector<TrialRecord>& trials, const ParetoSetup& setup);

// "1.5" style number for messages (Python repr).
std::string ParetoNumber(double v);

}  // namespace sweep
