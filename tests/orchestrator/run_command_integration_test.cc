// `sweep run` end to end: the real binary runs real programs (a wandb-style Python
// script in a real git repository, shell commands) and the tests read the real
// SQLite store: params from argv and from the program's declarations, metric
// series, commit, tags, note, exit status, Ctrl-C, a missing program, bad flags, and
// a manual trial filed under a launched sweep that `top`, `compare` and `export` see.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "orchestrator/store/sqlite_store.h"
#include "orchestrator/store/trial_kinds.h"
#include "tests/testing/cli_runner.h"
#include "tests/testing/temp_dir.h"

namespace sweep {
namespace {

namespace fs = std::filesystem;
using testing::CliOptions;
using testing::CliResult;
using testing::ReadFile;
using testing::RunProgram;
using testing::RunSweep;
using testing::WriteFile;
using Json = nlohmann::json;

// Declares config through the bundled wandb module and sweep_client.log_params, reads
// --lr with argparse, logs a loss series and prints to stdout and stderr.
constexpr char kTrain[] = R"PY(import argparse, sys
import wandb
from sweep_client import log_params
ap = argparse.ArgumentParser()
ap.add_argument("--lr", type=float, default=0.5)
ap.add_argument("--epochs", type=int, default=3)
args, _ = ap.parse_known_args()
run = wandb.init(config={"model": "mlp", "epochs": args.epochs})
log_params(batch=32, lr_schedule="cosine")
print("hello from train.py")
print("to stderr", file=sys.stderr)
for epoch in range(args.epochs):
    wandb.log({"loss": args.lr / (epoch + 1)})
run.finish()
)PY";

class RunCommandTest : public ::testing::Test {
 protected:
  std::string Git(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {"/usr/bin/git", "-c", "user.email=t@example.com", "-c",
                                     "user.name=t"};
    argv.insert(argv.end(), args.begin(), args.end());
    CliOptions o;
    o.cwd = dir_.path();
    CliResult r = RunProgram(argv, o);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::string s = r.out;
    while (!s.empty() && s.back() == '\n') s.pop_back();
    return s;
  }
  CliResult Sweep(std::vector<std::string> args, double timeout_s = 120) {
    args.insert(args.begin(), {"--store", store()});
    CliOptions o;
    o.cwd = dir_.path();
    o.timeout_s = timeout_s;
    return RunSweep(args, o);
  }
  std::unique_ptr<SqliteStore> Store() {
    auto s = SqliteStore::Open(store(), StoreOptions{});
    EXPECT_TRUE(s.ok()) << s.status().message();
    return std::move(s).value();
  }
  std::string store() const { return dir_.path() + "/store"; }
  testing::TempDir dir_;
};

TEST_F(RunCommandTest, RecordsParamsMetricsCommitTagsNoteAndOutput) {
  WriteFile(dir_.path() + "/train.py", kTrain);
  Git({"init", "-q", "-b", "main"});
  Git({"add", "train.py"});
  Git({"commit", "-qm", "train"});
  const std::string head = Git({"rev-parse", "HEAD"});

  CliResult r =
      Sweep({"run", "--name", "baseline", "--tag", "base", "--tag", "v1", "--note", "first try",
             "--", "/usr/bin/python3", "train.py", "--lr", "0.1", "--verbose", "--opt=adam"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // tee: the program's output reaches the terminal as well as the logs
  EXPECT_NE(r.out.find("hello from train.py"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("to stderr"), std::string::npos) << r.err;

  auto s = Store();
  auto sweeps = s->ListSweeps();
  ASSERT_TRUE(sweeps.ok());
  ASSERT_EQ(sweeps->size(), 1u);
  const SweepRecord& run = sweeps->front();
  EXPECT_EQ(run.name, "baseline");
  EXPECT_TRUE(IsTrackedRun(run));
  EXPECT_EQ(run.status, SweepStatus::kFinished);
  auto trials = s->ListTrials(run.id);
  ASSERT_TRUE(trials.ok());
  ASSERT_EQ(trials->size(), 1u);
  const TrialRecord& t = trials->front();
  EXPECT_EQ(t.id, run.id + "-0");
  EXPECT_EQ(t.status, TrialStatus::kFinished);
  ASSERT_TRUE(t.exit_code.has_value());
  EXPECT_EQ(*t.exit_code, 0);
  // argv pairs, typed; declared config; log_params
  EXPECT_EQ(t.params["lr"], 0.1);
  EXPECT_EQ(t.params["verbose"], true);
  EXPECT_EQ(t.params["opt"], "adam");
  EXPECT_EQ(t.params["model"], "mlp");
  EXPECT_EQ(t.params["epochs"], 3);
  EXPECT_EQ(t.params["batch"], 32);
  EXPECT_EQ(t.params["lr_schedule"], "cosine");
  EXPECT_EQ(t.argv, (std::vector<std::string>{"/usr/bin/python3", "train.py", "--lr", "0.1",
                                              "--verbose", "--opt=adam"}));
  MetricQuery q;
  q.trial_id = t.id;
  q.name = "loss";
  auto points = s->GetMetrics(q);
  ASSERT_TRUE(points.ok());
  ASSERT_EQ(points->size(), 3u);
  EXPECT_DOUBLE_EQ((*points)[0].value, 0.1);
  EXPECT_DOUBLE_EQ((*points)[2].value, 0.1 / 3);
  ASSERT_TRUE(t.provenance.is_object()) << t.provenance.dump();
  EXPECT_EQ(t.provenance["code"]["commit"], head);
  auto tags = s->GetTags(t.id);
  ASSERT_TRUE(tags.ok());
  EXPECT_EQ(*tags, (std::vector<std::string>{"base", "v1"}));
  auto notes = s->GetNotes(t.id);
  ASSERT_TRUE(notes.ok());
  ASSERT_EQ(notes->size(), 1u);
  EXPECT_EQ(notes->front().text, "first try");
  EXPECT_NE(ReadFile(t.trial_dir + "/stdout.log").find("hello from train.py"), std::string::npos);

  // The run id works where a trial id does, and ls marks it as a run.
  CliResult show = Sweep({"show", run.id, "--json"});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  Json shown = Json::parse(show.out);
  EXPECT_EQ(shown["id"], t.id);
  EXPECT_EQ(shown["kind"], "run");
  CliResult metrics = Sweep({"metrics", run.id, "--name", "loss", "--csv"});
  EXPECT_EQ(metrics.exit_code, 0) << metrics.err;
  CliResult logs = Sweep({"logs", run.id});
  EXPECT_NE(logs.out.find("hello from train.py"), std::string::npos) << logs.out;
  CliResult ls = Sweep({"ls", "--json"});
  ASSERT_EQ(ls.exit_code, 0) << ls.err;
  EXPECT_EQ(Json::parse(ls.out)["sweeps"][0]["kind"], "run");
  CliResult ls_text = Sweep({"ls"});
  EXPECT_NE(ls_text.out.find("(run)"), std::string::npos) << ls_text.out;
  CliResult exported = Sweep({"export", run.id, "--format", "json"});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  EXPECT_EQ(Json::parse(exported.out)["trials"][0]["params"]["lr"], 0.1);
  CliResult resume = Sweep({"resume", run.id});
  EXPECT_EQ(resume.exit_code, 2);
  EXPECT_NE(resume.err.find("tracked run"), std::string::npos) << resume.err;
}

TEST_F(RunCommandTest, NoArgvParamsKeepsOnlyDeclaredParams) {
  CliResult r =
      Sweep({"run", "--no-argv-params", "--", "/bin/sh", "-c", "echo loss=1", "sh", "--lr", "0.1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto s = Store();
  auto t = s->GetTrial(s->ListSweeps()->front().id);
  ASSERT_TRUE(t.ok());
  EXPECT_TRUE(t->params.empty()) << t->params.dump();
  EXPECT_EQ(t->summary["loss"]["last"], 1);
}

TEST_F(RunCommandTest, ExitCodeIsTheProgramsAndAFailureIsRecorded) {
  CliResult r = Sweep({"run", "--", "/bin/sh", "-c", "echo broken >&2; exit 3"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  auto s = Store();
  auto sweeps = s->ListSweeps();
  ASSERT_EQ(sweeps->size(), 1u);
  EXPECT_EQ(sweeps->front().status, SweepStatus::kFailed);
  auto t = s->GetTrial(sweeps->front().id);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->status, TrialStatus::kFailed);
  EXPECT_EQ(t->exit_code, 3);
  EXPECT_NE(t->stderr_tail.find("broken"), std::string::npos);

  CliResult killed = Sweep({"run", "--", "/bin/sh", "-c", "kill -SEGV $$"});
  EXPECT_EQ(killed.exit_code, 128 + SIGSEGV) << killed.err;
}

TEST_F(RunCommandTest, AMissingProgramExits127AndIsRecordedAsFailed) {
  CliResult r = Sweep({"run", "--", "no-such-program-xyz", "--lr", "1"});
  EXPECT_EQ(r.exit_code, 127);
  EXPECT_NE(r.err.find("cannot run 'no-such-program-xyz'"), std::string::npos) << r.err;
  auto s = Store();
  auto t = s->GetTrial(s->ListSweeps()->front().id);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->status, TrialStatus::kFailed);
  EXPECT_NE(t->reason.find("not found"), std::string::npos) << t->reason;
  EXPECT_EQ(t->params["lr"], 1);
}

TEST_F(RunCommandTest, BadFlagsExit2AndWriteNothing) {
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"run"},
                                             {"run", "--tag", "a,b", "--", "/bin/true"},
                                             {"run", "--tag", "", "--", "/bin/true"},
                                             {"run", "--note", " ", "--", "/bin/true"},
                                             {"run", "--bogus", "--", "/bin/true"}}) {
    CliResult r = Sweep(args);
    EXPECT_EQ(r.exit_code, 2) << args.size() << ": " << r.err;
    EXPECT_FALSE(r.err.empty());
    EXPECT_FALSE(fs::exists(store())) << r.err;
  }
  ASSERT_EQ(Sweep({"run", "--", "/bin/true"}).exit_code, 0);
  CliResult unknown = Sweep({"run", "--sweep", "zzzzzz", "--", "/bin/true"});
  EXPECT_EQ(unknown.exit_code, 2) << unknown.err;
  EXPECT_EQ(Store()->ListSweeps()->size(), 1u);
  CliResult into_run =
      Sweep({"run", "--sweep", Store()->ListSweeps()->front().id, "--", "/bin/true"});
  EXPECT_EQ(into_run.exit_code, 2) << into_run.err;
  EXPECT_NE(into_run.err.find("tracked run, not a sweep"), std::string::npos) << into_run.err;
}

TEST_F(RunCommandTest, SigintStopsTheProgramGroupAndRecordsTheRunAsStopped) {
  std::string flag = dir_.path() + "/started";
  CliOptions o;
  o.cwd = dir_.path();
  pid_t pid =
      testing::StartSweep({"--store", store(), "run", "--", "/bin/sh", "-c",
                           "sleep 60 & echo $! > " + flag + ".pid; touch " + flag + "; wait"},
                          o, dir_.path() + "/out", dir_.path() + "/err");
  ASSERT_TRUE(testing::WaitUntil([&] { return fs::exists(flag); }, 60));
  ASSERT_EQ(::kill(pid, SIGINT), 0);
  EXPECT_EQ(testing::WaitChild(pid, 60), 128 + SIGINT) << ReadFile(dir_.path() + "/err");
  auto s = Store();
  auto t = s->GetTrial(s->ListSweeps()->front().id);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->status, TrialStatus::kStopped);
  EXPECT_NE(t->reason.find("SIGINT"), std::string::npos) << t->reason;
  EXPECT_EQ(s->ListSweeps()->front().status, SweepStatus::kStopped);
  // the whole group went: the background sleep is gone too (or a zombie waiting
  // for whoever adopted it)
  const std::string sleeper = ReadFile(flag + ".pid");
  ASSERT_FALSE(sleeper.empty());
  EXPECT_TRUE(testing::WaitUntil(
      [&] {
        std::string stat = ReadFile("/proc/" + std::to_string(std::stoi(sleeper)) + "/stat");
        size_t paren = stat.rfind(')');
        return stat.empty() || (paren != std::string::npos && stat.substr(paren + 2, 1) == "Z");
      },
      10));
}

TEST_F(RunCommandTest, SweepStopStopsARunningRun) {
  std::string flag = dir_.path() + "/started";
  CliOptions o;
  o.cwd = dir_.path();
  pid_t pid = testing::StartSweep(
      {"--store", store(), "run", "--", "/bin/sh", "-c", "touch " + flag + "; exec sleep 60"}, o,
      dir_.path() + "/out", dir_.path() + "/err");
  ASSERT_TRUE(testing::WaitUntil([&] { return fs::exists(flag); }, 60));
  const std::string run = Store()->ListSweeps()->front().id;
  CliResult stop = Sweep({"stop", run});
  ASSERT_EQ(stop.exit_code, 0) << stop.err;
  EXPECT_EQ(testing::WaitChild(pid, 60), 128 + SIGTERM) << ReadFile(dir_.path() + "/err");
  auto t = Store()->GetTrial(run);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->status, TrialStatus::kStopped);
  EXPECT_EQ(t->reason, "stopped by sweep stop");
}

TEST_F(RunCommandTest, AManualTrialIsRankedWithTheSweepsTrials) {
  WriteFile(dir_.path() + "/prog.py",
            "import argparse\n"
            "ap = argparse.ArgumentParser()\n"
            "ap.add_argument('--lr', type=float)\n"
            "print('loss=%s' % ap.parse_args().lr)\n");
  WriteFile(dir_.path() + "/sweep.yaml",
            "program: prog.py\ninterpreter: /usr/bin/python3\nmethod: grid\n"
            "metric: {name: loss, goal: minimize}\n"
            "parameters:\n  lr: {values: [0.5, 0.2]}\n");
  CliResult launched = Sweep({"launch", "sweep.yaml"});
  ASSERT_EQ(launched.exit_code, 0) << launched.err;
  const std::string sweep = Store()->ListSweeps()->front().id;

  CliResult r = Sweep({"run", "--sweep", sweep, "--name", "by hand", "--", "/usr/bin/python3",
                       "prog.py", "--lr", "0.05"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto trials = Store()->ListTrials(sweep);
  ASSERT_TRUE(trials.ok());
  ASSERT_EQ(trials->size(), 3u);
  const TrialRecord& manual = trials->back();
  EXPECT_EQ(manual.id, sweep + "-m0");
  EXPECT_TRUE(IsManualTrial(manual));
  ASSERT_TRUE(manual.value.has_value());
  EXPECT_DOUBLE_EQ(*manual.value, 0.05);
  EXPECT_EQ(manual.params["lr"], 0.05);

  CliResult top = Sweep({"top", sweep, "--json"});
  ASSERT_EQ(top.exit_code, 0) << top.err;
  Json ranked = Json::parse(top.out)["trials"];
  ASSERT_EQ(ranked.size(), 3u);
  EXPECT_EQ(ranked[0]["id"], manual.id);
  EXPECT_EQ(ranked[0]["manual"], true);
  EXPECT_EQ(ranked[1]["manual"], false);
  CliResult top_text = Sweep({"top", sweep});
  EXPECT_NE(top_text.out.find(manual.id + " (manual)"), std::string::npos) << top_text.out;

  CliResult cmp = Sweep({"compare", manual.id, trials->front().id, "--json"});
  ASSERT_EQ(cmp.exit_code, 0) << cmp.err;
  CliResult csv = Sweep({"export", sweep, "--format", "csv"});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_NE(csv.out.find(",manual,"), std::string::npos) << csv.out;
  CliResult show = Sweep({"show", manual.id, "--json"});
  EXPECT_EQ(Json::parse(show.out)["kind"], "manual");

  // A second manual trial gets the next manual number; resume ignores both and
  // re-runs nothing of the finished grid.
  ASSERT_EQ(
      Sweep({"run", "--sweep", sweep, "--", "/usr/bin/python3", "prog.py", "--lr", "1"}).exit_code,
      0);
  EXPECT_EQ(Store()->ListTrials(sweep)->back().id, sweep + "-m1");
}

TEST_F(RunCommandTest, ResumeLeavesManualTrialsOutOfTheSweepsNumbering) {
  WriteFile(dir_.path() + "/slow.py",
            "import argparse, time\n"
            "ap = argparse.ArgumentParser()\n"
            "ap.add_argument('--lr', type=float)\n"
            "print('loss=%s' % ap.parse_args().lr, flush=True)\n"
            "time.sleep(1)\n");
  WriteFile(dir_.path() + "/sweep.yaml",
            "program: slow.py\ninterpreter: /usr/bin/python3\nmethod: grid\n"
            "metric: {name: loss, goal: minimize}\n"
            "parameters:\n  lr: {values: [0.5, 0.2, 0.3]}\n");
  CliOptions o;
  o.cwd = dir_.path();
  pid_t pid = testing::StartSweep({"--store", store(), "launch", "sweep.yaml"}, o,
                                  dir_.path() + "/out", dir_.path() + "/err");
  std::string sweep;
  ASSERT_TRUE(testing::WaitUntil(
      [&] {
        if (!fs::exists(store() + "/sweep.db")) return false;
        auto sweeps = Store()->ListSweeps();
        if (!sweeps.ok() || sweeps->empty()) return false;
        sweep = sweeps->front().id;
        auto trials = Store()->ListTrials(sweep);
        return trials.ok() && !trials->empty();
      },
      60));
  ASSERT_EQ(Sweep({"stop", sweep}).exit_code, 0);
  EXPECT_EQ(testing::WaitChild(pid, 60), 0) << ReadFile(dir_.path() + "/err");
  ASSERT_EQ(Sweep({"run", "--sweep", sweep, "--", "/usr/bin/python3", "slow.py", "--lr", "0.01"})
                .exit_code,
            0);
  CliResult resumed = Sweep({"resume", sweep});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  auto trials = Store()->ListTrials(sweep);
  ASSERT_TRUE(trials.ok());
  ASSERT_EQ(trials->size(), 4u);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ((*trials)[i].number, i);
  EXPECT_EQ(trials->back().id, sweep + "-m0");
  EXPECT_EQ(trials->back().status, TrialStatus::kFinished);
  EXPECT_DOUBLE_EQ(*trials->back().value, 0.01);
}

}  // namespace
}  // namespace sweep
