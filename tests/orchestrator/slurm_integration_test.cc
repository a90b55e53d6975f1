// `sweep launch --slurm` end to end on the real one-node cluster of
// tests/slurm/cluster.sh (skipped, saying why, when it is not up): the agents are
// real Slurm jobs running the real `sweep agent`, the trials real processes, the store
// a real SQLite file. Every test checks that no job of its sweep is left pending or
// running in squeue afterwards.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "agents/runtime/subprocess.h"
#include "test_paths.h"
#include "tests/testing/cli_runner.h"
#include "tests/testing/slurm_cluster.h"
#include "tests/testing/temp_dir.h"

namespace sweep {
namespace {

using testing::CliOptions;
using testing::CliResult;
using testing::ReadFile;
using testing::RunSweep;
using testing::WriteFile;
using Json = nlohmann::json;

const char kTrial[] = R"PY(import json, os, time
p = json.load(open(os.environ["SWEEP_PARAMS"]))
time.sleep(float(p.get("sleep", 0)))
print(f"loss={(p['x'] - 3) ** 2}", flush=True)
)PY";

bool WaitFor(const std::function<bool()>& cond, double timeout_s) {
  return testing::WaitUntil(cond, timeout_s, 0.2);
}

class SlurmLaunchTest : public ::testing::Test {
 protected:
  void SetUp() override { WriteFile(dir_.path() + "/trial.py", kTrial); }
  void TearDown() override {
    if (!sweep_id_.empty()) (void)RunCapture({"scancel", "-n", "sweep-" + sweep_id_}, 30);
    for (pid_t pid : children_) {
      ::kill(pid, SIGKILL);
      testing::WaitChild(pid, 10);
    }
  }
  std::string Spec(int n, double sleep, const std::string& backend_extra,
                   const std::string& sbatch = "--time=00:10:00") {
    std::string values;
    for (int i = 0; i < n; ++i) values += (i ? ", " : "") + std::to_string(i);
    std::string path = dir_.path() + "/sweep.yaml";
    WriteFile(path,
              "program: trial.py\ninterpreter: /usr/bin/python3\nmethod: grid\n"
              "metric: {name: loss, goal: minimize}\nparameters:\n  x: {values: [" +
                  values + "]}\n  sleep: {value: " + std::to_string(sleep) +
                  "}\nbackend:\n  type: slurm\n  listen: 127.0.0.1:0\n"
                  "  sbatch: [" +
                  sbatch + "]\n" + backend_extra);
    return path;
  }
  std::string store() const { return dir_.path() + "/store"; }
  Json SweepJson(std::vector<std::string> args) {
    args.insert(args.begin(), {"--store", store()});
    bool is_export = args[2] == "export";
    if (!is_export) args.push_back("--json");
    CliOptions o;
    o.cwd = dir_.path();
    CliResult r = RunSweep(args, o);
    Json doc = Json::parse(r.out, nullptr, false);
    return is_export && doc.is_object() ? doc["trials"] : doc;
  }
  // The sweep's jobs still pending or running (squeue's view).
  std::string LiveJobs() {
    if (sweep_id_.empty()) {
      Json s = SweepJson({"status", "latest"});
      if (s.is_object() && s["id"].is_string()) sweep_id_ = s["id"].get<std::string>();
    }
    auto out = RunCapture(
        {"squeue", "-h", "-n", "sweep-" + sweep_id_, "-t", "PD,R,CG,CF", "-o", "%i %T"}, 30);
    return out.ok() ? *out : "squeue failed: " + out.status().message();
  }
  pid_t StartLaunch(const std::vector<std::string>& extra) {
    std::vector<std::string> args = {"--store", store(), "launch", dir_.path() + "/sweep.yaml"};
    args.insert(args.end(), extra.begin(), extra.end());
    CliOptions o;
    o.cwd = dir_.path();
    pid_t pid = testing::StartSweep(args, o, dir_.path() + "/out.txt", dir_.path() + "/err.txt");
    children_.push_back(pid);
    return pid;
  }
  int CountStatus(const std::string& status) {
    Json s = SweepJson({"status", "latest"});
    return s.is_object() && s["counts"].is_object() ? s["counts"][status].get<int>() : 0;
  }

