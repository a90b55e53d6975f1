#include "orchestrator/remote/slurm_text.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <ctime>
#include <filesystem>
#include <fstream>

#include "agents/runtime/subprocess.h"

namespace sweep {
namespace {

TEST(SlurmText, StatesFallIntoPendingActiveAndEnded) {
  EXPECT_EQ(PhaseOfState("PENDING"), SlurmPhase::kPending);
  EXPECT_EQ(PhaseOfState("REQUEUE_HOLD"), SlurmPhase::kPending);
  EXPECT_EQ(PhaseOfState("RUNNING"), SlurmPhase::kActive);
  EXPECT_EQ(PhaseOfState("CONFIGURING"), SlurmPhase::kActive);
  EXPECT_EQ(PhaseOfState("SUSPENDED"), SlurmPhase::kActive);
  EXPECT_EQ(PhaseOfState("COMPLETED"), SlurmPhase::kEnded);
  EXPECT_EQ(PhaseOfState("CANCELLED by 0"), SlurmPhase::kEnded);
  EXPECT_EQ(PhaseOfState("NODE_FAIL"), SlurmPhase::kEnded);
  EXPECT_EQ(PhaseOfState(kGoneState), SlurmPhase::kEnded);
  // An unfamiliar word must not look ended: that would replace a live agent.
  EXPECT_EQ(PhaseOfState("SOME_NEW_STATE"), SlurmPhase::kActive);
}

TEST(SlurmText, SqueueLinesOfRunningAndPendingArrayTasksParse) {
  auto running = ParseSqueueLine("5_1|RUNNING|vm|None|2026-11-27T01:46:02|2026-11-27T01:46:05");
  ASSERT_TRUE(running.has_value());
  EXPECT_EQ(running->job_id, "5");
  EXPECT_EQ(running->index, 1);
  EXPECT_EQ(running->state, "RUNNING");
  EXPECT_EQ(running->node, "vm");
  EXPECT_EQ(running->start_epoch - running->submit_epoch, 3);

  auto pending = ParseSqueueLine("12_0|PENDING||BeginTime|2026-11-27T01:46:21|2026-11-27T02:46:21");
  ASSERT_TRUE(pending.has_value());
  EXPECT_EQ(pending->reason, "BeginTime");
  EXPECT_EQ(pending->node, "");
  EXPECT_GT(pending->submit_epoch, 0);
  EXPECT_EQ(pending->start_epoch, 0) << "a pending job's %S is only an estimate";

  auto plain = ParseSqueueLine("8|CANCELLED|vm|None|2026-11-27T01:46:21|N/A");
  ASSERT_TRUE(plain.has_value());
  EXPECT_EQ(plain->index, -1);
  EXPECT_EQ(plain->start_epoch, 0);
}

TEST(SlurmText, MalformedSqueueLinesAreSkipped) {
  EXPECT_FALSE(ParseSqueueLine("").has_value());
  EXPECT_FALSE(ParseSqueueLine("5_[2-3]|PENDING||Resources|N/A|N/A").has_value());
  EXPECT_FALSE(ParseSqueueLine("5_1|RUNNING|vm").has_value());
  EXPECT_FALSE(ParseSqueueLine("abc|RUNNING|vm|None|N/A|N/A").has_value());
  EXPECT_FALSE(ParseSqueueLine("5_99999999999999|RUNNING|vm|None|N/A|N/A").has_value());
}

TEST(SlurmText, SacctLinesKeepTheFirstWordOfTheState) {
  auto row = ParseSacctLine("7_3|CANCELLED by 0|node12|2026-11-27T01:00:00|2026-11-27T01:00:10");
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(row->job_id, "7");
  EXPECT_EQ(row->index, 3);
  EXPECT_EQ(row->state, "CANCELLED");
  EXPECT_EQ(row->node, "node12");
  EXPECT_EQ(row->start_epoch - row->submit_epoch, 10);
  EXPECT_FALSE(ParseSacctLine("7_3.batch|COMPLETED|node12|x|y").has_value());
}

TEST(SlurmText, SlurmTimesAreLocalTimeAndOtherWordsAreNotTimes) {
  auto t = ParseSlurmTime("2026-11-27T01:46:02");
  ASSERT_TRUE(t.has_value());
  std::time_t tt = static_cast<std::time_t>(*t);
  std::tm tm{};
  localtime_r(&tt, &tm);
  EXPECT_EQ(tm.tm_hour, 1);
  EXPECT_EQ(tm.tm_min, 46);
  EXPECT_EQ(tm.tm_sec, 2);
  EXPECT_FALSE(ParseSlurmTime("N/A").has_value());
  EXPECT_FALSE(ParseSlurmTime("Unknown").has_value());
  EXPECT_FALSE(ParseSlurmTime("2026-11-27T01:46:02junk").has_value());
}

// Runs the generated script with /bin/sh (as Slurm would) and returns its stdout.
std::string RunScript(const std::string& script, const std::vector<std::string>& env) {
  std::string dir = std::filesystem::temp_directory_path() / "sweep-slurm-text-XXXXXX";
  if (!::mkdtemp(dir.data())) return "mkdtemp failed";
  const std::string path = dir + "/job.sbatch";
  std::ofstream(path) << script;
  std::vector<std::string> argv = {"/usr/bin/env"};
  argv.insert(argv.end(), env.begin(), env.end());
  argv.insert(argv.end(), {"/bin/sh", path});
  auto out = RunCapture(argv, 20);
  std::filesystem::remove_all(dir);
  return out.ok() ? *out : out.status().message();
}

TEST(SlurmText, BatchScriptExecsTheArgvWordForWordAndNamesTheAgent) {
  const std::vector<std::string> argv = {"/usr/bin/python3",
                                         "-c",
                                         "import sys\nfor a in sys.argv[1:]: print(repr(a))",
                                         "it's $HOME `id` \"q\"",
                                         "a b;c|d&e",
                                         "*",
                                         "FOO=bar",
                                         ""};
  std::string script = SlurmBatchScript(argv, "--name", "sw1");
  EXPECT_EQ(script.rfind("#!/bin/sh\n", 0), 0u);
  std::string out = RunScript(script, {"SLURM_ARRAY_JOB_ID=77", "SLURM_ARRAY_TASK_ID=3"});
  EXPECT_EQ(out,
            "'it\\'s $HOME `id` \"q\"'\n'a b;c|d&e'\n'*'\n'FOO=bar'\n''\n'--name'\n'slurm-77-3'\n");
}

TEST(SlurmText, BatchScriptWithoutNameFlagAppendsNothing) {
  std::string script = SlurmBatchScript({"/bin/echo", "x y"}, "", "sw1");
  EXPECT_EQ(RunScript(script, {"SLURM_JOB_ID=5"}), "x y\n");
}

TEST(SlurmText, FlagsTheBackendOwnsAreRefusedWithTheReason) {
  EXPECT_TRUE(CheckSbatchFlags({"--partition=gpu", "-p", "gpu", "--time=01:00:00", "--gres=gpu:1",
                                "--account=a", "-A", "a", "--parsable"})
                  .ok());
  for (std::string bad : {"--array=0-3", "--array", "-a0-3", "--wrap=sleep 1", "--job-name=x",
                          "-Jx", "--output=/tmp/x", "-o"}) {
    Status s = CheckSbatchFlags({"-p", "gpu", bad});
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_NE(s.message().find("'" + bad + "' is set by sweep"), std::string::npos) << s.message();
  }
}

TEST(SlurmText, GpuFlagAsksForEverySlotsGpusUnlessTheUserDid) {
  EXPECT_EQ(SlurmGpuFlags(2, 2, {"-p", "gpu"}), std::vector<std::string>{"--gres=gpu:4"});
  EXPECT_TRUE(SlurmGpuFlags(2, 0, {}).empty());
  EXPECT_TRUE(SlurmGpuFlags(2, 1, {"--gres=gpu:a100:2"}).empty());
  EXPECT_TRUE(SlurmGpuFlags(2, 1, {"--gpus-per-task=1"}).empty());
  EXPECT_TRUE(SlurmGpuFlags(2, 1, {"-G", "2"}).empty());
}

TEST(SlurmText, PendingTimeoutNamesTheTaskTheTimeAndTheReason) {
  std::vector<PendingTask> tasks = {{"9_0", 30, "Priority"}, {"9_1", 700, "Resources"}};
  EXPECT_TRUE(CheckPendingTimeout(tasks, 0).ok());
  EXPECT_TRUE(CheckPendingTimeout(tasks, 800).ok());
  Status s = CheckPendingTimeout(tasks, 600);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("Slurm job 9_1 has been pending for 11m40s"), std::string::npos)
      << s.message();
  EXPECT_NE(s.message().find("pending_timeout (10m"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("pending reason: Resources"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace sweep
