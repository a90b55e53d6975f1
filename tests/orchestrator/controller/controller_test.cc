// Controller unit tests over fakes: FakeExecutor (scripted trials, no processes),
// FakeClock and FakeStore (with a failing write). Each runs in milliseconds and in
// the same order every time: the fake trials' steps are posted handlers on the
// controller's single io_context thread.
#include "orchestrator/controller/controller.h"

#include <gtest/gtest.h>

#include <sstream>

#include "orchestrator/spec/spec_parser.h"
#include "tests/testing/fake_executor.h"
#include "tests/testing/fake_store.h"

namespace sweep {
namespace {

constexpr double kStart = 1800000000;

class ControllerTest : public ::testing::Test {
 protected:
  // Parses a spec (with `program: train.py` added) and records its sweep.
  void SetSpec(const std::string& yaml) {
    auto spec = ParseSpecText("program: train.py\n" + yaml, "sweep.yaml");
    ASSERT_TRUE(spec.ok()) << spec.status().message();
    spec_ = spec.value();
    sweep_.id = "sw0001";
    sweep_.name = "test";
    sweep_.method = spec_.method;
    sweep_.metric = spec_.metric.name;
    sweep_.goal = spec_.metric.goal == Goal::kMaximize ? "maximize" : "minimize";
    sweep_.seed = 7;
    sweep_.workdir = "/work";
    sweep_.created_at = kStart;
    store_.PutSweep(sweep_);
  }

  // Runs the sweep to its end on the given executors.
  SweepOutcome Run(std::vector<ExecutorFactory> executors) {
    ControllerOptions o;
    o.executors = std::move(executors);
    o.clock = &clock_;
    Controller c(store_, spec_, sweep_, {}, o, out_);
    return c.Run();
  }

  std::vector<TrialRecord> Trials() { return store_.ListTrials(sweep_.id).value(); }
  // Two slots, x in {1, 2}: trial 0 reports three times and trial 1 once, so trial 1
  // ends first, when trial 0 has run `age` seconds on the fake clock. Returns the
  // trials, both finished, with trial 0's three points stored.
  std::vector<TrialRecord> RunAShortTrialBesideALongerOne(double age);
  SweepRecord Sweep() { return store_.GetSweep(sweep_.id).value(); }
  static double X(const TrialLaunch& l) { return l.params["x"].get<double>(); }

