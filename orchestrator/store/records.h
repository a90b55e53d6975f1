// The records the store keeps: sweeps, trials, metric points, notes and tags.
//
// Plain structs shared by the controller (which writes them), the store (which
// persists them) and the read commands (which print them). Times are seconds since
// the Unix epoch as doubles.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/value.h"
#include "orchestrator/store/sweep_options.h"

namespace sweep {

// A JSON object sorted by key with O(log n) lookup and insertion, for objects that
// may hold very many keys (a trial's metric summaries: up to 100,000 names).
// Value's insertion order costs a linear scan per key, so building or parsing a
// large object as a Value is quadratic. Converting a KeyedValue into a Value copies
// its entries in order (linear).
using KeyedValue = nlohmann::json;

enum class TrialStatus { kQueued, kRunning, kFinished, kFailed, kStopped, kLost };
// "queued", "running", "finished", "failed", "stopped", "lost".
const char* TrialStatusName(TrialStatus s);
std::optional<TrialStatus> ParseTrialStatus(const std::string& s);

// A trial summary (TrialRecord::summary) as a Value for output: metrics sorted by
// name, each metric's fields in the documented order (last, last_text, min, max,
// count, nonfinite, last_step, then any others), each field passed through `field`.
// Linear in the number of metrics: the outer object is built in order, not inserted
// key by key (a Value scans its keys on every insert).
Value SummaryForOutput(const KeyedValue& summary, Value (*field)(const Value&) = nullptr);
// The text the store writes for a summary column (TrialRecord::summary_text): compact
// JSON, non-finite floats as the store's markers. Pure, so safe on any thread.
std::string SummaryText(const KeyedValue& summary);
// True for finished, failed, stopped, lost.
bool IsTerminal(TrialStatus s);

enum class SweepStatus { kRunning, kFinished, kInterrupted, kStopped, kFailed };
// "running", "finished", "interrupted", "stopped", "failed".
const char* SweepStatusName(SweepStatus s);
std::optional<SweepStatus> ParseSweepStatus(const std::string& s);

struct SweepRecord {
  std::string id;  // short random id, e.g. "k3x9q2"
  std::string name;
  std::string spec_file;  // absolute path of the spec at launch
  std::string spec_text;  // the spec exactly as read
  Value space;            // SearchSpace::Describe(): the explored ranges, on record
  std::string method;
  std::string metric;  // target metric name ("" if none)
  std::string goal;    // "minimize" | "maximize"
  uint64_t seed = 0;
  SweepStatus status = SweepStatus::kRunning;
  std::string reason;    // why it ended, when not plainly finished
  std::string workdir;   // where trials run (absolute)
  SweepOptions options;  // how it was launched (orchestrator/store/sweep_options.h)
  double created_at = 0;
  double ended_at = 0;            // 0 while running
  bool stop_requested = false;    // `sweep stop`: no new trials
  bool cancel_requested = false;  // `sweep stop --cancel`: also stop running ones
};

struct TrialRecord {
  std::string id;  // "<sweep>-<number>"
  std::string sweep_id;
  uint64_t number = 0;      // 0-based, per sweep, one per attempt
  uint64_t suggestion = 0;  // 0-based index of the configuration suggested
  std::string retry_of;     // id of the lost attempt this one re-runs, if any
  Value params;             // flat mapping dotted name -> value
  TrialStatus status = TrialStatus::kQueued;
  std::optional<int> exit_code;
  std::optional<int> signal;
  std::string reason;  // why failed / stopped / lost, human readable
  std::string host;
  std::string agent;  // "local" or the remote agent's name
  int slot = -1;
  std::string gpus;  // CUDA_VISIBLE_DEVICES given to it ("" = none)
  std::vector<std::string> argv;
  std::string trial_dir;  // absolute path of its folder in the store
  double created_at = 0;
  double started_at = 0;
  double ended_at = 0;
  std::optional<double> value;   // summary of the target metric
  bool metric_reported = false;  // the target metric was reported at least once
  KeyedValue summary;            // {metric: {last, min, max, count, last_step}}
  // When not empty, the summary column's text, already serialised by SummaryText
  // (`summary` is then not written): lets the controller build a trial's summary off
  // its event loop. Never set on records read back from a store.
  std::string summary_text;
  std::string stderr_tail;  // last lines of stderr (failed trials)
  uint64_t malformed_lines = 0;
  // Captured where the trial ran (agents/runtime/trial_runner.h TrialEnd::provenance):
  // {"code", "env_hash", "artifacts", "data", "warnings"} as read back; when written,
  // "env" (the full snapshot) and code.diff_body are moved into content-addressed
  // storage (TrialStore::GetEnvironment, <store>/blobs/<sha256>.patch). null = none.
  Value provenance;
  std::string reproduces;  // id of the trial this one re-runs (`sweep reproduce --run`)
  int64_t pid = 0;         // its process group id once spawned (kept after it ends; 0 = none)
  // Remote attempts: the lease it runs under ("" = a local slot), and where it ran:
  // {"agent_id", "agent", "host", "gpus", "slurm_job_id", "slurm_array_task_id",
  // "slurm_node", ...}; null for local trials.
  std::string lease_id;
  Value placement;
};

// A remote agent as a sweep saw it (written by the controller, read by `sweep status`).
struct AgentRecord {
  std::string sweep_id;
  std::string id;    // "a1", "a2", ... in order of first connection
  std::string name;  // the agent's own name, unique per agent process
  std::string host, peer;
  int slots = 0;
  std::vector<std::string> gpus;
  Value facts = Value::object();
  int running = 0;
  uint64_t finished = 0;
  bool connected = false;
  double connected_at = 0, last_heartbeat = 0;
  std::string paused;  // why it gets no more trials; "" = it does
};

// One Slurm job (array) a sweep submitted.
struct SlurmJobRecord {
  std::string sweep_id;
  std::string job_id;
  int tasks = 1;
  double submitted_at = 0;
  std::string state;  // last seen
};

struct MetricPoint {
  std::string trial_id;
  std::string name;
  int64_t step = 0;
  double value = 0;  // NaN and +-Inf are stored as such
  double wall = 0;
};

struct Note {
  std::string trial_id;
  std::string text;
  double created_at = 0;
};

}  // namespace sweep
