// Tests of the read commands against the in-memory FakeStore: exact text fragments,
// parsed JSON (every documented key present with the right type), CSV quoting, and
// logs --follow driven by a deterministic sleep hook.
#include "orchestrator/read_commands.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "tests/testing/fake_store.h"

namespace sweep {
namespace {

namespace fs = std::filesystem;

const double kT0 = 1700000000;  // 2023-11-14T22:13:20Z

enum class J {
  kString,
  kNumber,
  kInteger,
  kBool,
  kObject,
  kArray,
  kNull,
  kNumberOrNull,
  kStringOrNull,
  kIntegerOrNull,
  kObjectOrNull,
  kValue
};

bool HasType(const Value& v, J type) {
  switch (type) {
    case J::kString:
      return v.is_string();
    case J::kNumber:
      return v.is_number();
    case J::kInteger:
      return v.is_number_integer();
    case J::kBool:
      return v.is_boolean();
    case J::kObject:
      return v.is_object();
    case J::kArray:
      return v.is_array();
    case J::kNull:
      return v.is_null();
    case J::kNumberOrNull:
      return v.is_number() || v.is_null();
    case J::kStringOrNull:
      return v.is_string() || v.is_null();
    case J::kIntegerOrNull:
      return v.is_number_integer() || v.is_null();
    case J::kObjectOrNull:
      return v.is_object() || v.is_null();
    // value: a number, "NaN" / "Infinity" / "-Infinity", or null.
    case J::kValue:
      return v.is_number() || v.is_null() ||
             (v.is_string() && (v == "NaN" || v == "Infinity" || v == "-Infinity"));
  }
  return false;
}

void ExpectShape(const Value& obj, const std::vector<std::pair<std::string, J>>& keys) {
  ASSERT_TRUE(obj.is_object()) << obj.dump();
  for (const auto& [key, type] : keys) {
    ASSERT_TRUE(obj.contains(key)) << "missing key " << key << " in " << obj.dump();
    EXPECT_TRUE(HasType(obj[key], type)) << "key " << key << " has " << obj[key].dump();
  }
}

// An RFC 4180 reader, independent of the writer under test.
std::vector<std::vector<std::string>> ParseCsv(const std::string& text) {
  std::vector<std::vector<std::string>> rows(1);
  std::string field;
  bool quoted = false, at_start = true;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"' && at_start) {
      quoted = true;
      at_start = false;
    } else if (c == ',') {
      rows.back().push_back(field);
      field.clear();
      at_start = true;
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      rows.back().push_back(field);
      field.clear();
      rows.emplace_back();
      at_start = true;
      ++i;
    } else {
      field += c;
      at_start = false;
    }
  }
  if (rows.back().empty()) rows.pop_back();
  return rows;
}

class ReadCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sweep_read_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;

    SweepRecord old;
    old.id = "def456";
    old.name = "older";
    old.method = "grid";
    old.metric = "loss";
    old.goal = "minimize";
    old.status = SweepStatus::kFinished;
    old.created_at = kT0 - 1000;
    old.ended_at = kT0 - 900;
    store_.PutSweep(old);

    SweepRecord s;
    s.id = "abc123";
    s.name = "mnist";
    s.method = "random";
    s.metric = "val_loss";
    s.goal = "minimize";
    s.status = SweepStatus::kRunning;
    s.options = {{"max_trials", 10}, {"workers", 2}};
    s.created_at = kT0;
    store_.PutSweep(s);

    Add(0, TrialStatus::kFinished, 0.3, {{"lr", 0.01}, {"opt.name", "adam"}, {"batch", 32}});
    trials_[0].exit_code = 0;
    trials_[0].summary = {
        {"val_loss", {{"last", 0.3}, {"min", 0.25}, {"max", 0.9}, {"count", 10}, {"last_step", 9}}},
        {"acc", {{"last", 0.91}, {"min", 0.5}, {"max", 0.93}, {"count", 10}, {"last_step", 9}}}};
    trials_[0].argv = {"python", "train.py", "--opt.name=adam", "--lr=0.01"};
    trials_[0].host = "node1";
    trials_[0].agent = "local";
    trials_[0].slot = 1;
    trials_[0].gpus = "1";

    Add(1, TrialStatus::kFailed, std::nullopt,
        {{"lr", 0.1}, {"opt.name", "; rm -rf ~ $(reboot)"}, {"batch", 32}});
    trials_[1].exit_code = 1;
    trials_[1].reason = "exit code 1";
    trials_[1].stderr_tail = "Traceback (most recent call last):\nValueError: bad lr\n";
    trials_[1].argv = {"python", "train.py", "--opt.name=; rm -rf ~ $(reboot)"};

    Add(2, TrialStatus::kFinished, std::numeric_limits<double>::quiet_NaN(),
        {{"lr", 1.0}, {"opt.name", "sgd"}, {"batch", 64}});
    trials_[2].exit_code = 0;
    trials_[2].summary = {{"val_loss", {{"last", nullptr}, {"count", 3}}}};

    Add(3, TrialStatus::kRunning, 0.2, {{"lr", 0.001}, {"opt.name", "adam"}, {"batch", 64}});
    trials_[3].ended_at = 0;
    trials_[3].summary = {{"val_loss", {{"last", 0.2}, {"count", 2}}}};

    Add(4, TrialStatus::kQueued, std::nullopt, {{"lr", 0.5}, {"opt.name", "adam"}, {"batch", 16}});
    trials_[4].started_at = trials_[4].ended_at = 0;

    Add(5, TrialStatus::kStopped, std::nullopt, {{"lr", 0.2}, {"opt.name", "sgd"}, {"batch", 16}});
    trials_[5].signal = 15;
    trials_[5].reason = "early-terminated (hyperband)";

    for (const auto& t : trials_) store_.PutTrial(t);
  }

  void TearDown() override { fs::remove_all(dir_); }

  void Add(uint64_t n, TrialStatus status, std::optional<double> value, Value params) {
    TrialRecord t;
    t.sweep_id = "abc123";
    t.id = "abc123-" + std::to_string(n);
    t.number = n;
    t.suggestion = n;
    t.status = status;
    t.value = value;
    t.params = std::move(params);
    t.created_at = kT0 + n;
    t.started_at = kT0 + 10 + n;
    t.ended_at = kT0 + 70 + n;
    t.trial_dir = dir_ + "/trials/" + t.id;
    trials_.push_back(t);
  }

  ReadContext Ctx(bool json = false) {
    ReadContext ctx{store_, out_, err_};
    ctx.json = json;
    ctx.now = [] { return kT0 + 192; };
    return ctx;
  }

  Value ParseOut() {
    Value v = Value::parse(out_.str(), nullptr, /*allow_exceptions=*/false);
    EXPECT_FALSE(v.is_discarded()) << out_.str();
    return v;
  }

  void WriteLog(const std::string& trial, const std::string& name, const std::string& text,
                bool append = false) {
    fs::create_directories(dir_ + "/trials/" + trial);
    std::ofstream f(dir_ + "/trials/" + trial + "/" + name,
                    std::ios::binary | (append ? std::ios::app : std::ios::trunc));
    f << text;
  }

  FakeStore store_;
  std::vector<TrialRecord> trials_;
  std::ostringstream out_, err_;
  std::string dir_;
};

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
  s.options = {{"max_trials", 50}, {"space_size", 12}};
  store_.PutSweep(s);
  auto ctx = Ctx(true);
  ASSERT_EQ(CmdStatus(ctx, "abc123"), 0);
  EXPECT_EQ(ParseOut()["planned"], 12);
  out_.str("");
  s.options = {{"workers", 2}};
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

}  // namespace
}  // namespace sweep
