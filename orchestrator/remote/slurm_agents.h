// SlurmAgents: a sweep's agents as a Slurm job array (`launch --slurm N`, or the
// spec's `backend: {type: slurm}`), beside the controller that they dial.
//
// Once the controller listens, Start() submits the array on a worker thread (sbatch
// can be slow and must not stall the event loop); the same thread then watches the
// tasks every poll_s: it replaces agent jobs that end early (bounded), records job
// states in the store (its own connection: SQLite serializes it with the controller's
// writes), and notes a problem (submission refused, jobs pending too long, every
// agent job gone) that the controller turns into the sweep's end. Closing() stops the
// replacing before agents are dismissed at the end; Stop() cancels every job (scancel)
// and joins the thread, on every way out of `launch` and `resume`. After `kill -9` of
// the controller, resume adopts the jobs on record instead of submitting new ones.
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "orchestrator/remote/slurm_backend.h"
#include "orchestrator/spec/spec.h"
#include "orchestrator/store/records.h"
#include "orchestrator/store/trial_store.h"

namespace sweep {

struct SlurmAgentsConfig {
  std::string sweep_id;
  std::string store_root;             // for the job records (a second store connection)
  std::string token_file;             // read by the agents: must be on a shared file system
  std::string sweep_binary;           // the agents' `sweep`: this binary's absolute path
  std::string workdir;                // jobs start here (the agents' work root)
  BackendSpec backend;                // agents, sbatch flags, workers, GPUs, timeouts
  std::vector<SlurmJobRecord> adopt;  // jobs on record (resume)
  double poll_s = 2;
};

class SlurmAgents {
 public:
  SlurmAgents(SlurmAgentsConfig config, std::ostream& log);
  ~SlurmAgents();  // Stop()

  // Submits (or adopts) and starts watching, on a worker thread. address: what the
  // agents dial ("host:port").
  void Start(const std::string& address);
  // "" while the sweep can go on; else why it cannot. Thread-safe.
  std::string Problem() const;
  // No more replacements: the sweep is ending and its agents will exit.
  void Closing();
  // Cancels every job submitted or adopted, waits for them to leave squeue (bounded)
  // and joins the thread. Idempotent. Error: scancel failed or jobs linger.
  Status Stop();

 private:
  void Run(std::string address);
  void Record(const std::string& job_id, const std::string& state);
  void Say(const std::string& line);

  SlurmAgentsConfig config_;
  std::ostream& log_;
  SlurmBackend backend_;
  std::thread thread_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::string problem_;
  bool stopping_ = false;
  std::atomic<bool> closing_{false};
  bool stopped_ = false;
  std::map<std::string, int> job_tasks_;        // job id -> array size
  std::map<std::string, double> submitted_at_;  // job id -> when first recorded
  std::unique_ptr<TrialStore> worker_store_, caller_store_;
};

}  // namespace sweep
