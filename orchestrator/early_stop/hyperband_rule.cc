// Hyperband as W&B's sweeps engine applies it, decided afresh on each Decide call.
//
// Bands follow hyperband_stopping.py: from max_iter and s, max_iter/eta, /eta again,
// ... (s times, stopping below 1), truncated and sorted; from min_iter, min_iter·eta^k.
// A band b is an index into a trial's report history: it applies once the trial has
// reported more than b times, and its threshold is element floor(n/eta) of the sorted
// values at index b of all n trials that got that far (finished, stopped and running
// alike), i.e. the worst value still in the top 1/eta. A running trial is compared
// against the last band it passed; strict (the default: W&B's engine fills `strict`
// from its schema, whose default is true) stops it when its value at that band is
// strictly worse than the threshold, non-strict when its best value so far is; ties
// survive. This
// reproduces W&B's documented five-run example (eta 2, max_iter 5, s 2 stops b and c).
// Thresholds are recomputed per call rather than maintained incrementally: a call costs
// O(bands · trials · log trials), microseconds for sweeps of hundreds of trials.
#include "orchestrator/early_stop/hyperband_rule.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace sweep {
namespace {

constexpr int64_t kMaxBand = int64_t{1} << 40;
constexpr double kInf = std::numeric_limits<double>::infinity();

Status BadSpec(const std::string& key, const std::string& what) {
  return Status::InvalidSpec("early_terminate." + key + ": " + what);
}

}  // namespace

Result<std::vector<int64_t>> HyperbandBands(const HyperbandOptions& o) {
  if (!std::isfinite(o.eta) || o.eta <= 1) return BadSpec("eta", "must be greater than 1");
  std::vector<int64_t> bands;
  if (o.max_iter && o.s) {
    if (*o.max_iter < 1) return BadSpec("max_iter", "must be at least 1");
    if (*o.s < 1) return BadSpec("s", "must be at least 1");
    double band = static_cast<double>(*o.max_iter);
    for (int64_t i = 0; i < *o.s; ++i) {
      band /= o.eta;
      if (band < 1) break;
      bands.push_back(static_cast<int64_t>(band));
    }
  } else if (o.min_iter) {
    if (*o.min_iter < 1) return BadSpec("min_iter", "must be at least 1");
    double band = static_cast<double>(*o.min_iter);
    for (int i = 0; i < 100 && band <= static_cast<double>(kMaxBand); ++i) {
      bands.push_back(static_cast<int64_t>(band));
      band *= o.eta;
    }
  } else if (o.max_iter) {
    return BadSpec("s", "is required with max_iter (or give min_iter instead)");
  } else {
    return BadSpec("min_iter", "hyperband needs min_iter, or max_iter with s");
  }
  std::sort(bands.begin(), bands.end());
  bands.erase(std::unique(bands.begin(), bands.end()), bands.end());
  if (bands.empty()) {
    return BadSpec("s", "max_iter " + std::to_string(*o.max_iter) + " with eta " +
                            FormatNumber(o.eta) +
                            " gives no band of at least 1 report; raise max_iter or lower eta");
  }
  return bands;
}

HyperbandRule::HyperbandRule(std::vector<int64_t> bands, double eta, bool strict, Goal goal,
                             std::string metric_name)
    : bands_(std::move(bands)),
      eta_(eta),
      strict_(strict),
      metric_(std::move(metric_name)),
      histories_(goal) {}

Result<std::unique_ptr<HyperbandRule>> HyperbandRule::Make(const HyperbandOptions& options,
                                                           Goal goal, std::string metric_name) {
  auto bands = HyperbandBands(options);
  if (!bands.ok()) return bands.status();
  return std::make_unique<HyperbandRule>(std::move(bands).value(), options.eta, options.strict,
                                         goal, std::move(metric_name));
}

void HyperbandRule::OnReport(const std::string& trial_id, int64_t count, double value) {
  histories_.Add(trial_id, count, value);
}

void HyperbandRule::OnEnd(const std::string& trial_id) { flags_.MarkEnded(trial_id); }

double HyperbandRule::OrientedThreshold(size_t band_index) const {
  const size_t b = static_cast<size_t>(bands_[band_index]);
  std::vector<double> values;
  for (const auto& [id, h] : histories_.all()) {
    if (h.size() > b) values.push_back(h[b]);
  }
  if (values.empty()) return kInf;
  // W&B: sorted(values)[int(r * len(values))] with r = 1/eta.
  const size_t k = static_cast<size_t>((1.0 / eta_) * static_cast<double>(values.size()));
  std::nth_element(values.begin(), values.begin() + k, values.end());
  return values[k];
}

std::optional<double> HyperbandRule::Threshold(size_t band_index) const {
  if (band_index >= bands_.size()) return std::nullopt;
  const double t = OrientedThreshold(band_index);
  if (std::isinf(t) && t > 0) return std::nullopt;
  return histories_.Raw(t);
}

std::vector<StopDecision> HyperbandRule::Decide(const std::vector<std::string>& running) {
  std::vector<StopDecision> out;
  std::vector<std::optional<double>> cache(bands_.size());
  for (const std::string& id : running) {
    if (!flags_.Eligible(id)) continue;
    const std::vector<double>* h = histories_.Find(id);
    if (!h) continue;
    // Last band this trial passed: the largest band b with b < reports.
    auto it = std::lower_bound(bands_.begin(), bands_.end(), static_cast<int64_t>(h->size()));
    if (it == bands_.begin()) continue;
    const size_t j = static_cast<size_t>(it - bands_.begin()) - 1;
    if (!cache[j]) cache[j] = OrientedThreshold(j);
    const double threshold = *cache[j];
    const size_t b = static_cast<size_t>(bands_[j]);
    const double value = strict_ ? (*h)[b] : *std::min_element(h->begin(), h->end());
    if (!(value > threshold)) continue;
    flags_.MarkStopped(id);
    StopDecision d;
    d.trial_id = id;
    d.rule = "hyperband";
    d.bracket = static_cast<int>(j);
    d.reason = "hyperband: " + metric_ + " " +
               (strict_ ? "at report " + std::to_string(b + 1)
                        : "best so far after " + std::to_string(h->size()) + " reports") +
               " is " + histories_.Show(value) + ", worse than " + histories_.Show(threshold) +
               ", the top-1/" + FormatNumber(eta_) + " threshold of the values at report " +
               std::to_string(b + 1) + " (band " + std::to_string(b) + ", bracket " +
               std::to_string(j) + ")";
    out.push_back(std::move(d));
  }
  return out;
}

std::string HyperbandRule::Describe() const {
  std::string s = "hyperband (eta " + FormatNumber(eta_) + (strict_ ? ", strict" : "") +
                  "): a trial is checked after reports";
  const size_t shown = std::min<size_t>(bands_.size(), 6);
  for (size_t i = 0; i < shown; ++i) s += (i ? ", " : " ") + std::to_string(bands_[i] + 1);
  if (shown < bands_.size()) s += ", ...";
  return s;
}

}  // namespace sweep
