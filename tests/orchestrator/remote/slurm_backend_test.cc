// Against the real single-node cluster of tests/slurm/cluster.sh. Each test skips, saying
// why, when Slurm is not installed or the cluster is not up; CI starts it first.
#include "orchestrator/remote/slurm_backend.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <thread>

#include "agents/runtime/subprocess.h"
#include "tests/testing/slurm_cluster.h"
#include "tests/testing/temp_dir.h"

namespace sweep {
namespace {

using testing::TempDir;

SlurmOptions TestOptions(const std::string& sweep_id) {
  SlurmOptions o;
  o.sweep_id = sweep_id;
  o.agent_name_flag = "";  // the stand-in agent (sleep) takes no --name
  return o;
}

const std::vector<std::string> kSleeper = {"/bin/sleep", "30"};

// Polls until pred holds for the tasks or timeout_s passes; returns the last tasks.
std::vector<SlurmTask> PollUntil(SlurmBackend& b,
                                 const std::function<bool(const std::vector<SlurmTask>&)>& pred,
                                 double timeout_s = 20) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(int(timeout_s));
  std::vector<SlurmTask> last;
  while (true) {
    auto tasks = b.Poll();
    EXPECT_TRUE(tasks.ok()) << tasks.status().message();
    if (tasks.ok()) last = *tasks;
    if ((tasks.ok() && pred(last)) || std::chrono::steady_clock::now() > deadline) return last;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
}

// Tasks of these job ids that squeue still shows pending or running.
std::string Alive(const std::vector<std::string>& ids) {
  std::string list;
  for (const auto& id : ids) list += (list.empty() ? "" : ",") + id;
  auto out = RunCapture(
      {"squeue", "-h", "-r", "-j", list, "-t", "PENDING,RUNNING,CONFIGURING", "-o", "%i %T"}, 15);
  return out.ok() ? *out : "";  // a purged id makes squeue fail: nothing alive then
}

TEST(SlurmBackend, ArrayTasksRunOnTheNodeAndCancelAllLeavesNothingInSqueue) {
  SKIP_WITHOUT_CLUSTER();
  TempDir dir;
  SlurmBackend b(TestOptions("t-array"));
  auto id = b.Submit(2, kSleeper, {"--time=5"}, dir.path());
  ASSERT_TRUE(id.ok()) << id.status().message();
  EXPECT_TRUE(std::filesystem::exists(dir.path() + "/sweep-t-array.sbatch"));
  auto tasks = PollUntil(b, [](const auto& ts) {
    for (const auto& t : ts)
      if (t.phase != SlurmPhase::kActive) return false;
    return true;
  });
  ASSERT_EQ(tasks.size(), 2u);
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(tasks[i].id(), *id + "_" + std::to_string(i));
    EXPECT_EQ(tasks[i].state, "RUNNING");
    EXPECT_FALSE(tasks[i].node.empty()) << "a running task names its node";
    EXPECT_GE(tasks[i].pending_s, 0);
  }
  EXPECT_NE(Alive({*id}), "");
  Status s = b.CancelAll();
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(Alive({*id}), "");
  auto after = b.Poll();
  ASSERT_TRUE(after.ok());
  for (const auto& t : *after) EXPECT_EQ(t.phase, SlurmPhase::kEnded) << t.id() << " " << t.state;
}

TEST(SlurmBackend, ATaskCancelledOutsideIsSeenEndedAndReplacedWithinTheBound) {
  SKIP_WITHOUT_CLUSTER();
  TempDir dir;
  SlurmOptions o = TestOptions("t-replace");
  o.max_replacements = 1;
  SlurmBackend b(o);
  auto id = b.Submit(2, kSleeper, {"--time=5"}, dir.path());
  ASSERT_TRUE(id.ok()) << id.status().message();
  const std::string victim = *id + "_1";
  ASSERT_TRUE(RunCapture({"scancel", victim}, 15).ok());
  auto tasks = PollUntil(b, [](const auto& ts) { return ts[1].phase == SlurmPhase::kEnded; });
  ASSERT_EQ(tasks[1].phase, SlurmPhase::kEnded) << tasks[1].state;
  EXPECT_TRUE(tasks[1].state == "CANCELLED" || tasks[1].state == "COMPLETING" ||
              tasks[1].state == kGoneState)
      << tasks[1].state;
  EXPECT_NE(tasks[0].phase, SlurmPhase::kEnded) << "only the cancelled task ended";

  auto fresh = b.Replace(tasks[1]);
  ASSERT_TRUE(fresh.ok()) << fresh.status().message();
  EXPECT_NE(fresh->substr(0, fresh->find('_')), *id) << "a replacement is a new job";
  EXPECT_EQ(fresh->substr(fresh->find('_')), "_1") << "it keeps the slot's index";
  EXPECT_EQ(b.replacements_used(), 1);
  auto again = b.Replace(tasks[1]);
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.status().message().find("already replaced by " + *fresh), std::string::npos);

  tasks = PollUntil(
      b, [](const auto& ts) { return ts.size() == 3 && ts[2].phase != SlurmPhase::kPending; });
  ASSERT_EQ(tasks.size(), 3u);
  EXPECT_EQ(tasks[2].id(), *fresh);
  EXPECT_EQ(tasks[1].replaced_by, *fresh);

  // The bound: a second ended task is not replaced.
  ASSERT_TRUE(RunCapture({"scancel", *id + "_0"}, 15).ok());
  tasks = PollUntil(b, [](const auto& ts) { return ts[0].phase == SlurmPhase::kEnded; });
  auto over = b.Replace(tasks[0]);
  ASSERT_FALSE(over.ok());
  EXPECT_NE(over.status().message().find("max_replacements (1) are used up"), std::string::npos)
      << over.status().message();

