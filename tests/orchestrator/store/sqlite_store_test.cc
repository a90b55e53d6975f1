// Tests of the SQLite store against real database files in a temporary folder.
#include "orchestrator/store/sqlite_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <thread>

#include "orchestrator/controller/ids.h"
#include "tests/orchestrator/store/sqlite_store_fixtures.h"
#include "tests/testing/temp_dir.h"

namespace sweep {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using testing::FilesIn;
using ::testing::HasSubstr;
using testing::MakeSweep;
using testing::MakeTrial;
using testing::MustOpen;
using testing::Point;
using testing::StoreWithTrials;
using testing::TempDir;

constexpr double kInf = std::numeric_limits<double>::infinity();

TEST(SqliteStore, CreatesTheStoreLayoutOnOpen) {
  TempDir dir;
  std::string root = dir.Join("nested/.sweep");
  auto store = MustOpen(root);
  EXPECT_TRUE(fs::is_regular_file(root + "/sweep.db"));
  EXPECT_TRUE(fs::is_directory(root + "/trials"));
  EXPECT_EQ(store->root(), root);
  EXPECT_EQ(TrialDirPath(root, "abc123-4"), root + "/trials/abc123-4");
}

TEST(SqliteStore, RoundTripsEverySweepField) {
  TempDir dir;
  auto store = MustOpen(dir.path());
  SweepRecord s;
  s.id = "k3x9q2";
  s.name = "lr search";
  s.spec_file = "/home/u/sweep.yaml";
  s.spec_text = "method: grid\nparameters:\n  lr: {values: [1, 2.0]}\n";
  s.space = Value::parse(R"({"lr": {"values": [1, 2.0]}, "depth": {"min": 1, "max": 8}})");
  s.method = "grid";
  s.metric = "val/loss";
  s.goal = "minimize";
  s.seed = std::numeric_limits<uint64_t>::max();
  s.status = SweepStatus::kInterrupted;
  s.reason = "Ctrl-C";
  s.workdir = "/home/u/project";
  s.options.workers = 4;
  s.options.gpus = "0,2";
  s.options.listen = "127.0.0.1:7000";
  s.options.lease_timeout_s = 12.5;
  s.options.extra["from_a_newer_version"] = Value::parse(R"([1, "two"])");
  s.created_at = 1700000000.25;
  s.ended_at = 1700000100.5;
  s.stop_requested = true;
  s.cancel_requested = true;
  ASSERT_TRUE(store->Commit(WriteBatch{{s}, {}, {}, {}, {}}).ok());

  auto got = MustOpen(dir.path(), {.read_only = true})->GetSweep("k3x9q2");
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(got->id, s.id);
  EXPECT_EQ(got->name, s.name);
  EXPECT_EQ(got->spec_file, s.spec_file);
  EXPECT_EQ(got->spec_text, s.spec_text);
  EXPECT_EQ(got->space.dump(), s.space.dump());
  EXPECT_EQ(got->method, s.method);
  EXPECT_EQ(got->metric, s.metric);
  EXPECT_EQ(got->goal, s.goal);
  EXPECT_EQ(got->seed, s.seed);
  EXPECT_EQ(got->status, s.status);
  EXPECT_EQ(got->reason, s.reason);
  EXPECT_EQ(got->workdir, s.workdir);
  EXPECT_EQ(SweepOptionsToJson(got->options).dump(), SweepOptionsToJson(s.options).dump());
  EXPECT_EQ(got->options.workers, 4);
  EXPECT_EQ(got->options.lease_timeout_s, 12.5);
  EXPECT_EQ(got->options.extra["from_a_newer_version"][1], "two");
  EXPECT_EQ(got->created_at, s.created_at);
  EXPECT_EQ(got->ended_at, s.ended_at);
  EXPECT_TRUE(got->stop_requested);
  EXPECT_TRUE(got->cancel_requested);
}

TEST(SqliteStore, RoundTripsEveryTrialField) {
  TempDir dir;
  auto store = MustOpen(dir.path());
  TrialRecord t;
  t.id = "abc123-7";
  t.sweep_id = "abc123";
  t.number = 7;
  t.suggestion = 5;
  t.retry_of = "abc123-5";
  t.params = Value::parse(R"({"lr": 0.001, "layers": 3, "opt.name": "adam", "wd": 1.0})");
  t.status = TrialStatus::kFailed;
  t.exit_code = 3;
  t.signal = 9;
  t.reason = "exit code 3";
  t.host = "gpu-box";
  t.agent = "local";
  t.slot = 2;
  t.gpus = "2";
  t.argv = {"python3", "train.py", "--x=; rm -rf ~ $(reboot)", ""};
  t.trial_dir = "/tmp/.sweep/trials/abc123-7";
  t.created_at = 10.5;
  t.started_at = 11.25;
  t.ended_at = 12.125;
  t.value = -0.5;
  t.metric_reported = true;
  t.summary = Value::parse(R"({"loss": {"last": 0.5, "min": 0.25, "count": 3}})");
  t.stderr_tail = std::string("Traceback\n\0binary\xff\xfe end", 24);
  t.malformed_lines = 42;
  ASSERT_TRUE(store->Commit(WriteBatch{{MakeSweep("abc123")}, {t}, {}, {}, {}}).ok());

  auto got = MustOpen(dir.path(), {.read_only = true})->GetTrial("abc123-7");
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(got->id, t.id);
  EXPECT_EQ(got->sweep_id, t.sweep_id);
  EXPECT_EQ(got->number, 7u);
  EXPECT_EQ(got->suggestion, 5u);
  EXPECT_EQ(got->retry_of, t.retry_of);
  EXPECT_EQ(got->params.dump(), t.params.dump());
  EXPECT_EQ(got->status, TrialStatus::kFailed);
  EXPECT_EQ(got->exit_code, std::optional<int>(3));
  EXPECT_EQ(got->signal, std::optional<int>(9));
  EXPECT_EQ(got->reason, t.reason);
  EXPECT_EQ(got->host, t.host);
  EXPECT_EQ(got->agent, t.agent);
  EXPECT_EQ(got->slot, 2);
  EXPECT_EQ(got->gpus, "2");
  EXPECT_EQ(got->argv, t.argv);
  EXPECT_EQ(got->trial_dir, t.trial_dir);
  EXPECT_EQ(got->created_at, 10.5);
  EXPECT_EQ(got->started_at, 11.25);
  EXPECT_EQ(got->ended_at, 12.125);
  EXPECT_EQ(got->value, std::optional<double>(-0.5));
  EXPECT_TRUE(got->metric_reported);
  EXPECT_EQ(got->summary.dump(), t.summary.dump());
  EXPECT_EQ(got->stderr_tail, t.stderr_tail);
  EXPECT_EQ(got->malformed_lines, 42u);
}

TEST(SqliteStore, KeepsAbsentOptionalsAbsent) {
  TempDir dir;
  auto store = StoreWithTrials(dir, 1);
  auto got = store->GetTrial("abc123-0");
  ASSERT_TRUE(got.ok());
  EXPECT_FALSE(got->exit_code.has_value());
  EXPECT_FALSE(got->signal.has_value());
  EXPECT_FALSE(got->value.has_value());
  EXPECT_EQ(got->slot, -1);
}

TEST(SqliteStore, ParamsKeepIntegerVersusFloat) {
  TempDir dir;
  auto store = MustOpen(dir.path());
  TrialRecord t = MakeTrial("abc123", 0);
  t.params = Value::object({{"int", 1},
                            {"float", 1.0},
                            {"big", 9007199254740993LL},
                            {"list", Value::array({1, 2.5})},
                            {"neg", -0.0}});
  ASSERT_TRUE(store->Commit(WriteBatch{{MakeSweep("abc123")}, {t}, {}, {}, {}}).ok());
  auto got = store->GetTrial(t.id);
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(got->params["int"].is_number_integer());
  EXPECT_TRUE(got->params["float"].is_number_float());
  EXPECT_EQ(got->params["big"].get<int64_t>(), 9007199254740993LL);
  EXPECT_TRUE(got->params["list"][0].is_number_integer());
  EXPECT_EQ(got->params.dump(),
            R"({"int":1,"float":1.0,"big":9007199254740993,"list":[1,2.5],"neg":-0.0})");
}

TEST(SqliteStore, TrialValueRoundTripsNanAndInfinity) {
  TempDir dir;
  auto store = MustOpen(dir.path());
  TrialRecord nan = MakeTrial("abc123", 0), inf = MakeTrial("abc123", 1),
              ninf = MakeTrial("abc123", 2);
  nan.value = std::nan("");
  inf.value = kInf;
  ninf.value = -kInf;
  ASSERT_TRUE(store->Commit(WriteBatch{{MakeSweep("abc123")}, {nan, inf, ninf}, {}, {}, {}}).ok());
  auto got = store->ListTrials("abc123");
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 3u);
  ASSERT_TRUE((*got)[0].value.has_value());
  EXPECT_TRUE(std::isnan(*(*got)[0].value));
  EXPECT_EQ((*got)[1].value, std::optional<double>(kInf));
  EXPECT_EQ((*got)[2].value, std::optional<double>(-kInf));
}

