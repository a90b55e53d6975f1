// SweepOptions: how a sweep was launched, kept on its record (SweepRecord::options).
//
// Written by `sweep launch`, read back by `sweep resume` (to run it the same way),
// by ranking (the summary mode) and by the read commands and the dashboard (the
// planned number of trials, how agents connect). On disk it is the JSON object in
// the sweeps table's `options` column; SweepOptionsToJson / ParseSweepOptions are the
// one place that maps the two, so stores written by earlier versions read the same.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/value.h"

namespace sweep {

struct SweepOptions {
  // Local worker slots (--workers, or as settled from --gpus). nullopt = not recorded.
  std::optional<int> workers;
  // --gpus as given: "" = GPUs not managed; "0,2" = those devices.
  std::string gpus;
  // --max-trials: distinct configurations to run in all. nullopt = no limit.
  std::optional<uint64_t> max_trials;
  // The search space's size when it is finite (grid). nullopt = infinite or unknown.
  std::optional<uint64_t> space_size;
  // The spec's run_cap. nullopt = none.
  std::optional<uint64_t> run_cap;
  // The spec's metric.summary ("last", "min", "max", "best"); ranking by other
  // metrics uses the same mode. Default "last", W&B's only mode.
  std::string summary = "last";
  // --slurm N: agents started as Slurm jobs. nullopt = no Slurm backend.
  std::optional<int> slurm_agents;
  // --listen: "host:port" the controller bound (the real port once listening).
  // "" = no remote agents; the fields below are then unset.
  std::string listen;
  std::string token_file;                  // the agents' shared token file
  std::optional<double> lease_interval_s;  // nullopt = 5 s (ListenOptions' default)
  std::optional<double> lease_timeout_s;   // nullopt = 30 s
  std::string tls_cert, tls_key;           // "" = plain TCP
  // Objectives, constraints and reference point of a multi-objective or constrained
  // sweep (store/pareto_ranking.h reads it); null for a plain sweep.
  Value pareto;
  // Warm start (`--warm-start`, spec `warm_start:`): {"metric", "sources": [{"source",
  // "kind": "sweep"|"file", "sweep" (kind sweep), "used", "skipped", "reasons"}],
  // "trials": [{"params", "summary", "source", "ref"}]}, the prior trials the strategy
  // learnt from, kept so that resume feeds it exactly the same ones
  // (orchestrator/controller/prior_trials.h). null for a cold start.
  Value warm_start;
  // Keys this version does not know (written by a newer one): kept as they were, so
  // rewriting a record never drops them.
  Value extra = Value::object();

  bool operator==(const SweepOptions& o) const;
};

// The JSON object stored on disk. workers is written when set, gpus, max_trials,
// space_size, run_cap (null when unset) and summary always, the rest when set.
Value SweepOptionsToJson(const SweepOptions& options);

// Reads what SweepOptionsToJson (or an earlier version) wrote. Lenient, like every
// read of a stored record: a key of the wrong type is treated as absent, a
// non-object as no options at all.
SweepOptions ParseSweepOptions(const Value& json);

// How many trials a sweep plans to run: the smallest of max_trials, run_cap and
// space_size among those set and positive; nullopt = unbounded (e.g. random search
// without caps). The one rule `sweep ls`/`status` and the dashboard both show.
std::optional<uint64_t> PlannedTrials(const SweepOptions& options);

}  // namespace sweep
