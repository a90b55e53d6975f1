// SlurmBackend: the sweep's agents as Slurm jobs. It submits one job array whose tasks
// each exec an agent command, watches the tasks (squeue; sacct when accounting works),
// submits a bounded number of replacements for tasks that ended early, reports tasks
// pending too long, and cancels every job it submitted.
//
// Independent of the controller: plain blocking methods that run Slurm's commands
// (sbatch, squeue, sacct, scancel) as subprocesses, never through a shell. Each call
// takes up to SlurmOptions::command_timeout_s per command, so call them off the event
// loop (a worker thread). Thread-safe: one mutex serializes the calls, so CancelAll()
// from a signal-handling thread waits for a Submit() in flight and cancels its job too.
#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "base/status.h"
#include "orchestrator/remote/slurm_text.h"

namespace sweep {

struct SlurmOptions {
  std::string sweep_id;                    // jobs are named sweep-<sweep_id>
  std::string path;                        // where Slurm's commands are looked up; "" = $PATH
  std::string agent_name_flag = "--name";  // appended as `--name slurm-<job>-<task>` to the
                                           // agent argv; "" appends nothing
  double pending_timeout_s = 0;            // CheckPending(): 0 = tasks may pend forever
  int max_replacements = 0;                // Replace() calls allowed over the backend's life
  double command_timeout_s = 60;           // each sbatch/squeue/sacct/scancel run
};

// One array task of a job this backend submitted or adopted.
struct SlurmTask {
  std::string job_id;             // array job id printed by sbatch --parsable ("123")
  int index = 0;                  // array task index (SLURM_ARRAY_TASK_ID)
  std::string state = "PENDING";  // Slurm's word, or kGoneState once it left squeue
                                  // without sacct telling how it ended
  SlurmPhase phase = SlurmPhase::kPending;
  std::string node;         // where it runs or ran; "" until started
  std::string reason;       // squeue %r: why it pends (or "None")
  double pending_s = 0;     // pending so far, or how long it pended before it started
  std::string replaced_by;  // id of the task Replace() submitted for it; "" if none

  std::string id() const { return job_id + "_" + std::to_string(index); }  // "123_4"
};

class SlurmBackend {
 public:
  explicit SlurmBackend(SlurmOptions options);

  // Writes <log_dir>/sweep-<sweep id>.sbatch (SlurmBatchScript) and runs
  //   sbatch --parsable --array=0-<n_tasks-1> <sbatch_flags...> --job-name sweep-<id>
  //          --output <log_dir>/slurm-%A_%a.out <script>
  // in the caller's working directory and environment (the tasks inherit both: the
  // agent binary and token file must be reachable from the compute nodes).
  // Returns the array job id. Errors: "sbatch not found on PATH: is this a Slurm login
  // node?"; a flag CheckSbatchFlags refuses; sbatch refusing (Slurm's own message, e.g.
  // "invalid partition specified: nosuch"); log_dir not writable.
  Result<std::string> Submit(int n_tasks, const std::vector<std::string>& agent_argv,
                             const std::vector<std::string>& sbatch_flags,
                             const std::string& log_dir);

  // Takes over tasks submitted by an earlier controller (ids from the store, after
  // `sweep resume`), so Poll and CancelAll cover them. Replace() on an adopted task
  // needs the argv, flags and log dir: pass them as Submit would get them.
  void Adopt(const std::string& job_id, const std::vector<int>& indices,
             const std::vector<std::string>& agent_argv,
             const std::vector<std::string>& sbatch_flags, const std::string& log_dir);

  // Refreshes and returns every task (submitted, replacement and adopted), in
  // submission order. One squeue call for all jobs; sacct for tasks squeue no longer
  // lists, while accounting answers. Ended tasks keep their last known state. Errors:
  // squeue missing or failing (the tasks keep their previous states).
  Result<std::vector<SlurmTask>> Poll();

  // Submits one task in place of an ended one (same argv, flags and array index, a new
  // job id); returns the new task's id ("456_1"). Errors: the task is unknown, has not
  // ended, was already replaced, max_replacements is used up (the message says so and
  // names the task and its state), or sbatch fails.
  Result<std::string> Replace(const SlurmTask& task);

  // Error when a task of the last Poll() has pended longer than pending_timeout_s: the
  // message names the task, its pending time and Slurm's pending reason.
  Status CheckPending() const;

  // scancel of every job id this backend submitted or adopted, then polls until none
  // of their tasks is pending or active, for up to wait_s. Jobs that already ended are
  // not an error. Errors: scancel missing or failing; tasks still alive after wait_s.
  Status CancelAll(double wait_s = 30);

  // The array job ids submitted or adopted so far (to be stored for resume).
  std::vector<std::string> JobIds() const;
  int replacements_used() const;

 private:
  struct Job {
    std::string id;
    std::vector<std::string> agent_argv, sbatch_flags;
    std::string log_dir;
  };
  Result<std::string> SubmitLocked(const std::string& array, const std::vector<std::string>& argv,
                                   const std::vector<std::string>& flags,
                                   const std::string& log_dir);
  Status PollLocked();
  const Job* FindJob(const std::string& id) const;

  SlurmOptions options_;
  mutable std::mutex mu_;
  std::vector<Job> jobs_;
  std::vector<SlurmTask> tasks_;
  int replacements_used_ = 0;
  bool sacct_works_ = true;  // false after sacct said accounting is disabled
};

}  // namespace sweep
