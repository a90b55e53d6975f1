#include "orchestrator/spec/did_you_mean.h"

#include <gtest/gtest.h>

namespace sweep {
namespace {

const std::vector<std::string> kKeys = {"program",    "command",         "method",  "metric",
                                        "parameters", "early_terminate", "run_cap", "name"};

TEST(EditDistance, CountsInsertDeleteSubstituteAndAdjacentSwapAsOneEach) {
  EXPECT_EQ(EditDistance("", ""), 0u);
  EXPECT_EQ(EditDistance("abc", ""), 3u);
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3u);
  EXPECT_EQ(EditDistance("ab", "ba"), 1u);
  EXPECT_EQ(EditDistance("paramaters", "parameters"), 1u);
  EXPECT_EQ(EditDistance("METHOD", "method"), 0u);
}

TEST(EditDistance, StaysBoundedOnHugeInputs) {
  std::string huge(100000, 'x');
  EXPECT_EQ(EditDistance(huge, huge), 0u);
  EXPECT_LE(EditDistance(huge, "x"), 256u);
}

TEST(DidYouMean, SuggestsTheClosestKeyForATypo) {
  EXPECT_EQ(DidYouMean("paramaters", kKeys), "parameters");
  EXPECT_EQ(DidYouMean("mehtod", kKeys), "method");
  EXPECT_EQ(DidYouMean("early_termiante", kKeys), "early_terminate");
  EXPECT_EQ(DidYouMean("Program", kKeys), "program");
  EXPECT_EQ(DidYouMean("runcap", kKeys), "run_cap");
}

TEST(DidYouMean, PrefersTheNearerOfTwoCandidates) {
  EXPECT_EQ(DidYouMean("metrc", kKeys), "metric");
  EXPECT_EQ(DidYouMean("metod", kKeys), "method");
}

TEST(DidYouMean, AcceptsAnUnambiguousPrefix) {
  EXPECT_EQ(DidYouMean("early", kKeys), "early_terminate");
  EXPECT_EQ(DidYouMean("distrib", {"distribution", "value"}), "distribution");
}

TEST(DidYouMean, StaysQuietWhenNothingIsClose) {
  EXPECT_EQ(DidYouMean("gaussian", {"normal", "uniform", "beta"}), std::nullopt);
  EXPECT_EQ(DidYouMean("x", kKeys), std::nullopt);
  EXPECT_EQ(DidYouMean("", kKeys), std::nullopt);
  EXPECT_EQ(DidYouMean("method", kKeys), std::nullopt);  // exact: nothing to suggest
  EXPECT_EQ(DidYouMean("anything", {}), std::nullopt);
}

TEST(DidYouMean, ShortWordsNeedACloseMatch) {
  EXPECT_EQ(DidYouMean("z", {"q", "a", "b"}), "q");  // one edit is allowed for any length
  EXPECT_EQ(DidYouMean("zz", {"q", "a"}), std::nullopt);
}

TEST(DidYouMeanSuffix, FormatsTheHintOrNothing) {
  EXPECT_EQ(DidYouMeanSuffix("randm", {"grid", "random", "bayes"}), "; did you mean 'random'?");
  EXPECT_EQ(DidYouMeanSuffix("qqqqq", {"grid", "random", "bayes"}), "");
}

}  // namespace
}  // namespace sweep
