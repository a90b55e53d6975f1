// SqliteStore: TrialStore on one SQLite database in WAL mode. This file opens,
// migrates and writes; reads are in store_reads.cc, agents and Slurm jobs in
// store_agents.cc.
//
// Durability: WAL with synchronous=NORMAL. A commit is appended to the WAL with
// write() before Commit returns, so it survives kill -9 of any process; it is fsynced
// only at checkpoints, so a power loss or kernel crash may lose the last commits
// (never corrupt the database). That is the trade the controller wants: thousands of
// small commits per second without an fsync each.
//
// Concurrency: one connection per SqliteStore. Readers (the CLI's read commands, the
// web UI) open read-only and see consistent snapshots while the controller writes.
// Every write runs in BEGIN IMMEDIATE, which takes the write lock up front so that a
// second writer (a `sweep note` while the controller commits) waits busy_timeout_ms
// in SQLite's busy handler instead of failing with "database is locked". The writer
// sets SQLITE_FCNTL_PERSIST_WAL so the -wal and -shm files outlive it and a
// read-only open never has to create them.
//
// Metric points are the hot path: names are interned into metric_names and trial
// ids resolved to their integer row ids, both cached per connection, so a point is
// one prepared INSERT of five numbers. NaN cannot be stored by SQLite (it becomes
// NULL), so a NULL point value means NaN and trials.value_is_nan flags a NaN summary.
//
// Schema: StoreMigrations() (store_schema.h) holds one script per version. Migrate()
// applies the missing ones in order, each in its own transaction that also bumps
// user_version, after re-reading the version under the write lock so that two
// processes opening a fresh store at once do not both run step 1.
#include "orchestrator/store/sqlite_store.h"

#include <sqlite3.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <set>
#include <system_error>
#include <thread>
#include <tuple>
#include <utility>

#include "orchestrator/store/sqlite_statement.h"
#include "orchestrator/store/store_integrity.h"
#include "orchestrator/store/store_json.h"
#include "orchestrator/store/store_provenance.h"

