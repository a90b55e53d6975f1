// Tests of ls, status, top, show, compare, note and tag against the FakeStore: exact
// text fragments, parsed JSON (every documented key present with the right type),
// not-found and usage exit codes.
#include "orchestrator/report/read_commands.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "tests/testing/read_fixture.h"

namespace sweep {
namespace {

using readtest::ExpectShape;
using readtest::J;
using readtest::kT0;
using readtest::ParseCsv;
using readtest::ReadCommandsTest;

TEST_F(ReadCommandsTest, LsListsSweepsOldestFirstWithCountsAndBest) {
  auto ctx = Ctx();
  ASSERT_EQ(CmdLs(ctx), 0);
  std::string text = out_.str();
  EXPECT_EQ(text.rfind("SWEEP   NAME   STATUS    METHOD  METRIC", 0), 0u) << text;
  size_t older = text.find("def456  older");
  size_t newer = text.find("abc123  mnist  running   random  val_loss");
  ASSERT_NE(older, std::string::npos) << text;
  ASSERT_NE(newer, std::string::npos) << text;
  EXPECT_LT(older, newer);
  EXPECT_NE(text.find("0.2 (abc123-3)"), std::string::npos) << text;
  EXPECT_NE(text.find("2023-11-14T22:13:20.000Z"), std::string::npos);
}

TEST_F(ReadCommandsTest, LsJsonHasEveryDocumentedKey) {
  auto ctx = Ctx(true);
  ASSERT_EQ(CmdLs(ctx), 0);
  Value v = ParseOut();
  ASSERT_TRUE(v["sweeps"].is_array());
  ASSERT_EQ(v["sweeps"].size(), 2u);
  for (const auto& s : v["sweeps"]) {
    ExpectShape(s, {{"id", J::kString},
                    {"name", J::kString},
                    {"status", J::kString},
                    {"reason", J::kString},
                    {"method", J::kString},
                    {"metric", J::kStringOrNull},
                    {"goal", J::kString},
                    {"trials", J::kInteger},
                    {"counts", J::kObject},
                    {"best", J::kObjectOrNull},
                    {"created_at", J::kString},
                    {"ended_at", J::kStringOrNull}});
  }
  EXPECT_EQ(v["sweeps"][0]["id"], "def456");
  const Value& s = v["sweeps"][1];
  EXPECT_EQ(s["trials"], 6);
  EXPECT_EQ(s["counts"]["failed"], 1);
  EXPECT_EQ(s["counts"]["lost"], 0);
  EXPECT_EQ(s["best"]["id"], "abc123-3");
  EXPECT_EQ(s["best"]["value"], 0.2);
  EXPECT_TRUE(s["ended_at"].is_null());
  EXPECT_TRUE(v["sweeps"][0]["best"].is_null());  // no trials, no best
}

TEST_F(ReadCommandsTest, LsOnAnEmptyStoreSaysSo) {
  FakeStore empty("/empty/.sweep");
  ReadContext ctx{empty, out_, err_};
  EXPECT_EQ(CmdLs(ctx), 0);
  EXPECT_EQ(out_.str(), "no sweeps in /empty/.sweep (sweep launch SPEC starts one)\n");
}

TEST_F(ReadCommandsTest, StatusShowsCountsPlannedBestAndElapsed) {
  auto ctx = Ctx();
  ASSERT_EQ(CmdStatus(ctx, "abc"), 0);  // a unique prefix
  std::string text = out_.str();
  EXPECT_NE(text.find("sweep     abc123  mnist\n"), std::string::npos) << text;
  EXPECT_NE(text.find("status    running\n"), std::string::npos) << text;
  EXPECT_NE(text.find("metric    val_loss (minimize, summary: last)\n"), std::string::npos);
  EXPECT_NE(text.find("trials    4 done of 10 planned, 6 in the store: 1 queued, 1 running, "
                      "2 finished, 1 failed, 1 stopped, 0 lost\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("best      0.2 (abc123-3)\n"), std::string::npos) << text;
  EXPECT_NE(text.find("elapsed   3m12s (started 2023-11-14T22:13:20.000Z)\n"), std::string::npos)
      << text;
}

TEST_F(ReadCommandsTest, StatusOfTheLatestSweepByDefaultAndItsStopFlags) {
  ASSERT_TRUE(store_.RequestStop("abc123", false).ok());
  auto ctx = Ctx();
  ASSERT_EQ(CmdStatus(ctx, ""), 0);
  EXPECT_NE(out_.str().find("sweep     abc123"), std::string::npos);
  EXPECT_NE(out_.str().find("status    running (stop requested: no new trials)"),
            std::string::npos);
}

TEST_F(ReadCommandsTest, StatusJsonHasEveryDocumentedKey) {
  auto ctx = Ctx(true);
  ASSERT_EQ(CmdStatus(ctx, "abc123"), 0);
  Value v = ParseOut();
  ExpectShape(
      v, {{"id", J::kString},      {"name", J::kString},           {"status", J::kString},
          {"reason", J::kString},  {"method", J::kString},         {"metric", J::kStringOrNull},
          {"goal", J::kString},    {"summary", J::kString},        {"trials", J::kInteger},
          {"done", J::kInteger},   {"planned", J::kIntegerOrNull}, {"counts", J::kObject},
          {"best", J::kObject},    {"created_at", J::kString},     {"ended_at", J::kStringOrNull},
          {"elapsed", J::kNumber}, {"stop_requested", J::kBool},   {"cancel_requested", J::kBool},
          {"workdir", J::kString}, {"options", J::kObject}});
  EXPECT_EQ(v["planned"], 10);
  EXPECT_EQ(v["done"], 4);
  EXPECT_DOUBLE_EQ(v["elapsed"].get<double>(), 192.0);
  for (const char* s : {"queued", "running", "finished", "failed", "stopped", "lost"}) {
    EXPECT_TRUE(v["counts"][s].is_number_integer()) << s;
  }
  ExpectShape(v["best"], {{"id", J::kString}, {"number", J::kInteger}, {"value", J::kValue}});
}

TEST_F(ReadCommandsTest, PlannedIsTheSmallestOfTheCapsAndNullWithoutOne) {
  SweepRecord s = *store_.GetSweep("abc123");
  s.options = SweepOptions{};
  s.options.max_trials = 50;
  s.options.space_size = 12;
  store_.PutSweep(s);
  auto ctx = Ctx(true);
  ASSERT_EQ(CmdStatus(ctx, "abc123"), 0);
  EXPECT_EQ(ParseOut()["planned"], 12);
  out_.str("");
  s.options = SweepOptions{};
  s.options.workers = 2;
  store_.PutSweep(s);
  ASSERT_EQ(CmdStatus(ctx, "abc123"), 0);
  EXPECT_TRUE(ParseOut()["planned"].is_null());
}

TEST_F(ReadCommandsTest, UnknownSweepIsNotFoundWithExitCodeOne) {
  auto ctx = Ctx();
  EXPECT_EQ(CmdStatus(ctx, "zzz"), 1);
  EXPECT_EQ(err_.str(), "error: no sweep 'zzz' in the store /fake/.sweep (sweep ls lists them)\n");
  EXPECT_EQ(out_.str(), "");
  err_.str("");
  EXPECT_EQ(CmdTop(ctx, "nope", {}), 1);
  EXPECT_EQ(CmdExport(ctx, "nope", "csv"), 1);
  FakeStore empty;
  ReadContext e{empty, out_, err_};
  err_.str("");
  EXPECT_EQ(CmdStatus(e, ""), 1);
  EXPECT_EQ(err_.str(), "error: no sweeps in the store /fake/.sweep\n");
}

TEST_F(ReadCommandsTest, StoreFailuresAreReportedNotThrown) {
  store_.FailWith(Status::Store("database is locked"));
  auto ctx = Ctx();
  EXPECT_EQ(CmdLs(ctx), 1);
  EXPECT_EQ(err_.str(), "error: database is locked\n");
  EXPECT_EQ(CmdShow(ctx, "abc123-0"), 1);
}

TEST_F(ReadCommandsTest, TopRanksWithNaNAfterNumbersAndNoValueLast) {
  auto ctx = Ctx();
  ASSERT_EQ(CmdTop(ctx, "abc123", {}), 0);
  std::string text = out_.str();
  EXPECT_EQ(text.rfind("sweep abc123: val_loss (minimize, summary: last), 6 trials\n", 0), 0u)
      << text;
  std::vector<std::string> order;
  for (const char* id :
       {"abc123-3 ", "abc123-0 ", "abc123-2 ", "abc123-1 ", "abc123-4 ", "abc123-5 "}) {
    size_t pos = text.find(id);
    ASSERT_NE(pos, std::string::npos) << id << "\n" << text;
    order.push_back(std::to_string(pos));
  }
  EXPECT_LT(text.find("abc123-3 "), text.find("abc123-0 "));
  EXPECT_LT(text.find("abc123-0 "), text.find("abc123-2 "));
  EXPECT_LT(text.find("abc123-2 "), text.find("abc123-1 "));
  EXPECT_LT(text.find("abc123-1 "), text.find("abc123-4 "));
  EXPECT_LT(text.find("abc123-4 "), text.find("abc123-5 "));
  EXPECT_NE(text.find("RANK  TRIAL     STATUS    val_loss     lr  opt.name              batch\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("   1  abc123-3  running        0.2  0.001"), std::string::npos) << text;
  EXPECT_NE(text.find("   3  abc123-2  finished       NaN"), std::string::npos) << text;
  EXPECT_NE(text.find("   4  abc123-1  failed    no value    0.1  ; rm -rf ~ $(reboot)     32\n"),
            std::string::npos)
      << text;
  // The shell-hostile value is shown as data, verbatim.
  EXPECT_NE(text.find("; rm -rf ~ $(reboot)"), std::string::npos);
}

TEST_F(ReadCommandsTest, TopLimitsRowsAndSaysHowManyAreHidden) {
  auto ctx = Ctx();
  TopOptions opts;
  opts.k = 2;
  ASSERT_EQ(CmdTop(ctx, "abc123", opts), 0);
  EXPECT_NE(out_.str().find("(2 of 6 shown; -k 0 shows all)\n"), std::string::npos);
  EXPECT_EQ(out_.str().find("abc123-2"), std::string::npos);
}

TEST_F(ReadCommandsTest, TopJsonHasRanksValuesAndParams) {
  auto ctx = Ctx(true);
  TopOptions opts;
  opts.k = 0;
  ASSERT_EQ(CmdTop(ctx, "abc123", opts), 0);
  Value v = ParseOut();
  ExpectShape(v, {{"sweep", J::kString},
                  {"metric", J::kString},
                  {"goal", J::kString},
                  {"summary", J::kString},
                  {"total", J::kInteger},
                  {"trials", J::kArray}});
  ASSERT_EQ(v["trials"].size(), 6u);
  for (const auto& t : v["trials"]) {
    ExpectShape(t, {{"rank", J::kInteger},
                    {"id", J::kString},
                    {"number", J::kInteger},
                    {"status", J::kString},
                    {"value", J::kValue},
                    {"params", J::kObject}});
  }
  EXPECT_EQ(v["trials"][0]["id"], "abc123-3");
  EXPECT_EQ(v["trials"][0]["rank"], 1);
  EXPECT_EQ(v["trials"][2]["value"], "NaN");  // JSON has no NaN literal
  EXPECT_TRUE(v["trials"][3]["value"].is_null());
  EXPECT_EQ(v["trials"][0]["params"]["opt.name"], "adam");
  EXPECT_EQ(v["trials"][0]["params"]["batch"], 64);
}

TEST_F(ReadCommandsTest, TopByAnotherMetricAndGoal) {
  auto ctx = Ctx(true);
  TopOptions opts;
  opts.metric = "acc";
  opts.goal = "maximize";
  ASSERT_EQ(CmdTop(ctx, "abc123", opts), 0);
  Value v = ParseOut();
  EXPECT_EQ(v["metric"], "acc");
  EXPECT_EQ(v["goal"], "maximize");
  EXPECT_EQ(v["trials"][0]["id"], "abc123-0");
  EXPECT_EQ(v["trials"][0]["value"], 0.91);
  EXPECT_TRUE(v["trials"][1]["value"].is_null());
}

TEST_F(ReadCommandsTest, TopRejectsAnUnknownGoalAsUsage) {
  auto ctx = Ctx();
  TopOptions opts;
  opts.goal = "up";
  EXPECT_EQ(CmdTop(ctx, "abc123", opts), 2);
  EXPECT_EQ(err_.str(), "error: --goal must be minimize or maximize, not 'up'\n");
}

TEST_F(ReadCommandsTest, ShowPrintsAFailedTrialInFull) {
  ASSERT_TRUE(store_.AddNote("abc123-1", "lr too high").ok());
  ASSERT_TRUE(store_.AddTags("abc123-1", {"diverged"}).ok());
  auto ctx = Ctx();
  ASSERT_EQ(CmdShow(ctx, "abc123-1"), 0);
  std::string text = out_.str();
  EXPECT_NE(text.find("trial      abc123-1  (sweep abc123, number 1)\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("status     failed (exit code 1)\n"), std::string::npos) << text;
  EXPECT_NE(text.find("value      no value  (val_loss, summary: last)\n"), std::string::npos);
  EXPECT_NE(text.find("started    2023-11-14T22:13:31.000Z\n"), std::string::npos);
  EXPECT_NE(text.find("duration   1m00s\n"), std::string::npos) << text;
  EXPECT_NE(text.find("argv       python train.py '--opt.name=; rm -rf ~ $(reboot)'\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("stdout     " + dir_ + "/trials/abc123-1/stdout.log\n"), std::string::npos);
  EXPECT_NE(text.find("tags       diverged\n"), std::string::npos);
  EXPECT_NE(text.find("\nstderr (last lines)\nTraceback (most recent call last):\n"
                      "ValueError: bad lr\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("2023-11-14T22:13:20.000Z  lr too high\n"), std::string::npos) << text;
  EXPECT_NE(text.find("opt.name  ; rm -rf ~ $(reboot)"), std::string::npos) << text;
}

TEST_F(ReadCommandsTest, ShowPrintsSignalsAndSummaryMetrics) {
  auto ctx = Ctx();
  ASSERT_EQ(CmdShow(ctx, "abc123-5"), 0);
  EXPECT_NE(
      out_.str().find(
          "status     stopped (killed by signal 15 (SIGTERM)) - early-terminated (hyperband)\n"),
      std::string::npos)
      << out_.str();
  out_.str("");
  ASSERT_EQ(CmdShow(ctx, "abc123-0"), 0);
  std::string text = out_.str();
  EXPECT_NE(text.find("value      0.3  (val_loss, summary: last)\n"), std::string::npos);
  EXPECT_NE(text.find("where      host node1  agent local  slot 1  gpus 1\n"), std::string::npos);
  EXPECT_NE(text.find("METRIC    LAST   MIN   MAX  COUNT  LAST STEP\n"), std::string::npos) << text;
  EXPECT_NE(text.find("val_loss   0.3  0.25   0.9     10          9"), std::string::npos) << text;
  EXPECT_EQ(text.find("stderr (last lines)"), std::string::npos);
}

TEST_F(ReadCommandsTest, ShowJsonHasEveryDocumentedKey) {
  ASSERT_TRUE(store_.AddNote("abc123-2", "nan again").ok());
  auto ctx = Ctx(true);
  ASSERT_EQ(CmdShow(ctx, "abc123-2"), 0);
  Value v = ParseOut();
  ExpectShape(v, {{"id", J::kString},
                  {"sweep", J::kString},
                  {"number", J::kInteger},
                  {"suggestion", J::kInteger},
                  {"retry_of", J::kStringOrNull},
                  {"status", J::kString},
                  {"exit_code", J::kIntegerOrNull},
                  {"signal", J::kIntegerOrNull},
                  {"reason", J::kString},
                  {"metric", J::kStringOrNull},
                  {"summary", J::kString},
                  {"value", J::kValue},
                  {"metric_reported", J::kBool},
                  {"params", J::kObject},
                  {"metrics", J::kObject},
                  {"created_at", J::kString},
                  {"started_at", J::kStringOrNull},
                  {"ended_at", J::kStringOrNull},
                  {"duration", J::kNumberOrNull},
                  {"host", J::kString},
                  {"agent", J::kString},
                  {"slot", J::kIntegerOrNull},
                  {"gpus", J::kString},
                  {"argv", J::kArray},
                  {"trial_dir", J::kString},
                  {"stdout_log", J::kString},
                  {"stderr_log", J::kString},
                  {"stderr_tail", J::kString},
                  {"malformed_lines", J::kInteger},
                  {"notes", J::kArray},
                  {"tags", J::kArray}});
  EXPECT_EQ(v["value"], "NaN");
  EXPECT_EQ(v["exit_code"], 0);
  EXPECT_TRUE(v["signal"].is_null());
  EXPECT_EQ(v["started_at"], "2023-11-14T22:13:32.000Z");
  EXPECT_DOUBLE_EQ(v["duration"].get<double>(), 60.0);
  EXPECT_TRUE(v["metrics"]["val_loss"]["last"].is_null());
  EXPECT_EQ(v["notes"][0]["text"], "nan again");
  EXPECT_EQ(v["notes"][0]["created_at"], "2023-11-14T22:13:20.000Z");
  EXPECT_TRUE(v["slot"].is_null());
}

TEST_F(ReadCommandsTest, ShowOfARunningTrialCountsDurationToNowAndQueuedHasNone) {
  auto ctx = Ctx(true);
  ASSERT_EQ(CmdShow(ctx, "abc123-3"), 0);
  EXPECT_DOUBLE_EQ(ParseOut()["duration"].get<double>(), 192.0 - 13.0);
  out_.str("");
  ASSERT_EQ(CmdShow(ctx, "abc123-4"), 0);
  Value q = ParseOut();
  EXPECT_TRUE(q["duration"].is_null());
  EXPECT_TRUE(q["started_at"].is_null());
}

TEST_F(ReadCommandsTest, UnknownTrialIsNotFound) {
  auto ctx = Ctx();
  EXPECT_EQ(CmdShow(ctx, "abc123-99"), 1);
  EXPECT_NE(err_.str().find("no trial 'abc123-99'"), std::string::npos) << err_.str();
  EXPECT_EQ(CmdMetrics(ctx, "nope", "", false), 1);
  EXPECT_EQ(CmdLogs(ctx, "nope", false, false), 1);
  EXPECT_EQ(CmdNote(ctx, "nope", "x"), 1);
  EXPECT_EQ(CmdTag(ctx, "nope", {"x"}), 1);
  EXPECT_EQ(CmdCompare(ctx, {"abc123-0", "nope"}), 1);
}

TEST_F(ReadCommandsTest, AmbiguousPrefixIsReportedAsSuch) {
  auto ctx = Ctx();
  EXPECT_EQ(CmdShow(ctx, "abc123-"), 2);
  EXPECT_NE(err_.str().find("ambiguous"), std::string::npos) << err_.str();
}

TEST_F(ReadCommandsTest, CompareMarksDifferingRows) {
  auto ctx = Ctx();
  ASSERT_EQ(CmdCompare(ctx, {"abc123-0", "abc123-3"}), 0);
  std::string text = out_.str();
  EXPECT_NE(text.find("   FIELD             abc123-0  abc123-3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("*  status            finished  running\n"), std::string::npos) << text;
  EXPECT_NE(text.find("*  value             0.3       0.2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("   params.opt.name   adam      adam\n"), std::string::npos) << text;
  EXPECT_NE(text.find("*  params.batch      32        64\n"), std::string::npos) << text;
  EXPECT_NE(text.find("*  metrics.acc       0.91      -\n"), std::string::npos) << text;
}

TEST_F(ReadCommandsTest, CompareJsonListsTrialsAndDifferingFields) {
  auto ctx = Ctx(true);
  ASSERT_EQ(CmdCompare(ctx, {"abc123-0", "abc123-2", "abc123-3"}), 0);
  Value v = ParseOut();
  ExpectShape(v, {{"trials", J::kArray}, {"differing", J::kArray}});
  ASSERT_EQ(v["trials"].size(), 3u);
  for (const auto& t : v["trials"]) {
    ExpectShape(t, {{"id", J::kString},
                    {"sweep", J::kString},
                    {"number", J::kInteger},
                    {"status", J::kString},
                    {"value", J::kValue},
                    {"exit_code", J::kIntegerOrNull},
                    {"params", J::kObject},
                    {"metrics", J::kObject}});
  }
  EXPECT_EQ(v["trials"][1]["value"], "NaN");
  EXPECT_EQ(v["trials"][1]["metrics"]["val_loss"], "NaN");
  std::vector<std::string> differing = v["differing"];
  EXPECT_NE(std::find(differing.begin(), differing.end(), "params.lr"), differing.end());
  EXPECT_NE(std::find(differing.begin(), differing.end(), "value"), differing.end());
  EXPECT_NE(std::find(differing.begin(), differing.end(), "status"), differing.end());
  EXPECT_NE(std::find(differing.begin(), differing.end(), "exit_code"), differing.end())
      << "0, 0 and none differ";
  out_.str("");
  ASSERT_EQ(CmdCompare(ctx, {"abc123-0", "abc123-4"}), 0);
  std::vector<std::string> two = ParseOut()["differing"];
  EXPECT_EQ(std::find(two.begin(), two.end(), "params.opt.name"), two.end());
  EXPECT_NE(std::find(two.begin(), two.end(), "params.batch"), two.end());
}

TEST_F(ReadCommandsTest, CompareNeedsTwoTrials) {
  auto ctx = Ctx();
  EXPECT_EQ(CmdCompare(ctx, {"abc123-0"}), 2);
  EXPECT_EQ(err_.str(), "error: compare needs at least two trials\n");
}

TEST_F(ReadCommandsTest, NoteAndTagWriteThroughTheStore) {
  auto ctx = Ctx();
  ASSERT_EQ(CmdNote(ctx, "abc123-0", "best so far"), 0);
  EXPECT_EQ(out_.str(), "noted trial abc123-0 (1 note)\n");
  out_.str("");
  ASSERT_EQ(CmdTag(ctx, "abc123-0", {"keep", "paper"}), 0);
  EXPECT_EQ(out_.str(), "tagged trial abc123-0: keep paper\n");
  auto notes = store_.GetNotes("abc123-0");
  ASSERT_EQ(notes->size(), 1u);
  EXPECT_EQ((*notes)[0].text, "best so far");

  out_.str("");
  auto jctx = Ctx(true);
  ASSERT_EQ(CmdTag(jctx, "abc123-0", {"keep", "final"}), 0);
  Value v = ParseOut();
  ExpectShape(v, {{"id", J::kString}, {"tags", J::kArray}});
  EXPECT_EQ(v["tags"], Value::array({"keep", "paper", "final"}));
  out_.str("");
  ASSERT_EQ(CmdNote(jctx, "abc123-0", "second"), 0);
  Value n = ParseOut();
  ExpectShape(n, {{"id", J::kString}, {"notes", J::kArray}});
  ASSERT_EQ(n["notes"].size(), 2u);
  ExpectShape(n["notes"][1], {{"text", J::kString}, {"created_at", J::kString}});
}

TEST_F(ReadCommandsTest, NoteAndTagRejectBadInputAsUsage) {
  auto ctx = Ctx();
  EXPECT_EQ(CmdNote(ctx, "abc123-0", "  \n"), 2);
  EXPECT_EQ(CmdTag(ctx, "abc123-0", {}), 2);
  EXPECT_EQ(CmdTag(ctx, "abc123-0", {"two words"}), 2);
  EXPECT_EQ(CmdTag(ctx, "abc123-0", {"a,b"}), 2);
  EXPECT_EQ(CmdTag(ctx, "abc123-0", {std::string(65, 'x')}), 2);
  EXPECT_TRUE(store_.GetTags("abc123-0")->empty());
  EXPECT_TRUE(store_.GetNotes("abc123-0")->empty());
}

TEST_F(ReadCommandsTest, TablesFitTheTerminalWidth) {
  auto ctx = Ctx();
  ctx.terminal_width = 50;
  ASSERT_EQ(CmdTop(ctx, "abc123", {}), 0);
  std::istringstream lines(out_.str());
  std::string title;
  std::getline(lines, title);
  for (std::string line; std::getline(lines, line);) {
    size_t width = 0;
    for (unsigned char c : line) width += (c & 0xC0) != 0x80;
    EXPECT_LE(width, 50u) << line;
  }
}

TEST_F(ReadCommandsTest, ASweepWithoutMetricIsShownButNotRanked) {
  SweepRecord s;
  s.id = "nom000";
  s.method = "grid";
  s.created_at = kT0 + 5;
  store_.PutSweep(s);
  auto ctx = Ctx();
  ASSERT_EQ(CmdStatus(ctx, ""), 0);
  EXPECT_NE(out_.str().find("metric    - (none: trials are not ranked)\n"), std::string::npos)
      << out_.str();
  EXPECT_NE(out_.str().find("best      -\n"), std::string::npos);
  EXPECT_EQ(CmdTop(ctx, "nom000", {}), 2);
  EXPECT_EQ(err_.str(),
            "error: sweep nom000 has no target metric; choose one with --metric NAME\n");
}

}  // namespace
}  // namespace sweep
