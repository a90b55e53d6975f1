// SqliteStore's read side: resolving ids and prefixes, and turning rows back into
// records (sweeps, trials, metric series, notes, tags, environments). Every read is
// one prepared statement over the connection the store opened (read-only for the
// CLI's read commands, which run while a controller writes: WAL snapshots).
#include <limits>
#include <set>
#include <tuple>

#include "orchestrator/store/sqlite_statement.h"
#include "orchestrator/store/sqlite_store.h"
#include "orchestrator/store/store_json.h"
#include "orchestrator/store/store_provenance.h"

namespace sweep {
namespace {

const char kSweepColumns[] =
    "id, name, spec_file, spec_text, space, method, metric, goal, seed, status, reason, "
    "workdir, options, created_at, ended_at, stop_requested, cancel_requested";

const char kTrialColumns[] =
    "id, sweep_id, number, suggestion, retry_of, params, status, exit_code, signal, reason, "
    "host, agent, slot, gpus, argv, trial_dir, created_at, started_at, ended_at, value, "
    "value_is_nan, metric_reported, summary, stderr_tail, malformed_lines, code, env_hash, "
    "artifacts, data, warnings, reproduces, pid, lease_id, placement";

// At most this many candidates are named in an "ambiguous prefix" error.
constexpr int kMaxCandidates = 5;

// The exclusive upper bound of ids starting with `prefix` (ids are ASCII).
std::string PrefixEnd(const std::string& prefix) { return prefix + "\xff"; }

}  // namespace

namespace {

// Row readers for SELECT kSweepColumns / kTrialColumns, in that column order.
Result<SweepRecord> SweepFromRow(const Statement& q) {
  SweepRecord s;
  s.id = q.Text(0);
  s.name = q.Text(1);
  s.spec_file = q.Text(2);
  s.spec_text = q.Text(3);
  auto space = ParseJson(q.Text(4), "space", "sweep " + s.id);
  if (!space.ok()) return space.status();
  s.space = std::move(space).value();
  s.method = q.Text(5);
  s.metric = q.Text(6);
  s.goal = q.Text(7);
  s.seed = static_cast<uint64_t>(q.Int(8));
  auto status = ParseSweepStatus(q.Text(9));
  if (!status) return Status::Store("unknown status '" + q.Text(9) + "' of sweep " + s.id);
  s.status = *status;
  s.reason = q.Text(10);
  s.workdir = q.Text(11);
  auto options = ParseJson(q.Text(12), "options", "sweep " + s.id);
  if (!options.ok()) return options.status();
  s.options = ParseSweepOptions(options.value());
  s.created_at = q.Double(13);
  s.ended_at = q.Double(14);
  s.stop_requested = q.Int(15) != 0;
  s.cancel_requested = q.Int(16) != 0;
  return s;
}

Result<TrialRecord> TrialFromRow(const Statement& q) {
  TrialRecord t;
  t.id = q.Text(0);
  const std::string row = "trial " + t.id;
  t.sweep_id = q.Text(1);
  t.number = static_cast<uint64_t>(q.Int(2));
  t.suggestion = static_cast<uint64_t>(q.Int(3));
  t.retry_of = q.Text(4);
  auto params = ParseJson(q.Text(5), "params", row);
  if (!params.ok()) return params.status();
  t.params = std::move(params).value();
  auto status = ParseTrialStatus(q.Text(6));
  if (!status) return Status::Store("unknown status '" + q.Text(6) + "' of " + row);
  t.status = *status;
  if (!q.IsNull(7)) t.exit_code = static_cast<int>(q.Int(7));
  if (!q.IsNull(8)) t.signal = static_cast<int>(q.Int(8));
  t.reason = q.Text(9);
  t.host = q.Text(10);
  t.agent = q.Text(11);
  t.slot = static_cast<int>(q.Int(12));
  t.gpus = q.Text(13);
  auto argv = ParseJson(q.Text(14), "argv", row);
  if (!argv.ok()) return argv.status();
  if (!argv->is_array()) return Status::Store("argv of " + row + " is not a JSON array");
  for (const Value& a : *argv) {
    if (!a.is_string()) return Status::Store("argv of " + row + " holds a non-string");
    t.argv.push_back(a.get<std::string>());
  }
  t.trial_dir = q.Text(15);
  t.created_at = q.Double(16);
  t.started_at = q.Double(17);
  t.ended_at = q.Double(18);
  if (q.Int(20) != 0) {
    t.value = std::numeric_limits<double>::quiet_NaN();
  } else if (!q.IsNull(19)) {
    t.value = q.Double(19);
  }
  t.metric_reported = q.Int(21) != 0;
  auto summary = ParseKeyedJson(q.Text(22), "summary", row);
  if (!summary.ok()) return summary.status();
  t.summary = std::move(summary).value();
  t.stderr_tail = q.Text(23);
  t.malformed_lines = static_cast<uint64_t>(q.Int(24));
  ProvenanceColumns prov;
  for (auto [col, name, out] :
       {std::tuple{25, "code", &prov.code}, std::tuple{27, "artifacts", &prov.artifacts},
        std::tuple{28, "data", &prov.data}, std::tuple{29, "warnings", &prov.warnings}}) {
    auto v = ParseJson(q.Text(col), name, row);
    if (!v.ok()) return v.status();
    *out = std::move(v).value();
  }
  prov.env_hash = q.Text(26);
  t.provenance = JoinProvenance(prov);
  t.reproduces = q.Text(30);
  t.pid = q.Int(31);
  t.lease_id = q.Text(32);
  auto placement = ParseJson(q.Text(33), "placement", row);
  if (!placement.ok()) return placement.status();
  t.placement = std::move(placement).value();
  return t;
}

}  // namespace

Result<std::string> SqliteStore::ResolveSweepId(const std::string& id_or_prefix) {
  if (id_or_prefix.empty() || id_or_prefix == "latest") {
    auto st = Prepare("SELECT id FROM sweeps ORDER BY created_at DESC, rowid DESC LIMIT 1");
    if (!st.ok()) return st.status();
    Statement q(*st);
    int rc = q.Step();
    if (rc == SQLITE_DONE) return Status::NotFound("no sweeps yet in the store " + root_);
    if (rc != SQLITE_ROW) return Error("finding the latest sweep");
    return q.Text(0);
  }
  auto st = Prepare("SELECT id FROM sweeps WHERE id >= ?1 AND id < ?2 ORDER BY id LIMIT ?3");
  if (!st.ok()) return st.status();
  Statement q(*st);
  q.BindText(1, id_or_prefix);
  q.BindText(2, PrefixEnd(id_or_prefix));
  q.BindInt(3, kMaxCandidates + 1);
  std::vector<std::string> found;
  int rc;
  while ((rc = q.Step()) == SQLITE_ROW) {
    found.push_back(q.Text(0));
    if (found.back() == id_or_prefix) return found.back();  // exact beats prefix
  }
  if (rc != SQLITE_DONE) return Error("finding sweep " + id_or_prefix);
  if (found.empty()) return Status::NotFound("no sweep matches '" + id_or_prefix + "'");
  if (found.size() == 1) return found[0];
  std::string msg = "sweep prefix '" + id_or_prefix + "' is ambiguous; it matches";
  for (int i = 0; i < static_cast<int>(found.size()) && i < kMaxCandidates; ++i) {
    msg += " " + found[i];
  }
  if (static_cast<int>(found.size()) > kMaxCandidates) msg += " ...";
  return Status::Usage(msg);
}

Result<SqliteStore::TrialRef> SqliteStore::ResolveTrial(const std::string& id_or_prefix) {
  if (id_or_prefix.empty()) return Status::Usage("no trial id given");
  auto exact = Prepare("SELECT pk FROM trials WHERE id = ?1");
  if (!exact.ok()) return exact.status();
  {
    Statement q(*exact);
    q.BindText(1, id_or_prefix);
    int rc = q.Step();
    if (rc == SQLITE_ROW) return TrialRef{q.Int(0), id_or_prefix};
    if (rc != SQLITE_DONE) return Error("finding trial " + id_or_prefix);
  }
  auto st = Prepare("SELECT pk, id FROM trials WHERE id >= ?1 AND id < ?2 ORDER BY id LIMIT ?3");
  if (!st.ok()) return st.status();
  Statement q(*st);
  q.BindText(1, id_or_prefix);
  q.BindText(2, PrefixEnd(id_or_prefix));
  q.BindInt(3, kMaxCandidates + 1);
  std::vector<TrialRef> found;
  int rc;
  while ((rc = q.Step()) == SQLITE_ROW) found.push_back(TrialRef{q.Int(0), q.Text(1)});
  if (rc != SQLITE_DONE) return Error("finding trial " + id_or_prefix);
  if (found.empty()) return Status::NotFound("no trial matches '" + id_or_prefix + "'");
  if (found.size() == 1) return found[0];
  std::string msg = "trial prefix '" + id_or_prefix + "' is ambiguous; it matches";
  for (int i = 0; i < static_cast<int>(found.size()) && i < kMaxCandidates; ++i) {
    msg += " " + found[i].id;
  }
  if (static_cast<int>(found.size()) > kMaxCandidates) msg += " ...";
  return Status::Usage(msg);
}

Result<SweepRecord> SqliteStore::GetSweep(const std::string& id_or_prefix) {
  auto id = ResolveSweepId(id_or_prefix);
  if (!id.ok()) return id.status();
  static const std::string kSql =
      std::string("SELECT ") + kSweepColumns + " FROM sweeps WHERE id = ?1";
  auto st = Prepare(kSql.c_str());
  if (!st.ok()) return st.status();
  Statement q(*st);
  q.BindText(1, *id);
  int rc = q.Step();
  if (rc == SQLITE_DONE) return Status::NotFound("no sweep matches '" + id_or_prefix + "'");
  if (rc != SQLITE_ROW) return Error("reading sweep " + *id);
  return SweepFromRow(q);
}

Result<std::vector<SweepRecord>> SqliteStore::ListSweeps() {
  static const std::string kSql =
      std::string("SELECT ") + kSweepColumns + " FROM sweeps ORDER BY created_at, rowid";
  auto st = Prepare(kSql.c_str());
  if (!st.ok()) return st.status();
  Statement q(*st);
  std::vector<SweepRecord> out;
  int rc;
  while ((rc = q.Step()) == SQLITE_ROW) {
    auto s = SweepFromRow(q);
    if (!s.ok()) return s.status();
    out.push_back(std::move(s).value());
  }
  if (rc != SQLITE_DONE) return Error("listing sweeps");
  return out;
}

Result<Value> SqliteStore::GetEnvironment(const std::string& hash) {
  auto st = Prepare("SELECT json FROM environments WHERE hash = ?1");
  if (!st.ok()) return st.status();
  Statement q(*st);
  q.BindText(1, hash);
  int rc = q.Step();
  if (rc == SQLITE_DONE) return Status::NotFound("no environment " + hash + " in the store");
  if (rc != SQLITE_ROW) return Error("reading environment " + hash);
  return ParseJson(q.Text(0), "json", "environment " + hash);
}

Result<TrialRecord> SqliteStore::GetTrial(const std::string& id_or_prefix) {
  auto ref = ResolveTrial(id_or_prefix);
  if (!ref.ok()) return ref.status();
  static const std::string kSql =
      std::string("SELECT ") + kTrialColumns + " FROM trials WHERE pk = ?1";
  auto st = Prepare(kSql.c_str());
  if (!st.ok()) return st.status();
  Statement q(*st);
  q.BindInt(1, ref->pk);
  int rc = q.Step();
  if (rc != SQLITE_ROW) return Error("reading trial " + ref->id);
  return TrialFromRow(q);
}

Result<TrialRecord> SqliteStore::GetTrialWithoutSummary(const std::string& id_or_prefix) {
  auto ref = ResolveTrial(id_or_prefix);
  if (!ref.ok()) return ref.status();
  static const std::string kSql = [] {
    std::string columns = kTrialColumns;
    const std::string summary = " summary,";
    columns.replace(columns.find(summary), summary.size(), " 'null',");
    return "SELECT " + columns + " FROM trials WHERE pk = ?1";
  }();
  auto st = Prepare(kSql.c_str());
  if (!st.ok()) return st.status();
  Statement q(*st);
  q.BindInt(1, ref->pk);
  if (q.Step() != SQLITE_ROW) return Error("reading trial " + ref->id);
  return TrialFromRow(q);
}

namespace {

// Every row of a prepared SELECT kTrialColumns. *step_failed tells a failed step
// (the caller names it with the connection's error) from a damaged row.
Result<std::vector<TrialRecord>> ReadTrialRows(Statement& q, bool* step_failed) {
  std::vector<TrialRecord> out;
  int rc;
  while ((rc = q.Step()) == SQLITE_ROW) {
    auto t = TrialFromRow(q);
    if (!t.ok()) return t.status();
    out.push_back(std::move(t).value());
  }
  *step_failed = rc != SQLITE_DONE;
  return out;
}

}  // namespace

Result<std::vector<TrialRecord>> SqliteStore::ListTrials(const std::string& sweep_id) {
  static const std::string kSql =
      std::string("SELECT ") + kTrialColumns + " FROM trials WHERE sweep_id = ?1 ORDER BY number";
  auto st = Prepare(kSql.c_str());
  if (!st.ok()) return st.status();
  Statement q(*st);
  q.BindText(1, sweep_id);
  bool step_failed = false;
  auto rows = ReadTrialRows(q, &step_failed);
  if (step_failed) return Error("listing the trials of sweep " + sweep_id);
  return rows;
}

// SQLite cuts each summary down (json_each walks the text in C) before it is parsed
// here: ls and status then cost the same at 100,000 metric names as at ten.
Result<std::vector<TrialRecord>> SqliteStore::ListTrialsSummarizing(
    const std::string& sweep_id, const std::vector<std::string>& names) {
  static const std::string kSql = [] {
    std::string columns = kTrialColumns;
    const std::string summary = " summary,";
    size_t at = columns.find(summary);
    columns.replace(at, summary.size(),
                    // Damaged JSON passes through whole, for TrialFromRow to name.
                    " CASE WHEN json_valid(trials.summary) THEN (SELECT json_group_object("
                    "j.key, CASE WHEN j.type IN ('object', 'array') THEN json(j.value) "
                    "ELSE j.value END) FROM json_each(trials.summary) j WHERE j.key IN "
                    "(SELECT value FROM json_each(?2))) ELSE trials.summary END,");
    return "SELECT " + columns + " FROM trials WHERE sweep_id = ?1 ORDER BY number";
  }();
  auto st = Prepare(kSql.c_str());
  if (!st.ok()) return st.status();
  Statement q(*st);
  q.BindText(1, sweep_id);
  Value wanted = Value::array();
  for (const std::string& n : names) wanted.push_back(n);
  q.BindText(2, DumpJson(wanted));
  bool step_failed = false;
  auto rows = ReadTrialRows(q, &step_failed);
  if (step_failed) return Error("listing the trials of sweep " + sweep_id);
  return rows;
}

Result<std::vector<std::string>> SqliteStore::MetricNames(const std::string& trial_id) {
  auto ref = ResolveTrial(trial_id);
  if (!ref.ok()) return ref.status();
  auto st = Prepare(
      "SELECT n.name FROM trial_metrics tm JOIN metric_names n ON n.id = tm.name "
      "WHERE tm.trial = ?1 ORDER BY n.name");
  if (!st.ok()) return st.status();
  Statement q(*st);
  q.BindInt(1, ref->pk);
  std::vector<std::string> out;
  int rc;
  while ((rc = q.Step()) == SQLITE_ROW) out.push_back(q.Text(0));
  if (rc != SQLITE_DONE) return Error("listing the metrics of " + ref->id);
  return out;
}

Result<std::vector<MetricPoint>> SqliteStore::GetMetrics(const MetricQuery& query) {
  auto ref = ResolveTrial(query.trial_id);
  if (!ref.ok()) return ref.status();
  std::vector<std::string> names;
  if (query.name.empty()) {
    auto all = MetricNames(ref->id);
    if (!all.ok()) return all.status();
    names = std::move(all).value();
  } else {
    names.push_back(query.name);
  }
  // One indexed range read per series, in name order: no sort, nothing beyond the
  // result held in memory.
  auto st = Prepare(
      "SELECT p.step, p.value, p.wall FROM points p JOIN metric_names n ON n.id = p.name "
      "WHERE p.trial = ?1 AND n.name = ?2 ORDER BY p.step, p.seq LIMIT ?3");
  if (!st.ok()) return st.status();
  std::vector<MetricPoint> out;
  for (const std::string& name : names) {
    if (query.limit != 0 && out.size() >= query.limit) break;
    Statement q(*st);
    q.BindInt(1, ref->pk);
    q.BindText(2, name);
    q.BindInt(3, query.limit == 0 ? -1 : static_cast<int64_t>(query.limit - out.size()));
    int rc;
    while ((rc = q.Step()) == SQLITE_ROW) {
      MetricPoint p;
      p.trial_id = ref->id;
      p.name = name;
      p.step = q.Int(0);
      p.value = q.IsNull(1) ? std::numeric_limits<double>::quiet_NaN() : q.Double(1);
      p.wall = q.Double(2);
      out.push_back(std::move(p));
    }
    if (rc != SQLITE_DONE) return Error("reading metric " + name + " of " + ref->id);
  }
  return out;
}

Result<std::vector<Note>> SqliteStore::GetNotes(const std::string& trial_id) {
  auto ref = ResolveTrial(trial_id);
  if (!ref.ok()) return ref.status();
  auto st = Prepare("SELECT text, created_at FROM notes WHERE trial = ?1 ORDER BY id");
  if (!st.ok()) return st.status();
  Statement q(*st);
  q.BindInt(1, ref->pk);
  std::vector<Note> out;
  int rc;
  while ((rc = q.Step()) == SQLITE_ROW) out.push_back(Note{ref->id, q.Text(0), q.Double(1)});
  if (rc != SQLITE_DONE) return Error("reading the notes of " + ref->id);
  return out;
}

Result<std::vector<std::string>> SqliteStore::GetTags(const std::string& trial_id) {
  auto ref = ResolveTrial(trial_id);
  if (!ref.ok()) return ref.status();
  auto st = Prepare("SELECT tag FROM tags WHERE trial = ?1 ORDER BY tag");
  if (!st.ok()) return st.status();
  Statement q(*st);
  q.BindInt(1, ref->pk);
  std::vector<std::string> out;
  int rc;
  while ((rc = q.Step()) == SQLITE_ROW) out.push_back(q.Text(0));
  if (rc != SQLITE_DONE) return Error("reading the tags of " + ref->id);
  return out;
}

}  // namespace sweep
