// Candidate selection beyond the continuous acquisition optimiser: exact enumeration of
// small discrete spaces, and the space-filling step taken when expected improvement
// has collapsed.
//
// Why: on real tuning objectives (CV accuracy moves in steps of 1/n, wide plateaus,
// a few integer parameters) the GP often sees flat data; EI is then nearly zero
// everywhere, its maximiser is decided by round-off, and the search stays in one
// region (issue 21). Two remedies, both used by mature BO libraries:
// - a finite space small enough to score outright is scored outright (every unseen
//   configuration, on the lattice it will run at) instead of relaxing it to the cube
//   and snapping, which can miss the one integer configuration that matters;
// - when the best EI left is negligible, the next point is the unseen candidate
//   farthest from everything evaluated (a maximin step, in the spirit of SMAC's
//   interleaved random configurations: Hutter, Hoos & Leyton-Brown, LION 2011), so
//   exploration never collapses, but only once the best value has also stalled
//   (a flat EI alone also marks a GP that is over-confident while still climbing a
//   basin, where a far step costs the climb), and only while far steps pay
//   (FarStepAllowed). It also fires when every value so far is equal.
#pragma once

#include <Eigen/Dense>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "search/bayes/acq_optimizer.h"
#include "search/bayes/gp.h"
#include "search/bayes/unit_cube.h"

namespace sweep {

// Finite spaces with at most this many configurations are scored exhaustively.
inline constexpr size_t kEnumerateAcquisitionLimit = 4096;

// log EI (below the incumbent best of the GP's standardized outputs) of every
// configuration of a finite space (count = cube.CountIfFinite) that `usable` accepts;
// best first, at most keep. Empty when nothing is usable.
std::vector<ScoredPoint> EnumerateLogEi(const GaussianProcess& gp, double best,
                                        const UnitCube& cube, size_t count,
                                        const std::function<bool(const Eigen::VectorXd&)>& usable,
                                        size_t keep);

// True when the best log EI found cannot be told from zero: below kFlatLogEi, i.e.
// an expected improvement under 1e-7 standard deviations of the (warped) objective.
inline constexpr double kFlatLogEi = -16.1;
inline bool EiIsFlat(double best_log_ei) { return best_log_ei < kFlatLogEi; }

// A flat EI alone also happens while the search is still converging (an over-confident
// GP near a basin it is climbing: Hartmann-6, Levy-4), where a far step throws away the
// climb; the maximin step is taken only once the best value has also stalled for this
// many observations (a plateau or a ripple the model cannot resolve).
inline constexpr int kStallObservations = 5;

// Observations after the last one that strictly improved on all before it; values in
// the order they were observed, larger is better, nullopt (no usable value) never
// improves. 0 for an empty list or when the last one improved.
size_t ObservationsSinceImprovement(const std::vector<std::optional<double>>& values);

// `values` with every improvement of at most `tolerance` times the range of the values
// seen so far (itself included) replaced by nullopt, so that the two functions around
// this one count a refinement in the last digits of a floor as no progress; the best
// so far moves only on a larger improvement. tolerance 0 keeps every strict
// improvement. Why: a branch that has reached its floor keeps improving in the fifth
// digit with every trial, which resets a strict stall count for as long as it is fed.
std::vector<std::optional<double>> SignificantOnly(const std::vector<std::optional<double>>& values,
                                                   double tolerance);

// When far steps are worth taking, decided from the observed values alone so that a
// replayed history makes the same decisions. A stall of `stall` observations opens a
// window of `window` far steps; the window has paid when the best improves before it
// closes. After `max_unpaid` windows in a row that did not pay, no window opens again:
// the portfolio drops the arm that has stopped paying, as GP-Hedge does with its gains
// (Hoffman, Brochu & de Freitas, "Portfolio Allocation for Bayesian Optimization",
// UAI 2011), here with the improvement of the best as the gain. Why: Ackley-5 needs
// far steps right after the design and they pay there; on Levy-4 (seeds 3 and 6) and
// Rastrigin-5 a run of unpaid far steps replaces the EI steps that would have
// climbed the basin.
struct FarStepSchedule {
  int stall = kStallObservations;
  // Ackley-5 @50 needs several far steps in a row before one lands in its funnel:
  // window 3 gave median regret 6.59 on 20 seeds, window 6 gives 4.48 (with none
  // unpaid allowed after the first, Levy-4 @50 0.10 against 0.14 with unbounded far
  // steps).
  int window = 6;
  int max_unpaid = 1;
};

// True when the next ask may be a far step under `schedule` (values as for
// ObservationsSinceImprovement).
bool FarStepAllowed(const std::vector<std::optional<double>>& values,
                    const FarStepSchedule& schedule = {});

// The usable snapped point, among `candidates` scrambled-Sobol' draws of the space,
// with the largest distance to its nearest row of `observed` (model space). nullopt
// when no draw is usable. Deterministic for a seed.
std::optional<Eigen::VectorXd> FarthestPoint(
    const UnitCube& cube, const Eigen::MatrixXd& observed,
    const std::function<bool(const Eigen::VectorXd&)>& usable, int candidates, uint64_t seed);

}  // namespace sweep
