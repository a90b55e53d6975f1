// Marking a stopped or interrupted sweep as running again, before a controller takes
// it back (`sweep resume`, and wandb.agent/optimize continuing an in-process sweep).
#pragma once

#include "base/status.h"
#include "orchestrator/store/records.h"
#include "orchestrator/store/trial_store.h"

namespace sweep {

// Sets `sweep` to running with its end, reason and stop requests cleared, and commits
// it. On error nothing is written and `sweep` is left as it was.
Status ReopenSweep(TrialStore& store, SweepRecord& sweep);

}  // namespace sweep