TEST(SqliteStore, JsonColumnsRoundTripNanAndInfinity) {
  TempDir dir;
  auto store = MustOpen(dir.path());
  TrialRecord t = MakeTrial("abc123", 0);
  t.summary = Value::object(
      {{"loss",
        Value::object({{"last", std::nan("")}, {"min", -kInf}, {"max", kInf}, {"count", 3}})},
       {"names", Value::array({"NaN", "Infinity", 1.5})}});
  t.params = Value::object({{"x", kInf}});
  ASSERT_TRUE(store->Commit(WriteBatch{{MakeSweep("abc123")}, {t}, {}, {}, {}}).ok());
  auto got = store->GetTrial(t.id);
  ASSERT_TRUE(got.ok()) << got.status().message();
  const Value& loss = got->summary["loss"];
  ASSERT_TRUE(loss["last"].is_number_float());
  EXPECT_TRUE(std::isnan(loss["last"].get<double>()));
  EXPECT_EQ(loss["min"].get<double>(), -kInf);
  EXPECT_EQ(loss["max"].get<double>(), kInf);
  EXPECT_TRUE(loss["count"].is_number_integer());
  // Ordinary strings that spell the words stay strings.
  EXPECT_EQ(got->summary["names"][0], "NaN");
  EXPECT_EQ(got->summary["names"][1], "Infinity");
  EXPECT_EQ(got->params["x"].get<double>(), kInf);
}

