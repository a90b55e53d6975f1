// Tests of `sweep export`: RFC 4180 quoting of commas, quotes and newlines (read back
// with an independent parser), NaN and missing values, and the JSON rows.
#include <gtest/gtest.h>

#include <algorithm>
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

TEST_F(ReadCommandsTest, ExportCsvQuotesCommasQuotesAndNewlines) {
  TrialRecord t = trials_[5];
  t.params["opt.name"] = "a,b \"quoted\"\nnext line";
  store_.PutTrial(t);
  auto ctx = Ctx();
  ASSERT_EQ(CmdExport(ctx, "abc123", "csv"), 0);
  const std::string text = out_.str();
  EXPECT_NE(text.find("\"a,b \"\"quoted\"\"\nnext line\""), std::string::npos) << text;
  auto rows = ParseCsv(text);
  ASSERT_EQ(rows.size(), 7u);
  std::vector<std::string> header = {
      "id",        "sweep",           "number",       "status",      "value",
      "exit_code", "signal",          "started_at",   "ended_at",    "duration",
      "params.lr", "params.opt.name", "params.batch", "metrics.acc", "metrics.val_loss"};
  EXPECT_EQ(rows[0], header);
  for (const auto& r : rows) EXPECT_EQ(r.size(), header.size());
  EXPECT_EQ(rows[1],
            (std::vector<std::string>{"abc123-0", "abc123", "0", "finished", "0.3", "0", "",
                                      "2023-11-14T22:13:30.000Z", "2023-11-14T22:14:30.000Z", "60",
                                      "0.01", "adam", "32", "0.91", "0.3"}));
  EXPECT_EQ(rows[3][4], "NaN");   // trial 2's value
  EXPECT_EQ(rows[3][14], "NaN");  // null "last" in its summary
  EXPECT_EQ(rows[2][4], "");      // failed: no value
  EXPECT_EQ(rows[6][6], "15");    // stopped by SIGTERM
  EXPECT_EQ(rows[6][11], "a,b \"quoted\"\nnext line");
  EXPECT_EQ(rows[5][7], "");      // queued: not started
  EXPECT_EQ(rows[3][10], "1.0");  // a float param keeps its type
}

TEST_F(ReadCommandsTest, ExportJsonHasOneObjectPerTrial) {
  auto ctx = Ctx();
  ASSERT_EQ(CmdExport(ctx, "", "json"), 0);
  Value v = ParseOut();
  ExpectShape(v, {{"sweep", J::kString},
                  {"metric", J::kStringOrNull},
                  {"goal", J::kString},
                  {"trials", J::kArray}});
  ASSERT_EQ(v["trials"].size(), 6u);
  for (const auto& t : v["trials"]) {
    ExpectShape(t, {{"id", J::kString},
                    {"sweep", J::kString},
                    {"number", J::kInteger},
                    {"status", J::kString},
                    {"value", J::kValue},
                    {"exit_code", J::kIntegerOrNull},
                    {"signal", J::kIntegerOrNull},
                    {"started_at", J::kStringOrNull},
                    {"ended_at", J::kStringOrNull},
                    {"duration", J::kNumberOrNull},
                    {"params", J::kObject},
                    {"metrics", J::kObject}});
  }
  EXPECT_EQ(v["trials"][0]["metrics"]["acc"], 0.91);
  EXPECT_EQ(v["trials"][0]["params"]["lr"], 0.01);
  EXPECT_EQ(v["trials"][2]["value"], "NaN");
}

TEST_F(ReadCommandsTest, ExportRejectsAnUnknownFormat) {
  auto ctx = Ctx();
  EXPECT_EQ(CmdExport(ctx, "abc123", "xlsx"), 2);
  EXPECT_EQ(err_.str(), "error: --format must be csv or json, not 'xlsx'\n");
}

}  // namespace
}  // namespace sweep
