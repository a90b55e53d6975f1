#include "orchestrator/store/store_provenance.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>

#include "agents/runtime/provenance_code.h"
#include "orchestrator/store/sqlite_store.h"
#include "tests/testing/cli_runner.h"
#include "tests/testing/temp_dir.h"

namespace sweep {
namespace {

SweepRecord Sweep1() {
  SweepRecord s;
  s.id = "sw1";
  s.status = SweepStatus::kRunning;
  return s;
}

TrialRecord Trial1(const std::string& id) {
  TrialRecord t;
  t.id = id;
  t.sweep_id = "sw1";
  t.status = TrialStatus::kFinished;
  return t;
}

TEST(StoreProvenance, VersionOneStoreMigratesAndKeepsItsTrials) {
  testing::TempDir dir;
  {
    auto v1 = SqliteStore::Open(dir.path(), {}, {StoreMigrations()[0]});
    ASSERT_TRUE(v1.ok()) << v1.status().message();
    EXPECT_EQ(*(*v1)->SchemaVersion(), 1);
  }
  {  // rows as a version-1 binary wrote them (today's code writes version-2 columns)
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir.path() + "/sweep.db").c_str(), &db), SQLITE_OK);
    const char* sql =
        "INSERT INTO sweeps (id, status) VALUES ('sw1', 'finished');"
        "INSERT INTO trials (id, sweep_id, number, status) VALUES ('sw1-0', 'sw1', 0, 'finished');";
    EXPECT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    sqlite3_close(db);
  }
  auto v2 = SqliteStore::Open(dir.path(), {});
  ASSERT_TRUE(v2.ok()) << v2.status().message();
  EXPECT_EQ(*(*v2)->SchemaVersion(), static_cast<int>(StoreMigrations().size()));
  auto old = (*v2)->GetTrial("sw1-0");
  ASSERT_TRUE(old.ok());
  EXPECT_TRUE(old->provenance.is_null());
  EXPECT_EQ(old->pid, 0);
}

TEST(StoreProvenance, DiffAndEnvironmentAreStoredOncePerContent) {
  testing::TempDir dir;
  auto store = SqliteStore::Open(dir.path(), {});
  ASSERT_TRUE(store.ok());
  std::string body("diff --git a/x b/x\n\xff\x00 binary", 26);
  Value env = {{"os", "Test OS"}, {"packages", {"numpy==1.0"}}};
  Value prov = {{"code",
                 {{"repo", true},
                  {"commit", "abc"},
                  {"diff", {{"encoding", "base64"}, {"size", body.size()}}},
                  {"diff_body", Base64Encode(body)}}},
                {"env_hash", "h1"},
                {"env", env},
                {"artifacts", Value::array()},
                {"data", Value::array()}};
  WriteBatch b;
  b.sweeps.push_back(Sweep1());
  for (uint64_t n : {0, 1}) {
    TrialRecord t = Trial1("sw1-" + std::to_string(n));
    t.number = n;
    t.provenance = prov;
    t.pid = 4242;
    t.reproduces = "other-3";
    b.trials.push_back(t);
  }
  Status committed = (*store)->Commit(b);
  ASSERT_TRUE(committed.ok()) << committed.message();
  auto t = (*store)->GetTrial("sw1-1");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->pid, 4242);
  EXPECT_EQ(t->reproduces, "other-3");
  EXPECT_FALSE(t->provenance["code"].contains("diff_body"));
  std::string path = t->provenance["code"]["diff"]["path"];
  EXPECT_EQ(path, DiffBlobPath(dir.path(), Sha256Hex(body)));
  EXPECT_EQ(testing::ReadFile(path), body);
  size_t blobs = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path() + "/blobs"))
    blobs += e.is_regular_file();
  EXPECT_EQ(blobs, 1u);
  auto stored = (*store)->GetEnvironment("h1");
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(*stored, env);
  EXPECT_EQ((*store)->GetEnvironment("nope").status().code(), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace sweep