namespace sweep {
namespace {

namespace fs = std::filesystem;

double NowSeconds() {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

}  // namespace

std::string StoreDatabasePath(const std::string& root) { return root + "/sweep.db"; }

std::string TrialDirPath(const std::string& root, const std::string& trial_id) {
  return root + "/trials/" + trial_id;
}

std::string DefaultStorePath(const std::string& flag_value) {
  if (!flag_value.empty()) return flag_value;
  const char* env = std::getenv("SWEEP_STORE");
  if (env != nullptr && *env != '\0') return env;
  return ".sweep";
}

Result<std::unique_ptr<TrialStore>> OpenStore(const std::string& root, const StoreOptions& opts) {
  auto store = SqliteStore::Open(root, opts);
  if (!store.ok()) return store.status();
  return std::unique_ptr<TrialStore>(std::move(store).value());
}

SqliteStore::SqliteStore(std::string root, sqlite3* db, bool read_only)
    : root_(std::move(root)), db_(db), read_only_(read_only) {}

SqliteStore::~SqliteStore() {
  for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
  sqlite3_close_v2(db_);
}

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& root,
                                                       const StoreOptions& opts,
                                                       const std::vector<std::string>& migrations) {
  const std::string db_path = StoreDatabasePath(root);
  std::error_code ec;
  const bool may_create = opts.create && !opts.read_only;
  if (!may_create && !fs::exists(db_path, ec)) {
    return Status::NotFound("no sweep store at " + root +
                            " (run `sweep launch` first, or pass --store)");
  }
  if (may_create) {
    fs::create_directories(fs::path(root) / "trials", ec);
    if (ec) return Status::Io("cannot create the store folder " + root + ": " + ec.message());
  }
  if (fs::exists(db_path, ec) && !fs::is_regular_file(db_path, ec)) {
    return Status::Store(db_path + " is not a sweep store (not a regular file)");
  }

  int flags = SQLITE_OPEN_NOMUTEX;
  flags |= opts.read_only ? SQLITE_OPEN_READONLY
                          : (SQLITE_OPEN_READWRITE | (opts.create ? SQLITE_OPEN_CREATE : 0));
  // Processes creating or migrating one store at once can see SQLITE_BUSY where
  // SQLite does not call the busy handler (switching to WAL, WAL recovery while
  // another connection runs a schema step); the whole open is retried, bounded.
  for (int attempt = 0;; ++attempt) {
    sqlite3* db = nullptr;
    int rc = sqlite3_open_v2(db_path.c_str(), &db, flags, nullptr);
    if (rc != SQLITE_OK) {
      std::string msg = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
      sqlite3_close_v2(db);
      return Status::Store("cannot open the sweep store " + db_path + ": " + msg);
    }
    std::unique_ptr<SqliteStore> store(new SqliteStore(root, db, opts.read_only));
    Status s = store->Init(opts, migrations);
    if (s.ok()) return store;
    int code = sqlite3_extended_errcode(db) & 0xff;
    bool busy = code == SQLITE_BUSY || code == SQLITE_LOCKED ||
                s.message().find("database is locked") != std::string::npos;
    if (!busy || attempt >= 100) return s;
    store.reset();
    std::this_thread::sleep_for(std::chrono::milliseconds(10 + attempt));
  }
}

Status SqliteStore::Init(const StoreOptions& opts, const std::vector<std::string>& migrations) {
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, opts.busy_timeout_ms);
  // Any first statement reads the header: a file that is not SQLite fails here.
  if (Status s = Exec("SELECT count(*) FROM sqlite_master"); !s.ok()) {
    return Status::Store(StoreDatabasePath(root_) + " is not a sweep store: " + s.message());
  }
  // Before the first write (journal mode, migrations): a damaged file is refused
  // for writing, since writing into it can spread the damage; readers are told.
  const bool check = read_only_ ? static_cast<bool>(opts.on_damage) : opts.check_budget_s > 0;
  if (check) {
    IntegrityReport r = CheckIntegrity(db_, /*full=*/false,
                                       read_only_ ? opts.read_check_budget_s : opts.check_budget_s);
    if (!r.problems.empty()) {
      std::string msg = DamageMessage(StoreDatabasePath(root_), r);
      if (!read_only_) return Status::Store(msg);
      opts.on_damage(msg);
    }
  }
  if (!read_only_) {
    if (Status s = Exec("PRAGMA journal_mode=WAL"); !s.ok()) return s;
    int persist = 1;
    sqlite3_file_control(db_, "main", SQLITE_FCNTL_PERSIST_WAL, &persist);
    // A kept WAL is truncated to this size after checkpoints, so it cannot stay large.
    if (Status s = Exec("PRAGMA journal_size_limit=8388608"); !s.ok()) return s;
    // NORMAL in WAL mode: durable against process crashes, not power loss (see top).
    if (Status s = Exec("PRAGMA synchronous=NORMAL"); !s.ok()) return s;
  }
  if (Status s = Exec("PRAGMA foreign_keys=ON"); !s.ok()) return s;
  return Migrate(migrations);
}

Status SqliteStore::Migrate(const std::vector<std::string>& migrations) {
  const int known = static_cast<int>(migrations.size());
  while (true) {
    auto version = SchemaVersion();
    if (!version.ok()) return version.status();
    if (*version > known) {
      return Status::Store("the sweep store " + StoreDatabasePath(root_) + " has schema version " +
                           std::to_string(*version) + ", newer than this sweep understands (" +
                           std::to_string(known) + "); use a newer sweep to read it");
    }
    if (*version == known) return Status::Ok();
    if (read_only_) {
      return Status::Store("the sweep store " + StoreDatabasePath(root_) + " has schema version " +
                           std::to_string(*version) + " and needs version " +
                           std::to_string(known) +
                           "; open it once with a writing command (e.g. `sweep resume`)");
    }
    // Re-read the version under the write lock: another process may have migrated.
    Status s = InTransaction([&]() -> Status {
      auto v = SchemaVersion();
      if (!v.ok()) return v.status();
      if (*v >= known) return Status::Ok();
      if (*v == 0) {
        auto st = Prepare("SELECT count(*) FROM sqlite_master");
        if (!st.ok()) return st.status();
        Statement q(*st);
        if (q.Step() != SQLITE_ROW) return Error("reading the schema");
        if (q.Int(0) != 0) {
          return Status::Store(StoreDatabasePath(root_) +
                               " is not a sweep store (an SQLite database with other tables)");
        }
      }
      if (Status e = Exec(migrations[*v].c_str()); !e.ok()) {
        return Status::Store("migrating the store to schema version " + std::to_string(*v + 1) +
                             " failed: " + e.message());
      }
      return Exec(("PRAGMA user_version=" + std::to_string(*v + 1)).c_str());
    });
    if (!s.ok()) return s;
  }
}

