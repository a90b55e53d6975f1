#include "orchestrator/early_stop/curve_envelope.h"

#include <algorithm>
#include <cmath>

namespace sweep {

std::vector<double> LowerEnvelope(const std::vector<double>& values) {
  std::vector<double> out(values.size());
  bool any = false;
  double low = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    if (std::isfinite(values[i]) && (!any || values[i] < low)) {
      low = values[i];
      any = true;
    }
    out[i] = any ? low : values[i];
  }
  return out;
}

bool NeverRose(const std::vector<double>& values) {
  bool any = false;
  double low = 0;
  for (double v : values) {
    if (!std::isfinite(v)) continue;
    if (any && v > low) return false;
    low = any ? std::min(low, v) : v;
    any = true;
  }
  return true;
}

}  // namespace sweep
