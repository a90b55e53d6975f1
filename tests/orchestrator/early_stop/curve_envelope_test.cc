#include "orchestrator/early_stop/curve_envelope.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace sweep {
namespace {

TEST(CurveEnvelope, IsTheRunningMinimumAndSkipsNonFiniteReports) {
  const std::vector<double> v = {0.5, 0.3, 0.9, INFINITY, 0.2, 0.4};
  EXPECT_EQ(LowerEnvelope(v), (std::vector<double>{0.5, 0.3, 0.3, 0.3, 0.2, 0.2}));
  // A leading non-finite report is copied until the first finite one.
  const std::vector<double> e = LowerEnvelope({INFINITY, 0.7, 0.8});
  ASSERT_EQ(e.size(), 3u);
  EXPECT_TRUE(std::isinf(e[0]));
  EXPECT_EQ(e[1], 0.7);
  EXPECT_EQ(e[2], 0.7);
  EXPECT_TRUE(LowerEnvelope({}).empty());
}

TEST(CurveEnvelope, NeverRoseOnlyWhenTheCurveIsItsOwnEnvelope) {
  EXPECT_TRUE(NeverRose({0.9, 0.5, 0.5, 0.2}));
  EXPECT_TRUE(NeverRose({0.9, NAN, 0.5}));
  EXPECT_TRUE(NeverRose({}));
  EXPECT_FALSE(NeverRose({0.9, 0.5, 0.51}));
  EXPECT_FALSE(NeverRose({0.9, INFINITY, 0.5, 0.6}));
}

}  // namespace
}  // namespace sweep
