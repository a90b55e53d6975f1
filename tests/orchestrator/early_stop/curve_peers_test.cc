// The curve rule's model across trials (curve_peers.h): forecasts from the complete
// curves most alike, their leave-one-out errors, and how the rule uses them.
#include "orchestrator/early_stop/curve_peers.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "orchestrator/early_stop/curve_rule.h"

namespace sweep {
namespace {

// a + b·t^-r for t = 1..n, plus Gaussian noise of sd `noise` (seeded).
std::vector<double> Power(double a, double b, double r, int n, double noise, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> e(0.0, noise);
  std::vector<double> v;
  for (int t = 1; t <= n; ++t) v.push_back(a + b * std::pow(t, -r) + e(rng));
  return v;
}

std::vector<double> Prefix(const std::vector<double>& v, size_t n) {
  return std::vector<double>(v.begin(), v.begin() + static_cast<long>(n));
}

// Ten complete slow learners (r = 0.3) at asymptotes 0.10 .. 0.55.
struct Slow {
  std::vector<std::vector<double>> curves;
  PeerSet set;
  Slow() {
    for (unsigned i = 0; i < 10; ++i) curves.push_back(Power(0.1 + 0.05 * i, 1, 0.3, 30, 0.005, i));
    set.budget = 30;
    for (const auto& c : curves) set.curves.push_back(&c);
  }
};

TEST(CurvePeers, ATrialShapedLikeThePeersEndsWhereItsOffsetPutsIt) {
  Slow peers;
  const std::vector<double> trial = Power(0.9, 1, 0.3, 30, 0.005, 99);
  const PeerForecast f = ForecastFromPeers(Prefix(trial, 5), peers.set, 0.005 * 0.005, {});
  ASSERT_TRUE(f.ok);
  EXPECT_EQ(f.used, 5);
  EXPECT_NEAR(f.mean, trial.back(), 0.02);
  EXPECT_LT(f.spread, 0.02);
}

TEST(CurvePeers, NoOpinionWithTooFewPeersOrNoneAlike) {
  Slow peers;
  const double s2 = 0.005 * 0.005;
  PeerSet three = peers.set;
  three.curves.resize(3);
  const std::vector<double> slow = Power(0.9, 1, 0.3, 30, 0.005, 99);
  EXPECT_FALSE(ForecastFromPeers(Prefix(slow, 5), three, s2, {}).ok);
  // A fast learner bends unlike every peer: the shape distance is far beyond the noise.
  const std::vector<double> fast = Power(0.9, 3, 2.0, 30, 0.005, 98);
  EXPECT_FALSE(ForecastFromPeers(Prefix(fast, 5), peers.set, s2, {}).ok);
  // Unknown noise, or a prefix that already reaches the budget.
  EXPECT_FALSE(ForecastFromPeers(Prefix(slow, 5), peers.set, 0, {}).ok);
  EXPECT_FALSE(ForecastFromPeers(slow, peers.set, s2, {}).ok);
}

TEST(CurvePeers, SkipsNonFiniteAndShortPeers) {
  Slow peers;
  std::vector<double> nan_end = peers.curves[0];
  nan_end.back() = std::numeric_limits<double>::quiet_NaN();
  const std::vector<double> short_one = Prefix(peers.curves[1], 10);
  PeerSet set;
  set.budget = 30;
  set.curves = {&nan_end, &short_one, &peers.curves[2], &peers.curves[3], &peers.curves[4]};
  const std::vector<double> trial = Power(0.9, 1, 0.3, 30, 0.005, 99);
  EXPECT_FALSE(ForecastFromPeers(Prefix(trial, 5), set, 0.005 * 0.005, {}).ok);  // 3 usable
}

TEST(CurvePeers, LeaveOneOutErrorsAreSmallForOneShape) {
  Slow peers;
  const std::vector<double> e = PeerErrors(peers.set, 5, 0.005 * 0.005, {});
  ASSERT_EQ(e.size(), 10u);
  EXPECT_TRUE(std::is_sorted(e.begin(), e.end()));
  for (double v : e) EXPECT_LT(std::fabs(v), 0.03);
}

// A slow learner far above ten complete curves of its shape: its own 4 reports cannot
// pin its asymptote, the peers can, and the reason says so.
TEST(CurveRule, PeersStopASlowLearnerThatCurvesOfItsShapeSayEndsWorse) {
  CurveOptions o;
  o.max_iter = 30;
  auto rule = CurveRule::Make(o, Goal::kMinimize, "loss").value();
  Slow peers;
  for (size_t i = 0; i < peers.curves.size(); ++i) {
    const std::string id = "ref" + std::to_string(i);
    for (size_t t = 0; t < 30; ++t)
      rule->OnReport(id, static_cast<int64_t>(t) + 1, peers.curves[i][t]);
    rule->OnEnd(id);
  }
  const std::vector<double> trial = Power(0.3, 1, 0.3, 30, 0.005, 99);
  std::vector<StopDecision> stops;
  int64_t n = 0;
  while (stops.empty() && n < 8) {
    ++n;
    rule->OnReport("slow", n, trial[n - 1]);
    stops = rule->Decide({"slow"});
  }
  ASSERT_EQ(stops.size(), 1u);
  EXPECT_LE(n, 6);
  EXPECT_NE(stops[0].reason.find("complete curves most alike until report"), std::string::npos)
      << stops[0].reason;
}

// A trial shaped like the peers and headed below the best of them is kept to the end.
TEST(CurveRule, PeersKeepATrialHeadedForTheBest) {
  CurveOptions o;
  o.max_iter = 30;
  auto rule = CurveRule::Make(o, Goal::kMinimize, "loss").value();
  Slow peers;
  for (size_t i = 0; i < peers.curves.size(); ++i) {
    const std::string id = "ref" + std::to_string(i);
    for (size_t t = 0; t < 30; ++t)
      rule->OnReport(id, static_cast<int64_t>(t) + 1, peers.curves[i][t]);
    rule->OnEnd(id);
  }
  const std::vector<double> trial = Power(0.08, 1, 0.3, 30, 0.005, 97);
  for (int64_t n = 1; n < 30; ++n) {
    rule->OnReport("good", n, trial[n - 1]);
    EXPECT_TRUE(rule->Decide({"good"}).empty()) << "report " << n;
  }
}

}  // namespace
}  // namespace sweep
