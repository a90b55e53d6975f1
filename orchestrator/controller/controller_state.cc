// ControllerState: plain counting; stopped trials never count against the failure
// budget (an early-termination decision is not a failure).
#include "orchestrator/controller/controller_state.h"

#include "orchestrator/controller/summary.h"

namespace sweep {

void ControllerState::Count(const TrialRecord& rec) {
  switch (rec.status) {
    case TrialStatus::kFinished:
      ++finished;
      break;
    case TrialStatus::kFailed:
      ++failed;
      break;
    case TrialStatus::kStopped:
      ++stopped;
      break;
    case TrialStatus::kLost:
      ++lost;
      return;
    default:
      return;
  }
  if (rec.status == TrialStatus::kFinished || rec.status == TrialStatus::kFailed) {
    if (first_outcomes.size() < 16) first_outcomes.push_back(rec.status == TrialStatus::kFailed);
  }
  if ((rec.status == TrialStatus::kFinished || rec.status == TrialStatus::kStopped) &&
      rec.started_at > 0 && rec.ended_at >= rec.started_at) {
    duration_sum += rec.ended_at - rec.started_at;
    ++duration_count;
  }
  if (rec.value && rec.status != TrialStatus::kFailed &&
      (!best || Better(*rec.value, *best, goal))) {
    best = rec.value;
    best_trial = rec.id;
  }
}

bool ControllerState::FirstAllFailed(size_t n) const {
  if (first_outcomes.size() < n) return false;
  for (size_t i = 0; i < n; ++i)
    if (!first_outcomes[i]) return false;
  return true;
}

}  // namespace sweep
