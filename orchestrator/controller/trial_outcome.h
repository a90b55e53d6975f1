// How a trial's end becomes its stored status, and how a stored status becomes what
// the search strategy is told: the controller's only two mappings between the three
// outcome types (TrialEnd::Kind from the runner, TrialStatus in the store, Outcome
// for strategies), each defined once here.
#pragma once

#include <string>

#include "agents/runtime/trial_runner.h"
#include "orchestrator/store/records.h"
#include "search/strategy.h"

namespace sweep {

struct EndStatus {
  TrialStatus status = TrialStatus::kFailed;
  std::string reason;  // "" for a clean exit
};

// The status of a trial that ended on its own (nobody asked it to stop, it was not
// lost): exit 0 finished; a non-zero exit, a signal, a timeout or a spawn failure
// failed; a stop (by the runner) stopped. Reasons: "exit code 3", "killed by SIGKILL",
// the end's own reason otherwise ("timed out" when it has none).
EndStatus StatusOfEnd(const TrialEnd& end);

// What a strategy is told about a trial with this stored status: finished, failed,
// stopped and lost map to their namesakes; queued and running to kRunning (pending).
Outcome StrategyOutcome(TrialStatus status);

// "SIGKILL" for 9; "signal N" for numbers without a name.
std::string SignalName(int sig);

}  // namespace sweep
