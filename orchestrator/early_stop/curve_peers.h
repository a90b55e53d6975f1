// A model across trials for every curve: what did the complete curves whose first n
// reports looked like this trial's do between report n and the budget?
//
// The per-trial families (curve_fit.h) must pin a curve's asymptote from its own few
// reports, which a slow learner does not allow for a long time; the sweep's complete
// curves show how much curves of that shape still improved. In the spirit of LC-PFN
// (Adriaensen et al., NeurIPS 2023: a curve's continuation from curves drawn like it)
// and of freeze-thaw BO / DyHPO's sharing across trials, without a learned prior: each
// complete curve j is moved onto the trial by the offset c_j that aligns their last
// reports; the trial's shape distance to j is what remains; the k nearest (within the
// noise) say the trial ends near y_j(B) + c_j. The spread is calibrated: the same
// forecast is replayed for every complete curve from the others (leave-one-out), and
// its errors are what the bound is widened by. Pure math, no state; curve_rule.h uses it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace sweep {

// The complete curves (oriented, smaller is better), each with >= budget reports.
struct PeerSet {
  std::vector<const std::vector<double>*> curves;
  int64_t budget = 0;  // report count whose value is the curve's final
};

struct PeerOptions {
  int neighbours = 5;    // k of the k nearest
  int min_peers = 4;     // complete curves needed before the model has an opinion
  int min_used = 3;      // neighbours within the noise needed for a forecast
  double fit_slack = 3;  // a neighbour's shape distance may be up to this many noise sds
};

// What the peers say about one prefix.
struct PeerForecast {
  bool ok = false;    // false: too few complete curves, or none within the noise
  int used = 0;       // neighbours combined
  double mean = 0;    // weighted mean of y_j(B) + c_j over the neighbours
  double spread = 0;  // sd of those predictions (the neighbours' disagreement)
};

// Forecast for `prefix` (finite values, size n >= 2, n < budget) from the peers,
// skipping peer `skip` (an index into peers.curves; SIZE_MAX for none). `sigma2` > 0
// is the per-report noise variance.
PeerForecast ForecastFromPeers(const std::vector<double>& prefix, const PeerSet& peers,
                               double sigma2, const PeerOptions& options,
                               size_t skip = static_cast<size_t>(-1));

// Leave-one-out errors of ForecastFromPeers at report count n: for every peer whose
// forecast from the others is ok, (its value at the budget − that forecast's mean),
// sorted ascending. Their spread is the model's calibrated error at n.
std::vector<double> PeerErrors(const PeerSet& peers, size_t n, double sigma2,
                               const PeerOptions& options);

}  // namespace sweep
