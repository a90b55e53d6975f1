#include "orchestrator/early_stop/curve_rise.h"

#include <algorithm>
#include <cmath>
#include <cstddef>

namespace sweep {

Rise RisingAway(const std::vector<double>& values, double sigma2, const RiseOptions& options) {
  Rise r;
  const int64_t n = static_cast<int64_t>(values.size());
  if (!(sigma2 > 0) || options.reports < 1 || n < options.reports + 1) return r;
  for (int64_t i = n - options.reports; i < n; ++i)
    if (!std::isfinite(values[i]) || !std::isfinite(values[i - 1]) || !(values[i] > values[i - 1]))
      return r;
  bool any = false;
  for (int64_t i = 0; i < n; ++i) {
    if (!std::isfinite(values[i])) continue;
    if (!any || values[i] < r.best_so_far) {
      r.best_so_far = values[i];
      r.best_at = i + 1;
      any = true;
    }
  }
  r.rise = values[n - 1] - r.best_so_far;
  r.climb = values[n - 1] - values[n - 1 - options.reports];
  r.rising = r.climb > 2 * options.z * std::sqrt(2 * sigma2) && r.climb > options.bumps;
  return r;
}

double RecoveredClimb(const std::vector<double>& values) {
  const size_t n = values.size();
  // later_min[i]: the lowest finite report after i (+inf when none).
  std::vector<double> later_min(n + 1, INFINITY);
  for (size_t i = n; i-- > 0;)
    later_min[i] =
        std::isfinite(values[i]) ? std::min(later_min[i + 1], values[i]) : later_min[i + 1];
  double best = 0;
  size_t start = 0;  // first report of the current rising run
  for (size_t j = 1; j < n; ++j) {
    if (!(std::isfinite(values[j]) && std::isfinite(values[j - 1]) && values[j] > values[j - 1])) {
      start = j;
      continue;
    }
    // The run rises, so the starts the curve later went below are a suffix of it;
    // the first of them gives the largest climb to j.
    const auto first =
        std::upper_bound(values.begin() + static_cast<std::ptrdiff_t>(start),
                         values.begin() + static_cast<std::ptrdiff_t>(j), later_min[j + 1]);
    if (first != values.begin() + static_cast<std::ptrdiff_t>(j))
      best = std::max(best, values[j] - *first);
  }
  return best;
}

}  // namespace sweep
