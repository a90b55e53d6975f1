#include "orchestrator/early_stop/curve_rise.h"

#include <cmath>

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
  const double climb = values[n - 1] - values[n - 1 - options.reports];
  r.rising = climb > 2 * options.z * std::sqrt(2 * sigma2);
  return r;
}

}  // namespace sweep
