// Folding what sweep's wandb module reported into the trial's record. It arrives in
// TrialEnd::provenance under kReportedKey (read where the trial ran by
// agents/runtime/wandb_files.h ReadReported, so remote agents carry it too).
#pragma once

#include <string>
#include <vector>

#include "base/value.h"
#include "orchestrator/spec/spec.h"
#include "orchestrator/store/records.h"

namespace sweep {

struct ReportedEffects {
  std::vector<std::string> notes;     // alerts, to be added as notes on the trial
  std::vector<std::string> warnings;  // for the controller's log
};

// Takes rec->provenance[kReportedKey] out (provenance is stored without it) and
// applies it to `rec`, which already holds the sweep's params and the summary
// computed from the trial's points:
//  - params: every config key the run used that is not a sweep param is added (the
//    sweep's params win, as with W&B's agent, which locks them);
//  - summary: each key's run-summary value goes to rec->summary[name]["run_summary"]
//    (a name only the summary set gets an entry of its own), its define_metric mode
//    to "run_summary_mode";
//  - value: while the spec leaves metric.summary at its default (last, W&B's
//    meaning), a numeric run summary of the target metric is the trial's value, as a
//    W&B sweep ranks by the run summary;
//  - artifacts: appended to rec->provenance["artifacts"].
// Nothing reported, or a malformed report, changes nothing else. Pure; never fails.
ReportedEffects ApplyReported(const SweepSpec& spec, TrialRecord* rec);

}  // namespace sweep
