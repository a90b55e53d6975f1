// The two outcome mappings, as exhaustive switches without a default, so that a new
// enum value fails to compile (-Wswitch) instead of silently taking a default.
#include "orchestrator/controller/trial_outcome.h"

#include <string.h>

namespace sweep {

EndStatus StatusOfEnd(const TrialEnd& end) {
  switch (end.kind) {
    case TrialEnd::Kind::kExited:
      if (end.exit.exit_code == 0) return {TrialStatus::kFinished, ""};
      return {TrialStatus::kFailed, "exit code " + std::to_string(end.exit.exit_code)};
    case TrialEnd::Kind::kSignaled:
      return {TrialStatus::kFailed, "killed by " + SignalName(end.exit.signal)};
    case TrialEnd::Kind::kTimedOut:
      return {TrialStatus::kFailed, end.reason.empty() ? "timed out" : end.reason};
    case TrialEnd::Kind::kStopped:
      return {TrialStatus::kStopped, end.reason};
    case TrialEnd::Kind::kSpawnFailed:
      return {TrialStatus::kFailed, end.reason};
  }
  return {TrialStatus::kFailed, end.reason};  // not reached: the switch is exhaustive
}

Outcome StrategyOutcome(TrialStatus status) {
  switch (status) {
    case TrialStatus::kFinished:
      return Outcome::kFinished;
    case TrialStatus::kFailed:
      return Outcome::kFailed;
    case TrialStatus::kStopped:
      return Outcome::kStopped;
    case TrialStatus::kLost:
      return Outcome::kLost;
    case TrialStatus::kQueued:
    case TrialStatus::kRunning:
      return Outcome::kRunning;
  }
  return Outcome::kRunning;  // not reached
}

std::string SignalName(int sig) {
  const char* name = sigabbrev_np(sig);
  return name ? std::string("SIG") + name : "signal " + std::to_string(sig);
}

}  // namespace sweep
