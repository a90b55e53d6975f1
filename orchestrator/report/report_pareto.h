// The read commands' views of a multi-objective or constrained sweep: `top` by Pareto
// front, the front summary `status` prints, and the JSON pieces `export` and the
// dashboard share. Ranking rules are in orchestrator/store/pareto_ranking.h.
#pragma once

#include <string>
#include <vector>

#include "base/value.h"
#include "orchestrator/report/read_commands.h"
#include "orchestrator/store/pareto_ranking.h"

namespace sweep {

// `sweep top` of a sweep with options["pareto"]: every front in order with each trial's
// front number and objective values, then infeasible trials with the violated
// constraints named, then the rest. k = 0 shows all. Returns the exit code.
int PrintParetoTop(ReadContext& ctx, const SweepRecord& sweep,
                   const std::vector<TrialRecord>& trials, const ParetoSetup& setup, size_t k);

// {"objectives": [{name, goal}], "constraints": [{metric, min?, max?}], "front_size",
//  "hypervolume", "reference": [...], "reference_derived"}: for status --json and the UI.
Value ParetoSummaryJson(const ParetoRanking& ranking);

// "4 trials, hypervolume 12.5 (reference val_loss=2, latency_ms=31.2 derived)".
std::string ParetoSummaryLine(const ParetoRanking& ranking);

// One trial's Pareto fields for JSON output: {"values": [...], "front": n|null,
// "feasible": bool, "violations": [...]}, merged into `row`.
void AddParetoFields(const ParetoRow& r, Value& row);

}  // namespace sweep
