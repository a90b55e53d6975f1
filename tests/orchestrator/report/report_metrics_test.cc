// Tests of `sweep metrics` and `sweep logs`: table / CSV / JSON series, raw log bytes,
// and --follow driven by a deterministic sleep hook that appends output and ends the
// trial.
#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <sstream>

#include "orchestrator/report/read_commands.h"
#include "tests/testing/read_fixture.h"

namespace sweep {
namespace {

using readtest::ExpectShape;
using readtest::J;
using readtest::kT0;
using readtest::ParseCsv;
using readtest::ReadCommandsTest;

class MetricsTest : public ReadCommandsTest {
 protected:
  void SetUp() override {
    ReadCommandsTest::SetUp();
    store_.PutPoints(
        {{"abc123-0", "val_loss", 0, 0.9, kT0 + 11},
         {"abc123-0", "val_loss", 1, std::numeric_limits<double>::quiet_NaN(), kT0 + 12},
         {"abc123-0", "acc", 0, 0.5, kT0 + 11},
         {"abc123-0", "val_loss", 2, 0.3, kT0 + 13}});
  }
};

TEST_F(MetricsTest, TableListsEveryPointByNameThenStep) {
  auto ctx = Ctx();
  ASSERT_EQ(CmdMetrics(ctx, "abc123-0", "", false), 0);
  EXPECT_EQ(out_.str(),
            "METRIC    STEP  VALUE  TIME\n"
            "--------  ----  -----  ------------------------\n"
            "acc          0    0.5  2023-11-14T22:13:31.000Z\n"
            "val_loss     0    0.9  2023-11-14T22:13:31.000Z\n"
            "val_loss     1    NaN  2023-11-14T22:13:32.000Z\n"
            "val_loss     2    0.3  2023-11-14T22:13:33.000Z\n");
}

TEST_F(MetricsTest, CsvAndJsonSeries) {
  auto ctx = Ctx();
  ASSERT_EQ(CmdMetrics(ctx, "abc123-0", "val_loss", true), 0);
  auto rows = ParseCsv(out_.str());
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"metric", "step", "value", "wall_time"}));
  EXPECT_EQ(rows[2],
            (std::vector<std::string>{"val_loss", "1", "NaN", "2023-11-14T22:13:32.000Z"}));

  out_.str("");
  auto jctx = Ctx(true);
  ASSERT_EQ(CmdMetrics(jctx, "abc123-0", "", false), 0);
  Value v = ParseOut();
  ExpectShape(v, {{"id", J::kString}, {"sweep", J::kString}, {"metrics", J::kObject}});
  ASSERT_EQ(v["metrics"]["val_loss"].size(), 3u);
  for (const auto& p : v["metrics"]["val_loss"]) {
    ExpectShape(p, {{"step", J::kInteger}, {"value", J::kValue}, {"wall_time", J::kString}});
  }
  EXPECT_EQ(v["metrics"]["val_loss"][1]["value"], "NaN");
  EXPECT_EQ(v["metrics"]["acc"][0]["value"], 0.5);
}

TEST_F(MetricsTest, JsonOfATrialWithoutPointsIsAnEmptyObject) {
  auto ctx = Ctx(true);
  ASSERT_EQ(CmdMetrics(ctx, "abc123-4", "", false), 0);
  Value v = ParseOut();
  ExpectShape(v, {{"id", J::kString}, {"sweep", J::kString}, {"metrics", J::kObject}});
  EXPECT_TRUE(v["metrics"].empty());
  out_.str("");
  ASSERT_EQ(CmdMetrics(ctx, "abc123-0", "acc", false), 0);
  v = ParseOut();
  EXPECT_EQ(v["metrics"].size(), 1u);
  EXPECT_EQ(v["metrics"]["acc"].size(), 1u);
}

TEST_F(MetricsTest, UnknownMetricNameListsTheReportedOnes) {
  auto ctx = Ctx();
  EXPECT_EQ(CmdMetrics(ctx, "abc123-0", "val/loss", false), 1);
  EXPECT_EQ(err_.str(),
            "error: trial abc123-0 has no metric 'val/loss' (it reported: acc, val_loss)\n");
  out_.str("");
  ASSERT_EQ(CmdMetrics(ctx, "abc123-4", "", false), 0);
  EXPECT_EQ(out_.str(), "trial abc123-4 has reported no metrics\n");
}

