// Learning-curve early termination: stop a trial only when the forecast of its final
// value is confidently worse than what the sweep already has.
//
// Each running trial's partial curve is extrapolated to the budget (report max_iter,
// or the report count of the longest trial that ended on its own) by an ensemble of
// parametric curve families fitted per trial (curve_fit.h; families and the idea from
// Domhan et al., IJCAI 2015; a stop-only-when-confident rule in the spirit of
// freeze-thaw BO, Swersky et al. 2014, and DyHPO, Wistuba et al., NeurIPS 2022). The
// noise level is pooled across trials, so a short curve borrows the sweep's noise.
//
// A trial with at least min_iter reports is stopped when its optimistic bound (the
// lowest over the ensemble and each family of its `confidence` bound, widened by the
// forecast errors replayed on this sweep's complete curves) is worse than the
// incumbent: the best value at the budget of any trial that got there, or the best
// pessimistic bound (highest over the ensemble and each family) of another running
// trial. So it is stopped only if no curve family gives it a chance against something
// the sweep is confident to have; from 15 fitted points on, a family that fits the
// curve more than 4x worse (residual sum of squares) than the best member is ruled out
// and no longer keeps it. Nothing is stopped before one trial reached the
// budget (the calibration needs a complete curve). A trial whose latest
// report is NaN/inf is stopped once it has min_iter reports and an incumbent exists.
// Until a budget is known (no max_iter, nothing ended on its own) nothing is stopped.
// A trial still flat from its first report (which every family would call finished)
// must also be judged hopeless by at least 3 curves seen as flat as long (the
// cross-trial match of curve_match.h); curves are fitted from the end of an initial
// plateau (FitCurveFromOnset).
//
// The same replay keeps each family's own errors: a trial the families keep, not flat
// from its first report and whose ensemble mean is worse than the incumbent, is stopped
// when at least two families, each widened by its own errors at a tail split over the
// four (a union bound), put it worse than the incumbent (CalibratedFamilyBound).
//
// A second model, across trials, judges every curve the families do not stop
// (curve_peers.h): the complete curves most alike until the trial's report count say
// where it ends, widened by that model's own leave-one-out errors on the complete
// curves (a normal fitted to them, the neighbours' spread, or their (1 - confidence)
// quantile, whichever is widest; the normal and the spread at a tail 10x thinner than
// `confidence`, 0.999 for 0.99). It stops a trial when that optimistic bound is worse
// than the incumbent and the families' mean forecast is worse too (the two models see
// different things and must agree on the direction). It has an opinion only from 8
// complete curves on, with at least 3 neighbours within the noise.
//
// A trial both models keep that has 8 reports or more, is not flat from its first
// report and rose at some report, is stopped when the same optimistic bound, computed
// for its lower envelope (the running minimum, fitted by the same families and widened
// by the envelope forecast's own errors replayed on the complete curves), is worse
// than the incumbent: its final report cannot be below its envelope, and a jagged
// curve's spikes, which widen its own bound, do not move the envelope
// (curve_envelope.h).
//
// A trial both models keep is stopped when it has risen for 4 reports in a row beyond
// the noise and beyond any climb a curve of the sweep came back from, and even its
// best report so far is worse than the incumbent (curve_rise.h): divergence without
// NaN, which the families' misfit would otherwise never cut.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "orchestrator/early_stop/curve_fit.h"
#include "orchestrator/early_stop/curve_match.h"
#include "orchestrator/early_stop/curve_peers.h"
#include "orchestrator/early_stop/early_stop.h"

namespace sweep {

struct CurveOptions {
  int64_t min_iter = 3;             // reports before a trial may be stopped; >= 2
  std::optional<int64_t> max_iter;  // reports of a full trial; learned when absent
  double confidence = 0.99;         // one-sided; in [0.5, 1)
};

class CurveRule : public EarlyStopRule {
 public:
  // Use Make(): it validates the options.
  CurveRule(const CurveOptions& options, Goal goal, std::string metric_name);
  static Result<std::unique_ptr<CurveRule>> Make(const CurveOptions& options, Goal goal,
                                                 std::string metric_name);

  void OnReport(const std::string& trial_id, int64_t count, double value) override;
  void OnEnd(const std::string& trial_id) override;
  std::vector<StopDecision> Decide(const std::vector<std::string>& running) override;
  std::string Describe() const override;

 private:
  struct Cached {
    CurveFit fit;
    // The fit of the curve's lower envelope (curve_envelope.h); only for curves that
    // rose at some report (otherwise the curve is its own envelope): has_envelope.
    CurveFit envelope;
    bool has_envelope = false;
    int64_t budget = -1;  // the budget the fits forecast; -1 when they must be refitted
  };
  struct Incumbent {
    double value;
    std::string what;  // "the value at report T of trial X" or "... forecast of ..."
  };