TEST(SqliteStore, UpsertReplacesTheTrialAndKeepsItsPointsNotesAndTags) {
  TempDir dir;
  auto store = StoreWithTrials(dir, 2);
  ASSERT_TRUE(store->Commit(WriteBatch{{}, {}, {Point("abc123-1", "loss", 0, 1.0)}, {}, {}}).ok());
  ASSERT_TRUE(store->AddNote("abc123-1", "looks good").ok());
  ASSERT_TRUE(store->AddTags("abc123-1", {"best"}).ok());

  TrialRecord t = MakeTrial("abc123", 1);
  t.status = TrialStatus::kFinished;
  t.exit_code = 0;
  t.value = 0.25;
  t.params = Value::object({{"lr", 0.2}});
  ASSERT_TRUE(store->Commit(WriteBatch{{}, {t}, {}, {}, {}}).ok());

  auto trials = store->ListTrials("abc123");
  ASSERT_TRUE(trials.ok());
  ASSERT_EQ(trials->size(), 2u);
  EXPECT_EQ((*trials)[1].status, TrialStatus::kFinished);
  EXPECT_EQ((*trials)[1].exit_code, std::optional<int>(0));
  EXPECT_EQ((*trials)[1].params["lr"].get<double>(), 0.2);
  auto points = store->GetMetrics({"abc123-1", "", 0});
  ASSERT_TRUE(points.ok());
  EXPECT_EQ(points->size(), 1u);
  EXPECT_EQ(store->GetNotes("abc123-1")->size(), 1u);
  EXPECT_THAT(*store->GetTags("abc123-1"), ElementsAre("best"));
}

