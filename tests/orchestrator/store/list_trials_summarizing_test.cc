// ListTrialsSummarizing against a real store file: the summary is cut down to the
// named metrics in SQL, and what is kept reads back exactly as ListTrials reads it.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "orchestrator/store/sqlite_store.h"
#include "tests/testing/temp_dir.h"

namespace sweep {
namespace {

std::unique_ptr<SqliteStore> StoreWithSummary(const testing::TempDir& dir, KeyedValue summary) {
  auto store = SqliteStore::Open(dir.path(), {});
  EXPECT_TRUE(store.ok()) << store.status().message();
  if (!store.ok()) std::abort();
  WriteBatch b;
  SweepRecord s;
  s.id = "abc123";
  s.created_at = 1000;
  b.sweeps.push_back(s);
  TrialRecord t;
  t.id = "abc123-0";
  t.sweep_id = "abc123";
  t.params = Value::object({{"lr", 0.1}});
  t.summary = std::move(summary);
  b.trials.push_back(t);
  EXPECT_TRUE((*store)->Commit(b).ok());
  return std::move(store).value();
}

TEST(ListTrialsSummarizingTest, KeepsOnlyTheNamedMetricsAndTheirValuesExactly) {
  testing::TempDir dir;
  KeyedValue summary = KeyedValue::object();
  for (int i = 0; i < 2000; ++i)
    summary["layer" + std::to_string(i)] = {{"last", i * 0.5}, {"count", 3}};
  summary["loss"] = {{"last", std::numeric_limits<double>::quiet_NaN()},
                     {"min", 0.25},
                     {"count", 7},
                     {"last_step", 6}};
  summary["acc \"quoted\" / odd.name"] = {{"last", 0.9}};
  auto store = StoreWithSummary(dir, summary);

  auto cut = store->ListTrialsSummarizing("abc123",
                                          {"loss", "acc \"quoted\" / odd.name", "never_reported"});
  ASSERT_TRUE(cut.ok()) << cut.status().message();
  ASSERT_EQ(cut->size(), 1u);
  const KeyedValue& s = (*cut)[0].summary;
  ASSERT_TRUE(s.is_object());
  EXPECT_EQ(s.size(), 2u);
  EXPECT_TRUE(std::isnan(s["loss"]["last"].get<double>()));  // the NaN marker survives
  EXPECT_EQ(s["loss"]["min"].get<double>(), 0.25);
  EXPECT_EQ(s["loss"]["count"].get<int>(), 7);
  EXPECT_EQ(s["acc \"quoted\" / odd.name"]["last"].get<double>(), 0.9);

  auto full = store->ListTrials("abc123");
  ASSERT_TRUE(full.ok());
  EXPECT_EQ((*full)[0].summary.size(), 2002u);
  EXPECT_EQ((*full)[0].params, (*cut)[0].params);  // every other column as ListTrials
}

TEST(ListTrialsSummarizingTest, NoNamesGivesAnEmptySummary) {
  testing::TempDir dir;
  auto store = StoreWithSummary(dir, {{"loss", {{"last", 1.0}}}});
  auto cut = store->ListTrialsSummarizing("abc123", {});
  ASSERT_TRUE(cut.ok()) << cut.status().message();
  EXPECT_TRUE((*cut)[0].summary.is_object());
  EXPECT_TRUE((*cut)[0].summary.empty());
}

}  // namespace
}  // namespace sweep
