// SqliteStore's agents and slurm_jobs tables (schema v3): what `sweep status` lists
// about remote agents, and the Slurm jobs a sweep must find again after a restart.
// Both are upserted by their keys inside the controller's batch transaction.
#include <algorithm>
#include <cstdlib>

#include "orchestrator/store/sqlite_statement.h"
#include "orchestrator/store/sqlite_store.h"
#include "orchestrator/store/store_json.h"

namespace sweep {

Status SqliteStore::UpsertAgent(const AgentRecord& a) {
  static const char kSql[] =
      "INSERT INTO agents (sweep_id, id, name, host, peer, slots, gpus, facts, running, "
      "finished, connected, connected_at, last_heartbeat, paused) VALUES (?1, ?2, ?3, ?4, ?5, "
      "?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14) ON CONFLICT (sweep_id, id) DO UPDATE SET "
      "name = excluded.name, host = excluded.host, peer = excluded.peer, "
      "slots = excluded.slots, gpus = excluded.gpus, facts = excluded.facts, "
      "running = excluded.running, finished = excluded.finished, "
      "connected = excluded.connected, connected_at = excluded.connected_at, "
      "last_heartbeat = excluded.last_heartbeat, paused = excluded.paused";
  auto st = Prepare(kSql);
  if (!st.ok()) return st.status();
  Statement q(*st);
  q.BindText(1, a.sweep_id);
  q.BindText(2, a.id);
  q.BindText(3, a.name);
  q.BindText(4, a.host);
  q.BindText(5, a.peer);
  q.BindInt(6, a.slots);
  q.BindText(7, DumpJson(Value(a.gpus)));
  q.BindText(8, DumpJson(a.facts));
  q.BindInt(9, a.running);
  q.BindInt(10, static_cast<int64_t>(a.finished));
  q.BindInt(11, a.connected ? 1 : 0);
  q.BindDouble(12, a.connected_at);
  q.BindDouble(13, a.last_heartbeat);
  q.BindText(14, a.paused);
  if (q.Step() != SQLITE_DONE) return Error("writing agent " + a.id + " of sweep " + a.sweep_id);
  return Status::Ok();
}

Status SqliteStore::UpsertSlurmJob(const SlurmJobRecord& j) {
  static const char kSql[] =
      "INSERT INTO slurm_jobs (sweep_id, job_id, tasks, submitted_at, state) VALUES (?1, ?2, "
      "?3, ?4, ?5) ON CONFLICT (sweep_id, job_id) DO UPDATE SET tasks = excluded.tasks, "
      "submitted_at = excluded.submitted_at, state = excluded.state";
  auto st = Prepare(kSql);
  if (!st.ok()) return st.status();
  Statement q(*st);
  q.BindText(1, j.sweep_id);
  q.BindText(2, j.job_id);
  q.BindInt(3, j.tasks);
  q.BindDouble(4, j.submitted_at);
  q.BindText(5, j.state);
  if (q.Step() != SQLITE_DONE) return Error("writing Slurm job " + j.job_id);
  return Status::Ok();
}

Result<std::vector<AgentRecord>> SqliteStore::ListAgents(const std::string& sweep_id) {
  auto st = Prepare(
      "SELECT sweep_id, id, name, host, peer, slots, gpus, facts, running, finished, "
      "connected, connected_at, last_heartbeat, paused FROM agents WHERE sweep_id = ?1");
  if (!st.ok()) return st.status();
  Statement q(*st);
  q.BindText(1, sweep_id);
  std::vector<AgentRecord> out;
  int rc;
  while ((rc = q.Step()) == SQLITE_ROW) {
    AgentRecord a;
    a.sweep_id = q.Text(0);
    a.id = q.Text(1);
    a.name = q.Text(2);
    a.host = q.Text(3);
    a.peer = q.Text(4);
    a.slots = static_cast<int>(q.Int(5));
    const std::string row = "agent " + a.id;
    auto gpus = ParseJson(q.Text(6), "gpus", row);
    if (!gpus.ok()) return gpus.status();
    if (gpus->is_array()) {
      for (const Value& g : *gpus) {
        if (g.is_string()) a.gpus.push_back(g.get<std::string>());
      }
    }
    auto facts = ParseJson(q.Text(7), "facts", row);
    if (!facts.ok()) return facts.status();
    a.facts = std::move(facts).value();
    a.running = static_cast<int>(q.Int(8));
    a.finished = static_cast<uint64_t>(q.Int(9));
    a.connected = q.Int(10) != 0;
    a.connected_at = q.Double(11);
    a.last_heartbeat = q.Double(12);
    a.paused = q.Text(13);
    out.push_back(std::move(a));
  }
  if (rc != SQLITE_DONE) return Error("reading the agents of sweep " + sweep_id);
  // "a2" before "a10": by the number after the letter.
  std::sort(out.begin(), out.end(), [](const AgentRecord& x, const AgentRecord& y) {
    auto num = [](const std::string& id) {
      return id.size() > 1 ? std::strtoull(id.c_str() + 1, nullptr, 10) : 0ull;
    };
    return num(x.id) != num(y.id) ? num(x.id) < num(y.id) : x.id < y.id;
  });
  return out;
}

Result<std::vector<SlurmJobRecord>> SqliteStore::ListSlurmJobs(const std::string& sweep_id) {
  auto st = Prepare(
      "SELECT sweep_id, job_id, tasks, submitted_at, state FROM slurm_jobs WHERE sweep_id = ?1 "
      "ORDER BY submitted_at, job_id");
  if (!st.ok()) return st.status();
  Statement q(*st);
  q.BindText(1, sweep_id);
  std::vector<SlurmJobRecord> out;
  int rc;
  while ((rc = q.Step()) == SQLITE_ROW) {
    SlurmJobRecord j;
    j.sweep_id = q.Text(0);
    j.job_id = q.Text(1);
    j.tasks = static_cast<int>(q.Int(2));
    j.submitted_at = q.Double(3);
    j.state = q.Text(4);
    out.push_back(std::move(j));
  }
  if (rc != SQLITE_DONE) return Error("reading the Slurm jobs of sweep " + sweep_id);
  return out;
}

}  // namespace sweep
