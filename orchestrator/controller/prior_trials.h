// Warm start: finished trials of earlier sweeps (or rows of a CSV/JSON file) that the
// strategy learns from before its first suggestion.
//
// `sweep launch` loads them once (LoadPriorTrials) and records them on the sweep
// (SweepOptions::warm_start), so that `sweep resume` replays exactly the same prior
// after the sweep's own history, whatever happened to the sources since. The
// controller hands them to SearchStrategy::Replay ahead of the sweep's trials: the GP
// fits on them, grid and random mark their configurations as taken (never re-run),
// and early-termination rules never see them.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "base/status.h"
#include "base/value.h"
#include "orchestrator/spec/spec.h"
#include "orchestrator/store/trial_store.h"
#include "orchestrator/store/warm_start_record.h"
#include "search/strategy.h"

namespace sweep {

// What one source contributed.
struct PriorSource {
  std::string source;  // as given: a sweep id (or prefix) or a file path
  std::string kind;    // "sweep" | "file"
  std::string sweep;   // kind sweep: the full sweep id
  uint64_t used = 0;
  uint64_t skipped = 0;
  std::map<std::string, uint64_t> reasons;  // why rows were skipped -> how many
};

struct PriorTrials {
  std::vector<PriorSource> sources;
  // Each used trial: {"params": flat, "summary": TrialSummary JSON, "source", "ref"}.
  Value trials = Value::array();
};

// Loads every source in order. A source is a file when a regular file of that name
// exists, otherwise a sweep id or unique prefix in `store`. A trial is used when it
// finished, its params fit `spec.space` (search/space_fit.h MisfitReason; inactive
// parameters absent) and, when the spec has a metric, it reported that metric (by
// name: a prior sweep that ranked by another metric contributes the trials that also
// reported this one). Errors (kUsage): an unknown source, an unreadable file, a
// sweep's trials that cannot be listed. `store` may be null (`launch --dry-run` with no
// store yet): then only files can be sources.
Result<PriorTrials> LoadPriorTrials(TrialStore* store, const SweepSpec& spec,
                                    const std::vector<std::string>& sources);

// The record kept in SweepOptions::warm_start; null when `prior` has no sources.
Value PriorToJson(const SweepSpec& spec, const PriorTrials& prior);

// The observations a warm-started sweep's strategy replays first, from the record.
// Trial numbers start at kPriorTrialBase so they never collide with the sweep's own.
std::vector<Observation> PriorObservations(const SweepSpec& spec, const Value& warm_start);

constexpr uint64_t kPriorTrialBase = 1ull << 62;

}  // namespace sweep