Result<int> SqliteStore::SchemaVersion() {
  auto st = Prepare("PRAGMA user_version");
  if (!st.ok()) return st.status();
  Statement q(*st);
  if (q.Step() != SQLITE_ROW) return Error("reading the schema version");
  return static_cast<int>(q.Int(0));
}

Status SqliteStore::Exec(const char* sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &err);
  if (rc == SQLITE_OK) return Status::Ok();
  std::string msg = err != nullptr ? err : sqlite3_errstr(rc);
  sqlite3_free(err);
  return Status::Store(msg);
}

Result<sqlite3_stmt*> SqliteStore::Prepare(const char* sql) {
  auto it = statements_.find(sql);
  if (it != statements_.end()) return it->second;
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return Error("preparing a statement");
  }
  statements_.emplace(sql, stmt);
  return stmt;
}

Status SqliteStore::Error(const std::string& what) const {
  return Status::Store(what + ": " + sqlite3_errmsg(db_) + " (" + StoreDatabasePath(root_) + ")");
}

template <typename F>
Status SqliteStore::InTransaction(F&& body) {
  if (Status s = Exec("BEGIN IMMEDIATE"); !s.ok()) {
    return Status::Store("cannot lock the sweep store " + StoreDatabasePath(root_) + ": " +
                         s.message());
  }
  Status s = body();
  if (s.ok()) s = Exec("COMMIT");
  if (!s.ok()) {
    // A failed ROLLBACK leaves nothing to undo: SQLite rolled back already, and the
    // error that matters is `s`.
    (void)Exec("ROLLBACK");
    // Rows learnt in this transaction are gone with it.
    trial_pks_.clear();
    name_ids_.clear();
    env_hashes_.clear();
  }
  return s;
}

// ---- Writes -------------------------------------------------------------------------

Status SqliteStore::Commit(const WriteBatch& batch) {
  if (read_only_) return Status::Store("the sweep store " + root_ + " is open read-only");
  if (batch.empty()) return Status::Ok();
  return InTransaction([&] { return WriteBatchLocked(batch); });
}

Status SqliteStore::WriteBatchLocked(const WriteBatch& batch) {
  for (const SweepRecord& s : batch.sweeps) {
    if (Status st = UpsertSweep(s); !st.ok()) return st;
  }
  // A trial's start and its end often share a batch: only its last record is
  // written (each upsert replaces the whole row, so the earlier ones are moot).
  std::unordered_map<std::string_view, size_t> last;
  if (batch.trials.size() > 1)
    for (size_t i = 0; i < batch.trials.size(); ++i) last[batch.trials[i].id] = i;
  for (size_t i = 0; i < batch.trials.size(); ++i) {
    const TrialRecord& t = batch.trials[i];
    if (!last.empty() && last[t.id] != i) continue;
    if (Status st = UpsertTrial(t); !st.ok()) return st;
  }
  if (Status st = InsertPoints(batch.points); !st.ok()) return st;
  for (const AgentRecord& a : batch.agents) {
    if (Status st = UpsertAgent(a); !st.ok()) return st;
  }
  for (const SlurmJobRecord& j : batch.slurm_jobs) {
    if (Status st = UpsertSlurmJob(j); !st.ok()) return st;
  }
  return Status::Ok();
}

Status SqliteStore::UpsertSweep(const SweepRecord& s) {
  // Stop flags are sticky unless the sweep is being resumed (see the header).
  static const char kSql[] =
      "INSERT INTO sweeps (id, name, spec_file, spec_text, space, method, metric, goal, seed, "
      "status, reason, workdir, options, created_at, ended_at, stop_requested, cancel_requested) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17) "
      "ON CONFLICT (id) DO UPDATE SET name = excluded.name, spec_file = excluded.spec_file, "
      "spec_text = excluded.spec_text, space = excluded.space, method = excluded.method, "
      "metric = excluded.metric, goal = excluded.goal, seed = excluded.seed, "
      "status = excluded.status, reason = excluded.reason, workdir = excluded.workdir, "
      "options = excluded.options, created_at = excluded.created_at, "
      "ended_at = excluded.ended_at, "
      "stop_requested = CASE WHEN excluded.status = 'running' AND sweeps.status <> 'running' "
      "THEN excluded.stop_requested ELSE (sweeps.stop_requested OR excluded.stop_requested) END, "
      "cancel_requested = CASE WHEN excluded.status = 'running' AND sweeps.status <> 'running' "
      "THEN excluded.cancel_requested "
      "ELSE (sweeps.cancel_requested OR excluded.cancel_requested) END";
  auto st = Prepare(kSql);
  if (!st.ok()) return st.status();
  Statement q(*st);
  q.BindText(1, s.id);
  q.BindText(2, s.name);
  q.BindText(3, s.spec_file);
  q.BindText(4, s.spec_text);
  q.BindText(5, DumpJson(s.space));
  q.BindText(6, s.method);
  q.BindText(7, s.metric);
  q.BindText(8, s.goal);
  q.BindInt(9, static_cast<int64_t>(s.seed));
  q.BindText(10, SweepStatusName(s.status));
  q.BindText(11, s.reason);
  q.BindText(12, s.workdir);
  q.BindText(13, DumpJson(SweepOptionsToJson(s.options)));
  q.BindDouble(14, s.created_at);
  q.BindDouble(15, s.ended_at);
  q.BindInt(16, s.stop_requested ? 1 : 0);
  q.BindInt(17, s.cancel_requested ? 1 : 0);
  if (q.Step() != SQLITE_DONE) return Error("writing sweep " + s.id);
  return Status::Ok();
}

