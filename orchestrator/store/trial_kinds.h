// What kind of record a sweep or trial is: a sweep's own trial, the one trial of a
// tracked run (`sweep run`), or a manual trial filed under a sweep (`sweep run
// --sweep`). Both are marked without a schema change: a run by "kind": "run" in the
// sweep's options JSON (SweepOptions::extra, which every version keeps as written),
// a manual trial by its number.
#pragma once

#include <cstdint>
#include <string>

#include "orchestrator/store/records.h"

namespace sweep {

// The options "kind" of a tracked run's sweep record.
inline constexpr const char kRunKind[] = "run";

// True for the sweep record `sweep run` creates for a standalone run: one trial
// "<id>-0", no spec, no method, no strategy; never resumed.
bool IsTrackedRun(const SweepRecord& sweep);
// Marks options as a tracked run's (options.extra["kind"] = "run").
void MarkTrackedRun(SweepOptions* options);

// Manual trials are numbered from kManualTrialBase up (id "<sweep>-m<k>", k = number
// - base) so their numbers never meet the ones the sweep's controller hands out,
// whether or not it runs; they sort after the sweep's own trials, are ranked with
// them, and are never told to the search strategy (resume skips them). Below 2^53,
// so JSON readers and the dashboard's JavaScript see the exact number.
inline constexpr uint64_t kManualTrialBase = 1ull << 40;
inline bool IsManualTrial(const TrialRecord& t) { return t.number >= kManualTrialBase; }
// "<sweep>-m<k>" for number kManualTrialBase + k.
std::string ManualTrialId(const std::string& sweep_id, uint64_t number);

// "run" for a tracked run's trial, "manual" for a manual trial, else "sweep".
// `sweep` may be null (unreadable): then only "manual" or "sweep".
const char* TrialKind(const TrialRecord& trial, const SweepRecord* sweep);

}  // namespace sweep
