// The cross-trial pieces of the curve rule: the nearest-curve match, the difference
// noise, the flat-from-start test, the fit from a plateau's end, and how the rule
// uses them on curves that are flat before they learn.
#include "orchestrator/early_stop/curve_match.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "orchestrator/early_stop/curve_fit.h"
#include "orchestrator/early_stop/curve_rule.h"

namespace sweep {
namespace {

// Flat at `level` for `flat` reports, then level − drop·(1 − (t−flat)^-0.8), plus
// Gaussian noise of sd `noise` (seeded, so the test is deterministic).
std::vector<double> Plateau(double level, double drop, int flat, int n, double noise,
                            unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> e(0.0, noise);
  std::vector<double> v;
  for (int t = 1; t <= n; ++t) {
    const double tt = std::max(1, t - flat);
    v.push_back(level - drop * (1 - std::pow(tt, -0.8)) + e(rng));
  }
  return v;
}

std::unique_ptr<CurveRule> MakeRule(int64_t max_iter) {
  CurveOptions o;
  o.min_iter = 3;
  o.max_iter = max_iter;
  auto r = CurveRule::Make(o, Goal::kMinimize, "loss");
  EXPECT_TRUE(r.ok()) << r.status().message();
  return std::move(r).value();
}

void Feed(EarlyStopRule& rule, const std::string& id, const std::vector<double>& v, size_t n) {
  for (size_t i = 0; i < n && i < v.size(); ++i)
    rule.OnReport(id, static_cast<int64_t>(i) + 1, v[i]);
}

TEST(CurveMatch, AFlatTrialFollowsAFlatReferenceThatDroppedLater) {
  const std::vector<double> ref = Plateau(1.0, 0.8, 6, 20, 0.005, 1);
  const std::vector<double> trial = Plateau(1.5, 0.0, 20, 5, 0.005, 2);  // flat at 1.5
  const std::vector<MatchRef> refs = {{&ref, ref.back()}};
  const MatchResult m = MatchCurve(trial, refs, 0.005 * 0.005, MatchOptions{});
  ASSERT_EQ(m.matched, 1);
  // The scale is unidentified on flat stretches, so the trial may drop up to 4x as far.
  EXPECT_LT(m.low, 1.5 - 0.8 * 0.5);
  EXPECT_EQ(m.lowest_ref, 0u);
}

TEST(CurveMatch, AFlatTrialDoesNotMatchALearningCurve) {
  // With s = 0 any curve maps onto a flat one; that must not count as a match.
  const std::vector<double> ref = Plateau(1.0, 0.8, 0, 20, 0.005, 3);
  const std::vector<double> trial = Plateau(1.5, 0.0, 20, 5, 0.005, 4);
  const std::vector<MatchRef> refs = {{&ref, ref.back()}};
  const MatchResult m = MatchCurve(trial, refs, 0.005 * 0.005, MatchOptions{});
  EXPECT_EQ(m.matched, 0);
  EXPECT_TRUE(std::isinf(m.low));
}

TEST(CurveMatch, ALearningTrialMapsOntoAScaledReference) {
  // trial = 0.2 + 2·(ref − 0.1): same shape, twice the scale; its forecast follows.
  std::vector<double> ref, trial;
  for (int t = 1; t <= 20; ++t) ref.push_back(0.1 + 0.5 * std::pow(t, -0.7));
  for (int t = 1; t <= 6; ++t) trial.push_back(0.2 + 2 * (ref[t - 1] - 0.1));
  const std::vector<MatchRef> refs = {{&ref, ref.back()}, {nullptr, 0}};
  const MatchResult m = MatchCurve(trial, refs, 1e-6, MatchOptions{});
  ASSERT_EQ(m.matched, 1);
  const double truth = 0.2 + 2 * (ref.back() - 0.1);
  EXPECT_NEAR(m.low, truth, 0.02);
  EXPECT_LE(m.low, truth);
}

TEST(CurveMatch, ShorterReferencesAndNonFiniteOnesAreSkipped) {
  const std::vector<double> trial = Plateau(1.0, 0.5, 0, 6, 0.001, 5);
  const std::vector<double> short_ref = Plateau(1.0, 0.5, 0, 6, 0.001, 6);
  std::vector<double> nan_ref = Plateau(1.0, 0.5, 0, 20, 0.001, 7);
  nan_ref[2] = NAN;
  const std::vector<MatchRef> refs = {{&short_ref, 0.5}, {&nan_ref, 0.5}, {&trial, NAN}};
  EXPECT_EQ(MatchCurve(trial, refs, 1e-6, MatchOptions{}).matched, 0);
  EXPECT_EQ(MatchCurve({1.0, 0.9}, refs, 1e-6, MatchOptions{}).matched, 0);  // too short
  EXPECT_EQ(MatchCurve(trial, refs, 0, MatchOptions{}).matched, 0);          // no noise
}

TEST(CurveMatch, DifferenceNoiseIgnoresTrendsAndKinks) {
  std::vector<std::vector<double>> curves;
  for (unsigned s = 0; s < 9; ++s) curves.push_back(Plateau(1 + 0.1 * s, 0.7, s, 27, 0.02, s));
  std::vector<const std::vector<double>*> ptrs;
  for (const auto& c : curves) ptrs.push_back(&c);
  const double sd = std::sqrt(DifferenceNoise(ptrs));
  // Of the noise's order (sd 0.02), not of the 0.7 drop the kinks make.
  EXPECT_GT(sd, 0.01);
  EXPECT_LT(sd, 0.035);
  const std::vector<double> short_curve = {1, 2, 3};
  EXPECT_LT(DifferenceNoise({&short_curve}), 0);
}

TEST(CurveMatch, FlatFromStartTellsAPlateauFromLearning) {
  const std::vector<double> flat = Plateau(1.0, 0.6, 8, 20, 0.01, 8);
  const std::vector<double> learning = Plateau(1.0, 0.6, 0, 20, 0.01, 9);
  EXPECT_TRUE(FlatFromStart(flat, 6, 1e-4, 2.33));
  EXPECT_FALSE(FlatFromStart(flat, 20, 1e-4, 2.33));
  EXPECT_FALSE(FlatFromStart(learning, 4, 1e-4, 2.33));
  EXPECT_FALSE(FlatFromStart(flat, 2, 1e-4, 2.33));  // too short to say
}

TEST(CurveFitFromOnset, ForecastsACurveThatLearnsAfterAPlateau) {
  // 0.2 + 1·(t−7)^-0.8 after 7 flat reports at 1.2; 6 reports after the plateau.
  std::vector<double> v;
  for (int t = 1; t <= 13; ++t) v.push_back(0.2 + std::pow(std::max(1, t - 7), -0.8));
  const double truth = 0.2 + std::pow(30 - 7, -0.8);
  CurveForecast moved, plain;
  ASSERT_TRUE(CombineForecast(FitCurveFromOnset(v, 30, 1e-4), 1e-4, 4, &moved));
  ASSERT_TRUE(CombineForecast(FitCurve(v, 30), 1e-4, 4, &plain));
  EXPECT_LT(std::fabs(moved.mean - truth), std::fabs(plain.mean - truth));
  EXPECT_NEAR(moved.mean, truth, 3 * moved.sd + 0.02);
  // Unknown noise: no plateau cut, the plain fit.
  EXPECT_EQ(FitCurveFromOnset(v, 30, -1).points, FitCurve(v, 30).points);
}

// The sweep has seen curves flat for 6 reports that then dropped far; a new trial,
// flat and high at report 5, looks hopeless to every family, but it is kept.
TEST(CurveRule, KeepsAPlateauThatLooksLikeCurvesThatDroppedLater) {
  auto rule = MakeRule(30);
  for (unsigned i = 0; i < 4; ++i) {
    const std::string id = "ref" + std::to_string(i);
    Feed(*rule, id, Plateau(1.0 + 0.1 * i, 0.9, 6, 30, 0.01, 10 + i), 30);
    rule->OnEnd(id);
  }
  const std::vector<double> trial = Plateau(1.6, 1.5, 7, 30, 0.01, 20);
  Feed(*rule, "late", trial, 5);
  EXPECT_TRUE(rule->Decide({"late"}).empty());
  // ... and it still is once it starts to drop (fitted from the plateau's end).
  for (int64_t n = 6; n <= 12; ++n) {
    rule->OnReport("late", n, trial[n - 1]);
    EXPECT_TRUE(rule->Decide({"late"}).empty()) << "report " << n;
  }
}

// No curve was ever seen flat this long: what follows is unknown, so keep it.
TEST(CurveRule, KeepsAFlatTrialWhenNoFlatCurveWasSeen) {
  auto rule = MakeRule(30);
  for (unsigned i = 0; i < 4; ++i) {
    const std::string id = "ref" + std::to_string(i);
    Feed(*rule, id, Plateau(1.0, 0.8, 0, 30, 0.01, 30 + i), 30);
    rule->OnEnd(id);
  }
  Feed(*rule, "flat", Plateau(3.0, 0.0, 30, 30, 0.01, 40), 6);
  EXPECT_TRUE(rule->Decide({"flat"}).empty());
}

// A flat trial far above curves that were as flat and then dropped only a little is
// stopped within a few reports, and the reason says what the flat curves allowed.
TEST(CurveRule, StopsAFlatTrialThatFlatCurvesSayCannotCatchUp) {
  auto rule = MakeRule(30);
  Feed(*rule, "best", Plateau(0.5, 0.4, 0, 30, 0.01, 50), 30);
  rule->OnEnd("best");
  for (unsigned i = 0; i < 4; ++i) {
    const std::string id = "ref" + std::to_string(i);
    Feed(*rule, id, Plateau(2.0, 0.02, 4, 30, 0.01, 60 + i), 30);
    rule->OnEnd(id);
  }
  const std::vector<double> flat = Plateau(3.0, 0.0, 30, 30, 0.01, 70);
  std::vector<StopDecision> stops;
  int64_t n = 0;
  while (stops.empty() && n < 8) {
    ++n;
    rule->OnReport("flat", n, flat[n - 1]);
    stops = rule->Decide({"flat"});
  }
  // Stopped early (measured: at report 6 of 30), on the flat curves' evidence.
  ASSERT_EQ(stops.size(), 1u);
  EXPECT_LE(n, 6);
  EXPECT_NE(stops[0].reason.find("curves that were as flat until report " + std::to_string(n) +
                                 " allow no better than"),
            std::string::npos)
      << stops[0].reason;
}

}  // namespace
}  // namespace sweep