Status SqliteStore::UpsertTrial(const TrialRecord& t) {
  // ON CONFLICT DO UPDATE (not INSERT OR REPLACE) keeps the row's pk, which the
  // trial's points, notes and tags refer to.
#define SWEEP_UPSERT_TRIAL                                                                  \
  "INSERT INTO trials (id, sweep_id, number, suggestion, retry_of, params, status, "        \
  "exit_code, signal, reason, host, agent, slot, gpus, argv, trial_dir, created_at, "       \
  "started_at, ended_at, value, value_is_nan, metric_reported, summary, stderr_tail, "      \
  "malformed_lines, code, env_hash, artifacts, data, warnings, reproduces, pid, lease_id, " \
  "placement) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, "   \
  "?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, "   \
  "?33, ?34) "                                                                              \
  "ON CONFLICT (id) DO UPDATE SET sweep_id = excluded.sweep_id, number = excluded.number, " \
  "suggestion = excluded.suggestion, retry_of = excluded.retry_of, "                        \
  "params = excluded.params, status = excluded.status, exit_code = excluded.exit_code, "    \
  "signal = excluded.signal, reason = excluded.reason, host = excluded.host, "              \
  "agent = excluded.agent, slot = excluded.slot, gpus = excluded.gpus, "                    \
  "argv = excluded.argv, trial_dir = excluded.trial_dir, "                                  \
  "created_at = excluded.created_at, started_at = excluded.started_at, "                    \
  "ended_at = excluded.ended_at, value = excluded.value, "                                  \
  "value_is_nan = excluded.value_is_nan, metric_reported = excluded.metric_reported, "      \
  "summary = excluded.summary, stderr_tail = excluded.stderr_tail, "                        \
  "malformed_lines = excluded.malformed_lines, code = excluded.code, "                      \
  "env_hash = excluded.env_hash, artifacts = excluded.artifacts, data = excluded.data, "    \
  "warnings = excluded.warnings, reproduces = excluded.reproduces, pid = excluded.pid, "    \
  "lease_id = excluded.lease_id, placement = excluded.placement"
  // RETURNING runs the statement through a temporary table; the pk never changes once
  // the row exists, so only the first write of a trial asks for it.
  static const char kSql[] = SWEEP_UPSERT_TRIAL;
  static const char kSqlReturning[] = SWEEP_UPSERT_TRIAL " RETURNING pk";
#undef SWEEP_UPSERT_TRIAL
  auto prov = SplitProvenance(t.provenance, root_);
  if (!prov.ok()) return prov.status();
  if (!prov->env_hash.empty() && !prov->env.is_null() && !env_hashes_.count(prov->env_hash)) {
    auto env_st = Prepare("INSERT OR IGNORE INTO environments (hash, json) VALUES (?1, ?2)");
    if (!env_st.ok()) return env_st.status();
    Statement e(*env_st);
    e.BindText(1, prov->env_hash);
    e.BindText(2, DumpJson(prov->env));
    if (e.Step() != SQLITE_DONE) return Error("writing environment of " + t.id);
    env_hashes_.insert(prov->env_hash);
  }
  const bool returning = trial_pks_.count(t.id) == 0;
  auto st = Prepare(returning ? kSqlReturning : kSql);
  if (!st.ok()) return st.status();
  Statement q(*st);
  q.BindText(1, t.id);
  q.BindText(2, t.sweep_id);
  q.BindInt(3, static_cast<int64_t>(t.number));
  q.BindInt(4, static_cast<int64_t>(t.suggestion));
  q.BindText(5, t.retry_of);
  q.BindText(6, DumpJson(t.params));
  q.BindText(7, TrialStatusName(t.status));
  q.BindOptionalInt(8, t.exit_code);
  q.BindOptionalInt(9, t.signal);
  q.BindText(10, t.reason);
  q.BindText(11, t.host);
  q.BindText(12, t.agent);
  q.BindInt(13, t.slot);
  q.BindText(14, t.gpus);
  q.BindText(15, DumpJson(Value(t.argv)));
  q.BindText(16, t.trial_dir);
  q.BindDouble(17, t.created_at);
  q.BindDouble(18, t.started_at);
  q.BindDouble(19, t.ended_at);
  const bool nan = t.value.has_value() && std::isnan(*t.value);
  if (t.value.has_value() && !nan)
    q.BindDouble(20, *t.value);
  else
    q.BindNull(20);
  q.BindInt(21, nan ? 1 : 0);
  q.BindInt(22, t.metric_reported ? 1 : 0);
  if (t.summary_text.empty())
    q.BindText(23, DumpJson(t.summary));
  else
    q.BindText(23, t.summary_text);
  q.BindText(24, t.stderr_tail);
  q.BindInt(25, static_cast<int64_t>(t.malformed_lines));
  q.BindText(26, DumpJson(prov->code));
  q.BindText(27, prov->env_hash);
  q.BindText(28, DumpJson(prov->artifacts));
  q.BindText(29, DumpJson(prov->data));
  q.BindText(30, DumpJson(prov->warnings));
  q.BindText(31, t.reproduces);
  q.BindInt(32, t.pid);
  q.BindText(33, t.lease_id);
  q.BindText(34, DumpJson(t.placement));
  if (q.Step() != (returning ? SQLITE_ROW : SQLITE_DONE)) return Error("writing trial " + t.id);
  if (returning) trial_pks_[t.id] = q.Int(0);
  return Status::Ok();
}

