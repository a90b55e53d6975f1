// TrialStore's non-abstract methods: the portable forms of the summary filters.
#include "orchestrator/store/trial_store.h"

namespace sweep {

Result<TrialRecord> TrialStore::GetTrialWithoutSummary(const std::string& id_or_prefix) {
  auto trial = GetTrial(id_or_prefix);
  if (trial.ok()) trial->summary = KeyedValue();
  return trial;
}

Result<std::vector<TrialRecord>> TrialStore::ListTrialsSummarizing(
    const std::string& sweep_id, const std::vector<std::string>& names) {
  auto trials = ListTrials(sweep_id);
  if (!trials.ok()) return trials;
  for (TrialRecord& t : *trials) {
    if (!t.summary.is_object()) continue;
    KeyedValue kept = KeyedValue::object();
    for (const std::string& n : names) {
      auto it = t.summary.find(n);
      if (it != t.summary.end()) kept[n] = std::move(*it);
    }
    t.summary = std::move(kept);
  }
  return trials;
}

}  // namespace sweep
