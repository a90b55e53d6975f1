// SweepSpec: a parsed, validated sweep spec (W&B keys plus our extensions).
//
// Produced only by ParseSpec (orchestrator/spec/spec_parser.h); everything downstream
// reads this struct, never YAML. Each field's default is the one documented in the
// README and schemas/sweep.schema.json.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agents/runtime/metric_reader.h"
#include "search/search_space.h"
#include "search/strategy.h"

namespace sweep {

// Which value of a metric's series ranks a trial. W&B uses the last reported one.
enum class SummaryMode { kLast, kMin, kMax, kBest };

struct MetricSpec {
  std::string name;                          // empty when the spec has no metric
  Goal goal = Goal::kMinimize;               // W&B default: minimize
  std::optional<double> target;              // stop new trials once a summary reaches it
  SummaryMode summary = SummaryMode::kLast;  // extension `metric.summary`
  Impute impute = Impute::kWorst;            // W&B `metric.impute`
  // Multi-objective sweeps: the objective's value in the hypervolume reference point
  // (extension `metrics[i].reference`); absent = derived from the trials.
  std::optional<double> reference;
};

// One entry of the extension `constraints:`: a trial is feasible only when its summary
// of `metric` lies within `bound`. A trial that never reports the metric is infeasible
// unless the sweep's impute is `best`.
struct ConstraintSpec {
  std::string metric;
  MetricBound bound;
};

enum class EarlyTerminateType { kNone, kHyperband, kAsha, kMedian, kCurve };

struct EarlyTerminateSpec {
  EarlyTerminateType type = EarlyTerminateType::kNone;
  // W&B hyperband: either min_iter, or max_iter with s. Counted in reports of the
  // target metric.
  std::optional<int> min_iter;
  std::optional<int> max_iter;
  std::optional<int> s;
  double eta = 3;            // W&B default 3
  bool strict = false;       // see README: our documented default
  int min_trials = 5;        // median: trials needed before a median is trusted
  double confidence = 0.99;  // curve: one-sided confidence needed to stop a trial
};

// What provenance to capture (extension `track`).
struct TrackSpec {
  bool git = true;
  bool env = true;
  bool packages = true;  // pip freeze when the program is Python
  // Environment variables recorded (globs); secrets are never recorded regardless.
  std::vector<std::string> env_vars = {
      "CUDA_*",  "OMP_*", "MKL_*", "PYTHONHASHSEED", "SLURM_*",          "NCCL_*",
      "TORCH_*", "HF_*",  "PATH",  "VIRTUAL_ENV",    "CONDA_DEFAULT_ENV"};
  double system_metrics_interval_s = 5;   // 0 turns system metric sampling off
  uint64_t max_diff_bytes = 10ull << 20;  // uncommitted diff kept per trial (capped)
};

// Where trials run (extension `backend`).
struct BackendSpec {
  std::string type = "local";       // local | slurm
  int agents = 1;                   // slurm: job array size
  std::vector<std::string> sbatch;  // slurm: extra sbatch flags
  int workers_per_agent = 1;
  std::string listen;            // slurm: address reachable from compute nodes
  double pending_timeout_s = 0;  // slurm: give up when a job pends longer (0 = never)
  int gpus_per_trial = 0;        // slurm: each job asks --gres=gpu:<workers_per_agent * this>
                                 // unless `sbatch` asks for GPUs itself; 0 = ask for none
  std::optional<int> max_replacements;  // slurm: agent jobs resubmitted after ending early;
                                        // absent = `agents`
};

struct SweepSpec {
  std::string file;  // path the spec was read from (for messages)
  std::string text;  // the spec's full text, stored with the sweep
  std::string name;
  std::string description;
  std::string program;  // may be empty when command does not use ${program}
  // True for a sweep whose trials run inside a Python process (wandb.agent(function=),
  // sweep_client.optimize): no program or command is needed, and BuildArgv builds none.
  bool in_process = false;
  std::vector<std::string> command;     // tokens; empty = the W&B default command
  std::string interpreter = "python3";  // extension: what ${interpreter} expands to
  std::string method;                   // grid | random | bayes | ...
  MetricSpec metric;
  // W&B's `metrics:` (at least two): the objectives of a multi-objective sweep, in spec
  // order. Empty for a sweep with `metric:`. When set, `metric` is objectives[0] (what
  // early termination, progress lines and TrialRecord::value use).
  std::vector<MetricSpec> objectives;
  std::vector<ConstraintSpec> constraints;  // extension `constraints:`
  SearchSpace space;                        // space.where holds the extension `where:`
  EarlyTerminateSpec early_terminate;
  std::optional<uint64_t> run_cap;  // W&B run_cap

  // Extensions. Each default is what users get without writing the key.
  std::optional<uint64_t> seed;            // random when absent (and recorded)
  int workers = 1;                         // local parallel trial slots
  int gpus_per_trial = 1;                  // GPUs handed to each trial when GPUs are used
  double timeout_s = 0;                    // per-trial wall-clock limit; 0 = none
  double stop_grace_s = 10;                // SIGTERM .. SIGKILL grace period
  int max_retries = 2;                     // re-runs of a lost trial before it is failed
  std::optional<int> max_failures;         // stop the sweep after this many failures;
                                           // absent: stop when the first 5 all fail
  std::map<std::string, std::string> env;  // extra environment for every trial
  MetricReadingOptions reporting;          // extension `reporting`
  // Extension `reporting.max_metric_names`: distinct metric names kept per trial;
  // reports of further names (except the target metric) are dropped by the
  // controller with one warning. Bounds what one trial makes the store, the read
  // commands and the dashboard handle.
  size_t max_metric_names = 10000;
  TrackSpec track;
  std::vector<std::string> artifacts;  // globs, relative to the trial dir or cwd
  uint64_t artifact_max_bytes = 1ull << 30;
  std::vector<std::string> data;  // data paths hashed per trial
  BackendSpec backend;
  // Extension `warm_start`: sweep ids (or unique prefixes) in the store and CSV/JSON
  // files of earlier trials the strategy learns from before its first suggestion
  // (schemas/warm_start.md); `sweep launch --warm-start` adds to them. Relative file
  // paths are read from the directory `sweep launch` runs in. Empty = cold start.
  std::vector<std::string> warm_start;

  // Notes for the user: ignored W&B-only keys and the like. Not errors.
  std::vector<std::string> notes;
};

}  // namespace sweep