  FakeStore store_;
  FakeClock clock_{kStart};
  SweepSpec spec_;
  SweepRecord sweep_;
  std::ostringstream out_;
};

// Reports loss = x once and exits 0.
FakeAttempt ReportX(const TrialLaunch& l, int) {
  FakeAttempt a;
  a.reports = {{0, l.params["x"].get<double>()}};
  return a;
}

TEST_F(ControllerTest, FillsTheFirstExecutorFirstAndRecordsEveryTrialInGridOrder) {
  SetSpec("method: grid\nmetric: {name: loss}\nparameters:\n  x: {values: [1, 2, 3, 4]}\n");
  auto local = std::make_shared<FakeTrace>(), agents = std::make_shared<FakeTrace>();
  SweepOutcome out = Run({FakeExecutor::Factory("local", 1, ReportX, local),
                          FakeExecutor::Factory("agent", 2, ReportX, agents)});
  EXPECT_EQ(out.status, SweepStatus::kFinished) << out.reason;
  EXPECT_EQ(out.exit_code, 0);
  // The first three start at once: one on the preferred executor, two on the next.
  ASSERT_GE(local->launches.size(), 1u);
  EXPECT_EQ(local->launches[0].trial_id, "sw0001-0");
  ASSERT_GE(agents->launches.size(), 2u);
  EXPECT_EQ(agents->launches[0].trial_id, "sw0001-1");
  EXPECT_EQ(agents->launches[1].trial_id, "sw0001-2");
  EXPECT_EQ(local->launches.size() + agents->launches.size(), 4u);
  auto trials = Trials();
  ASSERT_EQ(trials.size(), 4u);
  for (size_t i = 0; i < trials.size(); ++i) {
    EXPECT_EQ(trials[i].number, i);
    EXPECT_EQ(trials[i].status, TrialStatus::kFinished);
    EXPECT_EQ(trials[i].params["x"], static_cast<int>(i + 1));
    EXPECT_EQ(trials[i].value, static_cast<double>(i + 1));
    EXPECT_EQ(trials[i].created_at, kStart);  // from the fake clock
    EXPECT_GE(trials[i].pid, 1000);           // on record from on_started
  }
  EXPECT_EQ(trials[0].agent, "local");
  EXPECT_EQ(trials[1].agent, "agent");
  EXPECT_EQ(trials[2].agent, "agent");
  EXPECT_EQ(Sweep().status, SweepStatus::kFinished);
  EXPECT_EQ(Sweep().ended_at, kStart);
}

TEST_F(ControllerTest, ALostTrialIsReRunWithTheSameConfiguration) {
  SetSpec("method: grid\nmetric: {name: loss}\nparameters:\n  x: {values: [5]}\n");
  auto e = std::make_shared<FakeTrace>();
  Run({FakeExecutor::Factory(
      "local", 1,
      [](const TrialLaunch& l, int n) {
        FakeAttempt a = ReportX(l, n);
        if (n == 0) a.end = FakeAttempt::End::kLost;
        return a;
      },
      e)});
  auto trials = Trials();
  ASSERT_EQ(trials.size(), 2u);
  EXPECT_EQ(trials[0].status, TrialStatus::kLost);
  EXPECT_EQ(trials[0].reason, "lease expired: scripted");
  EXPECT_EQ(trials[1].status, TrialStatus::kFinished);
  EXPECT_EQ(trials[1].retry_of, trials[0].id);
  EXPECT_EQ(trials[1].suggestion, trials[0].suggestion);
  EXPECT_EQ(trials[1].params, trials[0].params);
  EXPECT_EQ(Sweep().status, SweepStatus::kFinished);
}

TEST_F(ControllerTest, ATrialLostMoreThanMaxRetriesTimesFails) {
  SetSpec(
      "method: grid\nmetric: {name: loss}\nmax_retries: 1\n"
      "parameters:\n  x: {values: [5]}\n");
  auto e = std::make_shared<FakeTrace>();
  SweepOutcome out = Run({FakeExecutor::Factory(
      "local", 1,
      [](const TrialLaunch& l, int n) {
        FakeAttempt a = ReportX(l, n);
        a.end = FakeAttempt::End::kLost;
        return a;
      },
      e)});
  EXPECT_EQ(e->launches.size(), 2u);  // the first attempt and one retry
  auto trials = Trials();
  ASSERT_EQ(trials.size(), 2u);
  EXPECT_EQ(trials[0].status, TrialStatus::kLost);
  EXPECT_EQ(trials[1].status, TrialStatus::kFailed);
  EXPECT_EQ(trials[1].reason, "lost 2 times (max_retries: 1); last: lease expired: scripted");
  EXPECT_EQ(out.status, SweepStatus::kFailed);  // its only trial failed
}

// An ended trial's summary is serialised off the loop (controller_end.cc), but its
// record is still committed before its slot is reused and before the sweep ends.
TEST_F(ControllerTest, ASlotIsReusedOnlyAfterThePreviousTrialsResultIsCommitted) {
  SetSpec("method: grid\nmetric: {name: loss}\nparameters:\n  x: {values: [1, 2, 3]}\n");
  auto e = std::make_shared<FakeTrace>();
  std::vector<size_t> committed_at_launch;
  SweepOutcome out = Run({FakeExecutor::Factory(
      "local", 1,
      [&](const TrialLaunch& l, int n) {
        size_t done = 0;
        for (const TrialRecord& t : Trials()) {
          if (t.id == l.trial_id) continue;
          EXPECT_EQ(t.status, TrialStatus::kFinished)
              << t.id << " when " << l.trial_id << " started";
          EXPECT_TRUE(t.summary.contains("loss")) << t.id;  // no ASSERT: this returns a value
          if (t.summary.contains("loss")) {
            EXPECT_EQ(t.summary["loss"]["last"], X(e->launches[t.number]));
          }
          ++done;
        }
        committed_at_launch.push_back(done);
        return ReportX(l, n);
      },
      e)});
  EXPECT_EQ(out.status, SweepStatus::kFinished) << out.reason;
  EXPECT_EQ(committed_at_launch, (std::vector<size_t>{0, 1, 2}));
  auto trials = Trials();
  ASSERT_EQ(trials.size(), 3u);
  for (const TrialRecord& t : trials) {
    EXPECT_EQ(t.status, TrialStatus::kFinished);
    ASSERT_TRUE(t.summary.contains("loss")) << t.id;
    EXPECT_EQ(t.summary["loss"]["count"], 1);
  }
}

std::vector<TrialRecord> ControllerTest::RunAShortTrialBesideALongerOne(double age) {
  SetSpec("method: grid\nmetric: {name: loss}\nparameters:\n  x: {values: [1, 2]}\n");
  SweepOutcome out = Run({FakeExecutor::Factory(
      "local", 2,
      [&](const TrialLaunch& l, int n) {
        FakeAttempt a = ReportX(l, n);
        if (n == 0) {
          clock_.Advance(age);
          a.reports = {{0, 1.0}, {1, 1.0}, {2, 1.0}};
        }
        return a;
      },
      std::make_shared<FakeTrace>())});
  EXPECT_EQ(out.status, SweepStatus::kFinished) << out.reason;
  std::vector<TrialRecord> trials = Trials();
  EXPECT_EQ(trials.size(), 2u);
  for (const TrialRecord& r : trials) EXPECT_EQ(r.status, TrialStatus::kFinished) << r.id;
  if (!trials.empty()) {
    auto points = store_.GetMetrics(MetricQuery{trials[0].id, "loss"});
    EXPECT_TRUE(points.ok() && points->size() == 3u);
  }
  return trials;
}

TEST_F(ControllerTest, AShortTrialIsOneRowWriteAndALongerOnesStartIsOnRecordBeforeItEnds) {
  // Trial 0 has run past flush_interval_s (0.2 s) when trial 1 ends.
  auto trials = RunAShortTrialBesideALongerOne(1.0);
  ASSERT_EQ(trials.size(), 2u);
  // Trial 1 ended within the interval: its running record was replaced by its end.
  EXPECT_EQ(store_.trial_writes(trials[1].id), 1);
  // Trial 0's running record went with trial 1's end, then its own end.
  EXPECT_EQ(store_.trial_writes(trials[0].id), 2);
}

TEST_F(ControllerTest, AYoungTrialsPointsGoWithItsRowWhenAnotherTrialEnds) {
  // Trial 0 is younger than flush_interval_s but has reported when trial 1 ends: its
  // running record goes with that commit, since its points refer to it.
  auto trials = RunAShortTrialBesideALongerOne(0.0);
  ASSERT_EQ(trials.size(), 2u);
  EXPECT_EQ(store_.trial_writes(trials[0].id), 2);
  EXPECT_EQ(store_.trial_writes(trials[1].id), 1);
}

TEST_F(ControllerTest, ManyTrialsWhoseStartArrivesLateAllEndOnRecordAsFinished) {
  // Twelve slots start twelve trials in one turn; each one's "started" (with its pid)
  // arrives later, as from an agent, so the batch holds two records of some trials.
  SetSpec("method: grid\nparameters:\n  x: {values: [" +
          std::string("1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]}\n"));
  auto e = std::make_shared<FakeTrace>();
  SweepOutcome out = Run({FakeExecutor::Factory(
      "agent", 12,
      [](const TrialLaunch&, int) {
        FakeAttempt a;  // reports nothing, as /bin/true: no points keep its row in a commit
        a.started_later = true;
        return a;
      },
      e)});
  EXPECT_EQ(out.status, SweepStatus::kFinished) << out.reason;
  auto trials = Trials();
  ASSERT_EQ(trials.size(), 16u);
  for (const TrialRecord& t : trials) {
    EXPECT_EQ(t.status, TrialStatus::kFinished) << t.id;
    EXPECT_GT(t.pid, 0) << t.id;
  }
}

TEST_F(ControllerTest, AFailedStoreWriteStopsTheSweepAndLosesNoResult) {
  SetSpec("method: grid\nmetric: {name: loss}\nparameters:\n  x: {values: [1, 2, 3]}\n");
  // The first commit is trial 0's end; trial 1 runs until it is stopped.
  store_.FailCommit(1, Status::Store("disk I/O error"));
  auto e = std::make_shared<FakeTrace>();
  SweepOutcome out = Run({FakeExecutor::Factory(
      "local", 2,
      [](const TrialLaunch& l, int n) {
        FakeAttempt a = ReportX(l, n);
        if (n == 1) a.end = FakeAttempt::End::kHang;
        return a;
      },
      e)});
  EXPECT_EQ(out.status, SweepStatus::kFailed);
  EXPECT_EQ(out.reason, "store write failed: disk I/O error");
  EXPECT_EQ(out.exit_code, 1);
  EXPECT_NE(out_.str().find("error: writing the store failed: disk I/O error; stopping the sweep"),
            std::string::npos)
      << out_.str();
  ASSERT_EQ(e->launches.size(), 2u);  // no new trial after the failure
  ASSERT_EQ(e->stops.size(), 1u);
  EXPECT_EQ(e->stops[0].second, "store write failed");
  auto trials = Trials();
  ASSERT_EQ(trials.size(), 2u);
  // The result whose commit failed was kept and written by the next commit.
  EXPECT_EQ(trials[0].status, TrialStatus::kFinished);
  EXPECT_EQ(trials[0].value, 1.0);
  EXPECT_EQ(trials[1].status, TrialStatus::kLost);
  EXPECT_EQ(trials[1].reason, "store write failed");
  auto points = store_.GetMetrics(MetricQuery{trials[0].id, "loss"});
  ASSERT_TRUE(points.ok());
  EXPECT_EQ(points->size(), 1u);  // written once, not twice
  EXPECT_EQ(Sweep().status, SweepStatus::kFailed);
  EXPECT_EQ(Sweep().reason, "store write failed: disk I/O error");
}

// ReportX, each exit announced through on_exited first (as a local slot does); the
// hang_at-th trial runs until stopped.
FakeScript ExitsFirst(int hang_at = -1) {
  return [hang_at](const TrialLaunch& l, int n) {
    FakeAttempt a = ReportX(l, n);
    a.exited_first = true;
    if (n == hang_at) a.end = FakeAttempt::End::kHang;
    return a;
  };
}

// Grid and random learn nothing from a result: a trial that exited cleanly frees its
// slot at once (issue 16), and the next trial runs while the end is committed. A
// commit that then fails stops that trial as lost, as it stops every running one.
TEST_F(ControllerTest, GridStartsTheNextTrialBeforeTheEndIsCommittedAndAFailedCommitStopsIt) {
  SetSpec("method: grid\nmetric: {name: loss}\nparameters:\n  x: {values: [1, 2, 3]}\n");
  store_.FailCommit(1, Status::Store("disk I/O error"));
  auto e = std::make_shared<FakeTrace>();
  SweepOutcome out = Run({FakeExecutor::Factory("local", 1, ExitsFirst(/*hang_at=*/1), e)});
  EXPECT_EQ(out.status, SweepStatus::kFailed);
  EXPECT_EQ(out.reason, "store write failed: disk I/O error");
  ASSERT_EQ(e->launches.size(), 2u);  // one slot: the second started before the commit
  ASSERT_EQ(e->stops.size(), 1u);
  EXPECT_EQ(e->stops[0].second, "store write failed");
  auto trials = Trials();
  ASSERT_EQ(trials.size(), 2u);
  EXPECT_EQ(trials[0].status, TrialStatus::kFinished);  // kept and written by a later commit
  EXPECT_EQ(trials[0].value, 1.0);
  EXPECT_EQ(trials[1].status, TrialStatus::kLost);
  EXPECT_EQ(trials[1].reason, "store write failed");
}

// A strategy that learns from results (bayes) keeps the slot until the end is
// committed and told to it: after the same failed commit no second trial starts.
TEST_F(ControllerTest, BayesKeepsTheSlotUntilTheEndIsCommitted) {
  SetSpec("method: bayes\nmetric: {name: loss}\nparameters:\n  x: {min: 0.0, max: 1.0}\n");
  store_.FailCommit(1, Status::Store("disk I/O error"));
  auto e = std::make_shared<FakeTrace>();
  SweepOutcome out = Run({FakeExecutor::Factory("local", 1, ExitsFirst(), e)});
  EXPECT_EQ(out.status, SweepStatus::kFailed);
  EXPECT_EQ(e->launches.size(), 1u);
  EXPECT_TRUE(e->stops.empty());
  auto trials = Trials();
  ASSERT_EQ(trials.size(), 1u);
  EXPECT_EQ(trials[0].status, TrialStatus::kFinished);
}

// Without failures every end is recorded once and in order, with its slot reused, and
// those ends share commits (issue 16): far fewer commits than trials (one per end
// before), every end on record before the sweep is over.
TEST_F(ControllerTest, RandomReusesASlotAtExitRecordsEveryEndAndSharesCommits) {
  SetSpec(
      "method: random\nrun_cap: 40\nmetric: {name: loss}\n"
      "parameters:\n  x: {min: 0.0, max: 1.0}\n");
  auto e = std::make_shared<FakeTrace>();
  SweepOutcome out = Run({FakeExecutor::Factory("local", 2, ExitsFirst(), e)});
  EXPECT_EQ(out.status, SweepStatus::kFinished) << out.reason;
  EXPECT_EQ(e->launches.size(), 40u);
  auto trials = Trials();
  ASSERT_EQ(trials.size(), 40u);
  for (const TrialRecord& t : trials) {
    EXPECT_EQ(t.status, TrialStatus::kFinished) << t.id;
    ASSERT_TRUE(t.value.has_value()) << t.id;
    EXPECT_EQ(*t.value, t.params["x"].get<double>()) << t.id;
  }
  EXPECT_LT(store_.commits(), 20) << "one commit per end";
}

TEST_F(ControllerTest, EarlyStopDecisionsStopTheTrialAndRecordTheRulesReason) {
  SetSpec(
      "method: grid\nmetric: {name: loss, goal: minimize}\n"
      "parameters:\n  x: {values: [1, 4]}\n"
      "early_terminate: {type: median, min_iter: 2, min_trials: 1}\n");
  auto e = std::make_shared<FakeTrace>();
  Run({FakeExecutor::Factory(
      "local", 1,
      [](const TrialLaunch& l, int) {
        FakeAttempt a;
        for (int64_t s = 0; s < 5; ++s) a.reports.push_back({s, l.params["x"].get<double>()});
        return a;
      },
      e)});
  auto trials = Trials();
  ASSERT_EQ(trials.size(), 2u);
  EXPECT_EQ(trials[0].status, TrialStatus::kFinished);
  EXPECT_EQ(trials[1].status, TrialStatus::kStopped);
  ASSERT_EQ(e->stops.size(), 1u);
  EXPECT_EQ(e->stops[0].first, trials[1].id);
  EXPECT_EQ(trials[1].reason, e->stops[0].second);
  EXPECT_FALSE(trials[1].reason.empty());
  // Stopped at its second report, the first step the rule may judge.
  auto points = store_.GetMetrics(MetricQuery{trials[1].id, "loss"});
  ASSERT_TRUE(points.ok());
  EXPECT_EQ(points->size(), 2u);
  EXPECT_EQ(Sweep().status, SweepStatus::kFinished);
}

TEST_F(ControllerTest, RunCapLimitsTheDistinctConfigurationsStarted) {
  SetSpec(
      "method: random\nmetric: {name: loss}\nrun_cap: 3\n"
      "parameters:\n  x: {min: 0.0, max: 1.0}\n");
  auto e = std::make_shared<FakeTrace>();
  SweepOutcome out = Run({FakeExecutor::Factory("local", 2, ReportX, e)});
  EXPECT_EQ(out.status, SweepStatus::kFinished);
  EXPECT_EQ(e->launches.size(), 3u);
  EXPECT_EQ(Trials().size(), 3u);
}

TEST_F(ControllerTest, ReachingTheTargetEndsTheSweepAfterRunningTrials) {
  SetSpec(
      "method: grid\nmetric: {name: loss, goal: minimize, target: 0.5}\n"
      "parameters:\n  x: {values: [3, 0.1, 2, 5]}\n");
  auto e = std::make_shared<FakeTrace>();
  SweepOutcome out = Run({FakeExecutor::Factory("local", 1, ReportX, e)});
  EXPECT_EQ(out.status, SweepStatus::kFinished);
  EXPECT_EQ(out.reason, "target loss 0.5 reached by sw0001-1");
  EXPECT_EQ(e->launches.size(), 2u);
  EXPECT_EQ(Trials().size(), 2u);
  EXPECT_EQ(Sweep().reason, "target loss 0.5 reached by sw0001-1");
}

TEST_F(ControllerTest, MaxFailuresEndsTheSweepAsFailed) {
  SetSpec(
      "method: grid\nmetric: {name: loss}\nmax_failures: 2\n"
      "parameters:\n  x: {values: [1, 2, 3, 4, 5]}\n");
  auto e = std::make_shared<FakeTrace>();
  SweepOutcome out = Run({FakeExecutor::Factory(
      "local", 1,
      [](const TrialLaunch& l, int n) {
        FakeAttempt a = ReportX(l, n);
        a.exit_code = 1;
        return a;
      },
      e)});
  EXPECT_EQ(out.status, SweepStatus::kFailed);
  EXPECT_EQ(out.exit_code, 1);
  EXPECT_EQ(out.reason,
            "2 trials failed (max_failures: 2); last: exit code 1: Traceback: scripted failure");
  EXPECT_EQ(e->launches.size(), 2u);
  auto trials = Trials();
  ASSERT_EQ(trials.size(), 2u);
  EXPECT_EQ(trials[1].status, TrialStatus::kFailed);
  EXPECT_EQ(trials[1].reason, "exit code 1");
  EXPECT_EQ(trials[1].stderr_tail, "Traceback: scripted failure\n");
}

}  // namespace
}  // namespace sweep