TEST(SqliteStore, ACommitThatFailsWritesNothing) {
  TempDir dir;
  auto store = StoreWithTrials(dir, 1);
  WriteBatch b;
  b.trials.push_back(MakeTrial("abc123", 1));
  b.points.push_back(Point("abc123-1", "loss", 0, 1.0));
  b.points.push_back(Point("nope-9", "loss", 0, 1.0));
  Status s = store->Commit(b);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("nope-9"));
  EXPECT_EQ(store->ListTrials("abc123")->size(), 1u);
  EXPECT_EQ(store->GetTrial("abc123-1").status().code(), ErrorCode::kNotFound);

  // The connection is still usable, and ids cached in the failed batch are not reused.
  ASSERT_TRUE(store->Commit(WriteBatch{{}, {MakeTrial("abc123", 1)}, {}, {}, {}}).ok());
  ASSERT_TRUE(store->Commit(WriteBatch{{}, {}, {Point("abc123-1", "loss", 3, 2.0)}, {}, {}}).ok());
  auto points = store->GetMetrics({"abc123-1", "loss", 0});
  ASSERT_TRUE(points.ok());
  ASSERT_EQ(points->size(), 1u);
  EXPECT_EQ((*points)[0].step, 3);
}

TEST(SqliteStore, ATrialOfAnUnknownSweepIsRefused) {
  TempDir dir;
  auto store = MustOpen(dir.path());
  Status s = store->Commit(WriteBatch{{}, {MakeTrial("zzz999", 0)}, {}, {}, {}});
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(store->ListTrials("zzz999")->size(), 0u);
}

TEST(SqliteStore, FindsTrialsByExactIdOrUniquePrefix) {
  TempDir dir;
  auto store = StoreWithTrials(dir, 12);
  // "abc123-1" is a prefix of -10 and -11 too, but an exact id wins.
  EXPECT_EQ(store->GetTrial("abc123-1")->id, "abc123-1");
  EXPECT_EQ(store->GetTrial("abc123-11")->id, "abc123-11");
  EXPECT_EQ(store->GetTrial("abc123-9")->id, "abc123-9");

  auto ambiguous = store->GetTrial("abc123-");
  ASSERT_FALSE(ambiguous.ok());
  EXPECT_EQ(ambiguous.status().code(), ErrorCode::kUsage);
  EXPECT_THAT(ambiguous.status().message(), HasSubstr("ambiguous"));
  EXPECT_THAT(ambiguous.status().message(), HasSubstr("abc123-0 abc123-1 abc123-10"));
  EXPECT_THAT(ambiguous.status().message(), HasSubstr("..."));

  auto missing = store->GetTrial("abc124");
  EXPECT_EQ(missing.status().code(), ErrorCode::kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr("abc124"));
  EXPECT_FALSE(store->GetTrial("").ok());
}

TEST(SqliteStore, FindsSweepsByPrefixAndLatest) {
  TempDir dir;
  auto store = MustOpen(dir.path());
  EXPECT_EQ(store->GetSweep("").status().code(), ErrorCode::kNotFound);
  WriteBatch b;
  b.sweeps = {MakeSweep("abc111", 300), MakeSweep("abd222", 100), MakeSweep("xyz333", 200)};
  ASSERT_TRUE(store->Commit(b).ok());
  EXPECT_EQ(store->GetSweep("abc")->id, "abc111");
  EXPECT_EQ(store->GetSweep("xyz333")->id, "xyz333");
  EXPECT_EQ(store->GetSweep("")->id, "abc111");
  EXPECT_EQ(store->GetSweep("latest")->id, "abc111");
  auto ambiguous = store->GetSweep("ab");
  ASSERT_FALSE(ambiguous.ok());
  EXPECT_THAT(ambiguous.status().message(), HasSubstr("abc111 abd222"));
  EXPECT_EQ(store->GetSweep("q").status().code(), ErrorCode::kNotFound);

  auto all = store->ListSweeps();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].id, "abd222");
  EXPECT_EQ((*all)[2].id, "abc111");
}

