// Compute saved by early termination, projected from the finished trials.
//
// The projection is per stopped trial and uses that trial's own pace (seconds per
// report), because trials in one sweep differ in speed (batch size, model width) far
// more than in how many epochs they run: a full run is "the median number of reports a
// finished trial made". Medians rather than means keep one runaway or one crashed-early
// "finished" trial from skewing the estimate. Without any finished trial there is no
// end to project to, and the result says so (estimated = false).
#include "orchestrator/early_stop/compute_saved.h"

#include <algorithm>
#include <cmath>

namespace sweep {
namespace {

double Clean(double seconds) { return std::isfinite(seconds) && seconds > 0 ? seconds : 0.0; }

double MedianOf(std::vector<double> v) {
  if (v.empty()) return 0;
  const size_t mid = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + mid, v.end());
  const double upper = v[mid];
  if (v.size() % 2 == 1) return upper;
  const double lower = *std::max_element(v.begin(), v.begin() + mid);
  return (lower + upper) / 2;
}

}  // namespace

ComputeSaved EstimateComputeSaved(const std::vector<TrialUsage>& trials) {
  ComputeSaved out;
  std::vector<double> finished_seconds;
  std::vector<double> finished_reports;
  for (const TrialUsage& t : trials) {
    out.used_s += Clean(t.seconds);
    if (t.end == UsageEnd::kFinished) {
      ++out.finished;
      finished_seconds.push_back(Clean(t.seconds));
      finished_reports.push_back(static_cast<double>(std::max<int64_t>(t.reports, 0)));
    } else if (t.end == UsageEnd::kStopped) {
      ++out.stopped;
    }
  }
  if (out.finished == 0) return out;
  out.estimated = true;
  const double full_reports = MedianOf(finished_reports);
  const double full_seconds = MedianOf(finished_seconds);
  for (const TrialUsage& t : trials) {
    if (t.end != UsageEnd::kStopped) continue;
    const double s = Clean(t.seconds);
    double projected = full_seconds;
    if (t.reports > 0 && full_reports > 0) {
      projected = s * full_reports / static_cast<double>(t.reports);
    }
    out.saved_s += std::max(0.0, projected - s);
  }
  const double total = out.used_s + out.saved_s;
  out.saved_fraction = total > 0 ? out.saved_s / total : 0;
  return out;
}

}  // namespace sweep