  // Forecast errors of the curves that reached the budget, replayed from their own
  // prefixes: at grid point g (a report count), (value at budget - mean) / sd.
  struct Calibration {
    int64_t budget = -1;        // the budget the errors were computed for
    size_t used = 0;            // how many of complete_ are in `errors`
    std::vector<int64_t> grid;  // report counts, ascending, from min_iter below budget
    std::vector<std::vector<double>> errors;  // per grid point
    // The same for the lower envelope's fit: (lowest value until the budget - mean)
    // / sd, from the envelope of each prefix.
    std::vector<std::vector<double>> envelope_errors;
    // Leave-one-out errors of the peer model (curve_peers.h) per grid point, in
    // values; recomputed whenever a curve completes (every replay changes).
    size_t peers_used = 0;
    std::vector<std::vector<double>> peer_errors;
    // Each family's own forecast errors, (value at budget - family mean) / family sd,
    // per grid point and family (CurveMember::family).
    std::vector<std::array<std::vector<double>, 4>> family_errors;
  };

  int64_t Budget() const;
  void Calibrate(int64_t budget, double pool);
  // The (1 - confidence) and confidence quantiles of the calibration errors for a
  // trial with `reports` reports, widened to at least -z and +z; false when no curve
  // has reached the budget yet.
  bool ErrorBounds(int64_t reports, double* low, double* high) const;
  // The same over the envelope's calibration errors, low side only.
  bool EnvelopeErrorLow(int64_t reports, double* low) const;
  // The envelope's verdict (curve_envelope.h): true (with the reason) when the
  // optimistic bound of the envelope's forecast is worse than `incumbent`.
  bool EnvelopeStop(const Cached& c, int64_t reports, int64_t budget, double pool, double incumbent,
                    const std::string& against, std::string* reason) const;
  // The peer model's optimistic bound on the trial's value at the budget: its forecast
  // plus the (1 - confidence) quantile of its calibrated errors at `reports`; false
  // when the model has no opinion (too few complete curves, none alike).
  bool PeerBound(const std::vector<double>& h, double* low, PeerForecast* f) const;
  // The highest of the families' optimistic bounds, each at its own errors replayed on
  // the complete curves and at a tail split over the families (a union bound); false
  // when no family has enough replayed errors at `reports`. `family` names the one.
  bool CalibratedFamilyBound(const CurveForecast& f, int64_t reports, double* low,
                             int* family) const;
  // The per-trial families' verdict: true (with the reason) when the optimistic bound
  // of the ensemble and of every family is worse than `incumbent`, and, for a trial
  // still flat from its first report, the flat curves seen as long agree.
  bool FamiliesStop(const CurveFit& fit, const CurveForecast& f, double low, int64_t reports,
                    int64_t budget, const std::vector<double>& h, const std::vector<MatchRef>& refs,
                    double incumbent, const std::string& against, std::string* reason) const;
  const Cached& Fit(const std::string& id, const std::vector<double>& h, int64_t budget);
  double PooledSigma2() const;
  // Re-estimates the difference noise (curve_match.h) over all curves; when it moved
  // by more than half, marks every fit stale and drops the calibration.
  void UpdateDifferenceNoise();
  // The match references: every trial with more than min_iter reports, with its value
  // at the budget or its optimistic forecast; incomplete curves still flat are left out.
  std::vector<MatchRef> References(int64_t budget, double pool) const;
  std::optional<Incumbent> BestAtBudget(int64_t budget,
                                        const std::vector<std::string>& running) const;

  CurveOptions options_;
  std::string metric_;
  double z_;
  double z_peers_;     // the peer model's quantile: a 10x thinner tail than z_
  double z_families_;  // each calibrated family's quantile: the tail split over 4
  OrientedHistories histories_;
  TrialFlags flags_;
  std::unordered_set<std::string> ended_;    // ended, whatever the cause
  std::unordered_set<std::string> stopped_;  // stopped by this rule
  int64_t learned_budget_ = 0;               // longest trial that ended on its own
  std::unordered_map<std::string, Cached> fits_;
  std::vector<std::string> complete_;  // ended on their own with >= budget reports
  Calibration calibration_;
  double diff_sigma2_ = -1;  // DifferenceNoise of all curves; <= 0 until known
  // RecoveredClimb (curve_rise.h) of every curve, kept as reports arrive, and their
  // maximum: the rise test's `bumps`, without rescanning every curve on each Decide.
  std::unordered_map<std::string, double> climbs_;
  double bumps_ = 0;
};

}  // namespace sweep