TEST(SqliteStore, ListsTrialsOrderedByNumber) {
  TempDir dir;
  auto store = MustOpen(dir.path());
  WriteBatch b;
  b.sweeps = {MakeSweep("abc123"), MakeSweep("other1")};
  for (int n : {10, 2, 0, 1}) b.trials.push_back(MakeTrial("abc123", n));
  b.trials.push_back(MakeTrial("other1", 0));
  ASSERT_TRUE(store->Commit(b).ok());
  auto trials = store->ListTrials("abc123");
  ASSERT_TRUE(trials.ok());
  std::vector<uint64_t> numbers;
  for (const auto& t : *trials) numbers.push_back(t.number);
  EXPECT_THAT(numbers, ElementsAre(0, 1, 2, 10));
}

TEST(SqliteStore, ReturnsMetricsOrderedByNameThenStep) {
  TempDir dir;
  auto store = StoreWithTrials(dir, 2);
  WriteBatch b;
  b.points = {Point("abc123-0", "loss", 2, 0.5), Point("abc123-0", "acc", 1, 0.7),
              Point("abc123-0", "loss", 0, 0.9), Point("abc123-1", "loss", 0, 5.0),
              Point("abc123-0", "loss", 1, 0.6)};
  ASSERT_TRUE(store->Commit(b).ok());
  ASSERT_TRUE(store->Commit(WriteBatch{{}, {}, {Point("abc123-0", "acc", 0, 0.6)}, {}, {}}).ok());

  auto all = store->GetMetrics({"abc123-0", "", 0});
  ASSERT_TRUE(all.ok());
  std::vector<std::string> got;
  for (const auto& p : *all) got.push_back(p.name + "@" + std::to_string(p.step));
  EXPECT_THAT(got, ElementsAre("acc@0", "acc@1", "loss@0", "loss@1", "loss@2"));
  EXPECT_EQ((*all)[2].value, 0.9);
  EXPECT_EQ((*all)[2].wall, 1700000000.0);
  EXPECT_EQ((*all)[2].trial_id, "abc123-0");

  auto loss = store->GetMetrics({"abc123-0", "loss", 2});
  ASSERT_TRUE(loss.ok());
  ASSERT_EQ(loss->size(), 2u);
  EXPECT_EQ((*loss)[1].step, 1);
  EXPECT_EQ(store->GetMetrics({"abc123-0", "", 3})->size(), 3u);
  EXPECT_TRUE(store->GetMetrics({"abc123-0", "val_loss", 0})->empty());
  EXPECT_THAT(*store->MetricNames("abc123-0"), ElementsAre("acc", "loss"));
  EXPECT_THAT(*store->MetricNames("abc123-1"), ElementsAre("loss"));
  EXPECT_EQ(store->GetMetrics({"nope", "", 0}).status().code(), ErrorCode::kNotFound);
}

TEST(SqliteStore, KeepsEveryPointReportedForTheSameStepInReportOrder) {
  TempDir dir;
  auto store = StoreWithTrials(dir, 1);
  WriteBatch b;
  b.points = {Point("abc123-0", "loss", 1, 0.5), Point("abc123-0", "loss", 1, 0.4),
              Point("abc123-0", "loss", 0, 0.9)};
  ASSERT_TRUE(store->Commit(b).ok());
  ASSERT_TRUE(store->Commit(WriteBatch{{}, {}, {Point("abc123-0", "loss", 1, 0.3)}, {}, {}}).ok());
  auto got = store->GetMetrics({"abc123-0", "loss", 0});
  ASSERT_TRUE(got.ok());
  std::vector<double> values;
  for (const auto& p : *got) values.push_back(p.value);
  EXPECT_THAT(values, ElementsAre(0.9, 0.5, 0.4, 0.3));
}

