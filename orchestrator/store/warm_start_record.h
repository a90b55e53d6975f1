// Reading a sweep's warm-start record (SweepOptions::warm_start, written by `sweep
// launch`, see orchestrator/controller/prior_trials.h) for the read commands.
#pragma once

#include <string>
#include <vector>

#include "base/value.h"
#include "orchestrator/store/records.h"

namespace sweep {

// One line per source for `sweep launch` and `sweep status`, e.g.
// "warm start: 30 trials from sweep k3x9q2 (2 skipped: 2 not finished (failed))".
// Empty for a cold-started sweep.
std::vector<std::string> PriorLines(const Value& warm_start);

// The prior trials as finished trial records of `sweep` for ranking (`top
// --with-prior`): id = the prior trial's id (or FILE:LINE / FILE#INDEX for a file
// row), sweep_id = the sweep or file it came from, params and summary as recorded,
// value = this sweep's metric under its summary mode (nullopt when not reported).
std::vector<TrialRecord> PriorTrialRecords(const SweepRecord& sweep);

}  // namespace sweep
