// `sweep launch`, `sweep resume`, `sweep validate` and `--dry-run`: turning a spec
// and command-line flags into a sweep in the store and a running controller.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "base/value.h"

namespace sweep {

struct LaunchFlags {
  std::string spec_path;
  std::string store;                   // --store ("" = default)
  std::optional<int> workers;          // --workers (overrides the spec's `workers`)
  std::string gpus;                    // --gpus all|0,2,3 ("" = no GPU management)
  std::optional<uint64_t> max_trials;  // --max-trials
  std::optional<uint64_t> seed;        // --seed (overrides the spec's `seed`)
  bool dry_run = false;
  bool json = false;
  bool quiet = false;
  std::string listen;      // --listen HOST:PORT ("" = local slots only)
  std::string token_file;  // --token-file ("" = STORE/agent.token, generated if missing)
  double lease_interval_s = 5, lease_timeout_s = 30;
  std::string tls_cert, tls_key;
  std::optional<int> slurm;  // --slurm N: N agents as a Slurm job array
  // --warm-start SWEEP[,SWEEP...]: sweep ids or prior-trial files, after the spec's
  // `warm_start:` ones (orchestrator/controller/prior_trials.h).
  std::vector<std::string> warm_start;
};

// Runs `sweep launch`; returns the exit code (0, 1 failed, 2 usage/spec, 130 Ctrl-C).
int RunLaunch(const LaunchFlags& flags, std::ostream& out, std::ostream& err);

struct ResumeFlags {
  std::string sweep;
  std::string store;
  std::optional<int> workers;
  std::string gpus;
  std::optional<uint64_t> max_trials;
  bool quiet = false;
};

// Runs `sweep resume SWEEP`.
int RunResume(const ResumeFlags& flags, std::ostream& out, std::ostream& err);

// The message for a strategy that cannot be built from the spec at `file`. Its
// errors already start with the spec location when they name a parameter: that one
// location is kept; others are prefixed with "FILE: method: ".
std::string StrategyError(const std::string& file, const std::string& message);

// Runs `sweep validate SPEC [--json]`.
int RunValidate(const std::string& spec_path, bool json, std::ostream& out, std::ostream& err);

struct SweepSpec;
// `sweep launch --dry-run`: the configurations and argv a launch would run first.
// warm_start is the prior a launch would record (PriorToJson; null for none): the
// strategy replays it first, as the controller does, and the output says how many
// trials it holds, how many were skipped and, for grid and random, how many finished
// configurations will not be run again.
int RunDryRun(const SweepSpec& spec, const LaunchFlags& flags, uint64_t seed,
              const Value& warm_start, std::ostream& out, std::ostream& err);

}  // namespace sweep