TEST(SqliteStore, MetricPointsRoundTripNanAndInfinity) {
  TempDir dir;
  auto store = StoreWithTrials(dir, 1);
  WriteBatch b;
  b.points = {Point("abc123-0", "x", 0, std::nan("")), Point("abc123-0", "x", 1, kInf),
              Point("abc123-0", "x", 2, -kInf), Point("abc123-0", "x", 3, -0.0),
              Point("abc123-0", "x", 4, 1e-300)};
  ASSERT_TRUE(store->Commit(b).ok());
  auto got = MustOpen(dir.path(), {.read_only = true})->GetMetrics({"abc123-0", "x", 0});
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 5u);
  EXPECT_TRUE(std::isnan((*got)[0].value));
  EXPECT_EQ((*got)[1].value, kInf);
  EXPECT_EQ((*got)[2].value, -kInf);
  EXPECT_EQ((*got)[3].value, 0.0);
  EXPECT_EQ((*got)[4].value, 1e-300);
}

TEST(SqliteStore, KeepsNotesInOrderAndTagsUnique) {
  TempDir dir;
  auto store = StoreWithTrials(dir, 12);
  ASSERT_TRUE(store->AddNote("abc123-3", "first").ok());
  ASSERT_TRUE(store->AddNote("abc123-3", "second, with 'quotes' and \"more\"").ok());
  ASSERT_TRUE(store->AddTags("abc123-3", {"zeta", "alpha", "zeta"}).ok());
  ASSERT_TRUE(store->AddTags("abc123-3", {"alpha", "mid"}).ok());
  auto notes = store->GetNotes("abc123-3");
  ASSERT_TRUE(notes.ok());
  ASSERT_EQ(notes->size(), 2u);
  EXPECT_EQ((*notes)[0].text, "first");
  EXPECT_EQ((*notes)[1].text, "second, with 'quotes' and \"more\"");
  EXPECT_EQ((*notes)[1].trial_id, "abc123-3");
  EXPECT_GT((*notes)[0].created_at, 1.6e9);
  EXPECT_THAT(*store->GetTags("abc123-3"), ElementsAre("alpha", "mid", "zeta"));
  EXPECT_TRUE(store->GetTags("abc123-4")->empty());

  EXPECT_EQ(store->AddNote("nope-1", "x").code(), ErrorCode::kNotFound);
  EXPECT_EQ(store->AddTags("abc123-", {"x"}).code(), ErrorCode::kUsage);  // ambiguous
}

TEST(SqliteStore, StopRequestsSurviveTheControllersUpsertsUntilResume) {
  TempDir dir;
  auto controller = MustOpen(dir.path());
  SweepRecord s = MakeSweep("abc123");
  ASSERT_TRUE(controller->Commit(WriteBatch{{s}, {}, {}, {}, {}}).ok());
  EXPECT_FALSE(controller->GetSweep("abc123")->stop_requested);

  auto cli = MustOpen(dir.path());
  ASSERT_TRUE(cli->RequestStop("abc", /*cancel=*/false).ok());
  auto after = controller->GetSweep("abc123");
  EXPECT_TRUE(after->stop_requested);
  EXPECT_FALSE(after->cancel_requested);

  // The controller keeps writing its own copy, which has no flags set.
  s.reason = "still running";
  ASSERT_TRUE(controller->Commit(WriteBatch{{s}, {}, {}, {}, {}}).ok());
  EXPECT_TRUE(controller->GetSweep("abc123")->stop_requested);
  ASSERT_TRUE(cli->RequestStop("abc123", /*cancel=*/true).ok());
  s.status = SweepStatus::kStopped;
  ASSERT_TRUE(controller->Commit(WriteBatch{{s}, {}, {}, {}, {}}).ok());
  EXPECT_TRUE(controller->GetSweep("abc123")->cancel_requested);

  // `sweep resume` moves the sweep back to running and clears the flags.
  s.status = SweepStatus::kRunning;
  ASSERT_TRUE(controller->Commit(WriteBatch{{s}, {}, {}, {}, {}}).ok());
  EXPECT_FALSE(controller->GetSweep("abc123")->stop_requested);
  EXPECT_FALSE(controller->GetSweep("abc123")->cancel_requested);

  EXPECT_EQ(cli->RequestStop("zzz", false).code(), ErrorCode::kNotFound);
}

