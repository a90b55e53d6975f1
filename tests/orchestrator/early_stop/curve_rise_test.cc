// The rising-curve test of the curve rule (curve_rise.h): divergence without NaN is
// stopped with the reason recorded; a curve that bumps up and comes back is not.
#include "orchestrator/early_stop/curve_rise.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "orchestrator/early_stop/curve_rule.h"

namespace sweep {
namespace {

constexpr double kSigma2 = 0.01 * 0.01;

// A slow learner 0.05 + t^-0.6 (above 0.325 until report 11) with a ±0.004 wobble;
// from report `from` on it grows like the diverging family of bench/curve_families.h,
// 0.2·(e^{0.3(t − from)} − 1), and never becomes NaN.
std::vector<double> Diverging(int from, int n) {
  std::vector<double> v;
  for (int t = 1; t <= n; ++t) {
    double y = 0.05 + std::pow(t, -0.6) + (t % 2 ? 0.004 : -0.004);
    if (t > from) y += 0.2 * (std::exp(0.3 * (t - from)) - 1);
    v.push_back(y);
  }
  return v;
}

TEST(CurveRise, HoldsForAClimbOfFourReports) {
  const std::vector<double> v = Diverging(6, 10);
  const Rise r = RisingAway(v, kSigma2, RiseOptions{});
  EXPECT_TRUE(r.rising);
  EXPECT_EQ(r.best_at, 6);
  EXPECT_NEAR(r.best_so_far, v[5], 1e-12);
  EXPECT_NEAR(r.rise, v[9] - v[5], 1e-12);
}

TEST(CurveRise, ThreeRisingReportsAreABump) {
  const std::vector<double> v = Diverging(6, 9);
  EXPECT_FALSE(RisingAway(v, kSigma2, RiseOptions{}).rising);
}

TEST(CurveRise, AnOrderedClimbWithinTheNoiseIsNotARise) {
  // Four rises in a row, 0.03 in all: less than 2·2.33·sqrt(2)·0.01.
  const std::vector<double> v = {0.5, 0.4, 0.35, 0.30, 0.31, 0.32, 0.32 + 1e-3, 0.33};
  EXPECT_FALSE(RisingAway(v, kSigma2, RiseOptions{}).rising);
  // The same climb is a rise when the noise is ten times smaller.
  EXPECT_TRUE(RisingAway(v, kSigma2 / 100, RiseOptions{}).rising);
}

TEST(CurveRise, NeedsKnownNoiseAndFiniteReports) {
  std::vector<double> v = Diverging(6, 10);
  EXPECT_FALSE(RisingAway(v, -1, RiseOptions{}).rising);
  v[8] = NAN;
  EXPECT_FALSE(RisingAway(v, kSigma2, RiseOptions{}).rising);
  EXPECT_FALSE(RisingAway({1.0, 2.0}, kSigma2, RiseOptions{}).rising);
}

TEST(CurveRise, MustClimbBeyondTheBumpsTheSweepCameBackFrom) {
  const std::vector<double> v = Diverging(6, 10);
  RiseOptions o;
  o.bumps = (v[9] - v[5]) + 0.01;
  EXPECT_FALSE(RisingAway(v, kSigma2, o).rising);
  o.bumps = (v[9] - v[5]) - 0.01;
  EXPECT_TRUE(RisingAway(v, kSigma2, o).rising);
}

TEST(CurveRise, RecoveredClimbIsTheLargestRiseACurveCameBackFrom) {
  // 0.5 -> 0.8 then 0.4: back below where the climb started.
  EXPECT_NEAR(RecoveredClimb({1, 0.5, 0.6, 0.8, 0.4}), 0.3, 1e-12);
  // Back to 0.55 only: below 0.6, not below 0.5, so the climb from 0.6 counts.
  EXPECT_NEAR(RecoveredClimb({1, 0.5, 0.6, 0.8, 0.55}), 0.2, 1e-12);
  // Still up, or never back: nothing recovered.
  EXPECT_EQ(RecoveredClimb({1, 0.5, 0.6, 0.8}), 0);
  EXPECT_EQ(RecoveredClimb({1, 0.5, 0.6, 0.8, 0.7, 0.65}), 0);
  // A NaN ends a run and is never "back".
  EXPECT_EQ(RecoveredClimb({1, 0.5, NAN, 0.8, 0.9}), 0);
  EXPECT_EQ(RecoveredClimb({}), 0);
}

std::unique_ptr<CurveRule> RuleWithReference(int budget) {
  CurveOptions o;
  o.max_iter = budget;
  auto r = CurveRule::Make(o, Goal::kMinimize, "loss");
  EXPECT_TRUE(r.ok());
  std::unique_ptr<CurveRule> rule = std::move(r).value();
  // 0.3 + 0.5/t with a ±0.004 wobble: ends at about 0.325.
  for (int t = 1; t <= budget; ++t)
    rule->OnReport("ref", t, 0.3 + 0.5 / t + (t % 2 ? 0.004 : -0.004));
  rule->OnEnd("ref");
  return rule;
}

TEST(CurveRuleRise, StopsACurveThatDivergesWithoutNaNAndSaysWhy) {
  auto rule = RuleWithReference(20);
  const std::vector<double> v = Diverging(6, 20);
  std::string reason;
  int stopped_at = 0;
  for (int n = 1; n <= 19 && !stopped_at; ++n) {
    rule->OnReport("up", n, v[n - 1]);
    for (const StopDecision& d : rule->Decide({"up"})) {
      stopped_at = n;
      reason = d.reason;
    }
  }
  // Not before its fourth rising report (the families keep the slow learner).
  ASSERT_EQ(stopped_at, 10) << reason;
  EXPECT_NE(reason.find("curve: loss rose for the last 4 reports, by "), std::string::npos)
      << reason;
  EXPECT_NE(reason.find("any curve of the sweep came back from"), std::string::npos) << reason;
  EXPECT_NE(reason.find("above its best so far"), std::string::npos) << reason;
  EXPECT_NE(reason.find("at report 6), which is already worse than"), std::string::npos) << reason;
  EXPECT_NE(reason.find("of trial ref"), std::string::npos) << reason;
}

TEST(CurveRuleRise, KeepsABumpyCurveThatComesBack) {
  // Like the quickstart MLP at a high learning rate (bench/mlp_curves.txt, seed 2, lr
  // 0.03, 256 units, reports 20-30): three reports up, then back below everything.
  auto rule = RuleWithReference(20);
  std::vector<double> v;
  for (int t = 1; t <= 10; ++t) v.push_back(0.2 + 0.5 / t + (t % 2 ? 0.004 : -0.004));
  for (double y : {0.4, 0.6, 0.9, 0.5, 0.3, 0.25, 0.22, 0.21, 0.2}) v.push_back(y);
  for (int n = 1; n <= 19; ++n) {
    rule->OnReport("bumpy", n, v[n - 1]);
    EXPECT_TRUE(rule->Decide({"bumpy"}).empty()) << "stopped at report " << n;
  }
}

TEST(CurveRuleRise, KeepsARisingCurveWhoseBestStillBeatsTheIncumbent) {
  // It overfits: its best (report 8) is better than the reference's final, so however
  // long it rises it might still end better.
  auto rule = RuleWithReference(20);
  std::vector<double> v;
  for (int t = 1; t <= 8; ++t) v.push_back(0.1 + 0.5 / t);
  for (int t = 9; t <= 19; ++t) v.push_back(v.back() + 0.02);
  for (int n = 1; n <= 19; ++n) {
    rule->OnReport("overfit", n, v[n - 1]);
    for (const StopDecision& d : rule->Decide({"overfit"}))
      EXPECT_EQ(d.reason.find("rose for the last"), std::string::npos)
          << "at report " << n << ": " << d.reason;
  }
}

// Feeds `v` as trial "up" until the rule stops it; the report it was stopped at (its
// reason must be the rise test's), or 0.
int StoppedByRiseAt(CurveRule& rule, const std::vector<double>& v) {
  for (int n = 1; n <= static_cast<int>(v.size()) - 1; ++n) {
    rule.OnReport("up", n, v[n - 1]);
    for (const StopDecision& d : rule.Decide({"up"})) {
      EXPECT_NE(d.reason.find("rose for the last 4 reports"), std::string::npos) << d.reason;
      return n;
    }
  }
  return 0;
}

// 20 reports that learn, climb 0.6 over reports 11-14, and come back below.
std::vector<double> BumpyCurve() {
  std::vector<double> bumpy;
  for (int t = 1; t <= 10; ++t) bumpy.push_back(0.3 + 0.5 / t + (t % 2 ? 0.004 : -0.004));
  for (double y : {0.5, 0.7, 0.9, 0.95, 0.4, 0.36, 0.35, 0.34, 0.33, 0.33}) bumpy.push_back(y);
  return bumpy;
}

TEST(CurveRuleRise, InABumpySweepARiseMustExceedTheBumpsThatCameBack) {
  // A complete curve that climbed 0.6 over reports 11-14 and came back: a later trial
  // rising as far is kept, one rising further is stopped.
  auto rule = RuleWithReference(20);
  const std::vector<double> bumpy = BumpyCurve();
  for (int t = 1; t <= 20; ++t) rule->OnReport("bumpy", t, bumpy[t - 1]);
  rule->OnEnd("bumpy");
  const std::vector<double> v = Diverging(6, 20);
  ASSERT_LT(v[9] - v[5], 0.6);   // climb at report 10
  ASSERT_GT(v[11] - v[7], 0.6);  // climb at report 12
  const int stopped_at = StoppedByRiseAt(*rule, v);
  EXPECT_GT(stopped_at, 10);
  EXPECT_LE(stopped_at, 12);
}

TEST(CurveRuleRise, ABumpRewrittenAwayNoLongerRaisesTheBar) {
  // The bumpy curve above, whose reports 11-14 are then sent again without the climb
  // (a report for an earlier count replaces it): the sweep's largest recovered climb is
  // kept as reports arrive, and must fall back with it, so the same rise is stopped
  // sooner than in the bumpy sweep.
  auto rule = RuleWithReference(20);
  const std::vector<double> bumpy = BumpyCurve();
  for (int t = 1; t <= 20; ++t) rule->OnReport("bumpy", t, bumpy[t - 1]);
  for (int t = 11; t <= 14; ++t) rule->OnReport("bumpy", t, 0.36 - 0.001 * t);
  rule->OnEnd("bumpy");
  const std::vector<double> v = Diverging(6, 20);
  const int stopped_at = StoppedByRiseAt(*rule, v);
  EXPECT_GT(stopped_at, 0);
  EXPECT_LE(stopped_at, 10);
}

}  // namespace
}  // namespace sweep
