// Trial and sweep kinds: the markers are plain data on existing columns, read and
// written only here so the convention lives in one place.
#include "orchestrator/store/trial_kinds.h"

namespace sweep {

bool IsTrackedRun(const SweepRecord& sweep) {
  const Value& extra = sweep.options.extra;
  if (!extra.is_object()) return false;
  auto it = extra.find("kind");
  return it != extra.end() && it->is_string() && it->get<std::string>() == kRunKind;
}

void MarkTrackedRun(SweepOptions* options) {
  if (!options->extra.is_object()) options->extra = Value::object();
  options->extra["kind"] = kRunKind;
}

std::string ManualTrialId(const std::string& sweep_id, uint64_t number) {
  return sweep_id + "-m" + std::to_string(number - kManualTrialBase);
}

const char* TrialKind(const TrialRecord& trial, const SweepRecord* sweep) {
  if (IsManualTrial(trial)) return "manual";
  if (sweep && IsTrackedRun(*sweep)) return "run";
  return "sweep";
}

}  // namespace sweep
