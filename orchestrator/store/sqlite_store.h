// SqliteStore: the TrialStore kept in one SQLite database (root/sweep.db) beside one
// folder per trial (root/trials/<trial id>/).
//
// Only this file pair includes sqlite3.h. The schema lives in schemas/store.sql (the
// documented copy) and, identically, in StoreMigrations() (store_schema.h): step i
// takes a database from schema version i to i+1 (PRAGMA user_version), so a new
// schema version is one appended SQL step. A database whose version is newer than
// the code knows is refused untouched.
//
// Stop flags are sticky: an upsert of a sweep ORs its stop/cancel flags with the
// stored ones, so the controller's periodic upsert cannot erase a `sweep stop` written
// meanwhile by the CLI. They are replaced only when the upsert moves a sweep that is
// not running back to running (`sweep resume` clears them).
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "orchestrator/store/store_schema.h"
#include "orchestrator/store/trial_store.h"

struct sqlite3;
struct sqlite3_stmt;

namespace sweep {

// root + "/sweep.db".
std::string StoreDatabasePath(const std::string& root);
// root + "/trials/" + trial_id: the trial's own folder (not created here).
std::string TrialDirPath(const std::string& root, const std::string& trial_id);

// One connection to the store. Not thread-safe: use one instance per thread (each
// has its own connection; SQLite's WAL lets readers run while one writer commits).
class SqliteStore : public TrialStore {
 public:
  // Opens root/sweep.db, creating root/ and root/trials/ when opts.create and not
  // opts.read_only, and migrates it forward through `migrations`. Fails with
  // kNotFound when the store is missing and may not be created, kStore when the file
  // is not a sweep store or its schema is newer than `migrations` knows.
  static Result<std::unique_ptr<SqliteStore>> Open(
      const std::string& root, const StoreOptions& opts,
      const std::vector<std::string>& migrations = StoreMigrations());
  ~SqliteStore() override;

  // Waits up to busy_timeout_ms for another writer; kStore when that runs out, when
  // a point names an unknown trial, or a trial an unknown sweep (nothing written).
  Status Commit(const WriteBatch& batch) override;
  // kNotFound when nothing matches; kUsage, naming up to five candidates, when a
  // prefix is ambiguous. The same holds wherever a trial id or prefix is accepted.
  Result<SweepRecord> GetSweep(const std::string& id_or_prefix) override;
  // Oldest first.
  Result<std::vector<SweepRecord>> ListSweeps() override;
  Result<TrialRecord> GetTrial(const std::string& id_or_prefix) override;
  Result<TrialRecord> GetTrialWithoutSummary(const std::string& id_or_prefix) override;
  // `sweep_id` is an exact id; an unknown one gives an empty list.
  Result<std::vector<TrialRecord>> ListTrials(const std::string& sweep_id) override;
  Result<std::vector<TrialRecord>> ListTrialsSummarizing(
      const std::string& sweep_id, const std::vector<std::string>& names) override;
  // Reads one series at a time in primary-key order (trial, name, step, seq), so
  // memory is bounded by the result (use `limit` on long series), never by the sweep.
  // Points reported twice for one step are all returned, in the order reported.
  Result<std::vector<MetricPoint>> GetMetrics(const MetricQuery& query) override;
  // Sorted by name.
  Result<std::vector<std::string>> MetricNames(const std::string& trial_id) override;
  // Notes and tags accept an exact trial id or a unique prefix, as GetTrial does.
  Status AddNote(const std::string& trial_id, const std::string& text) override;
  Result<std::vector<Note>> GetNotes(const std::string& trial_id) override;
  // Adding a tag the trial already has is a no-op.
  Status AddTags(const std::string& trial_id, const std::vector<std::string>& tags) override;
  // Sorted by tag.
  Result<std::vector<std::string>> GetTags(const std::string& trial_id) override;
  Status RequestStop(const std::string& sweep_id, bool cancel) override;
  Result<Value> GetEnvironment(const std::string& hash) override;
  Result<std::vector<AgentRecord>> ListAgents(const std::string& sweep_id) override;
  Result<std::vector<SlurmJobRecord>> ListSlurmJobs(const std::string& sweep_id) override;
  const std::string& root() const override { return root_; }

  // The database's schema version (PRAGMA user_version).
  Result<int> SchemaVersion();

 private:
  struct TrialRef {
    int64_t pk = 0;
    std::string id;
  };

  SqliteStore(std::string root, sqlite3* db, bool read_only);
  Status Init(const StoreOptions& opts, const std::vector<std::string>& migrations);
  Status Migrate(const std::vector<std::string>& migrations);
  Status Exec(const char* sql);
  // The cached prepared statement for `sql` (prepared on first use).
  Result<sqlite3_stmt*> Prepare(const char* sql);
  Status Error(const std::string& what) const;
  Status WriteBatchLocked(const WriteBatch& batch);
  Status UpsertSweep(const SweepRecord& s);
  Status UpsertTrial(const TrialRecord& t);
  Status InsertPoints(const std::vector<MetricPoint>& points);
  Status UpsertAgent(const AgentRecord& a);        // store_agents.cc
  Status UpsertSlurmJob(const SlurmJobRecord& j);  // store_agents.cc
  Result<int64_t> NameId(const std::string& name);
  Result<TrialRef> ResolveTrial(const std::string& id_or_prefix);
  Result<std::string> ResolveSweepId(const std::string& id_or_prefix);
  // Runs `body` inside BEGIN IMMEDIATE ... COMMIT, rolling back on failure.
  template <typename F>
  Status InTransaction(F&& body);

  std::string root_;
  sqlite3* db_ = nullptr;
  bool read_only_ = false;
  std::unordered_map<std::string, sqlite3_stmt*> statements_;
  // Row ids of trials and metric names seen by this connection (rows are never
  // deleted); cleared on a rollback, since rows written in it are gone.
  std::unordered_map<std::string, int64_t> trial_pks_;
  // Environment rows written by this connection: a trial whose environment is already
  // in skips its INSERT OR IGNORE (rows are never deleted). Cleared on a rollback.
  std::unordered_set<std::string> env_hashes_;
  std::unordered_map<std::string, int64_t> name_ids_;
};

}  // namespace sweep
