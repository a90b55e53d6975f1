// Schema v3: remote-agent rows, Slurm job rows, and the lease and placement of a
// remote trial, written through Commit and read back, plus migration from v2.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "orchestrator/store/sqlite_store.h"
#include "tests/testing/temp_dir.h"

namespace sweep {
namespace {

SweepRecord Sweep(const std::string& id) {
  SweepRecord s;
  s.id = id;
  s.status = SweepStatus::kRunning;
  return s;
}

AgentRecord Agent(const std::string& sweep, const std::string& id, const std::string& name) {
  AgentRecord a;
  a.sweep_id = sweep;
  a.id = id;
  a.name = name;
  a.host = "gpu-node-1";
  a.peer = "10.0.0.5:40000";
  a.slots = 2;
  a.gpus = {"0", "1"};
  a.facts = {{"os", "Debian 12"}, {"slurm_job_id", "77"}};
  a.running = 1;
  a.finished = 4;
  a.connected = true;
  a.connected_at = 100.5;
  a.last_heartbeat = 130.25;
  return a;
}

TEST(StoreAgents, AgentsRoundTripAndAreUpdatedInPlace) {
  testing::TempDir dir;
  auto store = SqliteStore::Open(dir.path(), {});
  ASSERT_TRUE(store.ok()) << store.status().message();
  WriteBatch b;
  b.sweeps.push_back(Sweep("sw1"));
  b.agents.push_back(Agent("sw1", "a10", "n10:1"));
  b.agents.push_back(Agent("sw1", "a2", "n2:1"));
  ASSERT_TRUE((*store)->Commit(b).ok());

  WriteBatch update;
  AgentRecord paused = Agent("sw1", "a2", "n2:1");
  paused.connected = false;
  paused.paused = "3 trials failed within 60s";
  paused.finished = 7;
  update.agents.push_back(paused);
  ASSERT_TRUE((*store)->Commit(update).ok());

  auto agents = (*store)->ListAgents("sw1");
  ASSERT_TRUE(agents.ok()) << agents.status().message();
  ASSERT_EQ(agents->size(), 2u);
  EXPECT_EQ((*agents)[0].id, "a2");  // numeric order: a2 before a10
  EXPECT_EQ((*agents)[0].paused, "3 trials failed within 60s");
  EXPECT_FALSE((*agents)[0].connected);
  EXPECT_EQ((*agents)[0].finished, 7u);
  const AgentRecord& a10 = (*agents)[1];
  EXPECT_EQ(a10.name, "n10:1");
  EXPECT_EQ(a10.peer, "10.0.0.5:40000");
  EXPECT_EQ(a10.gpus, (std::vector<std::string>{"0", "1"}));
  EXPECT_EQ(a10.facts["slurm_job_id"], "77");
  EXPECT_EQ(a10.slots, 2);
  EXPECT_DOUBLE_EQ(a10.last_heartbeat, 130.25);
  EXPECT_TRUE((*store)->ListAgents("other")->empty());
}

TEST(StoreAgents, AgentOfAnUnknownSweepIsRefusedAndNothingIsWritten) {
  testing::TempDir dir;
  auto store = SqliteStore::Open(dir.path(), {});
  ASSERT_TRUE(store.ok());
  WriteBatch b;
  b.sweeps.push_back(Sweep("sw1"));
  ASSERT_TRUE((*store)->Commit(b).ok());
  WriteBatch bad;
  bad.agents.push_back(Agent("sw1", "a1", "ok"));
  bad.agents.push_back(Agent("nosuch", "a1", "x"));
  EXPECT_FALSE((*store)->Commit(bad).ok());
  EXPECT_TRUE((*store)->ListAgents("sw1")->empty());
}

TEST(StoreAgents, SlurmJobsAndTrialPlacementRoundTrip) {
  testing::TempDir dir;
  auto store = SqliteStore::Open(dir.path(), {});
  ASSERT_TRUE(store.ok());
  WriteBatch b;
  b.sweeps.push_back(Sweep("sw1"));
  b.slurm_jobs.push_back({"sw1", "1234", 2, 10.0, "PENDING"});
  b.slurm_jobs.push_back({"sw1", "1240", 1, 20.0, "RUNNING"});
  TrialRecord t;
  t.id = "sw1-0";
  t.sweep_id = "sw1";
  t.status = TrialStatus::kRunning;
  t.lease_id = "L-abc";
  t.placement = {{"agent_id", "a1"}, {"slurm_job_id", "1234"}, {"slurm_node", "node7"}};
  b.trials.push_back(t);
  ASSERT_TRUE((*store)->Commit(b).ok());
  WriteBatch later;
  later.slurm_jobs.push_back({"sw1", "1234", 2, 10.0, "CANCELLED"});
  ASSERT_TRUE((*store)->Commit(later).ok());

  auto jobs = (*store)->ListSlurmJobs("sw1");
  ASSERT_TRUE(jobs.ok());
  ASSERT_EQ(jobs->size(), 2u);
  EXPECT_EQ((*jobs)[0].job_id, "1234");
  EXPECT_EQ((*jobs)[0].state, "CANCELLED");
  EXPECT_EQ((*jobs)[0].tasks, 2);
  EXPECT_EQ((*jobs)[1].job_id, "1240");
  auto back = (*store)->GetTrial("sw1-0");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->lease_id, "L-abc");
  EXPECT_EQ(back->placement["slurm_node"], "node7");
}

TEST(StoreAgents, VersionTwoStoreMigratesToThree) {
  testing::TempDir dir;
  {
    auto v2 = SqliteStore::Open(dir.path(), {}, {StoreMigrations()[0], StoreMigrations()[1]});
    ASSERT_TRUE(v2.ok());
    EXPECT_EQ(*(*v2)->SchemaVersion(), 2);
  }
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir.path() + "/sweep.db").c_str(), &db), SQLITE_OK);
    const char* sql =
        "INSERT INTO sweeps (id, status) VALUES ('sw1', 'finished');"
        "INSERT INTO trials (id, sweep_id, number, status, pid) "
        "VALUES ('sw1-0', 'sw1', 0, 'finished', 42);";
    EXPECT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    sqlite3_close(db);
  }
  auto v3 = SqliteStore::Open(dir.path(), {});
  ASSERT_TRUE(v3.ok()) << v3.status().message();
  EXPECT_EQ(*(*v3)->SchemaVersion(), 3);
  auto old = (*v3)->GetTrial("sw1-0");
  ASSERT_TRUE(old.ok());
  EXPECT_EQ(old->pid, 42);
  EXPECT_EQ(old->lease_id, "");
  EXPECT_TRUE(old->placement.is_null());
  EXPECT_TRUE((*v3)->ListAgents("sw1")->empty());
}

}  // namespace
}  // namespace sweep
