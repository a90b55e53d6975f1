// Median stopping: prefix sums make each running average O(1).
//
// For every trial we keep prefix sums and prefix minima of its oriented history, so
// "running average at step n" is prefix[n-1]/n and "best so far at step n" is
// best[n-1]. Decide judges each running trial at its latest step n: it collects the
// running averages at step n of all other trials that reached n (ended trials
// included), and when there are at least min_trials of them, stops the trial if its
// best so far is strictly worse than their median (mean of the two middle values for
// an even count). NaN reports are +inf, so they poison the averages they belong to and
// never look good. A re-delivered report rebuilds the sums from its index on.
#include "orchestrator/early_stop/median_rule.h"

#include <algorithm>

namespace sweep {
namespace {

Status BadSpec(const std::string& key, const std::string& what) {
  return Status::InvalidSpec("early_terminate." + key + ": " + what);
}

double Median(std::vector<double>& v) {
  const size_t mid = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + mid, v.end());
  const double upper = v[mid];
  if (v.size() % 2 == 1) return upper;
  const double lower = *std::max_element(v.begin(), v.begin() + mid);
  return lower / 2 + upper / 2;
}

}  // namespace

MedianRule::MedianRule(const MedianOptions& options, Goal goal, std::string metric_name)
    : options_(options), metric_(std::move(metric_name)), histories_(goal) {}

Result<std::unique_ptr<MedianRule>> MedianRule::Make(const MedianOptions& options, Goal goal,
                                                     std::string metric_name) {
  if (options.min_iter < 1) return BadSpec("min_iter", "must be at least 1");
  if (options.min_trials < 1) return BadSpec("min_trials", "must be at least 1");
  return std::make_unique<MedianRule>(options, goal, std::move(metric_name));
}

void MedianRule::Rebuild(Sums& s, const std::vector<double>& h, size_t from) {
  s.prefix.resize(h.size());
  s.best.resize(h.size());
  for (size_t i = from; i < h.size(); ++i) {
    s.prefix[i] = (i ? s.prefix[i - 1] : 0.0) + h[i];
    s.best[i] = i ? std::min(s.best[i - 1], h[i]) : h[i];
  }
}

void MedianRule::OnReport(const std::string& trial_id, int64_t count, double value) {
  const int64_t index = histories_.Add(trial_id, count, value);
  if (index < 0) return;
  Rebuild(sums_[trial_id], *histories_.Find(trial_id), static_cast<size_t>(index));
}

void MedianRule::OnEnd(const std::string& trial_id) { flags_.MarkEnded(trial_id); }

std::vector<StopDecision> MedianRule::Decide(const std::vector<std::string>& running) {
  std::vector<StopDecision> out;
  std::vector<double> others;
  for (const std::string& id : running) {
    if (!flags_.Eligible(id)) continue;
    auto self = sums_.find(id);
    if (self == sums_.end()) continue;
    const size_t n = self->second.prefix.size();
    if (static_cast<int64_t>(n) < options_.min_iter) continue;
    others.clear();
    for (const auto& [other_id, s] : sums_) {
      if (other_id == id || s.prefix.size() < n) continue;
      others.push_back(s.prefix[n - 1] / static_cast<double>(n));
    }
    if (static_cast<int64_t>(others.size()) < options_.min_trials) continue;
    const size_t count = others.size();
    const double median = Median(others);
    const double best = self->second.best[n - 1];
    if (!(best > median)) continue;
    flags_.MarkStopped(id);
    StopDecision d;
    d.trial_id = id;
    d.rule = "median";
    d.reason = "median: " + metric_ + " best so far after " + std::to_string(n) + " reports is " +
               histories_.Show(best) + ", worse than " + histories_.Show(median) +
               ", the median of " + std::to_string(count) +
               " other trials' running averages at report " + std::to_string(n);
    out.push_back(std::move(d));
  }
  return out;
}

std::string MedianRule::Describe() const {
  return "median: from report " + std::to_string(options_.min_iter) +
         ", stop a trial whose best so far is worse than the median of at least " +
         std::to_string(options_.min_trials) + " other trials' running averages";
}

}  // namespace sweep
