// End-to-end tests of sweeps run from Python (orchestrator/python_sweep.h): a script
// run by /usr/bin/python3 with the bundled modules (agents/python) on its path calls
// wandb.sweep + wandb.agent(function=) or sweep_client.optimize, which run the real
// `sweep` binary ($SWEEP_BIN); the results are read back from the real SQLite store
// and `sweep top --json`.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "orchestrator/store/sqlite_store.h"
#include "test_paths.h"
#include "tests/testing/cli_runner.h"
#include "tests/testing/temp_dir.h"

namespace sweep {
namespace {

using testing::CliOptions;
using testing::CliResult;
using testing::ReadFile;
using testing::RunProgram;
using testing::RunSweep;
using testing::WriteFile;
using Json = nlohmann::json;

class PythonSweepTest : public ::testing::Test {
 protected:
  CliOptions Options(double timeout_s = 60) {
    CliOptions o;
    o.cwd = dir_.path();
    o.timeout_s = timeout_s;
    o.env["PYTHONPATH"] = std::string(SWEEP_SOURCE_DIR) + "/agents/python";
    o.env["SWEEP_BIN"] = SWEEP_BINARY;
    o.env["SWEEP_STORE"] = store();
    return o;
  }
  // Runs `script` (Python source) with /usr/bin/python3.
  CliResult Python(const std::string& script, double timeout_s = 60) {
    const std::string path = dir_.path() + "/script.py";
    WriteFile(path, script);
    return RunProgram({"/usr/bin/python3", path}, Options(timeout_s));
  }
  std::unique_ptr<SqliteStore> Store() {
    auto s = SqliteStore::Open(store(), StoreOptions{});
    EXPECT_TRUE(s.ok()) << s.status().message();
    return std::move(s).value();
  }
  std::vector<SweepRecord> Sweeps() {
    if (!std::filesystem::exists(store())) return {};
    auto sweeps = Store()->ListSweeps();
    EXPECT_TRUE(sweeps.ok());
    return sweeps.ok() ? sweeps.value() : std::vector<SweepRecord>{};
  }
  std::vector<TrialRecord> Trials(const std::string& sweep) {
    auto trials = Store()->ListTrials(sweep);
    EXPECT_TRUE(trials.ok());
    return trials.value();
  }
  Json Top(const std::string& sweep) {
    CliResult r = RunSweep({"--store", store(), "top", sweep, "--json", "-k", "0"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return Json::parse(r.out, nullptr, false);
  }
  std::string store() const { return dir_.path() + "/store"; }
  testing::TempDir dir_;
};

TEST_F(PythonSweepTest, NotebookPatternWithCountSixRecordsSixRankedTrials) {
  CliResult r = Python(R"PY(
import wandb
config = {"method": "random", "metric": {"name": "val_loss", "goal": "minimize"},
          "parameters": {"lr": {"min": 0.001, "max": 0.1}, "layers": {"values": [1, 2, 3]}}}
def train():
    run = wandb.init(config={"extra_default": 7})
    for epoch in range(3):
        wandb.log({"val_loss": wandb.config.lr * wandb.config.layers + 1.0 / (epoch + 1)})
sweep_id = wandb.sweep(config, project="ignored")
wandb.agent(sweep_id, function=train, count=6)
print("ID", sweep_id)
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto sweeps = Sweeps();
  ASSERT_EQ(sweeps.size(), 1u);
  EXPECT_NE(r.out.find("ID " + sweeps[0].id), std::string::npos);
  auto trials = Trials(sweeps[0].id);
  ASSERT_EQ(trials.size(), 6u);
  for (const TrialRecord& t : trials) {
    EXPECT_EQ(t.status, TrialStatus::kFinished) << t.id << " " << t.reason;
    ASSERT_TRUE(t.value.has_value()) << t.id;
    const double lr = t.params["lr"].get<double>();
    const int layers = t.params["layers"].get<int>();
    EXPECT_NEAR(*t.value, lr * layers + 1.0 / 3, 1e-9) << t.id;  // the last of 3 logs
    EXPECT_EQ(t.params.value("extra_default", 0), 7) << "init(config=) keys are recorded";
    EXPECT_TRUE(t.provenance.contains("code")) << t.provenance.dump();
    // The environment is stored once per distinct snapshot, referenced by its hash.
    EXPECT_TRUE(t.provenance.value("env_hash", "").size() == 64) << t.provenance.dump();
    EXPECT_TRUE(t.argv.empty());
  }
  Json top = Top(sweeps[0].id);
  ASSERT_EQ(top["total"], 6);
  double previous = -1;
  for (const Json& row : top["trials"]) {
    EXPECT_GE(row["value"].get<double>(), previous);
    previous = row["value"].get<double>();
  }
  EXPECT_EQ(sweeps[0].status, SweepStatus::kFinished);
}

// The issue's "done when": the notebook script run as a tracked run. Nothing of the
// test's own environment points at the binary or the modules: `sweep run` provides
// $SWEEP_BIN, $SWEEP_STORE and the bundled modules on PYTHONPATH.
TEST_F(PythonSweepTest, NotebookScriptUnderSweepRunRecordsTheRunAndSixRankedTrials) {
  WriteFile(dir_.path() + "/notebook.py", R"PY(
import wandb
config = {"method": "bayes", "metric": {"name": "val_loss", "goal": "minimize"},
          "parameters": {"lr": {"min": 0.001, "max": 0.1}, "layers": {"values": [1, 2, 3]}}}
def train():
    wandb.init()
    wandb.log({"val_loss": wandb.config.lr * wandb.config.layers})
sweep_id = wandb.sweep(config)
wandb.agent(sweep_id, function=train, count=6)
print("ID", sweep_id)
)PY");
  CliOptions o;
  o.cwd = dir_.path();
  o.timeout_s = 120;
  CliResult r = RunSweep(
      {"--store", store(), "run", "--name", "nb", "--", "/usr/bin/python3", "notebook.py"}, o);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::string inner;
  for (const SweepRecord& s : Sweeps())
    if (r.out.find("ID " + s.id) != std::string::npos) inner = s.id;
  ASSERT_FALSE(inner.empty()) << r.out;
  ASSERT_EQ(Sweeps().size(), 2u);  // the tracked run and the notebook's sweep
  auto trials = Trials(inner);
  ASSERT_EQ(trials.size(), 6u);
  for (const TrialRecord& t : trials) {
    EXPECT_EQ(t.status, TrialStatus::kFinished) << t.id << " " << t.reason;
    EXPECT_TRUE(t.value.has_value()) << t.id;
  }
  EXPECT_EQ(Top(inner)["total"], 6);
}

TEST_F(PythonSweepTest, OptimizeFindsTheQuadraticMinimumWithin25BayesTrials) {
  CliResult r = Python(R"PY(
import json, sweep_client
spec = {"method": "bayes", "metric": {"name": "loss", "goal": "minimize"},
        "parameters": {"x": {"min": -5.0, "max": 5.0}, "y": {"min": -5.0, "max": 5.0}}}
best = sweep_client.optimize(spec, lambda p: (p["x"] - 1.5) ** 2 + (p["y"] + 0.5) ** 2,
                             n_trials=25, seed=3, quiet=True)
print(json.dumps(best))
)PY",
                       120);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  Json best = Json::parse(r.out, nullptr, false);
  ASSERT_TRUE(best.is_object()) << r.out;
  const double x = best["params"]["x"], y = best["params"]["y"];
  EXPECT_LT(std::hypot(x - 1.5, y + 0.5), 0.25) << best.dump();
  EXPECT_NEAR(best["value"].get<double>(), (x - 1.5) * (x - 1.5) + (y + 0.5) * (y + 0.5), 1e-9);
  EXPECT_EQ(best["metrics"]["loss"], best["value"]);
  auto sweeps = Sweeps();
  ASSERT_EQ(sweeps.size(), 1u);
  EXPECT_EQ(sweeps[0].method, "bayes");
  EXPECT_EQ(Trials(sweeps[0].id).size(), 25u);
  EXPECT_EQ(Top(sweeps[0].id)["trials"][0]["id"], best["id"]);
}

TEST_F(PythonSweepTest, ReportRaisesPrunedWhenHyperbandStopsATrial) {
  CliResult r = Python(R"PY(
import sweep_client, time
from sweep_client import Pruned, report
seen = []
def objective(p):
    try:
        for step in range(30):
            report(step=step, loss=p["bad"] * 10 + 1.0 / (step + 1))
            time.sleep(0.03)
    except Pruned:
        seen.append(p["bad"])
        raise
    return None
spec = {"method": "grid", "metric": {"name": "loss", "goal": "minimize"},
        "parameters": {"bad": {"values": [0, 1, 2, 3]}},
        "early_terminate": {"type": "hyperband", "min_iter": 3, "eta": 2}}
best = sweep_client.optimize(spec, objective, quiet=True)
print("PRUNED", sorted(seen), "BEST", best["params"]["bad"])
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("BEST 0"), std::string::npos) << r.out;
  auto sweeps = Sweeps();
  ASSERT_EQ(sweeps.size(), 1u);
  int stopped = 0;
  for (const TrialRecord& t : Trials(sweeps[0].id)) {
    if (t.status != TrialStatus::kStopped) continue;
    ++stopped;
    EXPECT_NE(t.reason.find("hyperband"), std::string::npos) << t.reason;
    EXPECT_LT(t.summary["loss"]["count"].get<int>(), 30) << t.id;
    EXPECT_NE(r.out.find(t.params["bad"].dump()), std::string::npos) << r.out;
  }
  EXPECT_GE(stopped, 1) << r.out << r.err;
}

TEST_F(PythonSweepTest, AnExceptionFailsItsTrialWithTracebackAndTheAgentGoesOn) {
  CliResult r = Python(R"PY(
import wandb
def train():
    wandb.init()
    if wandb.config.n == 2:
        raise ValueError("n=2 is cursed")
    wandb.log({"score": wandb.config.n})
sid = wandb.sweep({"method": "grid", "metric": {"name": "score", "goal": "maximize"},
                   "parameters": {"n": {"values": [1, 2, 3]}}})
wandb.agent(sid, function=train)
print("DONE")
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("DONE"), std::string::npos);
  EXPECT_NE(r.err.find("ValueError: n=2 is cursed"), std::string::npos) << r.err;
  auto sweeps = Sweeps();
  ASSERT_EQ(sweeps.size(), 1u);
  auto trials = Trials(sweeps[0].id);
  ASSERT_EQ(trials.size(), 3u);
  for (const TrialRecord& t : trials) {
    if (t.params["n"] == 2) {
      EXPECT_EQ(t.status, TrialStatus::kFailed);
      EXPECT_NE(t.stderr_tail.find("Traceback"), std::string::npos) << t.stderr_tail;
      EXPECT_NE(t.stderr_tail.find("ValueError: n=2 is cursed"), std::string::npos);
      EXPECT_NE(ReadFile(t.trial_dir + "/stderr.log").find("n=2 is cursed"), std::string::npos);
    } else {
      EXPECT_EQ(t.status, TrialStatus::kFinished) << t.reason;
    }
  }
  EXPECT_EQ(Top(sweeps[0].id)["trials"][0]["value"], 3);
}

TEST_F(PythonSweepTest, AnObjectiveThatNeverReportsTheTargetIsRankedLast) {
  CliResult r = Python(R"PY(
import sweep_client
def objective(p):
    return None if p["n"] == 1 else {"loss": p["n"]}
best = sweep_client.optimize({"method": "grid", "metric": {"name": "loss"},
                              "parameters": {"n": {"values": [1, 2, 3]}}}, objective)
print("BEST", best["params"]["n"])
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("BEST 2"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("without reporting the target metric 'loss'"), std::string::npos) << r.err;
  auto sweeps = Sweeps();
  ASSERT_EQ(sweeps.size(), 1u);
  Json top = Top(sweeps[0].id);
  ASSERT_EQ(top["total"], 3);
  EXPECT_EQ(top["trials"][2]["params"]["n"], 1);
  EXPECT_TRUE(top["trials"][2]["value"].is_null());
}

TEST_F(PythonSweepTest, BadInputRaisesClearExceptionsAndWritesNothing) {
  CliResult r = Python(R"PY(
import wandb, sweep_client
try:
    wandb.sweep({"method": "random", "parameters": {"lr": {"min": 0.1, "max": "high"}}})
except ValueError as e:
    print("SPEC", [err["key"] for err in e.errors], str(e).splitlines()[0])
try:
    wandb.agent("nosuch", function=lambda: None, count=1)
except RuntimeError as e:
    print("UNKNOWN", e)
try:
    wandb.agent("x", function=None)
except ValueError as e:
    print("NOFUNC", e)
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("SPEC ['parameters.lr.max'] wandb.sweep(config):"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("UNKNOWN "), std::string::npos) << r.out << r.err;
  EXPECT_NE(r.out.find("nosuch"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("NOFUNC wandb.agent needs function="), std::string::npos) << r.out;
  EXPECT_TRUE(Sweeps().empty());
}

TEST_F(PythonSweepTest, TwoAgentsOnOneSweepInOneProcessRaise) {
  CliResult r = Python(R"PY(
import wandb
sid = wandb.sweep({"method": "grid", "parameters": {"n": {"values": [1]}}})
def train():
    try:
        wandb.agent(sid, function=lambda: None)
    except RuntimeError as e:
        print("NESTED", e)
wandb.agent(sid, function=train)
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("NESTED sweep "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("already has an agent in this process"), std::string::npos) << r.out;
  auto sweeps = Sweeps();
  ASSERT_EQ(sweeps.size(), 1u);
  auto trials = Trials(sweeps[0].id);
  ASSERT_EQ(trials.size(), 1u);
  EXPECT_EQ(trials[0].status, TrialStatus::kFinished);
}

TEST_F(PythonSweepTest, CtrlCLeavesTheSweepInterruptedAndOptimizeContinuesIt) {
  const std::string script = dir_.path() + "/slow.py";
  WriteFile(script, R"PY(
import os, sys, time, sweep_client
def objective(p):
    open(os.environ["MARK"], "a").write("%s\n" % p["n"])
    time.sleep(float(os.environ["NAP"]))
    return {"loss": p["n"]}
spec = {"method": "grid", "metric": {"name": "loss"}, "parameters": {"n": {"values": [1, 2, 3]}}}
if len(sys.argv) > 1:
    best = sweep_client.optimize(None, objective, sweep_id=sys.argv[1])
    print("BEST", best["params"]["n"])
else:
    sweep_client.optimize(spec, objective)
)PY");
  const std::string mark = dir_.path() + "/mark";
  CliOptions o = Options();
  o.env["MARK"] = mark;
  o.env["NAP"] = "30";
  // The Python process in its own process group, as a terminal's foreground job.
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::setpgid(0, 0);
    if (::chdir(o.cwd.c_str()) != 0) ::_exit(127);
    for (const auto& [k, v] : o.env) ::setenv(k.c_str(), v.c_str(), 1);
    const std::string log = dir_.path() + "/err";
    FILE* f = std::freopen(log.c_str(), "w", stderr);
    (void)f;
    ::execl("/usr/bin/python3", "python3", script.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ASSERT_TRUE(testing::WaitUntil([&] { return !ReadFile(mark).empty(); }, 30));
  ::kill(-pid, SIGINT);  // Ctrl-C: the whole foreground group
  const int code = testing::WaitChild(pid, 30);
  EXPECT_TRUE(code == 1000 + SIGINT || code == 1 || code == 130) << code;
  auto sweeps = Sweeps();
  ASSERT_EQ(sweeps.size(), 1u);
  EXPECT_EQ(sweeps[0].status, SweepStatus::kInterrupted) << ReadFile(dir_.path() + "/err");
  auto trials = Trials(sweeps[0].id);
  ASSERT_EQ(trials.size(), 1u);
  EXPECT_EQ(trials[0].status, TrialStatus::kLost) << trials[0].reason;

  // `sweep resume` cannot run Python functions: it says what to call instead.
  CliResult resume = RunSweep({"--store", store(), "resume", sweeps[0].id});
  EXPECT_EQ(resume.exit_code, 2);
  EXPECT_NE(resume.err.find("sweep_id=\"" + sweeps[0].id + "\""), std::string::npos) << resume.err;

  o.env["NAP"] = "0";
  CliResult again = RunProgram({"/usr/bin/python3", script, sweeps[0].id}, o);
  ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_NE(again.out.find("BEST 1"), std::string::npos) << again.out;
  trials = Trials(sweeps[0].id);
  ASSERT_EQ(trials.size(), 4u);  // the lost attempt, its re-run, and n=2, n=3
  int finished = 0;
  for (const TrialRecord& t : trials) finished += t.status == TrialStatus::kFinished;
  EXPECT_EQ(finished, 3);
}

TEST_F(PythonSweepTest, PythonPathPrintsAFolderThatImportsTheBundledModules) {
  CliOptions o;
  o.env["SWEEP_PYTHON_PATH_DIR"] = dir_.path() + "/py";
  CliResult r = RunSweep({"python-path"}, o);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, dir_.path() + "/py\n");
  EXPECT_EQ(ReadFile(dir_.path() + "/py/_sweep_bin"),
            std::string(std::filesystem::canonical(SWEEP_BINARY)) + "\n");
  CliOptions p;
  p.env["SWEEP_BIN"] = "";
  p.env["PYTHONPATH"] = "";
  CliResult py = RunProgram(
      {"/usr/bin/python3", "-c",
       "import sys; sys.path.insert(0, sys.argv[1]); import wandb, sweep_client, _sweep_inproc; "
       "print(wandb.__sweep__, _sweep_inproc.binary())",
       dir_.path() + "/py"},
      p);
  ASSERT_EQ(py.exit_code, 0) << py.err;
  EXPECT_EQ(py.out, "True " + std::string(std::filesystem::canonical(SWEEP_BINARY)) + "\n");
}

}  // namespace
}  // namespace sweep
