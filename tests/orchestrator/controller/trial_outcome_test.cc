#include "orchestrator/controller/trial_outcome.h"

#include <gtest/gtest.h>
#include <signal.h>

namespace sweep {
namespace {

TrialEnd End(TrialEnd::Kind kind, int code = 0, int sig = 0, std::string reason = "") {
  TrialEnd e;
  e.kind = kind;
  e.exit.exit_code = code;
  e.exit.signal = sig;
  e.reason = std::move(reason);
  return e;
}

TEST(StatusOfEnd, MapsEveryKindOfEndToOneStatusAndReason) {
  EndStatus s = StatusOfEnd(End(TrialEnd::Kind::kExited, 0));
  EXPECT_EQ(s.status, TrialStatus::kFinished);
  EXPECT_EQ(s.reason, "");
  s = StatusOfEnd(End(TrialEnd::Kind::kExited, 3));
  EXPECT_EQ(s.status, TrialStatus::kFailed);
  EXPECT_EQ(s.reason, "exit code 3");
  s = StatusOfEnd(End(TrialEnd::Kind::kSignaled, -1, SIGSEGV));
  EXPECT_EQ(s.status, TrialStatus::kFailed);
  EXPECT_EQ(s.reason, "killed by SIGSEGV");
  s = StatusOfEnd(End(TrialEnd::Kind::kTimedOut));
  EXPECT_EQ(s.status, TrialStatus::kFailed);
  EXPECT_EQ(s.reason, "timed out");
  s = StatusOfEnd(End(TrialEnd::Kind::kStopped, 0, SIGTERM, "asked to"));
  EXPECT_EQ(s.status, TrialStatus::kStopped);
  EXPECT_EQ(s.reason, "asked to");
  s = StatusOfEnd(End(TrialEnd::Kind::kSpawnFailed, 0, 0, "no such program"));
  EXPECT_EQ(s.status, TrialStatus::kFailed);
  EXPECT_EQ(s.reason, "no such program");
}

TEST(StrategyOutcome, EndedStatusesKeepTheirNameAndOthersArePending) {
  EXPECT_EQ(StrategyOutcome(TrialStatus::kFinished), Outcome::kFinished);
  EXPECT_EQ(StrategyOutcome(TrialStatus::kFailed), Outcome::kFailed);
  EXPECT_EQ(StrategyOutcome(TrialStatus::kStopped), Outcome::kStopped);
  EXPECT_EQ(StrategyOutcome(TrialStatus::kLost), Outcome::kLost);
  EXPECT_EQ(StrategyOutcome(TrialStatus::kRunning), Outcome::kRunning);
  EXPECT_EQ(StrategyOutcome(TrialStatus::kQueued), Outcome::kRunning);
}

TEST(SignalName, NamesKnownSignalsAndNumbersOthers) {
  EXPECT_EQ(SignalName(SIGKILL), "SIGKILL");
  EXPECT_EQ(SignalName(1000), "signal 1000");
}

}  // namespace
}  // namespace sweep
