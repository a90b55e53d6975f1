// Helpers of the SQLite store tests: a store opened or failed loudly, minimal
// records, and a folder's file list.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <set>
#include <string>

#include "orchestrator/controller/ids.h"
#include "orchestrator/store/sqlite_store.h"
#include "tests/testing/temp_dir.h"

namespace sweep::testing {

// Opens the store at root or aborts the test binary (every test needs it).
inline std::unique_ptr<SqliteStore> MustOpen(const std::string& root, StoreOptions opts = {}) {
  auto store = SqliteStore::Open(root, opts);
  EXPECT_TRUE(store.ok()) << store.status().message();
  if (!store.ok()) std::abort();
  return std::move(store).value();
}

// A sweep record with only what the store requires.
inline SweepRecord MakeSweep(const std::string& id, double created_at = 1000) {
  SweepRecord s;
  s.id = id;
  s.name = "sweep " + id;
  s.created_at = created_at;
  return s;
}

// Trial `number` of sweep_id with params {lr: 0.1}.
inline TrialRecord MakeTrial(const std::string& sweep_id, uint64_t number) {
  TrialRecord t;
  t.id = TrialId(sweep_id, number);
  t.sweep_id = sweep_id;
  t.number = number;
  t.params = Value::object({{"lr", 0.1}});
  return t;
}

// One metric point, its wall time derived from the step.
inline MetricPoint Point(const std::string& trial, const std::string& name, int64_t step,
                         double value) {
  return MetricPoint{trial, name, step, value, 1700000000.0 + step};
}

// Every path under dir, recursively.
inline std::set<std::string> FilesIn(const std::string& dir) {
  std::set<std::string> names;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir))
    names.insert(e.path().string());
  return names;
}

// A store with one sweep "abc123" and trials 0..n-1.
inline std::unique_ptr<SqliteStore> StoreWithTrials(const TempDir& dir, int n) {
  auto store = MustOpen(dir.path());
  WriteBatch b;
  b.sweeps.push_back(MakeSweep("abc123"));
  for (int i = 0; i < n; ++i) b.trials.push_back(MakeTrial("abc123", i));
  Status s = store->Commit(b);
  EXPECT_TRUE(s.ok()) << s.message();
  return store;
}

}  // namespace sweep::testing
