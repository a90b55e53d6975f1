// SweepView: the one set of rules for a sweep's counts, values, best trial and
// planned total; and a check that the CLI and the dashboard print the same numbers.
#include "orchestrator/store/sweep_view.h"

#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

#include "orchestrator/report/read_commands.h"
#include "orchestrator/ui/ui_api.h"
#include "tests/testing/ui_store_fixture.h"

namespace sweep {
namespace {

TrialRecord Trial(uint64_t n, TrialStatus status, std::optional<double> value) {
  TrialRecord t;
  t.id = "sw-" + std::to_string(n);
  t.sweep_id = "sw";
  t.number = n;
  t.status = status;
  t.value = value;
  return t;
}

TEST(SweepView, CountsEveryStatusAndPicksTheBestByTheRankingRules) {
  SweepRecord s;
  s.id = "sw";
  s.metric = "loss";
  s.goal = "minimize";
  s.options.max_trials = 10;
  s.options.space_size = 6;
  std::vector<TrialRecord> trials = {
      Trial(0, TrialStatus::kFinished, 2.0),       Trial(1, TrialStatus::kFinished, std::nan("")),
      Trial(2, TrialStatus::kStopped, 0.5),        Trial(3, TrialStatus::kFinished, 0.5),
      Trial(4, TrialStatus::kLost, std::nullopt),  Trial(5, TrialStatus::kRunning, std::nullopt),
      Trial(6, TrialStatus::kFailed, std::nullopt)};
  SweepView v = MakeSweepView(s, trials);
  EXPECT_EQ(v.counts.at(TrialStatus::kQueued), 0u);  // zeros are present
  EXPECT_EQ(v.counts.at(TrialStatus::kFinished), 3u);
  EXPECT_EQ(v.counts.at(TrialStatus::kLost), 1u);
  EXPECT_EQ(v.done(), 5u);  // finished + failed + stopped; lost ones are re-run
  EXPECT_EQ(v.planned, 6u);
  ASSERT_TRUE(v.best.has_value());
  EXPECT_EQ(*v.best, 2u);  // a tie keeps the lower number; NaN is never best
  EXPECT_EQ(v.best_value(), 0.5);
  Value counts = StatusCountsJson(v.counts);
  EXPECT_EQ(counts.dump(),
            R"({"queued":0,"running":1,"finished":3,"failed":1,"stopped":1,"lost":1})");
}

TEST(SweepView, WithoutAMetricNothingIsRankedOrBest) {
  SweepRecord s;
  s.id = "sw";
  SweepView v = MakeSweepView(s, {Trial(0, TrialStatus::kFinished, 1.0)});
  EXPECT_FALSE(v.best.has_value());
  EXPECT_FALSE(v.value[0].has_value());
  EXPECT_FALSE(v.planned.has_value());
}

// `sweep status --json` and the dashboard's /api/sweeps over one real store.
TEST(SweepView, TheCliAndTheDashboardShowTheSameNumbers) {
  testing::UiStoreFixture fx;
  std::ostringstream out, err;
  ReadContext ctx(*fx.store, out, err);
  ctx.json = true;
  ASSERT_EQ(CmdStatus(ctx, "swp001"), 0) << err.str();
  Value cli = Value::parse(out.str());

  UiApiOptions o;
  o.background = false;
  UiApi api(*fx.store, o);
  Value list = Value::parse(api.Handle({"GET", "/api/sweeps", ""}).body);
  Value ui;
  for (const Value& s : list["sweeps"])
    if (s["id"] == "swp001") ui = s;
  ASSERT_TRUE(ui.is_object()) << list;

  EXPECT_EQ(ui["counts"], cli["counts"]);
  EXPECT_EQ(ui["done"], cli["done"]);
  EXPECT_EQ(ui["planned"], cli["planned"]);
  EXPECT_EQ(ui["trials"], cli["trials"]);
  ASSERT_TRUE(cli["best"].is_object()) << cli;
  EXPECT_EQ(ui["best"]["trial_id"], cli["best"]["id"]);
  EXPECT_EQ(ui["best"]["value"], cli["best"]["value"]);
}

}  // namespace
}  // namespace sweep
