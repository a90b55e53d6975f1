// The text the Slurm backend writes for Slurm and reads back from it: the batch script,
// sbatch flag checks, squeue/sacct output lines, state names and the pending-time check.
//
// Pure functions, no processes and no clock: slurm_backend.cc runs the commands, these
// shape and parse their text, so all of it is tested without a cluster. Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace sweep {

// Where a Slurm job state leaves the agent it runs.
enum class SlurmPhase {
  kPending,  // waiting for resources, a begin time, a hold, a requeue
  kActive,   // allocated: RUNNING, CONFIGURING, SUSPENDED, ...
  kEnded,    // the agent is gone: COMPLETED, FAILED, CANCELLED, TIMEOUT, NODE_FAIL,
             // COMPLETING, ... and kGoneState
};

// State of a task that left squeue while sacct could not tell how it ended.
inline constexpr std::string_view kGoneState = "GONE";

// Phase of a state word as squeue %T or sacct State prints it ("CANCELLED by 0" counts
// as CANCELLED). Unknown words are kEnded only when they look final; otherwise kActive,
// so an unfamiliar state never triggers a replacement by mistake.
SlurmPhase PhaseOfState(std::string_view state);

// One array task as squeue or sacct describes it.
struct SlurmRow {
  std::string job_id;       // the array job id ("123"); for a plain job its id
  int index = -1;           // array task index; -1 for a job that is not an array
  std::string state;        // first word of Slurm's state ("RUNNING")
  std::string node;         // node list; "" while pending
  std::string reason;       // squeue %r ("Resources", "BeginTime", "None")
  double submit_epoch = 0;  // 0 when unknown
  double start_epoch = 0;   // 0 when not started (squeue prints an estimate or N/A)
};

// The squeue -o format that ParseSqueueLine reads.
inline constexpr std::string_view kSqueueFormat = "%i|%T|%N|%r|%V|%S";
// The sacct -o fields that ParseSacctLine reads (with -P, '|'-separated).
inline constexpr std::string_view kSacctFields = "JobID,State,NodeList,Submit,Start";

// One line of `squeue -h -r -o kSqueueFormat`; nullopt for a line of another shape.
std::optional<SlurmRow> ParseSqueueLine(std::string_view line);
// One line of `sacct -n -P -X -o kSacctFields`; nullopt for other lines.
std::optional<SlurmRow> ParseSacctLine(std::string_view line);
// Slurm's "2026-11-27T01:46:02" (local time) as epoch seconds; nullopt for "N/A",
// "Unknown", "None" or anything else.
std::optional<double> ParseSlurmTime(std::string_view text);

// The batch script of one agent task: `exec` of agent_argv, every word single-quoted,
// then, when name_flag is not empty, `<name_flag> slurm-<array job id>-<task index>`
// expanded by the script from Slurm's environment. Slurm runs the script; sweep itself
// never builds a command line for a shell.
std::string SlurmBatchScript(const std::vector<std::string>& agent_argv,
                             const std::string& name_flag, const std::string& sweep_id);

// Refuses sbatch flags that the backend sets itself or that would make sbatch run
// something else: --array/-a, --wrap, --job-name/-J, --output/-o. The
// message names the flag. (--parsable is harmless and allowed.)
Status CheckSbatchFlags(const std::vector<std::string>& flags);

// `--gres=gpu:N` with N = workers_per_agent * gpus_per_trial, unless N is 0 or the user's
// flags already ask for GPUs (--gres, --gpus*, -G, --gpus-per-*).
std::vector<std::string> SlurmGpuFlags(int workers_per_agent, int gpus_per_trial,
                                       const std::vector<std::string>& user_flags);

// A pending task's age check: an error naming the task, how long it has pended, the
// limit and Slurm's reason, for the first task pending longer than timeout_s.
// timeout_s <= 0 never fails.
struct PendingTask {
  std::string id;      // "123_4"
  double pending_s;    // how long it has pended
  std::string reason;  // squeue %r
};
Status CheckPendingTimeout(const std::vector<PendingTask>& tasks, double timeout_s);

}  // namespace sweep