TEST(SqliteStore, NewStoreHasTheCurrentSchemaVersion) {
  TempDir dir;
  auto store = MustOpen(dir.path());
  EXPECT_EQ(*store->SchemaVersion(), static_cast<int>(StoreMigrations().size()));
  EXPECT_EQ(*store->SchemaVersion(), 3);
}

TEST(SqliteStore, MigratesAVersionOneStoreForwardByAnAppendedStep) {
  TempDir dir;
  StoreWithTrials(dir, 1);  // a version-1 store with data
  std::vector<std::string> v2 = StoreMigrations();
  v2.push_back("CREATE TABLE artifacts (trial INTEGER REFERENCES trials (pk), path TEXT);\n");
  {
    auto migrated = SqliteStore::Open(dir.path(), {}, v2);
    ASSERT_TRUE(migrated.ok()) << migrated.status().message();
    EXPECT_EQ(*(*migrated)->SchemaVersion(), static_cast<int>(v2.size()));
    EXPECT_EQ((*migrated)->GetTrial("abc123-0")->id, "abc123-0");
  }
  // Opening again does not re-run the step (it would fail: the table exists).
  auto again = SqliteStore::Open(dir.path(), {}, v2);
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(*(*again)->SchemaVersion(), static_cast<int>(v2.size()));
}

TEST(SqliteStore, RefusesAStoreNewerThanItKnowsWithoutTouchingIt) {
  TempDir dir;
  StoreWithTrials(dir, 1);
  std::vector<std::string> v2 = StoreMigrations();
  v2.push_back("CREATE TABLE future (x INTEGER);\n");
  ASSERT_TRUE(SqliteStore::Open(dir.path(), {}, v2).ok());

  for (bool read_only : {false, true}) {
    auto old = SqliteStore::Open(dir.path(), {.read_only = read_only});
    ASSERT_FALSE(old.ok());
    EXPECT_EQ(old.status().code(), ErrorCode::kStore);
    EXPECT_THAT(old.status().message(), HasSubstr("schema version " + std::to_string(v2.size()) +
                                                  ", newer than this sweep"));
  }
  auto newer = SqliteStore::Open(dir.path(), {}, v2);
  ASSERT_TRUE(newer.ok());
  EXPECT_EQ(*(*newer)->SchemaVersion(), static_cast<int>(v2.size()));
  EXPECT_EQ((*newer)->GetTrial("abc123-0")->id, "abc123-0");
}

TEST(SqliteStore, AFailedMigrationLeavesTheStoreAtItsVersion) {
  TempDir dir;
  StoreWithTrials(dir, 1);
  std::vector<std::string> bad = StoreMigrations();
  bad.push_back("CREATE TABLE ok_part (x);\nCREATE TABLE broken (;\n");
  auto failed = SqliteStore::Open(dir.path(), {}, bad);
  ASSERT_FALSE(failed.ok());
  EXPECT_THAT(failed.status().message(), HasSubstr("schema version " + std::to_string(bad.size())));
  auto store = MustOpen(dir.path());
  EXPECT_EQ(*store->SchemaVersion(), static_cast<int>(StoreMigrations().size()));
  EXPECT_EQ(store->GetTrial("abc123-0")->id, "abc123-0");
  // The half-applied step left nothing behind: applying a good next step works.
  std::vector<std::string> good = StoreMigrations();
  good.push_back("CREATE TABLE ok_part (x);\n");
  EXPECT_TRUE(SqliteStore::Open(dir.path(), {}, good).ok());
}

