#include "agents/runtime/trial_runner.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>

#include <chrono>
#include <cmath>
#include <map>
#include <tuple>

#include "agents/runtime/wandb_files.h"
#include "test_paths.h"
#include "tests/agents/agents_test_util.h"

namespace sweep {
namespace {

using testing::ReadFile;
using testing::RunUntil;
using testing::TempDir;
using testing::TestData;

// A runner on a private io_context that records every callback.
struct Harness {
  boost::asio::io_context io;
  TempDir dir;
  std::map<std::string, std::vector<ParsedPoint>> points;
  std::map<std::string, TrialEnd> ends;
  std::vector<std::string> order;   // "m:<id>" / "e:<id>" in callback order
  std::vector<size_t> batch_sizes;  // points per on_metrics call, in order
  bool in_start = false;
  bool end_inside_start = false;
  TrialRunner runner{
      io, TrialRunnerCallbacks{[this](const std::string& id, std::vector<ParsedPoint> p) {
                                 order.push_back("m:" + id);
                                 batch_sizes.push_back(p.size());
                                 auto& v = points[id];
                                 v.insert(v.end(), p.begin(), p.end());
                               },
                               [this](const std::string& id, const TrialEnd& e) {
                                 if (in_start) end_inside_start = true;
                                 order.push_back("e:" + id);
                                 ends[id] = e;
                                 if (after_end) after_end(id);
                               },
                               [this](const std::string& id) {
                                 // Where in `order` it came: ends[id] must not exist yet.
                                 exited.emplace_back(id, ends.count(id) > 0);
                                 exited_points[id] = points[id].size();
                               }}};
  std::function<void(const std::string&)> after_end;
  std::vector<std::pair<std::string, bool>> exited;  // on_exited: (id, its end came first)
  std::map<std::string, size_t> exited_points;       // points delivered before on_exited

