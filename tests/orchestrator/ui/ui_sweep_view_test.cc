// The trial table's metric columns (DashboardView::table_metrics, TrialPage): a sweep
// whose trials report many metric names gets a page of a few dozen columns, the
// ranking metric first, unless the page names its columns.
#include "orchestrator/ui/ui_sweep_view.h"

#include <gtest/gtest.h>

#include <cstdio>

namespace sweep {
namespace {

std::string Name(int i) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "m%03d", i);
  return buf;
}

std::shared_ptr<DashboardView> ManyNames(int names) {
  SweepRecord sweep;
  sweep.id = "s1";
  sweep.metric = "zloss";
  sweep.goal = "minimize";
  std::vector<TrialRecord> trials;
  for (int t = 0; t < 3; ++t) {
    TrialRecord r;
    r.id = "s1-" + std::to_string(t);
    r.sweep_id = "s1";
    r.number = t;
    r.status = TrialStatus::kFinished;
    r.params = Value{{"x", t}};
    r.summary = KeyedValue::object();
    for (int i = 0; i < names; ++i)
      r.summary[Name(i)] = KeyedValue{{"last", i + t}, {"min", i}, {"max", i + t}, {"count", 1}};
    r.summary["zloss"] = KeyedValue{{"last", 1.0 - t}, {"min", 1.0 - t}, {"count", 1}};
    r.value = 1.0 - t;
    trials.push_back(std::move(r));
  }
  return BuildDashboardView(std::move(sweep), std::move(trials));
}

TEST(TrialPage, CarriesABoundedSetOfMetricColumnsRankingMetricFirst) {
  auto view = ManyNames(500);
  EXPECT_EQ(view->metrics.size(), 501u);
  auto page = TrialPage(*view, TrialPageQuery{});
  ASSERT_TRUE(page.ok()) << page.status().message();
  const Value& columns = (*page)["metric_columns"];
  ASSERT_EQ(columns.size(), kTableMetricColumns);
  EXPECT_EQ(columns[0], "zloss");
  EXPECT_EQ(columns[1], "m000");
  EXPECT_EQ(columns[kTableMetricColumns - 1], Name(static_cast<int>(kTableMetricColumns) - 2));
  EXPECT_EQ((*page)["metric_count"], 501);
  ASSERT_EQ((*page)["rows"].size(), 3u);
  for (const Value& row : (*page)["rows"]) {
    EXPECT_EQ(row["metrics"].size(), kTableMetricColumns) << row;
    EXPECT_TRUE(row["metrics"].contains("zloss"));
  }
  EXPECT_EQ((*page)["rows"][2]["metrics"]["m005"], 7);  // trial 2's last of m005
}

TEST(TrialPage, NamedColumnsAreServedAndBounded) {
  auto view = ManyNames(300);
  TrialPageQuery q;
  q.metrics = {"m299", "no_such_metric"};
  q.sort = "metric:m299";
  q.descending = true;
  auto page = TrialPage(*view, q);
  ASSERT_TRUE(page.ok()) << page.status().message();
  EXPECT_EQ((*page)["metric_columns"], Value::array({"m299", "no_such_metric"}));
  const Value& first = (*page)["rows"][0];
  EXPECT_EQ(first["id"], "s1-2");
  EXPECT_EQ(first["metrics"]["m299"], 301);
  EXPECT_TRUE(first["metrics"]["no_such_metric"].is_null());
  EXPECT_EQ(first["metrics"].size(), 2u);

  q.metrics.clear();
  for (int i = 0; i <= static_cast<int>(kMaxTableMetricColumns); ++i) q.metrics.push_back(Name(i));
  auto over = TrialPage(*view, q);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.status().code(), ErrorCode::kUsage);
  EXPECT_NE(over.status().message().find("metric columns"), std::string::npos);
}

TEST(TrialPage, FewMetricsAreAllColumns) {
  auto view = ManyNames(3);
  auto page = TrialPage(*view, TrialPageQuery{});
  ASSERT_TRUE(page.ok());
  EXPECT_EQ((*page)["metric_columns"], Value::array({"zloss", "m000", "m001", "m002"}));
  EXPECT_EQ((*page)["metric_count"], 4);
}

}  // namespace
}  // namespace sweep