  testing::TempDir dir_;
  std::string sweep_id_;
  std::vector<pid_t> children_;
};

TEST_F(SlurmLaunchTest, SweepRunsOnAgentJobsAndCancelsThemAtTheEnd) {
  SKIP_WITHOUT_CLUSTER();
  Spec(4, 0.2, "");
  pid_t pid = StartLaunch({"--slurm", "2"});
  int rc = testing::WaitChild(pid, 240);
  children_.clear();
  std::string err = ReadFile(dir_.path() + "/err.txt");
  ASSERT_EQ(rc, 0) << err;
  EXPECT_NE(err.find("submitted job array"), std::string::npos) << err;
  Json trials = SweepJson({"export", "latest", "--format", "json"});
  std::set<int64_t> xs;
  for (const Json& t : trials) {
    if (t["status"] != "finished") continue;
    xs.insert(t["params"]["x"].get<int64_t>());
    Json shown = SweepJson({"show", t["id"].get<std::string>()});
    EXPECT_TRUE(shown["placement"]["slurm_job_id"].is_string()) << shown;
    EXPECT_TRUE(shown["placement"]["slurm_array_task_id"].is_string()) << shown;
    EXPECT_TRUE(shown["placement"]["slurm_node"].is_string()) << shown;
  }
  EXPECT_EQ(xs, (std::set<int64_t>{0, 1, 2, 3}));
  Json status = SweepJson({"status", "latest"});
  ASSERT_GE(status["slurm_jobs"].size(), 1u) << status;
  EXPECT_EQ(status["agents"].size(), 2u) << status;
  EXPECT_TRUE(WaitFor([&] { return LiveJobs().empty(); }, 60)) << LiveJobs();
}

TEST_F(SlurmLaunchTest, CancelledAgentJobsTrialIsRequeuedAndTheJobReplaced) {
  SKIP_WITHOUT_CLUSTER();
  Spec(3, 4.0, "  max_replacements: 2\n");
  pid_t pid = StartLaunch({"--slurm", "1"});
  ASSERT_TRUE(WaitFor([&] { return CountStatus("running") >= 1; }, 120))
      << ReadFile(dir_.path() + "/err.txt");
  Json status = SweepJson({"status", "latest"});
  ASSERT_GE(status["slurm_jobs"].size(), 1u);
  std::string job = status["slurm_jobs"][0]["job_id"].get<std::string>();
  ASSERT_TRUE(RunCapture({"scancel", job}, 30).ok());
  int rc = testing::WaitChild(pid, 240);
  children_.clear();
  std::string err = ReadFile(dir_.path() + "/err.txt");
  ASSERT_EQ(rc, 0) << err;
  EXPECT_NE(err.find("in its place"), std::string::npos) << err;
  Json trials = SweepJson({"export", "latest", "--format", "json"});
  std::multiset<int64_t> finished;
  int lost = 0;
  for (const Json& t : trials) {
    if (t["status"] == "finished") finished.insert(t["params"]["x"].get<int64_t>());
    if (t["status"] == "lost") ++lost;
  }
  EXPECT_EQ(finished, (std::multiset<int64_t>{0, 1, 2})) << trials << err;
  EXPECT_EQ(lost, 1) << trials << err;
  EXPECT_TRUE(WaitFor([&] { return LiveJobs().empty(); }, 60)) << LiveJobs();
}

TEST_F(SlurmLaunchTest, InterruptedSweepCancelsItsJobs) {
  SKIP_WITHOUT_CLUSTER();
  Spec(4, 30.0, "");
  pid_t pid = StartLaunch({"--slurm", "2"});
  ASSERT_TRUE(WaitFor([&] { return CountStatus("running") >= 1; }, 120))
      << ReadFile(dir_.path() + "/err.txt");
  ::kill(pid, SIGINT);
  int rc = testing::WaitChild(pid, 120);
  children_.clear();
  EXPECT_EQ(rc, 130) << ReadFile(dir_.path() + "/err.txt");
  EXPECT_NE(ReadFile(dir_.path() + "/err.txt").find("cancelled job"), std::string::npos);
  EXPECT_TRUE(WaitFor([&] { return LiveJobs().empty(); }, 60)) << LiveJobs();
}

TEST_F(SlurmLaunchTest, RefusedSubmissionEndsTheSweepWithSlurmsMessage) {
  SKIP_WITHOUT_CLUSTER();
  Spec(2, 0, "", "--partition=nosuch");
  pid_t pid = StartLaunch({"--slurm", "1"});
  int rc = testing::WaitChild(pid, 120);
  children_.clear();
  std::string err = ReadFile(dir_.path() + "/err.txt");
  EXPECT_EQ(rc, 1) << err;
  EXPECT_NE(err.find("invalid partition"), std::string::npos) << err;
}

TEST_F(SlurmLaunchTest, JobsPendingPastTheirTimeoutEndTheSweepAndAreCancelled) {
  SKIP_WITHOUT_CLUSTER();
  Spec(2, 0, "  pending_timeout: 3s\n", "--begin=now+1hour");
  pid_t pid = StartLaunch({"--slurm", "1"});
  int rc = testing::WaitChild(pid, 120);
  children_.clear();
  std::string err = ReadFile(dir_.path() + "/err.txt");
  EXPECT_EQ(rc, 1) << err;
  EXPECT_NE(err.find("pending"), std::string::npos) << err;
  EXPECT_NE(err.find("BeginTime"), std::string::npos) << err;
  EXPECT_TRUE(WaitFor([&] { return LiveJobs().empty(); }, 60)) << LiveJobs();
}

TEST_F(SlurmLaunchTest, TheExampleSweepCompletesThroughSlurmAndLeavesNoJob) {
  SKIP_WITHOUT_CLUSTER();
  // examples/slurm as shipped: listens on every interface and advertises the host name.
  // A copy, so that the agents' folders land in the test's own directory.
  const std::string example = dir_.path() + "/example";
  std::filesystem::create_directories(example);
  for (const char* f : {"sweep.yaml", "train.py"})
    std::filesystem::copy_file(std::string(SWEEP_TESTDATA) + "/../../examples/slurm/" + f,
                               example + "/" + f);
  CliOptions o;
  o.cwd = example;
  o.timeout_s = 300;
  CliResult r = RunSweep({"--store", store(), "launch", "sweep.yaml", "--slurm", "2"}, o);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json status = SweepJson({"status", "latest"});
  EXPECT_EQ(status["counts"]["finished"], 6) << status;
  EXPECT_TRUE(WaitFor([&] { return LiveJobs().empty(); }, 60)) << LiveJobs();
}

TEST_F(SlurmLaunchTest, ResumeAfterKillNineFindsTheJobsAgainAndCancelsThemAtTheEnd) {
  SKIP_WITHOUT_CLUSTER();
  Spec(3, 5.0, "");
  pid_t pid = StartLaunch({"--slurm", "1"});
  ASSERT_TRUE(WaitFor([&] { return CountStatus("running") >= 1; }, 120))
      << ReadFile(dir_.path() + "/err.txt");
  ::kill(pid, SIGKILL);
  testing::WaitChild(pid, 10);
  children_.clear();
  EXPECT_FALSE(LiveJobs().empty()) << "the agent job should outlive the controller";
  CliOptions o;
  o.cwd = dir_.path();
  o.timeout_s = 240;
  CliResult r = RunSweep({"--store", store(), "resume", "latest"}, o);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("watching job"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("re-attached"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("submitted job array"), std::string::npos) << "a second array: " << r.err;
  Json trials = SweepJson({"export", "latest", "--format", "json"});
  std::multiset<int64_t> finished;
  for (const Json& t : trials)
    if (t["status"] == "finished") finished.insert(t["params"]["x"].get<int64_t>());
  EXPECT_EQ(finished, (std::multiset<int64_t>{0, 1, 2})) << trials;
  EXPECT_TRUE(WaitFor([&] { return LiveJobs().empty(); }, 60)) << LiveJobs();
}

TEST_F(SlurmLaunchTest, MissingSbatchIsAUsageErrorAndWritesNothing) {
  Spec(1, 0, "");
  CliOptions o;
  o.cwd = dir_.path();
  o.env["PATH"] = "/nonexistent";
  CliResult r = RunSweep({"--store", store(), "launch", dir_.path() + "/sweep.yaml"}, o);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("sbatch not found"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(store()));
}

}  // namespace
}  // namespace sweep
