// End-to-end tests of `sweep launch` / `resume` / `stop` and the read commands: the
// real binary, real trial processes (tests/data/sweeps/objective.py), a real SQLite
// store in a temporary folder.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

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

const std::string kObjective = std::string(SWEEP_TESTDATA) + "/sweeps/objective.py";

class LaunchTest : public ::testing::Test {
 protected:
  std::string Spec(const std::string& body) {
    std::string path = dir_.path() + "/sweep.yaml";
    WriteFile(path, "program: " + kObjective + "\ninterpreter: /usr/bin/python3\n" + body);
    return path;
  }
  CliResult Sweep(std::vector<std::string> args, double timeout_s = 120) {
    args.insert(args.begin(), {"--store", store()});
    CliOptions o;
    o.cwd = dir_.path();
    o.timeout_s = timeout_s;
    return RunSweep(args, o);
  }
  Json SweepJson(std::vector<std::string> args) {
    bool is_export = args[0] == "export";
    if (!is_export) args.push_back("--json");
    CliResult r = Sweep(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    Json doc = Json::parse(r.out, nullptr, false);
    return is_export && doc.is_object() ? doc["trials"] : doc;
  }
  std::string store() const { return dir_.path() + "/store"; }
  testing::TempDir dir_;
};

TEST_F(LaunchTest, GridSweepRunsEveryConfigurationOnceAndRanksThem) {
  std::string spec = Spec(R"Y(method: grid
metric: {name: loss, goal: minimize}
parameters:
  x: {values: [1, 2, 3, 4, 5, 6]}
  steps: {value: 2}
)Y");
  CliResult r = Sweep({"launch", spec, "--workers", "2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json trials = SweepJson({"export", "latest", "--format", "json"});
  ASSERT_TRUE(trials.is_array()) << trials;
  ASSERT_EQ(trials.size(), 6u);
  std::set<int64_t> xs;
  for (const Json& t : trials) {
    EXPECT_EQ(t["status"], "finished");
    xs.insert(t["params"]["x"].get<int64_t>());
  }
  EXPECT_EQ(xs, (std::set<int64_t>{1, 2, 3, 4, 5, 6}));
  Json top = SweepJson({"top", "latest", "-k", "3"})["trials"];
  ASSERT_GE(top.size(), 1u);
  // loss = (x-3)^2 + 1/2 after 2 steps: x=3 is best with 0.5.
  EXPECT_EQ(top[0]["params"]["x"], 3);
  EXPECT_DOUBLE_EQ(top[0]["value"].get<double>(), 0.5);
  EXPECT_NE(r.err.find("store:"), std::string::npos);
}

TEST_F(LaunchTest, TrialSeesItsEnvironmentAndLiteralArguments) {
  std::string spec = Spec(R"Y(method: grid
parameters:
  x: {value: 1}
  evil: {value: "; rm -rf ~ $(reboot)"}
  steps: {value: 1}
env: {EXTRA: "hello"}
)Y");
  CliResult r = Sweep({"launch", spec});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json trials = SweepJson({"export", "latest", "--format", "json"});
  ASSERT_EQ(trials.size(), 1u);
  Json show = SweepJson({"show", trials[0]["id"].get<std::string>()});
  std::string trial_dir = show["trial_dir"].get<std::string>();
  Json seen = Json::parse(ReadFile(trial_dir + "/seen.json"));
  std::vector<std::string> argv = seen["argv"];
  EXPECT_NE(std::find(argv.begin(), argv.end(), "--evil=; rm -rf ~ $(reboot)"), argv.end());
  EXPECT_EQ(seen["env"]["SWEEP_TRIAL_ID"], trials[0]["id"]);
  EXPECT_EQ(seen["env"]["SWEEP_TRIAL_DIR"], trial_dir);
  EXPECT_EQ(seen["env"]["EXTRA"], "hello");
  Json params = Json::parse(ReadFile(seen["env"]["SWEEP_PARAMS"].get<std::string>()));
  EXPECT_EQ(params["evil"].get<std::string>(), "; rm -rf ~ $(reboot)");
  EXPECT_FALSE(seen["env"]["SWEEP_METRICS"].get<std::string>().empty());
  EXPECT_EQ(seen["cwd"], dir_.path());
}

TEST_F(LaunchTest, RunCapAndMaxTrialsLimitTheSweep) {
  std::string spec = Spec(R"Y(method: random
run_cap: 5
parameters:
  x: {min: 0.0, max: 6.0}
  steps: {value: 1}
)Y");
  ASSERT_EQ(Sweep({"launch", spec, "--workers", "2"}).exit_code, 0);
  EXPECT_EQ(SweepJson({"export", "latest", "--format", "json"}).size(), 5u);
  ASSERT_EQ(Sweep({"launch", spec, "--max-trials", "3"}).exit_code, 0);
  EXPECT_EQ(SweepJson({"export", "latest", "--format", "json"}).size(), 3u);
}

TEST_F(LaunchTest, MetricTargetStopsNewTrials) {
  std::string spec = Spec(R"Y(method: grid
metric: {name: loss, goal: minimize, target: 0.6}
parameters:
  x: {values: [3, 1, 2, 4, 5, 6, 7, 8]}
  steps: {value: 2}
)Y");
  CliResult r = Sweep({"launch", spec, "--workers", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(SweepJson({"export", "latest", "--format", "json"}).size(), 1u);
  EXPECT_NE(r.err.find("target"), std::string::npos) << r.err;
}

TEST_F(LaunchTest, FirstFiveFailuresStopTheSweepWithTheReason) {
  std::string spec = Spec(R"Y(method: random
run_cap: 50
parameters:
  x: {min: 0.0, max: 1.0}
  mode: {value: fail}
)Y");
  CliResult r = Sweep({"launch", spec, "--workers", "1"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("first 5 trials all failed"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("boom"), std::string::npos) << r.err;
  Json trials = SweepJson({"export", "latest", "--format", "json"});
  EXPECT_EQ(trials.size(), 5u);
  Json shown = SweepJson({"show", trials[0]["id"].get<std::string>()});
  EXPECT_EQ(shown["status"], "failed");
  EXPECT_EQ(shown["exit_code"], 3);
}

TEST_F(LaunchTest, MissingTargetMetricIsWarnedWithDidYouMean) {
  std::string spec = Spec(R"Y(method: grid
metric: {name: val_loss}
parameters:
  x: {value: 1}
  mode: {value: nometric}
)Y");
  CliResult r = Sweep({"launch", spec});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("val/loss"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("did you mean"), std::string::npos) << r.err;
}

TEST_F(LaunchTest, TimeoutFailsTheTrial) {
  std::string spec = Spec(R"Y(method: grid
timeout: 1
stop_grace: 0.5
parameters:
  x: {value: 1}
  mode: {value: hang}
)Y");
  CliResult r = Sweep({"launch", spec}, 60);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  Json trials = SweepJson({"export", "latest", "--format", "json"});
  ASSERT_EQ(trials.size(), 1u);
  Json shown = SweepJson({"show", trials[0]["id"].get<std::string>()});
  EXPECT_EQ(shown["status"], "failed");
  EXPECT_NE(shown["reason"].get<std::string>().find("timed out"), std::string::npos) << shown;
}

TEST_F(LaunchTest, DryRunPrintsConfigurationsAndWritesNothing) {
  std::string spec = Spec(R"Y(method: grid
parameters:
  x: {values: [1, 2]}
  y: {values: [a, b]}
)Y");
  CliResult r = Sweep({"launch", spec, "--dry-run", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json doc = Json::parse(r.out);
  ASSERT_EQ(doc["trials"].size(), 4u);
  EXPECT_EQ(doc["trials"][0]["argv"][0], "/usr/bin/env");
  EXPECT_FALSE(std::filesystem::exists(store()));
}

TEST_F(LaunchTest, InvalidSpecExitsTwoAndWritesNothing) {
  std::string spec = Spec("method: grid\nparameters:\n  x: {min: 0.0, max: 1.0}\n");
  CliResult r = Sweep({"launch", spec});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("parameters.x"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(store()));
}

TEST_F(LaunchTest, InterruptThenResumeFinishesWithoutDuplicates) {
  std::string spec = Spec(R"Y(method: grid
metric: {name: loss}
parameters:
  x: {values: [1, 2, 3, 4, 5, 6]}
  steps: {value: 4}
  sleep: {value: 0.25}
)Y");
  CliOptions o;
  o.cwd = dir_.path();
  pid_t pid = testing::StartSweep({"--store", store(), "launch", spec, "--workers", "2"}, o,
                                  dir_.path() + "/out.txt", dir_.path() + "/err.txt");
  ASSERT_GT(pid, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  ::kill(pid, SIGINT);
  int rc = testing::WaitChild(pid, 60);
  EXPECT_EQ(rc, 130) << ReadFile(dir_.path() + "/err.txt");
  Json status = SweepJson({"status", "latest"});
  EXPECT_EQ(status["status"], "interrupted") << status;

  CliResult r = Sweep({"resume", status["id"].get<std::string>()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json trials = SweepJson({"export", "latest", "--format", "json"});
  std::multiset<int64_t> finished;
  for (const Json& t : trials)
    if (t["status"] == "finished") finished.insert(t["params"]["x"].get<int64_t>());
  EXPECT_EQ(finished, (std::multiset<int64_t>{1, 2, 3, 4, 5, 6}));
}

TEST_F(LaunchTest, KillNineThenResumeLosesAndDuplicatesNothing) {
  std::string spec = Spec(R"Y(method: grid
metric: {name: loss}
parameters:
  x: {values: [1, 2, 3, 4, 5, 6, 7, 8]}
  steps: {value: 3}
  sleep: {value: 0.2}
)Y");
  CliOptions o;
  o.cwd = dir_.path();
  pid_t pid = testing::StartSweep({"--store", store(), "launch", spec, "--workers", "2"}, o,
                                  dir_.path() + "/out.txt", dir_.path() + "/err.txt");
  ASSERT_GT(pid, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(2000));
  ::kill(pid, SIGKILL);
  testing::WaitChild(pid, 30);
  Json before = SweepJson({"export", "latest", "--format", "json"});
  std::set<std::string> finished_before;
  for (const Json& t : before)
    if (t["status"] == "finished") finished_before.insert(t["id"].get<std::string>());

  CliResult r = Sweep({"resume", "latest"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json after = SweepJson({"export", "latest", "--format", "json"});
  std::multiset<int64_t> finished_x;
  std::set<std::string> finished_after;
  int lost = 0;
  for (const Json& t : after) {
    if (t["status"] == "finished") {
      finished_x.insert(t["params"]["x"].get<int64_t>());
      finished_after.insert(t["id"].get<std::string>());
    }
    if (t["status"] == "lost") ++lost;
  }
  EXPECT_EQ(finished_x, (std::multiset<int64_t>{1, 2, 3, 4, 5, 6, 7, 8}));
  for (const std::string& id : finished_before) EXPECT_TRUE(finished_after.count(id)) << id;
  EXPECT_LE(lost, 2);
  // The trials the killed controller left running were killed before their re-runs:
  // no process still carries a lost trial's id.
  for (const Json& t : after) {
    if (t["status"] != "lost") continue;
    Json shown = SweepJson({"show", t["id"].get<std::string>()});
    ASSERT_TRUE(shown["pid"].is_number_integer()) << "no pid on record: " << shown;
    int pid = shown["pid"].get<int>();
    std::string env = ReadFile("/proc/" + std::to_string(pid) + "/environ");
    EXPECT_EQ(env.find("SWEEP_TRIAL_ID=" + t["id"].get<std::string>()), std::string::npos)
        << "orphan of " << t["id"] << " still running";
  }
}

TEST_F(LaunchTest, StopCancelEndsTheSweepAndReadCommandsWorkWhileItRuns) {
  std::string spec = Spec(R"Y(method: random
metric: {name: loss}
run_cap: 100
parameters:
  x: {min: 0.0, max: 6.0}
  steps: {value: 100}
  sleep: {value: 0.1}
)Y");
  CliOptions o;
  o.cwd = dir_.path();
  pid_t pid = testing::StartSweep({"--store", store(), "launch", spec, "--workers", "2"}, o,
                                  dir_.path() + "/out.txt", dir_.path() + "/err.txt");
  ASSERT_GT(pid, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  Json status = SweepJson({"status", "latest"});
  EXPECT_EQ(status["status"], "running") << status;
  CliResult stop = Sweep({"stop", status["id"].get<std::string>(), "--cancel"});
  EXPECT_EQ(stop.exit_code, 0) << stop.err;
  EXPECT_EQ(testing::WaitChild(pid, 60), 0) << ReadFile(dir_.path() + "/err.txt");
  Json trials = SweepJson({"export", "latest", "--format", "json"});
  EXPECT_EQ(trials.size(), 2u);
  for (const Json& t : trials) EXPECT_EQ(t["status"], "stopped");
  EXPECT_EQ(SweepJson({"status", "latest"})["status"], "stopped");
}

TEST_F(LaunchTest, GpuListGivesEachSlotItsDevice) {
  std::string spec = Spec(R"Y(method: grid
parameters:
  x: {values: [1, 2, 3, 4]}
  steps: {value: 1}
  sleep: {value: 0.3}
)Y");
  CliResult r = Sweep({"launch", spec, "--gpus", "0,2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json trials = SweepJson({"export", "latest", "--format", "json"});
  std::set<std::string> seen;
  for (const Json& t : trials) {
    Json show = SweepJson({"show", t["id"].get<std::string>()});
    Json env = Json::parse(ReadFile(show["trial_dir"].get<std::string>() + "/seen.json"))["env"];
    seen.insert(env["CUDA_VISIBLE_DEVICES"].get<std::string>());
  }
  EXPECT_EQ(seen, (std::set<std::string>{"0", "2"}));
}

}  // namespace
}  // namespace sweep

namespace sweep {
namespace {

// Scripted learning curves (loss = (x-3)^2 + 1/(step+1)), one worker so the order is
// fixed: W&B hyperband with min_iter 2, eta 2 has bands at reports 2 and 4. At band 2
// the threshold is the value at rank floor(n/2) of all trials' values there; x=6
// (9.5, 5th trial) and x=0 (9.5, 6th) are worse than it (4.5) and stop at report 2;
// x=3, 1, 5, 2 never fall strictly below the threshold and finish.
TEST_F(LaunchTest, HyperbandStopsExactlyTheTrialsBehindTheBandThreshold) {
  std::string spec = Spec(R"Y(method: grid
metric: {name: loss, goal: minimize}
early_terminate: {type: hyperband, min_iter: 2, eta: 2}
parameters:
  x: {values: [3, 1, 5, 2, 6, 0]}
  steps: {value: 6}
  sleep: {value: 0.2}
)Y");
  CliResult r = Sweep({"launch", spec, "--workers", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json trials = SweepJson({"export", "latest", "--format", "json"});
  ASSERT_EQ(trials.size(), 6u);
  std::map<int64_t, std::string> status;
  for (const Json& t : trials) {
    int64_t x = t["params"]["x"].get<int64_t>();
    status[x] = t["status"].get<std::string>();
    if (status[x] == "stopped") {
      Json shown = SweepJson({"show", t["id"].get<std::string>()});
      EXPECT_NE(shown["reason"].get<std::string>().find("hyperband"), std::string::npos) << shown;
      Json series = SweepJson({"metrics", t["id"].get<std::string>(), "--name", "loss"});
      std::string dump = series.dump();
      // Its metrics are kept: the reports up to the decision (2, or 3 if one more line
      // was already on its way when SIGTERM landed).
      size_t points = 0;
      for (size_t pos = dump.find("\"step\""); pos != std::string::npos;
           pos = dump.find("\"step\"", pos + 1))
        ++points;
      EXPECT_GE(points, 2u) << dump;
      EXPECT_LE(points, 3u) << dump;
    }
  }
  EXPECT_EQ(status, (std::map<int64_t, std::string>{{3, "finished"},
                                                    {1, "finished"},
                                                    {5, "finished"},
                                                    {2, "finished"},
                                                    {6, "stopped"},
                                                    {0, "stopped"}}));
  Json st = SweepJson({"status", "latest"});
  EXPECT_EQ(st["status"], "finished");
  EXPECT_EQ(st["early_stopping"]["stopped"], 2);
  EXPECT_GT(st["early_stopping"]["saved_s"].get<double>(), 0.0) << st;
}

}  // namespace
}  // namespace sweep

namespace sweep {
namespace {

// The curve rule end to end, one worker so the order is fixed: x=3 runs first and
// reaches the budget (loss 0.125 at report 8); every later configuration's loss is
// (x-3)^2 + 1/(step+1), at least 1 worse, which its forecast shows from report 3 on, so
// each is stopped with the forecast in the store's reason.
TEST_F(LaunchTest, CurveRuleStopsTrialsForecastToEndWorseAndKeepsTheBest) {
  std::string spec = Spec(R"Y(method: grid
metric: {name: loss, goal: minimize}
early_terminate: {type: curve, max_iter: 8}
parameters:
  x: {values: [3, 6, 1, 5, 0]}
  steps: {value: 8}
  sleep: {value: 0.3}
)Y");
  CliResult r = Sweep({"launch", spec, "--workers", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json trials = SweepJson({"export", "latest", "--format", "json"});
  ASSERT_EQ(trials.size(), 5u);
  for (const Json& t : trials) {
    const int64_t x = t["params"]["x"].get<int64_t>();
    if (x == 3) {
      EXPECT_EQ(t["status"], "finished") << t;
      continue;
    }
    EXPECT_EQ(t["status"], "stopped") << t;
    Json shown = SweepJson({"show", t["id"].get<std::string>()});
    const std::string reason =
        shown["reason"].is_string() ? shown["reason"].get<std::string>() : "";
    EXPECT_NE(reason.find("curve: loss forecast at report 8 is"), std::string::npos) << shown;
    EXPECT_NE(reason.find("the value at report 8 of trial"), std::string::npos) << shown;
  }
  Json st = SweepJson({"status", "latest"});
  EXPECT_EQ(st["status"], "finished");
  EXPECT_EQ(st["early_stopping"]["stopped"], 4);
}

TEST_F(LaunchTest, CurveRuleSpecErrorsExitTwoWithTheLocationAndWriteNothing) {
  std::string spec = Spec(R"Y(method: grid
metric: {name: loss, goal: minimize}
early_terminate:
  type: curve
  confidence: 1.5
parameters:
  x: {values: [3, 6]}
)Y");
  CliResult r = Sweep({"launch", spec, "--workers", "1"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("sweep.yaml:7:15: early_terminate.confidence: confidence must be at "
                       "least 0.5 and less than 1, found 1.5"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(std::filesystem::exists(store())) << r.err;
}

}  // namespace
}  // namespace sweep