Result<int64_t> SqliteStore::NameId(const std::string& name) {
  auto it = name_ids_.find(name);
  if (it != name_ids_.end()) return it->second;
  // INSERT OR IGNORE then SELECT: one path whether or not the name is new.
  auto ins = Prepare("INSERT OR IGNORE INTO metric_names (name) VALUES (?1)");
  if (!ins.ok()) return ins.status();
  {
    Statement q(*ins);
    q.BindText(1, name);
    if (q.Step() != SQLITE_DONE) return Error("interning metric name " + name);
  }
  auto sel = Prepare("SELECT id FROM metric_names WHERE name = ?1");
  if (!sel.ok()) return sel.status();
  Statement q(*sel);
  q.BindText(1, name);
  if (q.Step() != SQLITE_ROW) return Error("interning metric name " + name);
  int64_t id = q.Int(0);
  name_ids_.emplace(name, id);
  return id;
}

Status SqliteStore::InsertPoints(const std::vector<MetricPoint>& points) {
  if (points.empty()) return Status::Ok();
  auto st = Prepare(
      "INSERT INTO points (trial, name, step, value, wall) VALUES (?1, ?2, ?3, ?4, ?5) "
      "ON CONFLICT DO NOTHING");
  if (!st.ok()) return st.status();
  // The rare second point for a step: append it after the ones already there.
  auto dup_st = Prepare(
      "INSERT INTO points (trial, name, step, seq, value, wall) "
      "SELECT ?1, ?2, ?3, max(seq) + 1, ?4, ?5 FROM points "
      "WHERE trial = ?1 AND name = ?2 AND step = ?3");
  if (!dup_st.ok()) return dup_st.status();
  auto pk_st = Prepare("SELECT pk FROM trials WHERE id = ?1");
  if (!pk_st.ok()) return pk_st.status();
  // Series first seen in this batch, recorded in trial_metrics once at the end.
  std::set<std::pair<int64_t, int64_t>> series;
  const std::string* last_trial = nullptr;
  const std::string* last_name = nullptr;
  int64_t trial_pk = 0;
  int64_t name_id = 0;
  Statement q(*st);
  for (const MetricPoint& p : points) {
    if (last_trial == nullptr || p.trial_id != *last_trial) {
      auto it = trial_pks_.find(p.trial_id);
      if (it != trial_pks_.end()) {
        trial_pk = it->second;
      } else {
        Statement lookup(*pk_st);
        lookup.BindText(1, p.trial_id);
        int rc = lookup.Step();
        if (rc == SQLITE_DONE) {
          return Status::Store("metric point for unknown trial " + p.trial_id);
        }
        if (rc != SQLITE_ROW) return Error("looking up trial " + p.trial_id);
        trial_pk = lookup.Int(0);
        trial_pks_.emplace(p.trial_id, trial_pk);
      }
      last_trial = &p.trial_id;
      last_name = nullptr;
    }
    if (last_name == nullptr || p.name != *last_name) {
      auto id = NameId(p.name);
      if (!id.ok()) return id.status();
      name_id = *id;
      last_name = &p.name;
      series.emplace(trial_pk, name_id);
    }
    q.BindInt(1, trial_pk);
    q.BindInt(2, name_id);
    q.BindInt(3, p.step);
    if (std::isnan(p.value))
      q.BindNull(4);
    else
      q.BindDouble(4, p.value);
    q.BindDouble(5, p.wall);
    if (q.Step() != SQLITE_DONE) return Error("writing metric points");
    q.Reset();
    if (sqlite3_changes(db_) == 0) {
      Statement dup(*dup_st);
      dup.BindInt(1, trial_pk);
      dup.BindInt(2, name_id);
      dup.BindInt(3, p.step);
      if (std::isnan(p.value))
        dup.BindNull(4);
      else
        dup.BindDouble(4, p.value);
      dup.BindDouble(5, p.wall);
      if (dup.Step() != SQLITE_DONE) return Error("writing metric points");
    }
  }
  auto tm = Prepare("INSERT OR IGNORE INTO trial_metrics (trial, name) VALUES (?1, ?2)");
  if (!tm.ok()) return tm.status();
  for (const auto& [trial, name] : series) {
    Statement r(*tm);
    r.BindInt(1, trial);
    r.BindInt(2, name);
    if (r.Step() != SQLITE_DONE) return Error("writing metric names of a trial");
  }
  return Status::Ok();
}

