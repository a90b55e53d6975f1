// TrialRunner: runs trials as subprocesses on an io_context and reads their metrics.
//
// The one code path that both `sweep launch` (local slots) and remote agents use to
// run a trial: it prepares the trial folder (params.json, metrics.jsonl, stdout.log,
// stderr.log), builds the trial's environment, spawns it (agents/runtime/subprocess.h),
// feeds stdout lines and the tailed metrics file through one MetricReader, enforces
// the timeout, stops trials on request, and reports each end as data (TrialEnd).
// Not thread-safe: call it from the thread that runs its io_context; callbacks run
// on that thread too.
#pragma once

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "agents/runtime/metric_reader.h"
#include "agents/runtime/provenance_worker.h"
#include "agents/runtime/subprocess.h"
#include "base/value.h"

namespace sweep {

// What to capture about a trial where it runs (agents/provenance_*.h), delivered in
// TrialEnd::provenance. Right after the spawn, from the capture caches when nothing
// they stamp changed (a few lstat() calls, agents/runtime/stat_stamp.h); otherwise
// captured on the runner's worker thread (ProvenanceWorker), so git and pip never add
// latency to the trial's start or block the event loop.
struct ProvenanceLaunch {
  bool enabled = false;               // false: TrialEnd::provenance stays null
  bool git = true;                    // commit, branch, remote, diff
  bool env = true;                    // machine, GPUs, interpreter, env vars
  bool packages = true;               // Python package list
  std::string program;                // program file hashed (relative to workdir)
  std::vector<std::string> env_vars;  // globs of variable names recorded
  uint64_t max_diff_bytes = 10ull << 20;
  std::vector<std::string> artifacts;  // globs, relative to trial_dir or workdir
  uint64_t artifact_max_bytes = 1ull << 30;
  size_t artifact_max_files = 10000;
  std::vector<std::string> data;  // data paths hashed (agents/runtime/data_hash.h)
  std::string data_hash_cache;    // cache file for data hashes; "" = none
};

struct TrialLaunch {
  std::string sweep_id, trial_id;  // trial_id must be unique among running trials
  std::vector<std::string> argv;   // argv[0] looked up in the trial's PATH; no shell ever
  std::string workdir;             // cwd of the trial; "" = the caller's
  std::string trial_dir;           // created if missing; receives the files listed above
  Value params;                    // written to trial_dir/params.json ($SWEEP_PARAMS)
  // Set or override on top of everything else (the caller's environment and the
  // SWEEP_* variables), e.g. the spec's env.
  std::vector<std::pair<std::string, std::string>> env;
  // CUDA_VISIBLE_DEVICES for the trial. nullopt = GPUs are not managed, the caller's
  // value (if any) passes through; "" = a slot without GPUs (CUDA_VISIBLE_DEVICES="",
  // so the trial sees none); "0,2" = those devices.
  std::optional<std::string> gpus;
  double timeout_s = 0;      // 0 = none; past it the trial is stopped and ends kTimedOut
  double stop_grace_s = 10;  // SIGTERM .. SIGKILL delay for Stop and timeouts
  MetricReadingOptions reading;
  uint64_t max_log_bytes = 64ull << 20;  // per stream (stdout.log, stderr.log); tail kept
  // Prepended to PYTHONPATH so `from sweep_client import report` works; "" = leave
  // PYTHONPATH alone. See DefaultPythonClientDir().
  std::string python_client_dir;
  double metrics_poll_s = 0.1;  // how often metrics.jsonl is tailed and points flushed
  ProvenanceLaunch provenance;
  // Every this many seconds the trial's process group is sampled (agents/runtime/sys_metrics.h)
  // and sys/cpu_percent, sys/rss_mb (and sys/gpu_util, sys/gpu_mem_mb when gpus is
  // set and nvidia-smi answers) go to on_metrics with the trial's points. 0 = off.
  double system_metrics_interval_s = 0;
  // `sweep run` (an interactive, tracked run): the trial's stdin, and fds its stdout
  // and stderr are echoed to besides the logs (SpawnOptions). -1 = /dev/null, no echo:
  // what every sweep trial gets.
  int stdin_fd = -1;
  int echo_stdout_fd = -1;
  int echo_stderr_fd = -1;
};

// A trial's outcome is data. exit is meaningful for kExited/kSignaled and also records
// how a stopped or timed-out trial finally died.
struct TrialEnd {
  enum class Kind { kExited, kSignaled, kTimedOut, kStopped, kSpawnFailed };
  Kind kind = Kind::kExited;
  ExitStatus exit;
  // Human readable, for every end but a clean exit: "exited with code 3", "killed by
  // SIGSEGV (Segmentation fault)", the Stop reason, "timed out after 60s", the spawn error.
  std::string reason;
  std::string stderr_tail;  // last ~4 KiB of stderr
  uint64_t malformed_lines = 0;
  std::string first_malformed;
  double started_at = 0, ended_at = 0;  // seconds since the epoch
  int64_t pid = 0;                      // the trial's process (group) id; 0 if none
  // When launch.provenance.enabled: {"code": CaptureCode(), "env": CaptureEnvironment(),
  // "env_hash", "artifacts": [{"path","size","sha256"}], "warnings": [...]}.
  Value provenance;
  // kExited with exit code 0.
  bool ok() const { return kind == Kind::kExited && exit.ok(); }
};

// "exited", "signaled", "timed_out", "stopped", "spawn_failed".
const char* TrialEndKindName(TrialEnd::Kind kind);

struct TrialRunnerCallbacks {
  // Metric points of one trial, in report order, batched (at most every
  // metrics_poll_s, and once more at the end, always before on_end).
  std::function<void(const std::string& trial_id, std::vector<ParsedPoint> points)> on_metrics;
  // Exactly once per Start, spawn failures included; always from a posted handler,
  // never from inside Start or Stop, so it may call Start/Stop itself.
  std::function<void(const std::string& trial_id, const TrialEnd& end)> on_end;
  // Optional: the trial's process exited with status 0, unasked (not stopped, not
  // timed out), its group is gone, its last metric points were delivered and its
  // provenance, reports and artifacts are read; its on_end follows at once. A caller
  // may start the next trial in its place before it handles that end.
  // From a handler of the loop (never inside Start, Stop or Kill), before that
  // trial's on_end.
  std::function<void(const std::string& trial_id)> on_exited = nullptr;
};

class TrialRunner {
 public:
  // io must outlive the runner.
  TrialRunner(boost::asio::io_context& io, TrialRunnerCallbacks callbacks);
  // Kills every running trial's process group; no callbacks afterwards.
  ~TrialRunner();
  TrialRunner(const TrialRunner&) = delete;
  TrialRunner& operator=(const TrialRunner&) = delete;