TEST_F(ReadCommandsTest, LogsPrintsTheLogBytesVerbatim) {
  std::string binary("line 1\n\xff\x00 raw\n", 13);
  WriteLog("abc123-0", "stdout.log", binary);
  WriteLog("abc123-0", "stderr.log", "warn\n");
  auto ctx = Ctx();
  ASSERT_EQ(CmdLogs(ctx, "abc123-0", false, false), 0);
  EXPECT_EQ(out_.str(), binary);
  out_.str("");
  ASSERT_EQ(CmdLogs(ctx, "abc123-0", true, false), 0);
  EXPECT_EQ(out_.str(), "warn\n");
}

TEST_F(ReadCommandsTest, LogsJsonCarriesTheContentWithInvalidUtf8Replaced) {
  WriteLog("abc123-0", "stdout.log", std::string("ok\xff\n"));
  auto ctx = Ctx(true);
  ASSERT_EQ(CmdLogs(ctx, "abc123-0", false, false), 0);
  Value v = ParseOut();
  ExpectShape(
      v,
      {{"id", J::kString}, {"stream", J::kString}, {"path", J::kString}, {"content", J::kString}});
  EXPECT_EQ(v["content"], "ok\xEF\xBF\xBD\n");
  EXPECT_EQ(v["stream"], "stdout");
}

TEST_F(ReadCommandsTest, LogsOfATrialWithoutOutputIsNotFound) {
  auto ctx = Ctx();
  EXPECT_EQ(CmdLogs(ctx, "abc123-4", false, false), 1);
  EXPECT_NE(err_.str().find("trial abc123-4 (queued) has no stdout log"), std::string::npos)
      << err_.str();
}

TEST_F(ReadCommandsTest, LogsFollowPrintsAppendedOutputUntilTheTrialEnds) {
  WriteLog("abc123-3", "stdout.log", "epoch 1\n");
  auto ctx = Ctx();
  int sleeps = 0;
  ctx.sleep = [&] {
    ++sleeps;
    if (sleeps == 1) WriteLog("abc123-3", "stdout.log", "epoch 2\n", true);
    if (sleeps == 2) {
      // The trial writes its last line and ends before the next status read.
      WriteLog("abc123-3", "stdout.log", "done\n", true);
      TrialRecord t = trials_[3];
      t.status = TrialStatus::kFinished;
      t.ended_at = kT0 + 100;
      store_.PutTrial(t);
    }
    ASSERT_LT(sleeps, 10) << "follow did not stop";
  };
  ASSERT_EQ(CmdLogs(ctx, "abc123-3", false, true), 0);
  EXPECT_EQ(out_.str(), "epoch 1\nepoch 2\ndone\n");
  EXPECT_EQ(sleeps, 2);
}

TEST_F(ReadCommandsTest, LogsFollowRereadsALogThatShrankAndWaitsForAQueuedTrial) {
  auto ctx = Ctx(true);
  int sleeps = 0;
  ctx.sleep = [&] {
    ++sleeps;
    TrialRecord t = trials_[4];
    if (sleeps == 1) {
      t.status = TrialStatus::kRunning;
      WriteLog("abc123-4", "stdout.log", "aaaaaaaaaa\n");
    } else if (sleeps == 2) {
      t.status = TrialStatus::kRunning;
      WriteLog("abc123-4", "stdout.log", "tail\n");  // the kept tail: shorter
    } else {
      t.status = TrialStatus::kLost;
    }
    store_.PutTrial(t);
    ASSERT_LT(sleeps, 10);
  };
  ASSERT_EQ(CmdLogs(ctx, "abc123-4", false, true), 0);
  // JSON lines, one object per chunk read.
  std::istringstream lines(out_.str());
  std::string all;
  for (std::string line; std::getline(lines, line);) {
    Value v = Value::parse(line);
    EXPECT_EQ(v["id"], "abc123-4");
    all += v["content"].get<std::string>();
  }
  EXPECT_EQ(all, "aaaaaaaaaa\ntail\n");
}

}  // namespace
}  // namespace sweep