Status SqliteStore::AddNote(const std::string& trial_id, const std::string& text) {
  if (read_only_) return Status::Store("the sweep store " + root_ + " is open read-only");
  return InTransaction([&]() -> Status {
    auto trial = ResolveTrial(trial_id);
    if (!trial.ok()) return trial.status();
    auto st = Prepare("INSERT INTO notes (trial, text, created_at) VALUES (?1, ?2, ?3)");
    if (!st.ok()) return st.status();
    Statement q(*st);
    q.BindInt(1, trial->pk);
    q.BindText(2, text);
    q.BindDouble(3, NowSeconds());
    if (q.Step() != SQLITE_DONE) return Error("writing a note on " + trial->id);
    return Status::Ok();
  });
}

Status SqliteStore::AddTags(const std::string& trial_id, const std::vector<std::string>& tags) {
  if (read_only_) return Status::Store("the sweep store " + root_ + " is open read-only");
  return InTransaction([&]() -> Status {
    auto trial = ResolveTrial(trial_id);
    if (!trial.ok()) return trial.status();
    auto st = Prepare("INSERT OR IGNORE INTO tags (trial, tag, created_at) VALUES (?1, ?2, ?3)");
    if (!st.ok()) return st.status();
    for (const std::string& tag : tags) {
      Statement q(*st);
      q.BindInt(1, trial->pk);
      q.BindText(2, tag);
      q.BindDouble(3, NowSeconds());
      if (q.Step() != SQLITE_DONE) return Error("tagging " + trial->id);
    }
    return Status::Ok();
  });
}

Status SqliteStore::RequestStop(const std::string& sweep_id, bool cancel) {
  if (read_only_) return Status::Store("the sweep store " + root_ + " is open read-only");
  return InTransaction([&]() -> Status {
    auto id = ResolveSweepId(sweep_id);
    if (!id.ok()) return id.status();
    auto st = Prepare(
        "UPDATE sweeps SET stop_requested = 1, cancel_requested = (cancel_requested OR ?2) "
        "WHERE id = ?1");
    if (!st.ok()) return st.status();
    Statement q(*st);
    q.BindText(1, *id);
    q.BindInt(2, cancel ? 1 : 0);
    if (q.Step() != SQLITE_DONE) return Error("requesting a stop of sweep " + *id);
    return Status::Ok();
  });
}

// ---- Reads --------------------------------------------------------------------------

}  // namespace sweep
