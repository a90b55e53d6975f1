// The offset-aligned nearest complete curves (curve_peers.h).
//
// Why align on the last reports and not compare raw values: two curves of one sweep
// that are at different heights now may still improve by the same amount (that is
// what a shared shape means), and the question is how much this trial still improves.
// Why the shape distance over the whole prefix: the remaining improvement depends on
// how fast the curve is bending, which only the whole prefix shows.
#include "orchestrator/early_stop/curve_peers.h"

#include <algorithm>
#include <cmath>

namespace sweep {
namespace {

// Reports at the end of the prefix the offset is taken over: enough to average the
// noise down a little, few enough to be "where the curve is now".
constexpr size_t kOffsetWindow = 3;

struct Candidate {
  double d2;          // mean squared shape residual after the offset
  double prediction;  // y_j(B) + c_j
};

}  // namespace

PeerForecast ForecastFromPeers(const std::vector<double>& prefix, const PeerSet& peers,
                               double sigma2, const PeerOptions& options, size_t skip) {
  PeerForecast out;
  const size_t n = prefix.size();
  if (n < 2 || !(sigma2 > 0) || peers.budget <= static_cast<int64_t>(n)) return out;
  const size_t b = static_cast<size_t>(peers.budget);
  const size_t w = std::min(n, kOffsetWindow);
  std::vector<Candidate> cands;
  cands.reserve(peers.curves.size());
  for (size_t j = 0; j < peers.curves.size(); ++j) {
    const std::vector<double>* y = peers.curves[j];
    if (j == skip || !y || y->size() < b || !std::isfinite((*y)[b - 1])) continue;
    double c = 0;
    for (size_t k = n - w; k < n; ++k) c += prefix[k] - (*y)[k];
    c /= static_cast<double>(w);
    double d2 = 0;
    for (size_t k = 0; k < n; ++k) {
      const double r = prefix[k] - (*y)[k] - c;
      d2 += r * r;
    }
    d2 /= static_cast<double>(n);
    const double p = (*y)[b - 1] + c;
    if (std::isfinite(d2) && std::isfinite(p)) cands.push_back({d2, p});
  }
  if (static_cast<int>(cands.size()) < options.min_peers) return out;
  const size_t k = std::min(cands.size(), static_cast<size_t>(std::max(1, options.neighbours)));
  std::partial_sort(cands.begin(), cands.begin() + static_cast<long>(k), cands.end(),
                    [](const Candidate& a, const Candidate& c) { return a.d2 < c.d2; });
  // The difference of two noisy curves has variance 2σ²; a neighbour further than
  // fit_slack sds of that is a different shape and says nothing.
  const double limit = 2 * sigma2 * options.fit_slack * options.fit_slack;
  double sw = 0, sp = 0;
  for (size_t i = 0; i < k; ++i) {
    if (cands[i].d2 > limit) break;
    const double wgt = 1 / (cands[i].d2 + 2 * sigma2);
    sw += wgt;
    sp += wgt * cands[i].prediction;
    ++out.used;
  }
  if (out.used < options.min_used) return out;
  out.mean = sp / sw;
  double sv = 0;
  for (int i = 0; i < out.used; ++i) {
    const double wgt = 1 / (cands[i].d2 + 2 * sigma2);
    sv += wgt * (cands[i].prediction - out.mean) * (cands[i].prediction - out.mean);
  }
  out.spread = std::sqrt(sv / sw);
  out.ok = true;
  return out;
}

std::vector<double> PeerErrors(const PeerSet& peers, size_t n, double sigma2,
                               const PeerOptions& options) {
  std::vector<double> errors;
  const size_t b = static_cast<size_t>(std::max<int64_t>(peers.budget, 0));
  for (size_t i = 0; i < peers.curves.size(); ++i) {
    const std::vector<double>* y = peers.curves[i];
    if (!y || y->size() < b || n >= b || !std::isfinite((*y)[b - 1])) continue;
    const std::vector<double> prefix(y->begin(), y->begin() + static_cast<long>(n));
    if (!std::all_of(prefix.begin(), prefix.end(), [](double v) { return std::isfinite(v); }))
      continue;
    const PeerForecast f = ForecastFromPeers(prefix, peers, sigma2, options, i);
    if (f.ok) errors.push_back((*y)[b - 1] - f.mean);
  }
  std::sort(errors.begin(), errors.end());
  return errors;
}

}  // namespace sweep