  // Starts a trial. Failures (trial folder, params file, spawn) end it as
  // kSpawnFailed through on_end with the reason; also written to its stderr.log.
  void Start(const TrialLaunch& launch);
  // SIGTERM to the trial's group, SIGKILL after its stop_grace_s; it ends kStopped
  // with reason. Unknown, already stopping or already exited trials are ignored.
  void Stop(const std::string& trial_id, const std::string& reason);
  // SIGKILL to the trial's group now (a second Ctrl-C); it ends as a Stop would.
  void Kill(const std::string& trial_id);
  // Process id (= process group id) of a running trial, or -1.
  pid_t Pid(const std::string& trial_id) const;
  // Stops every running trial (Ctrl-C).
  void StopAll(const std::string& reason);
  // Creates the folder a coming Start will use, so that its mkdir (a new inode and
  // block, the dearest system call there) is off the path from one trial to the
  // next (issue 16; the controller calls it after a start, while trials run). Best effort: a folder
  // that already exists or cannot be made is left to Start, which treats it as before. Folders no
  // Start used are removed (if still empty) by the destructor.
  void PrepareFolder(const std::string& trial_dir);

  size_t running() const { return trials_.size(); }

  struct Trial;

 private:
  void Finish(const std::shared_ptr<Trial>& t, const ExitStatus& exit);
  // Reads the rest of the metrics file in slices, then ends the trial (Complete).
  void Drain(const std::shared_ptr<Trial>& t, const ExitStatus& exit);
  void Complete(const std::shared_ptr<Trial>& t, TrialEnd end);
  void Poll(const std::shared_ptr<Trial>& t, bool busy);
  void FlushPoints(Trial& t);
  void ReadMetricsFile(Trial& t, bool final, uint64_t max_bytes);
  void SampleSystem(const std::shared_ptr<Trial>& t, bool emit);

  boost::asio::io_context& io_;
  TrialRunnerCallbacks callbacks_;
  std::map<std::string, std::shared_ptr<Trial>> trials_;
  std::set<std::string> prepared_;            // folders PrepareFolder made, not yet started in
  std::unique_ptr<ProvenanceWorker> worker_;  // provenance captures, off the loop
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

// The environment a trial gets: the caller's environment (environ), then SWEEP_ID,
// SWEEP_TRIAL_ID, SWEEP_TRIAL_DIR, SWEEP_PARAMS, SWEEP_METRICS,
// CUDA_VISIBLE_DEVICES (when gpus is set), PYTHONUNBUFFERED=1 (Python flushes stdout
// per line, so stdout metrics arrive live), PYTHONPATH with python_client_dir first,
// then launch.env. "NAME=value" entries, each name once.
std::vector<std::string> BuildTrialEnvironment(const TrialLaunch& launch);

// Where sweep_client.py lives: $SWEEP_PYTHON_DIR if set, else <source>/agents/python
// when it exists, else "".
std::string DefaultPythonClientDir();

}  // namespace sweep
