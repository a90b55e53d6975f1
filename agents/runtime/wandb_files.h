// Files that connect a trial with W&B-style scripts (agents/python/wandb).
//
// Before a trial starts: W&B's own params file, the one its agent writes and its SDK
// reads through $WANDB_SWEEP_PARAM_PATH, so that a real `wandb.config` sees the
// sweep's params too (reporting.wandb: off or tee). When it ends: what sweep's wandb
// module reported beyond metric points (reported.json: the whole config, the run
// summary, alerts, artifacts), read as untrusted input: bounded, never through a
// symlink, malformed content dropped with a warning.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "base/status.h"
#include "base/value.h"

namespace sweep {

// File names inside a trial folder.
inline constexpr const char kWandbParamsFile[] = "wandb-params.yaml";
inline constexpr const char kReportedFile[] = "reported.json";
// Where sweep_client.log_params() keeps what a program declared: a JSON object of
// params, merged over the reported config by ReadReported.
inline constexpr const char kLoggedParamsFile[] = "logged_params.json";

// How a trial's `import wandb` is served: the spec's reporting.wandb, which reaches
// the trial (and a remote agent) as $SWEEP_WANDB in TrialLaunch::env.
inline constexpr const char kWandbModeVar[] = "SWEEP_WANDB";
inline constexpr const char kWandbShim[] = "shim";  // our module first on PYTHONPATH
inline constexpr const char kWandbTee[] = "tee";    // ours, forwarding to the real one
inline constexpr const char kWandbOff[] = "off";    // nothing of ours on the path

// The key under TrialEnd::provenance that carries ReadReported's result from where
// the trial ran to the controller (which removes it before storing provenance).
inline constexpr const char kReportedKey[] = "reported";

// $SWEEP_WANDB's value in env (the last entry wins), or "shim" when absent.
std::string WandbModeOf(const std::vector<std::pair<std::string, std::string>>& env);

// Whether a trial folder gets W&B's params file (kWandbParamsFile, which the real wandb
// SDK reads through $WANDB_SWEEP_PARAM_PATH), given the launch's python_client_dir and
// env: when the real package may serve the trial's `import wandb`, i.e. reporting.wandb
// is tee or off, or no client folder is known (so sweep's module is not on the path).
// With sweep's module in front (shim, the default) nothing reads the file: it is not
// written and the variable is not set, one file creation less per trial start.
bool WritesWandbParamsFile(const std::string& python_client_dir,
                           const std::vector<std::pair<std::string, std::string>>& env);

// W&B's params file text for `params` (a nested object): "wandb_version: 1" then
// `name: {value: V}` per top-level parameter, as its agent's
// save_config_file_from_dict writes it, with floats spelled so that PyYAML (YAML 1.1)
// reads them back as floats (1.0e-05, .nan, .inf).
std::string WandbParamsYaml(const Value& params);

// False only when neither trial_dir/reported.json nor logged_params.json can exist
// (lstat says ENOENT), so a trial that reported nothing costs two lstats and no
// ReadReported.
bool ReportedFileExists(const std::string& trial_dir);

// Limits on what ReadReported keeps.
struct ReportedLimits {
  size_t max_bytes = 4 << 20;     // larger files are ignored with a warning
  size_t max_config_keys = 1000;  // flattened config keys kept
  size_t max_text = 4096;         // longest string value kept (longer ones cut)
  size_t max_notes = 100;
  size_t max_artifacts = 10000;
};

// Reads trial_dir/reported.json: {"config", "summary", "summary_modes", "notes",
// "run", "artifacts": [{"path" (relative to trial_dir/artifacts), "size", "sha256"}],
// "warnings": [...]} with every field checked and bounded, plus logged_params.json
// (sweep_client.log_params) flattened over "config"; null when both are absent.
// Artifacts named in it are hashed (regular files inside trial_dir/artifacts only,
// never through a symlink). Blocking; thread-safe.
Value ReadReported(const std::string& trial_dir, const ReportedLimits& limits = {});

}  // namespace sweep
