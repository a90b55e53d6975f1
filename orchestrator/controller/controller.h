// Controller: runs one sweep to its end on local worker slots and remote agents.
//
// One Boost.Asio io_context thread owns all state (no locks): it asks the strategy
// for configurations, fills free slots through the TrialRunner, records what comes
// back in the store, tells the strategy, applies the early-termination rule as
// metrics arrive, and stops when the space, the caps, the target, the failure budget
// or the user says so. Expensive suggestions (a GP fit) run on a worker thread and
// post their result back. The store is written only from the loop thread, and a
// trial's end is committed before the trial counts as done.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "base/clock.h"
#include "orchestrator/controller/executor.h"
#include "orchestrator/spec/spec.h"
#include "orchestrator/store/records.h"
#include "orchestrator/store/trial_store.h"

namespace sweep {

// Remote agents (`launch --listen`): where to listen and how leases behave.
struct ListenOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 0;              // 0 = an ephemeral port
  std::string token_file;         // the shared token (agents/protocol/auth.h); must exist
  double lease_interval_s = 5;    // agents heartbeat this often
  double lease_timeout_s = 30;    // a lease not renewed this long: the attempt is lost
  int gpus_per_trial = 1;         // GPUs per trial on agents that list GPUs
  std::string tls_cert, tls_key;  // both set: agents must speak TLS
  // Called once listening, with "host:port" (the real port); e.g. to start Slurm jobs.
  std::function<void(const std::string& address)> on_listening;
  // Called from the loop every second while the sweep runs (Slurm job watching);
  // returns "" or a reason to stop the sweep (e.g. jobs stuck pending).
  std::function<std::string()> on_poll;
  // Called once when the sweep is over, just before agents are told so (they then
  // exit): e.g. to stop replacing Slurm jobs that end.
  std::function<void()> on_closing;
};

struct ControllerOptions {
  // One entry per local slot: the CUDA_VISIBLE_DEVICES value it hands its trials
  // ("" = no GPU). Its size is the number of trials run at once.
  std::vector<std::string> slots = {""};
  bool gpus_managed = false;            // true when --gpus was given (slots carry GPUs)
  std::optional<uint64_t> max_trials;   // distinct configurations to run, in all
  bool progress_tty = false;            // redraw a live progress line (a terminal)
  bool quiet = false;                   // no per-trial log lines
  double flush_interval_s = 0.2;        // metric points are committed at least this often
  double stop_poll_s = 1.0;             // how often `sweep stop` requests are looked for
  std::string python_client_dir;        // agents/python, put on trials' PYTHONPATH
  std::optional<ListenOptions> listen;  // remote agents too (slots may then be empty)
  // The sweep's log file (every log line with time and level, rotated at 10 MiB, 3
  // files): <store>/sweeps/<id>/controller.log for launch and resume. "" = none.
  std::string log_file;
  // Where "now" comes from (trial and sweep times, flush and stop-poll intervals,
  // lease times); nullptr = RealClock(). Must outlive the controller.
  const Clock* clock = nullptr;
  // Tests: run trials on these executors, in this order of preference, instead of
  // local slots (`slots` and `gpus_managed` are then ignored); `listen` still adds
  // remote agents after them. Empty = local slots as above.
  std::vector<ExecutorFactory> executors;
  // Log the event loop's longest stall when the sweep ends (launch sets it from
  // $SWEEP_REPORT_LOOP_STALL; bench/metric_names_bench.py reads the line).
  bool report_loop_stall = false;
};

// What the sweep ended as; Run() returns it after the final commit.
struct SweepOutcome {
  SweepStatus status = SweepStatus::kFinished;
  std::string reason;
  int exit_code = 0;           // 0 finished/stopped, 1 failed, 130 interrupted
  double longest_stall_s = 0;  // the longest the event loop went without running a handler
};

class Controller {
 public:
  // `sweep` must already be in the store (created by launch or loaded by resume).
  // `history` holds the sweep's trials so far (resume); running ones are re-queued.
  // The store must outlive the controller. `out` receives the live display and logs.
  Controller(TrialStore& store, SweepSpec spec, SweepRecord sweep, std::vector<TrialRecord> history,
             ControllerOptions options, std::ostream& out);
  ~Controller();

  // Runs until the sweep ends or is interrupted (SIGINT/SIGTERM: running trials are
  // stopped and recorded as lost, to be re-run by `sweep resume`).
  SweepOutcome Run();

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace sweep