  TrialLaunch Launch(const std::string& id, std::vector<std::string> argv) {
    TrialLaunch l;
    l.sweep_id = "sw1";
    l.trial_id = id;
    l.argv = std::move(argv);
    l.workdir = dir.path();
    l.trial_dir = dir / ("trials/" + id);
    l.params = Value::object({{"lr", 0.01}});
    l.stop_grace_s = 0.2;
    l.metrics_poll_s = 0.05;
    l.python_client_dir = std::string(SWEEP_SOURCE_DIR) + "/agents/python";
    return l;
  }
  void Start(const TrialLaunch& l) {
    in_start = true;
    runner.Start(l);
    in_start = false;
  }
  bool Wait(const std::string& id, double timeout_s = 20) {
    return RunUntil(
        io, [&] { return ends.count(id) > 0; }, timeout_s);
  }
  // name -> values in order
  std::vector<std::pair<int64_t, double>> Series(const std::string& id, const std::string& name) {
    std::vector<std::pair<int64_t, double>> out;
    for (const auto& p : points[id])
      if (p.name == name) out.emplace_back(p.step, p.value);
    return out;
  }
};

TEST(TrialRunner, GivesTheTrialItsEnvironmentFolderAndParams) {
  Harness h;
  ::setenv("SWEEP_TEST_INHERITED", "yes", 1);
  auto l = h.Launch("t1", {TestData("env_dump.py")});
  l.gpus = "2,3";
  l.env = {{"SPEC_VAR", "spec"}, {"SWEEP_TEST_INHERITED", "overridden"}};
  l.params = Value::parse(R"({"lr": 0.1, "model": {"layers": 3}, "cmd": "; rm -rf ~"})");
  h.Start(l);
  ASSERT_TRUE(h.Wait("t1"));
  ASSERT_TRUE(h.ends["t1"].ok()) << h.ends["t1"].stderr_tail;
  auto dumped = Value::parse(ReadFile(l.trial_dir + "/env.json"));
  auto env = dumped["env"];
  EXPECT_EQ(env["SWEEP_ID"], "sw1");
  EXPECT_EQ(env["SWEEP_TRIAL_ID"], "t1");
  EXPECT_EQ(env["SWEEP_TRIAL_DIR"], l.trial_dir);
  EXPECT_EQ(env["SWEEP_PARAMS"], l.trial_dir + "/params.json");
  EXPECT_EQ(env["SWEEP_METRICS"], l.trial_dir + "/metrics.jsonl");
  EXPECT_EQ(env["CUDA_VISIBLE_DEVICES"], "2,3");
  EXPECT_EQ(env["PYTHONUNBUFFERED"], "1");
  EXPECT_EQ(env["PYTHONPATH"].get<std::string>().rfind(l.python_client_dir, 0), 0u);
  EXPECT_EQ(env["SPEC_VAR"], "spec");
  EXPECT_EQ(env["SWEEP_TEST_INHERITED"], "overridden");
  EXPECT_EQ(env["PATH"], ::getenv("PATH"));
  EXPECT_EQ(dumped["cwd"], std::filesystem::canonical(h.dir.path()).string());
  EXPECT_EQ(Value::parse(ReadFile(l.trial_dir + "/params.json")), l.params);
  ::unsetenv("SWEEP_TEST_INHERITED");
}

// W&B's params file is for the real wandb SDK: written (and $WANDB_SWEEP_PARAM_PATH
// set) when reporting.wandb is tee or off or no client folder is known; with sweep's
// module in front (shim, the default) the trial reads $SWEEP_PARAMS and the folder
// gets params.json alone. A re-run in place loses an earlier attempt's file.
TEST(TrialRunner, WritesWandbsParamsFileOnlyWhenTheRealPackageMayReadIt) {
  Harness h;
  auto run = [&](const std::string& id, const std::string& mode, bool client) {
    auto l = h.Launch(id, {TestData("env_dump.py")});
    l.params = Value::parse(R"({"lr": 0.5})");
    if (!mode.empty()) l.env = {{"SWEEP_WANDB", mode}};
    if (!client) l.python_client_dir = "";
    h.ends.erase(id);
    h.Start(l);
    EXPECT_TRUE(h.Wait(id));
    EXPECT_TRUE(h.ends[id].ok()) << h.ends[id].stderr_tail;
    return std::make_pair(l, Value::parse(ReadFile(l.trial_dir + "/env.json"))["env"]);
  };
  for (const auto& [id, mode, client, expect_file] :
       std::vector<std::tuple<std::string, std::string, bool, bool>>{
           {"shim", "", true, false},
           {"shim2", "shim", true, false},
           {"tee", "tee", true, true},
           {"off", "off", true, true},
           {"noclient", "", false, true}}) {
    SCOPED_TRACE(id);
    auto [l, env] = run(id, mode, client);
    std::string file = l.trial_dir + "/wandb-params.yaml";
    EXPECT_EQ(WritesWandbParamsFile(l.python_client_dir, l.env), expect_file);
    EXPECT_EQ(Value::parse(ReadFile(l.trial_dir + "/params.json")), l.params);
    if (expect_file) {
      EXPECT_EQ(ReadFile(file), "wandb_version: 1\n\"lr\":\n  value: 0.5\n");
      EXPECT_EQ(env["WANDB_SWEEP_PARAM_PATH"], file);
    } else {
      EXPECT_FALSE(std::filesystem::exists(file));
      EXPECT_FALSE(env.contains("WANDB_SWEEP_PARAM_PATH")) << env.dump();
    }
  }
  // The "off" trial's folder run again in place, now as shim: its old file is gone.
  auto [again, env] = run("off", "shim", true);
  EXPECT_FALSE(std::filesystem::exists(again.trial_dir + "/wandb-params.yaml"));
}

TEST(TrialRunner, GpusAreLeftAloneUnlessManaged) {
  ::setenv("CUDA_VISIBLE_DEVICES", "7", 1);
  TrialLaunch l;
  l.trial_dir = "/x";
  auto find = [](const std::vector<std::string>& env) {
    for (const auto& kv : env)
      if (kv.rfind("CUDA_VISIBLE_DEVICES=", 0) == 0) return kv;
    return std::string("<unset>");
  };
  EXPECT_EQ(find(BuildTrialEnvironment(l)), "CUDA_VISIBLE_DEVICES=7");
  l.gpus = "";
  EXPECT_EQ(find(BuildTrialEnvironment(l)), "CUDA_VISIBLE_DEVICES=");
  l.gpus = "0";
  EXPECT_EQ(find(BuildTrialEnvironment(l)), "CUDA_VISIBLE_DEVICES=0");
  ::unsetenv("CUDA_VISIBLE_DEVICES");
}

TEST(TrialRunner, CollectsMetricsFromTheClientStdoutAndFile) {
  Harness h;
  auto l = h.Launch("t1", {"/usr/bin/python3", TestData("report_client.py")});
  h.Start(l);
  ASSERT_TRUE(h.Wait("t1"));
  const TrialEnd& e = h.ends["t1"];
  ASSERT_TRUE(e.ok()) << e.stderr_tail;
  auto loss = h.Series("t1", "loss");
  ASSERT_EQ(loss.size(), 4u);
  EXPECT_EQ(loss[0], (std::pair<int64_t, double>{0, 1.0}));
  EXPECT_EQ(loss[1].first, 5);
  EXPECT_TRUE(std::isnan(loss[1].second));
  EXPECT_EQ(loss[2], (std::pair<int64_t, double>{6, 0.25}));
  EXPECT_EQ(loss[3], (std::pair<int64_t, double>{7, 0.125}));
  EXPECT_EQ(h.Series("t1", "big"), (std::vector<std::pair<int64_t, double>>{{5, INFINITY}}));
  EXPECT_EQ(h.Series("t1", "neg"), (std::vector<std::pair<int64_t, double>>{{5, -INFINITY}}));
  EXPECT_EQ(h.Series("t1", "flag"), (std::vector<std::pair<int64_t, double>>{{5, 1}}));
  EXPECT_EQ(h.Series("t1", "count"), (std::vector<std::pair<int64_t, double>>{{6, 7}}));
  EXPECT_EQ(h.Series("t1", "lr"), (std::vector<std::pair<int64_t, double>>{{7, 0.01}}));
  EXPECT_EQ(e.malformed_lines, 0u);
  EXPECT_EQ(h.order.back(), "e:t1");  // every point arrives before the end
}

TEST(TrialRunner, ReadsTheMetricsFileOnceMoreAfterExit) {
  Harness h;
  auto l = h.Launch("t1", {TestData("quick_metrics.sh"), "500"});
  l.metrics_poll_s = 30;  // the poll never fires: only the final read can see them
  h.Start(l);
  ASSERT_TRUE(h.Wait("t1"));
  auto score = h.Series("t1", "score");
  ASSERT_EQ(score.size(), 500u);
  EXPECT_EQ(score.back(), (std::pair<int64_t, double>{499, 499}));
}

// 40 lines of 1,000 new names each (~30 KB a line) left in the file at exit: the
// drain must hand them over a slice per turn of the loop, never the rest of the file
// in one go (a slice ends inside a line, which once passed for the end of the file).
TEST(TrialRunner, ABacklogOfLongLinesLeftAtExitArrivesInBoundedSlices) {
  Harness h;
  auto l =
      h.Launch("t1", {"/usr/bin/python3", "-c",
                      "import json, os\n"
                      "with open(os.environ['SWEEP_METRICS'], 'a') as f:\n"
                      "    for k in range(40):\n"
                      "        f.write(json.dumps({'layer%06d/grad_norm' % (k * 1000 + i): 0.5 "
                      "for i in range(1000)}) + '\\n')\n"});
  l.metrics_poll_s = 30;  // only the drain after exit reads the file
  h.Start(l);
  ASSERT_TRUE(h.Wait("t1", 60));
  ASSERT_TRUE(h.ends["t1"].ok()) << h.ends["t1"].stderr_tail;
  EXPECT_EQ(h.points["t1"].size(), 40000u);
  ASSERT_GE(h.batch_sizes.size(), 10u);
  for (size_t n : h.batch_sizes) EXPECT_LE(n, 3000u);
}

TEST(TrialRunner, SurvivesMalformedAndFiftyMegabyteLines) {
  Harness h;
  auto l = h.Launch("t1", {TestData("hostile_metrics.py")});
  l.max_log_bytes = 1 << 20;
  h.Start(l);
  ASSERT_TRUE(h.Wait("t1", 60));
  const TrialEnd& e = h.ends["t1"];
  ASSERT_TRUE(e.ok()) << e.stderr_tail;
  EXPECT_EQ(e.malformed_lines, 3u);  // two broken lines and the 50 MB one
  EXPECT_EQ(e.first_malformed, R"({"loss": )");
  auto loss = h.Series("t1", "loss");
  ASSERT_EQ(loss.size(), 2u);
  EXPECT_EQ(loss[0], (std::pair<int64_t, double>{0, 1.5}));
  EXPECT_EQ(loss[1].first, 2);
  EXPECT_TRUE(std::isnan(loss[1].second));
  auto acc = h.Series("t1", "acc");  // the file's Infinity, then stdout's 0.75
  ASSERT_EQ(acc.size(), 2u);
  EXPECT_EQ(acc[0], (std::pair<int64_t, double>{2, INFINITY}));
  EXPECT_EQ(acc[1].second, 0.75);
  EXPECT_LE(std::filesystem::file_size(l.trial_dir + "/stdout.log"), (1u << 20) + 65536);
}

TEST(TrialRunner, BinaryOutputIsHarmlessAndTheStderrTailIsValidUtf8) {
  Harness h;
  auto l = h.Launch("t1", {TestData("binary.sh")});
  h.Start(l);
  ASSERT_TRUE(h.Wait("t1"));
  const TrialEnd& e = h.ends["t1"];
  EXPECT_TRUE(e.ok());
  EXPECT_EQ(h.Series("t1", "acc"), (std::vector<std::pair<int64_t, double>>{{0, 0.5}}));
  EXPECT_EQ(e.stderr_tail, std::string("\xef\xbf\xbd\xef\xbf\xbd\0\x01 binary on stderr\n", 26));
  EXPECT_EQ(ReadFile(l.trial_dir + "/stderr.log"),
            std::string("\xff\xfe\0\x01 binary on stderr\n", 22));
}

TEST(TrialRunner, ReportsANonZeroExitWithTheStderrTail) {
  Harness h;
  h.Start(h.Launch("t1", {TestData("exit_code.sh"), "4"}));
  ASSERT_TRUE(h.Wait("t1"));
  const TrialEnd& e = h.ends["t1"];
  EXPECT_EQ(e.kind, TrialEnd::Kind::kExited);
  EXPECT_EQ(e.exit.exit_code, 4);
  EXPECT_FALSE(e.ok());
  EXPECT_EQ(e.reason, "exited with code 4");
  EXPECT_EQ(e.stderr_tail, "about to fail\nfatal: something broke\n");
  EXPECT_GE(e.ended_at, e.started_at);
  EXPECT_GT(e.started_at, 1e9);
}

TEST(TrialRunner, ReportsASignal) {
  Harness h;
  h.Start(h.Launch("t1", {TestData("self_signal.sh"), "SEGV"}));
  ASSERT_TRUE(h.Wait("t1"));
  const TrialEnd& e = h.ends["t1"];
  EXPECT_EQ(e.kind, TrialEnd::Kind::kSignaled);
  EXPECT_EQ(e.exit.signal, SIGSEGV);
  EXPECT_NE(e.reason.find("SIGSEGV"), std::string::npos) << e.reason;
}

TEST(TrialRunner, TimesOutATrialThatNeverExits) {
  Harness h;
  auto l = h.Launch("t1", {TestData("sleeper.sh")});
  l.timeout_s = 0.3;
  auto t0 = std::chrono::steady_clock::now();
  h.Start(l);
  ASSERT_TRUE(h.Wait("t1"));
  auto took = std::chrono::steady_clock::now() - t0;
  const TrialEnd& e = h.ends["t1"];
  EXPECT_EQ(e.kind, TrialEnd::Kind::kTimedOut);
  EXPECT_EQ(e.reason, "timed out after 0.3s");
  EXPECT_EQ(e.exit.signal, SIGTERM);
  EXPECT_GE(took, std::chrono::milliseconds(290));
  EXPECT_LT(took, std::chrono::seconds(3));
}

TEST(TrialRunner, StopKillsATrialThatIgnoresSigtermAfterTheGrace) {
  Harness h;
  auto l = h.Launch("t1", {TestData("ignore_term.sh")});
  h.Start(l);
  ASSERT_TRUE(RunUntil(h.io, [&] {
    return ReadFile(l.trial_dir + "/stdout.log").find("ready") != std::string::npos;
  }));
  h.runner.Stop("t1", "cancelled by user");
  h.runner.Stop("t1", "a second stop is ignored");
  h.runner.Stop("unknown", "ignored too");
  ASSERT_TRUE(h.Wait("t1"));
  const TrialEnd& e = h.ends["t1"];
  EXPECT_EQ(e.kind, TrialEnd::Kind::kStopped);
  EXPECT_EQ(e.reason, "cancelled by user");
  EXPECT_EQ(e.exit.signal, SIGKILL);
  EXPECT_EQ(h.runner.running(), 0u);
}

TEST(TrialRunner, AGrandchildIsDeadWhenTheTrialEnds) {
  Harness h;
  auto l = h.Launch("t1", {TestData("grandchild.sh"), h.dir / "gc.pid"});
  h.Start(l);
  ASSERT_TRUE(h.Wait("t1"));
  EXPECT_TRUE(h.ends["t1"].ok());
  pid_t gc = std::stoi(ReadFile(h.dir / "gc.pid"));
  EXPECT_TRUE(testing::WaitDead(gc)) << "grandchild " << gc << " survived";
}

TEST(TrialRunner, AHostileParameterArrivesAsOneLiteralArgument) {
  Harness h;
  auto l = h.Launch("t1", {TestData("argv_dump.py"), "--cmd=; rm -rf ~ $(reboot)", "; rm -rf ~"});
  l.env = {{"ARGV_OUT", h.dir / "argv.json"}};
  h.Start(l);
  ASSERT_TRUE(h.Wait("t1"));
  ASSERT_TRUE(h.ends["t1"].ok()) << h.ends["t1"].stderr_tail;
  EXPECT_EQ(Value::parse(ReadFile(h.dir / "argv.json")),
            Value::parse(R"J(["--cmd=; rm -rf ~ $(reboot)", "; rm -rf ~"])J"));
}

TEST(TrialRunner, AMissingProgramEndsAsSpawnFailedFromAPostedHandler) {
  Harness h;
  auto l = h.Launch("t1", {"no-such-trainer-4711", "--lr=1"});
  h.Start(l);
  EXPECT_EQ(h.runner.running(), 0u);
  ASSERT_TRUE(h.Wait("t1"));
  EXPECT_FALSE(h.end_inside_start);
  const TrialEnd& e = h.ends["t1"];
  EXPECT_EQ(e.kind, TrialEnd::Kind::kSpawnFailed);
  EXPECT_NE(e.reason.find("no-such-trainer-4711"), std::string::npos) << e.reason;
  EXPECT_NE(e.reason.find("No such file or directory"), std::string::npos) << e.reason;
  EXPECT_NE(ReadFile(l.trial_dir + "/stderr.log").find(e.reason), std::string::npos);
}

TEST(TrialRunner, AnUnwritableTrialFolderEndsAsSpawnFailed) {
  Harness h;
  auto l = h.Launch("t1", {"true"});
  l.trial_dir = "/proc/sweep-cannot-create-this";
  h.Start(l);
  ASSERT_TRUE(h.Wait("t1"));
  EXPECT_EQ(h.ends["t1"].kind, TrialEnd::Kind::kSpawnFailed);
  EXPECT_NE(h.ends["t1"].reason.find("/proc/sweep-cannot-create-this"), std::string::npos);
}

TEST(TrialRunner, ASecondStartOfARunningTrialFailsWithoutTouchingIt) {
  Harness h;
  auto l = h.Launch("t1", {TestData("sleeper.sh")});
  h.Start(l);
  ASSERT_TRUE(RunUntil(h.io, [&] {
    return ReadFile(l.trial_dir + "/stdout.log").find("started") != std::string::npos;
  }));
  h.Start(l);
  ASSERT_TRUE(h.Wait("t1"));
  EXPECT_EQ(h.ends["t1"].kind, TrialEnd::Kind::kSpawnFailed);
  EXPECT_EQ(h.ends["t1"].reason, "trial 't1' is already running");
  EXPECT_EQ(h.runner.running(), 1u);
  EXPECT_EQ(ReadFile(l.trial_dir + "/stdout.log"), "started\n");
  EXPECT_EQ(ReadFile(l.trial_dir + "/stderr.log"), "");
  h.ends.clear();
  h.runner.Stop("t1", "done");
  ASSERT_TRUE(h.Wait("t1"));
  EXPECT_EQ(h.ends["t1"].kind, TrialEnd::Kind::kStopped);
}

TEST(TrialRunner, RunsManyTrialsConcurrently) {
  Harness h;
  constexpr int kTrials = 40;
  for (int i = 0; i < kTrials; ++i)
    h.Start(h.Launch("t" + std::to_string(i), {TestData("quick_metrics.sh"), std::to_string(i)}));
  EXPECT_EQ(h.runner.running(), static_cast<size_t>(kTrials));
  ASSERT_TRUE(RunUntil(
      h.io, [&] { return h.ends.size() == kTrials; }, 60));
  for (int i = 0; i < kTrials; ++i) {
    std::string id = "t" + std::to_string(i);
    EXPECT_TRUE(h.ends[id].ok()) << id << ": " << h.ends[id].stderr_tail;
    EXPECT_EQ(h.Series(id, "score").size(), static_cast<size_t>(i)) << id;
  }
  EXPECT_EQ(h.runner.running(), 0u);
}

TEST(TrialRunner, OnEndMayStartTheNextTrial) {
  Harness h;
  h.after_end = [&](const std::string& id) {
    if (id.size() < 4) h.runner.Start(h.Launch(id + "x", {TestData("quick_metrics.sh"), "2"}));
  };
  h.Start(h.Launch("t", {TestData("quick_metrics.sh"), "2"}));
  ASSERT_TRUE(RunUntil(h.io, [&] { return h.ends.size() == 4; }));
  EXPECT_EQ(h.order, (std::vector<std::string>{"m:t", "e:t", "m:tx", "e:tx", "m:txx", "e:txx",
                                               "m:txxx", "e:txxx"}));
  EXPECT_EQ(h.runner.running(), 0u);
}

TEST(TrialRunner, OnExitedComesBeforeTheEndOnlyForACleanExitNobodyAskedFor) {
  Harness h;
  h.Start(h.Launch("ok", {TestData("quick_metrics.sh"), "2"}));
  h.Start(h.Launch("bad", {TestData("exit_code.sh"), "4"}));
  h.Start(h.Launch("sig", {TestData("self_signal.sh"), "SEGV"}));
  auto slow = h.Launch("slow", {TestData("sleeper.sh")});
  slow.timeout_s = 0.2;
  h.Start(slow);
  h.Start(h.Launch("stopped", {TestData("sleeper.sh")}));
  h.runner.Stop("stopped", "asked");
  ASSERT_TRUE(RunUntil(h.io, [&] { return h.ends.size() == 5; }));
  ASSERT_EQ(h.exited.size(), 1u);
  EXPECT_EQ(h.exited[0].first, "ok");
  EXPECT_FALSE(h.exited[0].second);  // before its on_end
  EXPECT_EQ(h.ends["ok"].kind, TrialEnd::Kind::kExited);
  EXPECT_EQ(h.exited_points["ok"], 2u);  // every point delivered before on_exited
}

TEST(TrialRunner, AFolderMadeAheadIsUsedAndOneNeverUsedIsRemoved) {
  TempDir tmp;
  boost::asio::io_context io;
  std::map<std::string, TrialEnd> ends;
  std::filesystem::create_directories(tmp / "trials");
  {
    TrialRunner runner(io,
                       {nullptr, [&](const std::string& id, const TrialEnd& e) { ends[id] = e; }});
    runner.PrepareFolder(tmp / "trials/a");
    ASSERT_TRUE(RunUntil(io, [&] { return std::filesystem::is_directory(tmp / "trials/a"); }));
    TrialLaunch l;
    l.trial_id = "a";
    l.argv = {"/bin/true"};
    l.trial_dir = tmp / "trials/a";
    l.params = Value::object({{"x", 1}});
    runner.Start(l);
    ASSERT_TRUE(RunUntil(io, [&] { return ends.count("a") > 0; }));
    EXPECT_TRUE(ends["a"].ok()) << ends["a"].reason;
    runner.PrepareFolder(tmp / "trials/b");
    ASSERT_TRUE(RunUntil(io, [&] { return std::filesystem::is_directory(tmp / "trials/b"); }));
  }
  EXPECT_EQ(ReadFile(tmp / "trials/a/params.json"), "{\n  \"x\": 1\n}\n");
  EXPECT_FALSE(std::filesystem::exists(tmp / "trials/b"));  // made ahead, never used
}

TEST(TrialRunner, StopAllStopsEveryTrial) {
  Harness h;
  for (int i = 0; i < 3; ++i) h.Start(h.Launch("s" + std::to_string(i), {TestData("sleeper.sh")}));
  h.runner.StopAll("interrupted");
  ASSERT_TRUE(RunUntil(h.io, [&] { return h.ends.size() == 3; }));
  for (const auto& [id, e] : h.ends) {
    EXPECT_EQ(e.kind, TrialEnd::Kind::kStopped) << id;
    EXPECT_EQ(e.reason, "interrupted");
  }
}

TEST(TrialRunner, DestroyingTheRunnerKillsRunningTrials) {
  TempDir tmp;
  boost::asio::io_context io;
  int ends = 0;
  {
    TrialRunner runner(io, {nullptr, [&](const std::string&, const TrialEnd&) { ++ends; }});
    TrialLaunch l;
    l.trial_id = "t1";
    l.argv = {"/bin/sh", "-c", "echo $$ > \"$0\"; exec sleep 1000", tmp / "pid"};
    l.trial_dir = tmp / "t1";
    runner.Start(l);
    ASSERT_TRUE(RunUntil(io, [&] { return std::filesystem::exists(tmp / "pid"); }));
    ASSERT_TRUE(
        RunUntil(io, [&] { return ReadFile(tmp / "pid").find('\n') != std::string::npos; }));
  }
  pid_t pid = std::stoi(ReadFile(tmp / "pid"));
  EXPECT_TRUE(testing::WaitDead(pid));
  io.restart();
  io.run_for(std::chrono::milliseconds(100));
  EXPECT_EQ(ends, 0);
}

}  // namespace
}  // namespace sweep
