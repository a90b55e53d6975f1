#include "orchestrator/ui/lttb.h"

#include <gtest/gtest.h>

#include <cmath>

namespace sweep {
namespace {

std::vector<XY> Line(size_t n, double (*f)(double)) {
  std::vector<XY> pts(n);
  for (size_t i = 0; i < n; ++i) pts[i] = {static_cast<double>(i), f(static_cast<double>(i))};
  return pts;
}

TEST(Lttb, KeepsEveryPointWhenUnderTheThreshold) {
  auto pts = Line(7, [](double x) { return x * x; });
  auto idx = LttbIndices(pts, 10);
  ASSERT_EQ(idx.size(), 7u);
  for (size_t i = 0; i < idx.size(); ++i) EXPECT_EQ(idx[i], i);
}

TEST(Lttb, KeepsExactlyThresholdPointsIncludingBothEnds) {
  auto pts = Line(10000, [](double x) { return std::sin(x / 50); });
  auto idx = LttbIndices(pts, 100);
  ASSERT_EQ(idx.size(), 100u);
  EXPECT_EQ(idx.front(), 0u);
  EXPECT_EQ(idx.back(), 9999u);
  for (size_t i = 1; i < idx.size(); ++i) EXPECT_LT(idx[i - 1], idx[i]);
}

TEST(Lttb, KeepsALoneSpikeInAFlatSeries) {
  std::vector<XY> pts(5000);
  for (size_t i = 0; i < pts.size(); ++i) pts[i] = {static_cast<double>(i), 1.0};
  pts[3217].y = 50.0;
  pts[1200].y = -20.0;
  auto kept = Lttb(pts, 40);
  bool spike = false, dip = false;
  for (const XY& p : kept) {
    spike |= p.x == 3217 && p.y == 50.0;
    dip |= p.x == 1200 && p.y == -20.0;
  }
  EXPECT_TRUE(spike);
  EXPECT_TRUE(dip);
}

TEST(Lttb, TinyThresholdsKeepTheEndsOrNothing) {
  auto pts = Line(50, [](double x) { return x; });
  EXPECT_TRUE(LttbIndices(pts, 0).empty());
  EXPECT_EQ(LttbIndices(pts, 1), std::vector<size_t>({0}));
  EXPECT_EQ(LttbIndices(pts, 2), std::vector<size_t>({0, 49}));
  EXPECT_EQ(LttbIndices(pts, 3).size(), 3u);
}

TEST(Lttb, EmptyInputGivesNothing) { EXPECT_TRUE(Lttb({}, 100).empty()); }

TEST(Lttb, ThreeBucketsPickTheFarthestPointFromTheChord) {
  // Points 1..3 form one bucket between the ends; point 2 is farthest from the line.
  std::vector<XY> pts = {{0, 0}, {1, 0.1}, {2, 5}, {3, 0.2}, {4, 0}};
  auto idx = LttbIndices(pts, 3);
  EXPECT_EQ(idx, std::vector<size_t>({0, 2, 4}));
}

}  // namespace
}  // namespace sweep
