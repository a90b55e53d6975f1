// End-to-end tests of the W&B drop-in: W&B-style training scripts of our own
// (tests/data/wandb/) run unchanged under the real `sweep launch`, and the trial's
// metrics, value, params, summary, notes and artifacts are checked in the real SQLite
// store. The tee and off modes run against a stand-in `wandb` package placed on the
// path (tests/data/wandb/standin), which records the calls it gets.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "orchestrator/store/sqlite_store.h"
#include "test_paths.h"
#include "tests/testing/cli_runner.h"
#include "tests/testing/temp_dir.h"

namespace sweep {
namespace {

using testing::CliOptions;
using testing::CliResult;
using testing::ReadFile;
using testing::RunSweep;
using testing::WriteFile;
using Json = nlohmann::json;

const std::string kScripts = std::string(SWEEP_TESTDATA) + "/wandb/";

class WandbTest : public ::testing::Test {
 protected:
  // A spec running tests/data/wandb/<script> with /usr/bin/python3.
  std::string Spec(const std::string& script, const std::string& body) {
    std::string path = dir_.path() + "/sweep.yaml";
    WriteFile(path, "program: " + kScripts + script + "\ninterpreter: /usr/bin/python3\n" + body);
    return path;
  }
  CliResult Launch(const std::string& spec, std::map<std::string, std::string> env = {}) {
    CliOptions o;
    o.cwd = dir_.path();
    o.timeout_s = 120;
    o.env = std::move(env);
    return RunSweep({"--store", store(), "launch", spec, "--workers", "2"}, o);
  }
  std::unique_ptr<SqliteStore> Store() {
    auto s = SqliteStore::Open(store(), StoreOptions{});
    EXPECT_TRUE(s.ok()) << s.status().message();
    return std::move(s).value();
  }
  std::vector<TrialRecord> Trials() {
    auto store = Store();
    auto sweeps = store->ListSweeps();
    EXPECT_TRUE(sweeps.ok() && !sweeps->empty());
    auto trials = store->ListTrials(sweeps->front().id);
    EXPECT_TRUE(trials.ok());
    return trials.value();
  }
  // Every point of one metric of one trial, in step order.
  std::vector<MetricPoint> Points(const std::string& trial, const std::string& name) {
    MetricQuery q;
    q.trial_id = trial;
    q.name = name;
    auto points = Store()->GetMetrics(q);
    EXPECT_TRUE(points.ok()) << points.status().message();
    return points.value();
  }
  std::string store() const { return dir_.path() + "/store"; }
  testing::TempDir dir_;
};

TEST_F(WandbTest, ArgparseScriptRunsUnchangedAndRanksByItsLoggedMetric) {
  std::string spec = Spec("argparse_style.py", R"Y(method: grid
metric: {name: loss, goal: minimize}
parameters:
  lr: {values: [0.1, 0.01]}
)Y");
  CliResult r = Launch(spec);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<TrialRecord> trials = Trials();
  ASSERT_EQ(trials.size(), 2u);
  for (const TrialRecord& t : trials) {
    EXPECT_EQ(t.status, TrialStatus::kFinished) << t.id << " " << t.stderr_tail;
    const double lr = t.params["lr"].get<double>();
    // wandb.config saw the sweep's value, and the argparse defaults are recorded too.
    std::vector<MetricPoint> seen = Points(t.id, "lr_seen");
    ASSERT_EQ(seen.size(), 4u);
    EXPECT_DOUBLE_EQ(seen[0].value, lr);
    EXPECT_EQ(t.params["epochs"], 4);
    EXPECT_EQ(t.params["optimizer"], "sgd");
    std::vector<MetricPoint> loss = Points(t.id, "loss");
    ASSERT_EQ(loss.size(), 4u);
    for (size_t i = 0; i < loss.size(); ++i) EXPECT_EQ(loss[i].step, static_cast<int64_t>(i));
    ASSERT_TRUE(t.value.has_value());
    EXPECT_DOUBLE_EQ(*t.value, (lr - 0.01) * (lr - 0.01) + 0.25);  // the last loss
  }
  CliOptions o;
  o.cwd = dir_.path();
  CliResult top = RunSweep({"--store", store(), "top", "latest", "--json"}, o);
  ASSERT_EQ(top.exit_code, 0) << top.err;
  Json doc = Json::parse(top.out);
  EXPECT_DOUBLE_EQ(doc["trials"][0]["params"]["lr"].get<double>(), 0.01);
}

TEST_F(WandbTest, SweepParamsWinOverInitDefaultsAndOtherDefaultsAreRecorded) {
  std::string spec = Spec("defaults_style.py", R"Y(method: grid
command: ["${env}", "${interpreter}", "${program}"]
metric: {name: loss, goal: minimize}
parameters:
  lr: {values: [2, 3]}
)Y");
  CliResult r = Launch(spec);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const TrialRecord& t : Trials()) {
    ASSERT_EQ(t.status, TrialStatus::kFinished) << t.stderr_tail;
    const double lr = t.params["lr"].get<double>();
    EXPECT_TRUE(lr == 2 || lr == 3);
    std::vector<MetricPoint> loss = Points(t.id, "loss");
    ASSERT_EQ(loss.size(), 3u);
    EXPECT_DOUBLE_EQ(loss[0].value, lr * 3);  // the sweep's lr, not 0.5 nor 99
    EXPECT_EQ(t.params["batch_size"], 32);
    EXPECT_DOUBLE_EQ(t.params["dropout"].get<double>(), 0.25);
    EXPECT_DOUBLE_EQ(*t.value, lr);
  }
  // W&B's own warning for the ignored update, in the trial's stderr.
  std::string log = ReadFile(Trials()[0].trial_dir + "/stderr.log");
  EXPECT_NE(log.find("Config item 'lr' was locked by 'sweep' (ignored update)"), std::string::npos)
      << log;
}

TEST_F(WandbTest, NestedConfigDefineMetricSummaryAndAlertsReachTheStore) {
  std::string spec = Spec("nested_summary_style.py", R"Y(method: grid
command: ["${env}", "${interpreter}", "${program}"]
metric: {name: val_loss, goal: minimize}
parameters:
  optimizer:
    parameters:
      lr: {values: [0.5, 1.5]}
)Y");
  CliResult r = Launch(spec);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto store = Store();
  for (const TrialRecord& t : Trials()) {
    ASSERT_EQ(t.status, TrialStatus::kFinished) << t.stderr_tail;
    const double lr = t.params["optimizer.lr"].get<double>();
    // define_metric(summary="min"): the value is the minimum, not the last (2.0).
    ASSERT_TRUE(t.value.has_value());
    EXPECT_DOUBLE_EQ(*t.value, std::min(lr, 2.0));
    EXPECT_EQ(t.summary["val_loss"]["run_summary_mode"], "min");
    EXPECT_DOUBLE_EQ(t.summary["best_acc"]["run_summary"].get<double>(), 0.99);
    EXPECT_DOUBLE_EQ(t.params["optimizer.momentum"].get<double>(), 0.9);
    EXPECT_EQ(t.params["seed"], 7);
    // commit=False rows: val_loss and train/acc share steps 0, 1, 2.
    std::vector<MetricPoint> acc = Points(t.id, "train/acc");
    std::vector<MetricPoint> vl = Points(t.id, "val_loss");
    ASSERT_EQ(acc.size(), 3u);
    ASSERT_EQ(vl.size(), 3u);
    for (size_t i = 0; i < 3; ++i) EXPECT_EQ(acc[i].step, vl[i].step);
    auto notes = store->GetNotes(t.id);
    ASSERT_TRUE(notes.ok());
    ASSERT_EQ(notes->size(), 1u);
    EXPECT_NE(notes->front().text.find("alert: done: lr="), std::string::npos);
  }
}

TEST_F(WandbTest, MediaAndBadInputNeverCrashNorLoseMetrics) {
  std::string spec = Spec("media_and_bad_input.py", R"Y(method: grid
command: ["${env}", "${interpreter}", "${program}"]
metric: {name: loss, goal: minimize}
# The script logs a 10,000-key dict beside its other metrics: above the default cap of
# distinct names per trial (reporting.max_metric_names), so this sweep raises it.
reporting: {max_metric_names: 20000}
parameters:
  seed: {values: [1]}
)Y");
  CliResult r = Launch(spec);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<TrialRecord> trials = Trials();
  ASSERT_EQ(trials.size(), 1u);
  const TrialRecord& t = trials[0];
  ASSERT_EQ(t.status, TrialStatus::kFinished) << t.stderr_tail;
  EXPECT_DOUBLE_EQ(*t.value, 0.25);
  std::vector<MetricPoint> loss = Points(t.id, "loss");
  ASSERT_EQ(loss.size(), 3u);
  EXPECT_TRUE(std::isnan(loss[1].value));
  auto names = Store()->MetricNames(t.id);
  ASSERT_TRUE(names.ok());
  std::set<std::string> set(names->begin(), names->end());
  EXPECT_TRUE(set.count("k00000") && set.count("k09999"));
  for (int n = 0; n < 4; ++n) EXPECT_EQ(Points(t.id, "t" + std::to_string(n)).size(), 100u);
  EXPECT_FALSE(set.count("text"));
  EXPECT_TRUE(std::filesystem::exists(t.trial_dir + "/media/table_0.table.json"));
  std::string log = ReadFile(t.trial_dir + "/stderr.log");
  EXPECT_NE(log.find("wandb.log expects a dict, got int"), std::string::npos) << log;
  EXPECT_NE(log.find("is NaN at step 1"), std::string::npos) << log;
  EXPECT_NE(log.find("wandb.Image values are not kept"), std::string::npos) << log;
  std::string out = ReadFile(t.trial_dir + "/stdout.log");
  EXPECT_NE(out.find("clear error: wandb.no_such_api is not provided by sweep's bundled wandb"),
            std::string::npos)
      << out;
  // log_artifact: a file in the trial's artifacts/ with its SHA-256 on record.
  ASSERT_TRUE(t.provenance.is_object()) << t.provenance;
  bool found = false;
  for (const auto& a : t.provenance["artifacts"])
    if (a["path"] == "model/model.bin") {
      found = true;
      EXPECT_EQ(a["size"], 7);
      EXPECT_EQ(a["sha256"].get<std::string>().size(), 64u);
    }
  EXPECT_TRUE(found) << t.provenance;
}

TEST_F(WandbTest, TeeRecordsInSweepAndForwardsToTheRealPackage) {
  std::string spec = Spec("tee_style.py", R"Y(method: grid
command: ["${env}", "${interpreter}", "${program}"]
metric: {name: loss, goal: minimize}
reporting: {wandb: tee}
parameters:
  lr: {values: [5]}
)Y");
  std::string log = dir_.path() + "/standin.log";
  CliResult r = Launch(spec, {{"PYTHONPATH", kScripts + "standin"}, {"STANDIN_LOG", log}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<TrialRecord> trials = Trials();
  ASSERT_EQ(trials.size(), 1u);
  EXPECT_EQ(trials[0].status, TrialStatus::kFinished) << trials[0].stderr_tail;
  EXPECT_DOUBLE_EQ(*trials[0].value, 5.0);  // define_metric min of 5, 6, 7
  EXPECT_EQ(Points(trials[0].id, "loss").size(), 3u);
  std::map<std::string, int> calls;
  std::istringstream lines(ReadFile(log));
  for (std::string line; std::getline(lines, line);) {
    Json j = Json::parse(line);
    calls[j["call"]]++;
    if (j["call"] == "init") {
      EXPECT_EQ(j["config"]["lr"], 5);  // via W&B's params file
    }
  }
  EXPECT_EQ(calls["init"], 1);
  EXPECT_EQ(calls["log"], 3);
  EXPECT_EQ(calls["define_metric"], 1);
  EXPECT_EQ(calls["finish"], 1);
}

TEST_F(WandbTest, OffLeavesTheRealPackageAloneButGivesItTheParams) {
  std::string spec = Spec("off_style.py", R"Y(method: grid
command: ["${env}", "${interpreter}", "${program}"]
metric: {name: loss, goal: minimize}
reporting: {wandb: "off"}
parameters:
  lr: {values: [0.001, 1e-05]}
)Y");
  std::string log = dir_.path() + "/standin.log";
  CliResult r = Launch(spec, {{"PYTHONPATH", kScripts + "standin"}, {"STANDIN_LOG", log}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::set<double> seen;
  for (const TrialRecord& t : Trials()) {
    ASSERT_EQ(t.status, TrialStatus::kFinished) << t.stderr_tail;
    // PyYAML read the params file back as floats equal to the sweep's values.
    EXPECT_DOUBLE_EQ(*t.value, t.params["lr"].get<double>());
    EXPECT_EQ(Points(t.id, "width")[0].value, 3);
    seen.insert(*t.value);
  }
  EXPECT_EQ(seen, (std::set<double>{0.001, 1e-05}));
}

TEST_F(WandbTest, AnUnknownWandbModeIsASpecErrorWithAHint) {
  std::string spec = Spec("tee_style.py",
                          "method: grid\nreporting:\n  wandb: shimm\n"
                          "parameters:\n  lr: {values: [1]}\n");
  CliResult r = Launch(spec);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("sweep.yaml:5:10"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("reporting.wandb"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("did you mean 'shim'"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(store() + "/sweep.db"));
}

}  // namespace
}  // namespace sweep
