// Executor: a place where the controller runs trials. Local worker slots
// (local_executor.h) and remote agents (remote_executor.h) both implement it, so the
// controller's loop never asks which one holds a trial; tests substitute a fake.
//
// Life of one trial on an executor: the controller finds an executor with
// FreeCapacity() > 0, Claim()s a slot (which records where the trial runs on its
// record), then Start()s it, or, when its command line could not be built, ends it
// itself without starting it. Whatever happens, exactly one `on_end` arrives per
// Claim that was Start()ed, always from a posted handler (never from inside a method),
// and the controller then calls Release(). Every method and callback runs on the
// controller's io_context thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "agents/runtime/trial_runner.h"
#include "orchestrator/store/records.h"

namespace sweep {

// Why an attempt ended, as far as the executor can tell.
enum class EndCause {
  kEnded,       // the trial's own end (exit, signal, timeout, a requested stop, spawn failure)
  kLost,        // not the trial's fault (lease expired, agent shut down): re-run it
  kNotStarted,  // it never ran (could not be sent): re-run it without using a retry
};

// What executors tell the controller. Unset callbacks are not called.
struct ExecutorEvents {
  // Free capacity grew on its own (an agent connected, a lease ended): schedule.
  // Not called for Release, after which the controller schedules anyway.
  std::function<void()> on_capacity;
  // The trial's process exists: its pid (process group) and start time (0 = unknown).
  // The one event that may come from inside a method (Start), so the pid is on
  // record before anything else can happen.
  std::function<void(const std::string& trial_id, int64_t pid, double started_at)> on_started;
  // Metric points in report order; always before the trial's on_end.
  std::function<void(const std::string& trial_id, std::vector<ParsedPoint> points)> on_metrics;
  // Exactly once per started trial. For kLost and kNotStarted, end.reason says why.
  std::function<void(const std::string& trial_id, const TrialEnd& end, EndCause cause)> on_end;
  // Optional: the trial's process exited cleanly (TrialRunnerCallbacks::on_exited)
  // and nothing of it runs on its slot any more; its on_end is still to come.
  std::function<void(const std::string& trial_id)> on_exited;
};

// Where a claimed trial will run, as the command builder needs it.
struct Placement {
  // The trial's params file as the trial will see it (${args_json_file}).
  std::string params_file;
};

class Executor {
 public:
  virtual ~Executor() = default;

  // Trials this executor could start right now.
  virtual size_t FreeCapacity() const = 0;
  // Slots in all, busy or free (the progress line's "N slots").
  virtual int TotalSlots() const = 0;
  // Takes a free slot for `rec` (FreeCapacity() must be > 0) and records where the
  // trial runs on it: slot, gpus, host, agent, placement, lease_id as they apply.
  virtual Placement Take(TrialRecord& rec) = 0;
  // Starts a Take()n trial. `launch` is complete but for the executor's own
  // settings (GPUs, paths); failures end the trial through on_end.
  virtual void Start(const TrialRecord& rec, TrialLaunch launch) = 0;
  // Asks a running trial to stop (SIGTERM, SIGKILL after grace_s); it still ends
  // through on_end with EndCause::kEnded. Unknown or ended trials are ignored.
  virtual void Stop(const std::string& trial_id, const std::string& reason, double grace_s) = 0;
  // Ends a trial now (a second Ctrl-C). It still ends through on_end.
  virtual void Kill(const std::string& trial_id) = 0;
  // The controller recorded the trial's end (or never started it): its slot is free.
  virtual void Release(const std::string& trial_id) = 0;
  // A hint: the next trial to start here will likely use the folder `trial_dir`. A
  // local executor makes it now, while trials run, rather than on that trial's start
  // path; others ignore it.
  virtual void PrepareNextFolder(const std::string& /*trial_dir*/) {}
  // Called every second by the loop; returns "" or a reason the sweep must stop
  // (e.g. Slurm jobs stuck pending).
  virtual std::string Poll() { return ""; }
  // The sweep is over (interrupted: it may be resumed). Returns how long the loop
  // should keep running for goodbyes to reach their peers, in seconds.
  virtual double Close(bool /*interrupted*/) { return 0; }
};

// Makes an executor bound to the controller's io_context and events (tests use this
// to put fakes in place of local slots and agents).
using ExecutorFactory =
    std::function<std::unique_ptr<Executor>(boost::asio::io_context& io, ExecutorEvents events)>;

}  // namespace sweep
