#include "search/distribution_traits.h"

#include <gtest/gtest.h>

#include <set>

namespace sweep {
namespace {

TEST(DistributionTraits, EveryRowRoundTripsItsNameAndNamesAreUnique) {
  size_t n = 0;
  const DistributionTraits* rows = AllDistributionTraits(&n);
  ASSERT_EQ(n, 17u);  // W&B's distributions
  std::set<std::string_view> names;
  for (size_t i = 0; i < n; ++i) {
    EXPECT_EQ(&TraitsOf(rows[i].distribution), &rows[i]);
    EXPECT_EQ(DistributionName(rows[i].distribution), rows[i].name);
    EXPECT_EQ(ParseDistribution(rows[i].name), rows[i].distribution);
    names.insert(rows[i].name);
  }
  EXPECT_EQ(names.size(), n);
}

TEST(DistributionTraits, QuantizedExactlyWhenTheNameStartsWithQ) {
  size_t n = 0;
  const DistributionTraits* rows = AllDistributionTraits(&n);
  for (size_t i = 0; i < n; ++i)
    EXPECT_EQ(rows[i].quantized, rows[i].name.substr(0, 2) == "q_") << rows[i].name;
}

TEST(DistributionTraits, BoundsAreReadAsWandBDoes) {
  EXPECT_EQ(TraitsOf(Distribution::kUniform).bounds, BoundsKind::kPlain);
  EXPECT_EQ(TraitsOf(Distribution::kLogUniform).bounds, BoundsKind::kLog);
  EXPECT_EQ(TraitsOf(Distribution::kInvLogUniform).bounds, BoundsKind::kLog);
  EXPECT_EQ(TraitsOf(Distribution::kQLogUniformValues).bounds, BoundsKind::kRawPositive);
  EXPECT_EQ(TraitsOf(Distribution::kNormal).bounds, BoundsKind::kNone);
  EXPECT_TRUE(IsBounded(Distribution::kIntUniform));
  EXPECT_TRUE(IsNormalFamily(Distribution::kQLogNormal));
  EXPECT_TRUE(IsBeta(Distribution::kQBeta));
  EXPECT_FALSE(IsQForm(Distribution::kBeta));
  EXPECT_EQ(TraitsOf(Distribution::kInvLogUniformValues).scale, "inv_log");
  EXPECT_EQ(TraitsOf(Distribution::kCategorical).scale, "none");
}

}  // namespace
}  // namespace sweep
