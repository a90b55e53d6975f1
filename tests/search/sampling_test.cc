#include "search/sampling.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <vector>

namespace sweep {
namespace {

constexpr int kDraws = 100000;

Parameter Param(Distribution d, double min = 0, double max = 1) {
  Parameter p;
  p.name = "x";
  p.path = {"x"};
  p.distribution = d;
  p.min = min;
  p.max = max;
  return p;
}

std::vector<Value> Sample(const Parameter& p, uint64_t seed = 11, int n = kDraws) {
  Rng rng(seed);
  std::vector<Value> out;
  out.reserve(n);
  for (int i = 0; i < n; ++i) out.push_back(SampleValue(p, rng));
  return out;
}

std::vector<double> Doubles(const std::vector<Value>& vs) {
  std::vector<double> out;
  for (const Value& v : vs) out.push_back(v.get<double>());
  return out;
}

double Mean(const std::vector<double>& xs) {
  double s = 0;
  for (double x : xs) s += x;
  return s / xs.size();
}

double Quantile(std::vector<double> xs, double q) {
  std::sort(xs.begin(), xs.end());
  return xs[static_cast<size_t>(q * (xs.size() - 1))];
}

std::vector<double> Logs(const std::vector<double>& xs) {
  std::vector<double> out;
  for (double x : xs) out.push_back(std::log(x));
  return out;
}

// Mean of U(lo, hi) within 5 standard errors.
void ExpectUniformMean(const std::vector<double>& xs, double lo, double hi) {
  const double sd = (hi - lo) / std::sqrt(12.0);
  EXPECT_NEAR(Mean(xs), (lo + hi) / 2, 5 * sd / std::sqrt(xs.size()));
}

TEST(SampleValue, UniformStaysInBoundsWithUniformMeanAndQuartiles) {
  const auto xs = Doubles(Sample(Param(Distribution::kUniform, 2, 5)));
  EXPECT_GE(*std::min_element(xs.begin(), xs.end()), 2.0);
  EXPECT_LE(*std::max_element(xs.begin(), xs.end()), 5.0);
  ExpectUniformMean(xs, 2, 5);
  EXPECT_NEAR(Quantile(xs, 0.25), 2.75, 0.03);
  EXPECT_NEAR(Quantile(xs, 0.75), 4.25, 0.03);
}

TEST(SampleValue, IntUniformGivesInt64CoveringBothEndsEquallyOften) {
  const auto vs = Sample(Param(Distribution::kIntUniform, -2, 3));
  std::map<int64_t, int> counts;
  for (const Value& v : vs) {
    ASSERT_TRUE(v.is_number_integer()) << v.dump();
    ++counts[v.get<int64_t>()];
  }
  ASSERT_EQ(counts.size(), 6u);
  EXPECT_EQ(counts.begin()->first, -2);
  EXPECT_EQ(counts.rbegin()->first, 3);
  const double p = 1.0 / 6, sigma = std::sqrt(kDraws * p * (1 - p));
  for (auto [value, count] : counts) EXPECT_NEAR(count, kDraws * p, 5 * sigma) << value;
}

TEST(SampleValue, LogUniformBoundsAreNaturalLogsAndMedianIsGeometricMean) {
  const auto xs = Doubles(Sample(Param(Distribution::kLogUniform, std::log(1e-4), 0.0)));
  EXPECT_GE(*std::min_element(xs.begin(), xs.end()), 1e-4 * (1 - 1e-12));
  EXPECT_LE(*std::max_element(xs.begin(), xs.end()), 1.0);
  EXPECT_NEAR(std::log10(Quantile(xs, 0.5)), -2.0, 0.03);  // geometric mean 1e-2
  ExpectUniformMean(Logs(xs), std::log(1e-4), 0.0);
}

TEST(SampleValue, LogUniformValuesTakesRawBounds) {
  const auto xs = Doubles(Sample(Param(Distribution::kLogUniformValues, 1e-4, 1.0)));
  EXPECT_GE(*std::min_element(xs.begin(), xs.end()), 1e-4);
  EXPECT_LE(*std::max_element(xs.begin(), xs.end()), 1.0);
  EXPECT_NEAR(std::log10(Quantile(xs, 0.5)), -2.0, 0.03);
  EXPECT_NEAR(std::log10(Quantile(xs, 0.25)), -3.0, 0.03);
  ExpectUniformMean(Logs(xs), std::log(1e-4), 0.0);
}

TEST(SampleValue, InvLogUniformIsExpOfMinusUniform) {
  // log(1/X) ~ U(0, log 100): X in [0.01, 1], geometric median 0.1.
  const auto xs = Doubles(Sample(Param(Distribution::kInvLogUniform, 0.0, std::log(100.0))));
  EXPECT_GE(*std::min_element(xs.begin(), xs.end()), 0.01 * (1 - 1e-12));
  EXPECT_LE(*std::max_element(xs.begin(), xs.end()), 1.0);
  EXPECT_NEAR(std::log10(Quantile(xs, 0.5)), -1.0, 0.03);
  std::vector<double> neg_logs;
  for (double x : xs) neg_logs.push_back(-std::log(x));
  ExpectUniformMean(neg_logs, 0.0, std::log(100.0));
}

TEST(SampleValue, InvLogUniformValuesIsLogUniformBetweenRawBounds) {
  const auto xs = Doubles(Sample(Param(Distribution::kInvLogUniformValues, 0.01, 1.0)));
  EXPECT_GE(*std::min_element(xs.begin(), xs.end()), 0.01);
  EXPECT_LE(*std::max_element(xs.begin(), xs.end()), 1.0);
  EXPECT_NEAR(std::log10(Quantile(xs, 0.5)), -1.0, 0.03);
}

TEST(SampleValue, QUniformRoundsToMultiplesOfQAndKeepsFloatType) {
  Parameter p = Param(Distribution::kQUniform, 0, 10);
  p.q = 0.5;
  std::map<double, int> counts;
  for (const Value& v : Sample(p)) {
    ASSERT_TRUE(v.is_number_float());
    const double x = v.get<double>();
    EXPECT_DOUBLE_EQ(x / 0.5, std::round(x / 0.5));
    ++counts[x];
  }
  EXPECT_EQ(counts.begin()->first, 0.0);
  EXPECT_EQ(counts.rbegin()->first, 10.0);
  EXPECT_EQ(counts.size(), 21u);
}

TEST(SampleValue, QFormsWithIntegerQGiveInt64) {
  Parameter p = Param(Distribution::kQUniform, 0, 20);
  p.q = 4;
  p.integer = true;
  for (const Value& v : Sample(p, 1, 2000)) {
    ASSERT_TRUE(v.is_number_integer()) << v.dump();
    EXPECT_EQ(v.get<int64_t>() % 4, 0);
  }
  Parameter lv = Param(Distribution::kQLogUniformValues, 1, 1000);
  lv.integer = true;
  const auto vs = Sample(lv);
  std::vector<double> xs;
  for (const Value& v : vs) {
    ASSERT_TRUE(v.is_number_integer());
    xs.push_back(static_cast<double>(v.get<int64_t>()));
  }
  EXPECT_EQ(*std::min_element(xs.begin(), xs.end()), 1);
  EXPECT_LE(*std::max_element(xs.begin(), xs.end()), 1000);
  EXPECT_GE(*std::max_element(xs.begin(), xs.end()), 990);
  EXPECT_NEAR(Quantile(xs, 0.5), std::sqrt(1000.0), 2.0);
  Parameter qn = Param(Distribution::kQNormal);
  qn.mu = 10;
  qn.sigma = 3;
  qn.integer = true;
  for (const Value& v : Sample(qn, 2, 1000)) ASSERT_TRUE(v.is_number_integer());
}

TEST(SampleValue, NormalHasMuAndSigma) {
  Parameter p = Param(Distribution::kNormal);
  p.mu = 3;
  p.sigma = 2;
  const auto xs = Doubles(Sample(p));
  EXPECT_NEAR(Mean(xs), 3.0, 5 * 2 / std::sqrt(kDraws));
  EXPECT_NEAR(Quantile(xs, 0.8413447460685429) - Quantile(xs, 0.5), 2.0, 0.05);
  EXPECT_NEAR(Quantile(xs, 0.5), 3.0, 0.03);
}

TEST(SampleValue, LogNormalHasMedianExpMuAndLogSigma) {
  Parameter p = Param(Distribution::kLogNormal);
  p.mu = 1;
  p.sigma = 0.5;
  const auto xs = Doubles(Sample(p));
  EXPECT_GT(*std::min_element(xs.begin(), xs.end()), 0.0);
  EXPECT_NEAR(std::log(Quantile(xs, 0.5)), 1.0, 0.02);
  EXPECT_NEAR(Mean(Logs(xs)), 1.0, 5 * 0.5 / std::sqrt(kDraws));
}

TEST(SampleValue, BetaHasBetaMeanAndQuartilesFromItsInverseCdf) {
  Parameter p = Param(Distribution::kBeta);
  p.a = 2;
  p.b = 5;
  const auto xs = Doubles(Sample(p));
  EXPECT_GE(*std::min_element(xs.begin(), xs.end()), 0.0);
  EXPECT_LE(*std::max_element(xs.begin(), xs.end()), 1.0);
  EXPECT_NEAR(Mean(xs), 2.0 / 7, 0.002);
  // The direct draw and the numerical inverse CDF must agree on the quartiles.
  for (double q : {0.25, 0.5, 0.75})
    EXPECT_NEAR(Quantile(xs, q), BetaQuantile(q, 2, 5), 0.005) << q;
  Parameter qb = p;
  qb.distribution = Distribution::kQBeta;
  qb.q = 0.1;
  for (const Value& v : Sample(qb, 3, 1000)) {
    const double x = v.get<double>();
    EXPECT_NEAR(x * 10, std::round(x * 10), 1e-9);
  }
}

TEST(SampleValue, CategoricalHonoursProbabilitiesAndNeverDrawsZeroOnes) {
  Parameter p = Param(Distribution::kCategorical);
  p.values = {Value("a"), Value("b"), Value("c"), Value("never")};
  p.probabilities = {0.7, 0.2, 0.1, 0.0};
  std::map<std::string, int> counts;
  for (const Value& v : Sample(p)) ++counts[v.get<std::string>()];
  EXPECT_EQ(counts.count("never"), 0u);
  for (auto [name, prob] : {std::pair{"a", 0.7}, std::pair{"b", 0.2}, std::pair{"c", 0.1}}) {
    const double sigma = std::sqrt(kDraws * prob * (1 - prob));
    EXPECT_NEAR(counts[name], kDraws * prob, 5 * sigma) << name;
  }
}

TEST(SampleValue, CategoricalAndConstantValuesKeepTheirTypesExactly) {
  Parameter p = Param(Distribution::kCategorical);
  p.values = {Value(true),
              Value("0.10"),
              Value(3),
              Value(2.5),
              Value(nullptr),
              Value::array({1, 2}),
              Value::object({{"k", "v"}})};
  std::map<std::string, int> seen;
  for (const Value& v : Sample(p, 4, 2000)) {
    auto it = std::find(p.values.begin(), p.values.end(), v);
    ASSERT_NE(it, p.values.end()) << v.dump();
    EXPECT_EQ(it->type(), v.type());
    ++seen[v.dump()];
  }
  EXPECT_EQ(seen.size(), p.values.size());
  EXPECT_EQ(seen.count("\"0.10\""), 1u);  // the string stays a string, verbatim
  Parameter c = Param(Distribution::kConstant);
  c.value = Value("; rm -rf ~");
  Rng rng(1);
  EXPECT_EQ(SampleValue(c, rng), Value("; rm -rf ~"));
}

TEST(QRound, RoundsHalfToEvenLikeNumpy) {
  EXPECT_EQ(QRound(2.5, 1), 2.0);
  EXPECT_EQ(QRound(3.5, 1), 4.0);
  EXPECT_EQ(QRound(-2.5, 1), -2.0);
  EXPECT_EQ(QRound(7.4, 2), 8.0);
  EXPECT_EQ(QRound(5.0, 2), 4.0);  // 2.5 -> 2
  EXPECT_NEAR(QRound(0.26, 0.1), 0.3, 1e-12);
  EXPECT_EQ(QRound(1.3, 0), 1.3);
}

TEST(NormalQuantile, MatchesKnownQuantilesAndInvertsTheCdf) {
  EXPECT_NEAR(NormalQuantile(0.975), 1.959963984540054, 1e-12);
  EXPECT_NEAR(NormalQuantile(0.5), 0.0, 1e-15);
  EXPECT_NEAR(NormalQuantile(0.8413447460685429), 1.0, 1e-12);
  // Above the median p = Phi(x) carries an absolute rounding error of ~1e-16, which
  // alone moves x by 1e-16 / phi(x); the lower tail is well conditioned.
  for (double x : {-8.0, -6.0, -3.0, -0.5, 0.25, 2.0}) {
    const double p = 0.5 * std::erfc(-x / std::sqrt(2.0));
    EXPECT_NEAR(NormalQuantile(p), x, 1e-9 * std::max(1.0, std::fabs(x))) << x;
  }
  EXPECT_NEAR(NormalQuantile(0.1), -NormalQuantile(0.9), 1e-12);
  EXPECT_TRUE(std::isinf(NormalQuantile(0.0)));
}

TEST(RegularizedBeta, MatchesClosedFormsAndBetaQuantileInvertsIt) {
  EXPECT_NEAR(RegularizedBeta(0.3, 1, 1), 0.3, 1e-14);
  // I_x(2, 3) = sum_{j=2..4} C(4, j) x^j (1 - x)^(4 - j).
  EXPECT_NEAR(RegularizedBeta(0.3, 2, 3), 0.2646 + 0.0756 + 0.0081, 1e-12);
  // I_x(1/2, 1/2) = (2 / pi) asin(sqrt(x)).
  EXPECT_NEAR(RegularizedBeta(0.2, 0.5, 0.5), 2 / M_PI * std::asin(std::sqrt(0.2)), 1e-12);
  EXPECT_NEAR(BetaQuantile(0.5, 2, 2), 0.5, 1e-12);
  for (double p : {0.01, 0.3, 0.9})
    EXPECT_NEAR(RegularizedBeta(BetaQuantile(p, 2, 5), 2, 5), p, 1e-12);
}

TEST(ValueFromUnit, IsMonotoneAndMapsEndsAndMiddleToTheDistribution) {
  Parameter u = Param(Distribution::kUniform, 2, 6);
  EXPECT_EQ(ValueFromUnit(u, 0.0), Value(2.0));
  EXPECT_EQ(ValueFromUnit(u, 0.5), Value(4.0));
  Parameter inv = Param(Distribution::kInvLogUniform, 0.0, std::log(100.0));
  EXPECT_NEAR(ValueFromUnit(inv, 0.0).get<double>(), 0.01, 1e-12);
  EXPECT_NEAR(ValueFromUnit(inv, 0.5).get<double>(), 0.1, 1e-12);
  Parameter n = Param(Distribution::kNormal);
  n.mu = 5;
  EXPECT_NEAR(ValueFromUnit(n, 0.5).get<double>(), 5.0, 1e-12);
  EXPECT_TRUE(std::isfinite(ValueFromUnit(n, 0.0).get<double>()));
  Parameter ints = Param(Distribution::kIntUniform, 1, 4);
  EXPECT_EQ(ValueFromUnit(ints, 0.0), Value(1));
  EXPECT_EQ(ValueFromUnit(ints, 0.99), Value(4));
  EXPECT_TRUE(ValueFromUnit(ints, 0.3).is_number_integer());
  Parameter cat = Param(Distribution::kCategorical);
  cat.values = {Value("a"), Value("b"), Value("c")};
  cat.probabilities = {0.5, 0.0, 0.5};
  EXPECT_EQ(ValueFromUnit(cat, 0.49), Value("a"));
  EXPECT_EQ(ValueFromUnit(cat, 0.5), Value("c"));
  for (Distribution d : {Distribution::kUniform, Distribution::kLogUniformValues,
                         Distribution::kInvLogUniform, Distribution::kInvLogUniformValues,
                         Distribution::kNormal, Distribution::kLogNormal, Distribution::kBeta}) {
    Parameter p = Param(d, 0.5, 3);
    p.a = 2;
    p.b = 3;
    double prev = -INFINITY;
    for (double x = 0; x < 1; x += 0.01) {
      const double v = ValueFromUnit(p, x).get<double>();
      EXPECT_GE(v, prev) << DistributionName(d) << " at " << x;
      prev = v;
    }
  }
}

}  // namespace
}  // namespace sweep

namespace sweep {
namespace {

TEST(SampleValue, UniformWiderThanTheLargestDoubleCoversItsRangeWithoutOverflow) {
  Parameter p = Param(Distribution::kUniform, -1e308, 1e308);
  std::vector<double> xs = Doubles(Sample(p, 5, 2000));
  size_t negative = 0;
  for (double x : xs) {
    ASSERT_TRUE(std::isfinite(x));
    ASSERT_GE(x, -1e308);
    ASSERT_LE(x, 1e308);
    if (x < 0) ++negative;
  }
  // Uniform: about half below zero (the old min + (max - min) * u gave +1.797e308 always).
  EXPECT_GT(negative, 800u);
  EXPECT_LT(negative, 1200u);
  EXPECT_NEAR(ValueFromUnit(p, 0.5).get<double>(), 0.0, 1e292);
  EXPECT_NEAR(ValueFromUnit(p, 0.75).get<double>(), 0.5e308, 1e293);
}

}  // namespace
}  // namespace sweep
