// TrialStore: the one interface to everything persisted about sweeps.
//
// The controller is the only writer of sweep and trial data and writes through
// Commit(), one transaction per WriteBatch; a batch is durable (survives kill -9 of
// the process) when Commit returns. Read commands open the same store read-only while
// a sweep runs (WAL). Notes, tags and stop requests are small writes from the CLI
// that wait for the lock rather than fail. Tests can substitute a fake.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "orchestrator/store/records.h"

namespace sweep {

// Everything one transaction writes. Trials are upserted by id.
struct WriteBatch {
  std::vector<SweepRecord> sweeps;         // upserted by id
  std::vector<TrialRecord> trials;         // upserted by id
  std::vector<MetricPoint> points;         // appended
  std::vector<AgentRecord> agents;         // upserted by (sweep_id, id)
  std::vector<SlurmJobRecord> slurm_jobs;  // upserted by (sweep_id, job_id)
  bool empty() const {
    return sweeps.empty() && trials.empty() && points.empty() && agents.empty() &&
           slurm_jobs.empty();
  }
  void clear() {
    sweeps.clear();
    trials.clear();
    points.clear();
    agents.clear();
    slurm_jobs.clear();
  }
};

struct MetricQuery {
  std::string trial_id;
  std::string name;  // empty = every metric
  size_t limit = 0;  // 0 = no limit
};

class TrialStore {
 public:
  virtual ~TrialStore() = default;

  // Writes the batch in one transaction. On error nothing of it is written.
  virtual Status Commit(const WriteBatch& batch) = 0;

  // A sweep by exact id or unique id prefix; "" or "latest" = the newest sweep.
  virtual Result<SweepRecord> GetSweep(const std::string& id_or_prefix) = 0;
  virtual Result<std::vector<SweepRecord>> ListSweeps() = 0;

  // A trial by exact id or unique prefix.
  virtual Result<TrialRecord> GetTrial(const std::string& id_or_prefix) = 0;
  // As GetTrial, with the summary left null: for commands that need a trial's id,
  // state and folder but not its metrics (a summary of 100,000 names takes a quarter
  // of a second to parse). This default drops GetTrial's; SqliteStore never reads it.
  virtual Result<TrialRecord> GetTrialWithoutSummary(const std::string& id_or_prefix);
  // Every trial of a sweep, ordered by number.
  virtual Result<std::vector<TrialRecord>> ListTrials(const std::string& sweep_id) = 0;
  // As ListTrials, with each trial's summary cut down to the metrics in `names`:
  // what ls, status and top rank by, without parsing summaries of 100,000 names.
  // This default filters ListTrials; SqliteStore filters in SQL.
  virtual Result<std::vector<TrialRecord>> ListTrialsSummarizing(
      const std::string& sweep_id, const std::vector<std::string>& names);

  // Metric points of a trial, ordered by name then step.
  virtual Result<std::vector<MetricPoint>> GetMetrics(const MetricQuery& query) = 0;
  // Names of the metrics a trial reported.
  virtual Result<std::vector<std::string>> MetricNames(const std::string& trial_id) = 0;

  virtual Status AddNote(const std::string& trial_id, const std::string& text) = 0;
  virtual Result<std::vector<Note>> GetNotes(const std::string& trial_id) = 0;
  virtual Status AddTags(const std::string& trial_id, const std::vector<std::string>& tags) = 0;
  virtual Result<std::vector<std::string>> GetTags(const std::string& trial_id) = 0;

  // `sweep stop`: flags polled by the running controller.
  virtual Status RequestStop(const std::string& sweep_id, bool cancel) = 0;

  // Folder of the store (holds the database and one folder per trial).
  virtual const std::string& root() const = 0;
  // The environment snapshot stored under `hash` (TrialRecord::provenance env_hash);
  // kNotFound when unknown. Default: kNotFound (stores without provenance).
  virtual Result<Value> GetEnvironment(const std::string& hash) {
    return Status::NotFound("no environment " + hash);
  }
  // The remote agents a sweep saw, by id ("a1" < "a2" ... numerically). Default: none.
  virtual Result<std::vector<AgentRecord>> ListAgents(const std::string& sweep_id) {
    (void)sweep_id;
    return std::vector<AgentRecord>{};
  }
  // The Slurm jobs a sweep submitted, oldest first. Default: none.
  virtual Result<std::vector<SlurmJobRecord>> ListSlurmJobs(const std::string& sweep_id) {
    (void)sweep_id;
    return std::vector<SlurmJobRecord>{};
  }
};

struct StoreOptions {
  bool read_only = false;       // read commands: never create or write
  bool create = true;           // create the folder and database when missing
  int busy_timeout_ms = 10000;  // how long a writer waits for the lock
  // A writing open runs SQLite's quick_check for at most this many seconds and fails
  // (kStore, naming the file, the damage and what to do) when it finds damage, before
  // anything is written. 0 = no check. Past the budget the rest is not checked.
  double check_budget_s = 3.0;
  // Read-only opens check only when this is set, for at most read_check_budget_s,
  // and then call it with the same message instead of failing: reading a damaged
  // store still shows what can be read. Called on the opening thread.
  std::function<void(const std::string&)> on_damage = nullptr;
  double read_check_budget_s = 0.5;
};

// Opens (or creates) the SQLite store at `root` (a folder; the database is
// root/sweep.db, trial folders root/trials/<id>/). Migrates the schema forward.
Result<std::unique_ptr<TrialStore>> OpenStore(const std::string& root, const StoreOptions& opts);

// The store folder the CLI uses: --store, else $SWEEP_STORE, else ./.sweep.
std::string DefaultStorePath(const std::string& flag_value);

}  // namespace sweep