TEST(SqliteStore, ReadOnlyOpenOfAMissingStoreFailsAndCreatesNothing) {
  TempDir dir;
  std::string root = dir.Join("absent");
  auto store = SqliteStore::Open(root, {.read_only = true});
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(store.status().message(),
            "no sweep store at " + root + " (run `sweep launch` first, or pass --store)");
  EXPECT_FALSE(fs::exists(root));

  auto no_create = SqliteStore::Open(root, {.create = false});
  EXPECT_EQ(no_create.status().code(), ErrorCode::kNotFound);
  EXPECT_FALSE(fs::exists(root));
}

TEST(SqliteStore, ReadOnlyOpenWritesNoFilesAndRefusesWrites) {
  TempDir dir;
  StoreWithTrials(dir, 3);  // written and closed
  std::set<std::string> before = FilesIn(dir.path());
  {
    auto reader = MustOpen(dir.path(), {.read_only = true});
    EXPECT_EQ(reader->ListTrials("abc123")->size(), 3u);
    EXPECT_FALSE(reader->Commit(WriteBatch{{}, {MakeTrial("abc123", 9)}, {}, {}, {}}).ok());
    EXPECT_FALSE(reader->AddNote("abc123-0", "x").ok());
    EXPECT_FALSE(reader->AddTags("abc123-0", {"x"}).ok());
    EXPECT_FALSE(reader->RequestStop("abc123", false).ok());
  }
  EXPECT_EQ(FilesIn(dir.path()), before);
  EXPECT_EQ(MustOpen(dir.path())->ListTrials("abc123")->size(), 3u);
}

TEST(SqliteStore, AFileThatIsNotADatabaseGivesAClearError) {
  TempDir dir;
  {
    std::ofstream out(dir.Join("sweep.db"));
    for (int i = 0; i < 200; ++i) out << "this is not an SQLite database, just text\n";
  }
  for (bool read_only : {false, true}) {
    auto store = SqliteStore::Open(dir.path(), {.read_only = read_only});
    ASSERT_FALSE(store.ok());
    EXPECT_EQ(store.status().code(), ErrorCode::kStore);
    EXPECT_THAT(store.status().message(), HasSubstr("is not a sweep store"));
    EXPECT_THAT(store.status().message(), HasSubstr(dir.Join("sweep.db")));
  }
}

TEST(SqliteStore, AFolderInPlaceOfTheDatabaseGivesAClearError) {
  TempDir dir;
  fs::create_directories(dir.Join("sweep.db"));
  auto store = SqliteStore::Open(dir.path(), {});
  ASSERT_FALSE(store.ok());
  EXPECT_THAT(store.status().message(), HasSubstr("is not a sweep store"));
}

TEST(DefaultStorePath, PrefersTheFlagThenTheEnvironment) {
  const char* saved = std::getenv("SWEEP_STORE");
  std::string saved_value = saved ? saved : "";
  setenv("SWEEP_STORE", "/env/store", 1);
  EXPECT_EQ(DefaultStorePath("/flag/store"), "/flag/store");
  EXPECT_EQ(DefaultStorePath(""), "/env/store");
  unsetenv("SWEEP_STORE");
  EXPECT_EQ(DefaultStorePath(""), ".sweep");
  if (saved) setenv("SWEEP_STORE", saved_value.c_str(), 1);
}

TEST(OpenStore, ReturnsTheSqliteStoreBehindTheInterface) {
  TempDir dir;
  auto store = OpenStore(dir.path(), {});
  ASSERT_TRUE(store.ok()) << store.status().message();
  ASSERT_TRUE((*store)->Commit(WriteBatch{{MakeSweep("abc123")}, {}, {}, {}, {}}).ok());
  EXPECT_EQ((*store)->GetSweep("")->id, "abc123");
  EXPECT_EQ((*store)->root(), dir.path());
}

}  // namespace
}  // namespace sweep
