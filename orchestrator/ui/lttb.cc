// LTTB: one pass over equal-width buckets (by index, not by x, as in the paper). For
// bucket i the third triangle corner is the mean of bucket i+1 (the last point for the
// final bucket), so each choice looks one bucket ahead and the pass stays linear.
// Triangle areas are compared doubled (no 0.5) since only their order matters.
#include "orchestrator/ui/lttb.h"

#include <algorithm>
#include <cmath>

namespace sweep {

std::vector<size_t> LttbIndices(const std::vector<XY>& points, size_t threshold) {
  const size_t n = points.size();
  std::vector<size_t> out;
  if (n == 0) return out;
  if (n <= threshold) {
    out.resize(n);
    for (size_t i = 0; i < n; ++i) out[i] = i;
    return out;
  }
  if (threshold < 3) {
    if (threshold >= 1) out.push_back(0);
    if (threshold == 2) out.push_back(n - 1);
    return out;
  }
  out.reserve(threshold);
  out.push_back(0);
  const double every = static_cast<double>(n - 2) / static_cast<double>(threshold - 2);
  size_t a = 0;  // index of the point kept last
  for (size_t i = 0; i < threshold - 2; ++i) {
    // This bucket: [start, end). The next bucket (for the mean): [end, next_end).
    size_t start = static_cast<size_t>(std::floor(i * every)) + 1;
    size_t end = static_cast<size_t>(std::floor((i + 1) * every)) + 1;
    end = std::min(end, n - 1);
    size_t next_end = static_cast<size_t>(std::floor((i + 2) * every)) + 1;
    next_end = std::min(next_end, n);
    double mx = 0, my = 0;
    size_t count = 0;
    for (size_t j = end; j < next_end; ++j, ++count) {
      mx += points[j].x;
      my += points[j].y;
    }
    if (count == 0) {
      mx = points[n - 1].x;
      my = points[n - 1].y;
    } else {
      mx /= static_cast<double>(count);
      my /= static_cast<double>(count);
    }
    const XY& pa = points[a];
    double best_area = -1;
    size_t best = start;
    for (size_t j = start; j < end; ++j) {
      double area =
          std::fabs((pa.x - mx) * (points[j].y - pa.y) - (pa.x - points[j].x) * (my - pa.y));
      if (area > best_area) {
        best_area = area;
        best = j;
      }
    }
    out.push_back(best);
    a = best;
  }
  out.push_back(n - 1);
  return out;
}

std::vector<XY> Lttb(const std::vector<XY>& points, size_t threshold) {
  std::vector<XY> out;
  for (size_t i : LttbIndices(points, threshold)) out.push_back(points[i]);
  return out;
}

}  // namespace sweep