  ASSERT_TRUE(b.CancelAll().ok());
  EXPECT_EQ(b.JobIds().size(), 2u);
  EXPECT_EQ(Alive(b.JobIds()), "");
}

TEST(SlurmBackend, ARunningTaskIsNotReplaced) {
  SKIP_WITHOUT_CLUSTER();
  TempDir dir;
  SlurmOptions o = TestOptions("t-live");
  o.max_replacements = 5;
  SlurmBackend b(o);
  ASSERT_TRUE(b.Submit(1, kSleeper, {"--time=5"}, dir.path()).ok());
  auto tasks = b.Poll();
  ASSERT_TRUE(tasks.ok());
  auto r = b.Replace((*tasks)[0]);
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("has not ended"), std::string::npos) << r.status().message();
  EXPECT_TRUE(b.CancelAll().ok());
}

TEST(SlurmBackend, AnUnknownPartitionIsRefusedWithSlurmsMessage) {
  SKIP_WITHOUT_CLUSTER();
  TempDir dir;
  SlurmBackend b(TestOptions("t-part"));
  auto id = b.Submit(2, kSleeper, {"-p", "nosuch"}, dir.path());
  ASSERT_FALSE(id.ok());
  EXPECT_NE(id.status().message().find("sbatch refused the agent job"), std::string::npos);
  EXPECT_NE(id.status().message().find("invalid partition specified: nosuch"), std::string::npos)
      << id.status().message();
  EXPECT_TRUE(b.JobIds().empty());
  EXPECT_TRUE(b.CancelAll().ok()) << "nothing submitted, nothing to cancel";
}

TEST(SlurmBackend, MissingSbatchSaysThisIsNotASlurmLoginNode) {
  // Needs no cluster: the path searched holds no Slurm commands.
  TempDir dir;
  SlurmOptions o = TestOptions("t-nopath");
  o.path = dir.path() + ":/nonexistent";
  SlurmBackend b(o);
  auto id = b.Submit(1, kSleeper, {}, dir.path());
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.status().message(), "sbatch not found on PATH: is this a Slurm login node?");
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/sweep-t-nopath.sbatch"))
      << "nothing is written before sbatch is found";
}

TEST(SlurmBackend, FlagsSweepSetsItselfAreRefusedBeforeSubmitting) {
  TempDir dir;
  SlurmBackend b(TestOptions("t-flags"));
  auto id = b.Submit(2, kSleeper, {"--array=0-9"}, dir.path());
  ASSERT_FALSE(id.ok());
  EXPECT_NE(id.status().message().find("'--array=0-9' is set by sweep"), std::string::npos);
}

TEST(SlurmBackend, ATaskPendingPastTheTimeoutIsNamedWithSlurmsReason) {
  SKIP_WITHOUT_CLUSTER();
  TempDir dir;
  SlurmOptions o = TestOptions("t-pend");
  o.pending_timeout_s = 1;
  SlurmBackend b(o);
  // --begin keeps the job pending (reason BeginTime) on an otherwise idle node.
  auto id = b.Submit(1, kSleeper, {"--begin=now+1hour"}, dir.path());
  ASSERT_TRUE(id.ok()) << id.status().message();
  auto tasks = b.Poll();
  ASSERT_TRUE(tasks.ok());
  EXPECT_EQ((*tasks)[0].phase, SlurmPhase::kPending);
  EXPECT_TRUE(b.CheckPending().ok()) << "just submitted: within the limit";
  // Slurm sets the reason ("None" at first) on its next scheduling pass.
  auto later =
      PollUntil(b, [](const auto& ts) { return ts[0].pending_s > 1.5 && ts[0].reason != "None"; });
  EXPECT_GT(later[0].pending_s, 1.5);
  Status s = b.CheckPending();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("Slurm job " + *id + "_0 has been pending"), std::string::npos)
      << s.message();
  EXPECT_NE(s.message().find("pending reason: BeginTime"), std::string::npos) << s.message();
  ASSERT_TRUE(b.CancelAll().ok());
  EXPECT_EQ(Alive({*id}), "");
}

TEST(SlurmBackend, TheBatchScriptRunsTheAgentCommandOnTheNode) {
  SKIP_WITHOUT_CLUSTER();
  TempDir dir;
  SlurmOptions o = TestOptions("t-run");
  o.agent_name_flag = "--name";
  SlurmBackend b(o);
  const std::string out = dir.path() + "/argv.txt";
  const std::string logs = dir.path() + "/logs 100%A";
  // A stand-in agent that writes its arguments, one per line, and exits.
  auto id = b.Submit(
      1,
      {"/usr/bin/python3", "-c",
       "import sys; open(sys.argv[1], 'w').write('\\n'.join(sys.argv[2:]))", out, "it's $HOME"},
      {"--time=5"}, logs);
  ASSERT_TRUE(id.ok()) << id.status().message();
  auto tasks = PollUntil(b, [](const auto& ts) { return ts[0].phase == SlurmPhase::kEnded; });
  ASSERT_EQ(tasks[0].phase, SlurmPhase::kEnded);
  std::ifstream f(out);
  std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "it's $HOME\n--name\nslurm-" + *id + "-0");
  EXPECT_TRUE(std::filesystem::exists(logs + "/slurm-" + *id + "_0.out"))
      << "a '%' in the log folder stays literal";
  EXPECT_TRUE(b.CancelAll().ok());
}

}  // namespace
}  // namespace sweep
