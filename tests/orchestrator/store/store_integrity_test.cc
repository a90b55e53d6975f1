#include "orchestrator/store/store_integrity.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "orchestrator/store/sqlite_store.h"
#include "tests/testing/temp_dir.h"

namespace sweep {
namespace {

// A store with one sweep and a few hundred trials (several b-tree pages), closed.
std::string MakeStore(const std::string& root) {
  auto store = SqliteStore::Open(root, StoreOptions{});
  EXPECT_TRUE(store.ok()) << store.status().message();
  WriteBatch b;
  SweepRecord s;
  s.id = "sw";
  s.status = SweepStatus::kFinished;
  b.sweeps.push_back(s);
  for (int i = 0; i < 300; ++i) {
    TrialRecord t;
    t.id = "sw-" + std::to_string(i);
    t.sweep_id = "sw";
    t.number = i;
    t.status = TrialStatus::kFinished;
    t.reason = std::string(200, 'r');
    b.trials.push_back(t);
  }
  EXPECT_TRUE((*store)->Commit(b).ok());
  return StoreDatabasePath(root);
}

void Overwrite(const std::string& path, std::streamoff offset, size_t n) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(offset);
  std::string junk(n, '\x5a');
  f.write(junk.data(), static_cast<std::streamsize>(n));
}

TEST(StoreIntegrity, ASoundStoreOpensAndPassesTheFullCheck) {
  testing::TempDir dir;
  MakeStore(dir.path());
  auto report = CheckStoreFile(dir.path());
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_TRUE(report->problems.empty());
  EXPECT_TRUE(report->complete);
  EXPECT_TRUE(SqliteStore::Open(dir.path(), StoreOptions{}).ok());
}

TEST(StoreIntegrity, ADamagedPageIsRefusedForWritingAndReportedToReaders) {
  testing::TempDir dir;
  const std::string db = MakeStore(dir.path());
  Overwrite(db, 3 * 4096, 4096);

  auto writer = SqliteStore::Open(dir.path(), StoreOptions{});
  ASSERT_FALSE(writer.ok());
  EXPECT_EQ(writer.status().code(), ErrorCode::kStore);
  const std::string& msg = writer.status().message();
  EXPECT_NE(msg.find(db + " is damaged"), std::string::npos) << msg;
  EXPECT_NE(msg.find("sweep doctor"), std::string::npos) << msg;
  EXPECT_NE(msg.find(".recover"), std::string::npos) << msg;

  StoreOptions ro;
  ro.read_only = true;
  ro.create = false;
  std::string warned;
  ro.on_damage = [&](const std::string& m) { warned = m; };
  auto reader = SqliteStore::Open(dir.path(), ro);
  EXPECT_TRUE(reader.ok()) << reader.status().message();
  EXPECT_EQ(warned, msg);

  auto report = CheckStoreFile(dir.path());
  ASSERT_TRUE(report.ok());
  EXPECT_FALSE(report->problems.empty());
}

TEST(StoreIntegrity, NoStoreIsNotFound) {
  testing::TempDir dir;
  EXPECT_EQ(CheckStoreFile(dir.path() + "/none").status().code(), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace sweep
