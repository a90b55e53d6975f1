// Largest-triangle-three-buckets (LTTB) downsampling of a time series for charts.
//
// Steinarsson, "Downsampling Time Series for Visual Representation" (2013): keep the
// first and last point, split the rest into `threshold - 2` equal buckets and keep,
// from each bucket, the point forming the largest triangle with the point kept before
// it and the mean of the next bucket. The curve keeps its peaks and its shape with a
// few hundred points where the raw series has hundreds of thousands.
#pragma once

#include <cstddef>
#include <vector>

namespace sweep {

struct XY {
  double x = 0;
  double y = 0;
};

// Indices (ascending) into `points` of at most `threshold` points to draw, always
// including the first and last when threshold >= 2. Points must be ordered by x and
// finite (callers drop NaN/Inf first). Every index when points.size() <= threshold;
// threshold 1 keeps the first point, 0 none. Pure; O(points.size()).
std::vector<size_t> LttbIndices(const std::vector<XY>& points, size_t threshold);

// The kept points themselves.
std::vector<XY> Lttb(const std::vector<XY>& points, size_t threshold);

}  // namespace sweep
