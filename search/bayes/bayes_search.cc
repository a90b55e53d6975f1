// BayesSearch: the ask/tell loop around the GP (see bayes_search.h for the lifecycle).
//
// Determinism: every random choice of one Suggest call is drawn from
// Mix(seed, number of suggestions so far), and the training data are ordered by trial
// number, so the same seed and the same history (live or replayed) give the same
// configurations. Hyperparameters are therefore fitted from fixed starts each time
// rather than warm-started from the previous ask, which would make a resumed sweep
// diverge from an uninterrupted one.
//
// Failed and stopped trials follow W&B's metric.impute: a trial without a usable value
// (failed, or finished/stopped without reporting) counts as the worst (or best) value
// seen so far; with impute "latest" a failed trial's last reported value is used when
// it has one. Lost trials are ignored (they are re-run). Values are signed so that the
// model always maximises (minimise goals are negated).
#include "search/bayes/bayes_search.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "search/bayes/acq_optimizer.h"
#include "search/bayes/exploration.h"
#include "search/bayes/initial_design.h"
#include "search/bayes/mo_bayes_search.h"
#include "search/bayes/rng.h"

namespace sweep {
namespace {

constexpr size_t kEnumerationLimit = 200000;  // finite spaces up to this are enumerated
constexpr int kIncumbents = 5;
constexpr Eigen::Index kLargeModel = 300;  // BayesOptions::large_raw_samples applies past it

const bool kRegistered = RegisterStrategy(
    "bayes",
    [](const SearchSpace& space,
       const StrategyOptions& options) -> Result<std::unique_ptr<SearchStrategy>> {
      // `metrics:` or `constraints:`: one GP per objective and constraint.
      if (options.MultiObjective())
        return std::unique_ptr<SearchStrategy>(new MultiObjectiveBayes(space, options));
      return std::unique_ptr<SearchStrategy>(new BayesSearch(space, options));
    });

}  // namespace

BayesSearch::BayesSearch(const SearchSpace& space, const StrategyOptions& options,
                         const BayesOptions& bayes)
    : space_(space), cube_(space), branches_(space, cube_), options_(options), bayes_(bayes) {
  (void)kRegistered;
  design_size_ = bayes.initial_design > 0
                     ? bayes.initial_design
                     : InitialDesignSize(static_cast<int>(cube_.ParamDims()), options.budget);
  finite_size_ = cube_.CountIfFinite(kEnumerationLimit);
}

void BayesSearch::Observe(const Observation& obs) {
  suggested_.insert(ConfigKey(obs.config));
  if (obs.outcome == Outcome::kRunning || obs.outcome == Outcome::kLost) return;
  Point p{obs.trial_number, cube_.Encode(obs.config), std::nullopt,
          obs.outcome == Outcome::kFailed};
  bool usable = obs.value && !std::isnan(*obs.value);
  if (obs.outcome == Outcome::kFailed && options_.impute != Impute::kLatest) usable = false;
  if (usable) p.y = options_.goal == Goal::kMinimize ? -*obs.value : *obs.value;
  auto same = std::find_if(points_.begin(), points_.end(),
                           [&](const Point& q) { return q.trial_number == obs.trial_number; });
  if (same != points_.end()) {
    *same = std::move(p);
  } else {
    points_.push_back(std::move(p));
  }
}

void BayesSearch::Replay(const std::vector<Observation>& history) {
  points_.clear();
  suggested_.clear();
  design_cursor_ = 0;
  for (const Observation& obs : history) Observe(obs);
  suggest_count_ = history.size();
}

bool BayesSearch::Exhausted() const {
  return finite_size_ > 0 && suggested_.size() >= finite_size_;
}

bool BayesSearch::TrainingData(Eigen::MatrixXd& X, Eigen::VectorXd& y) const {
  std::vector<const Point*> pts;
  double worst = INFINITY, best = -INFINITY;
  for (const Point& p : points_) {
    pts.push_back(&p);
    if (p.y) {
      // -inf (an infinite loss) is a legitimate worst value but must not define the
      // imputation scale; WarpOutputs clips it later.
      if (std::isfinite(*p.y)) worst = std::min(worst, *p.y), best = std::max(best, *p.y);
    }
  }
  if (!std::isfinite(worst)) return false;
  std::sort(pts.begin(), pts.end(),
            [](const Point* a, const Point* b) { return a->trial_number < b->trial_number; });
  const double impute = options_.impute == Impute::kBest ? best : worst;
  X.resize(static_cast<Eigen::Index>(pts.size()), static_cast<Eigen::Index>(cube_.ModelDims()));
  y.resize(static_cast<Eigen::Index>(pts.size()));
  for (size_t i = 0; i < pts.size(); ++i) {
    X.row(i) = pts[i]->x.transpose();
    y[i] = pts[i]->y ? *pts[i]->y : impute;
  }
  return true;
}

std::optional<Eigen::VectorXd> BayesSearch::NextDesignPoint(const std::set<std::string>& seen) {
  const int pd = static_cast<int>(cube_.ParamDims());
  for (int tries = 0; tries < 256; ++tries) {
    Eigen::VectorXd u = SpaceFilling(1, pd, options_.seed, design_cursor_).row(0).transpose();
    if (pd > SobolSequence::kMaxDims) {  // Latin hypercube rows are independent draws
      BayesRng rng(BayesRng::Mix(options_.seed, design_cursor_ + 0xD1));
      for (int j = 0; j < pd; ++j) u[j] = rng.Uniform();
    }
    ++design_cursor_;
    Eigen::VectorXd x = cube_.FromParamUnit(u);
    if (Usable(x, seen)) return cube_.Snap(x);
  }
  return std::nullopt;
}

bool BayesSearch::Usable(const Eigen::VectorXd& x, const std::set<std::string>& seen) const {
  const Config config = cube_.Decode(x);
  return !seen.count(ConfigKey(config)) && space_.Admits(config);
}

std::optional<Eigen::VectorXd> BayesSearch::FallbackPoint(const std::set<std::string>& seen,
                                                          uint64_t salt) {
  BayesRng rng(BayesRng::Mix(options_.seed, salt));
  if (finite_size_ > 0) {
    size_t start = rng.Below(finite_size_);
    for (size_t k = 0; k < finite_size_; ++k) {
      Eigen::VectorXd x = cube_.EnumeratePoint((start + k) % finite_size_);
      if (Usable(x, seen)) return x;
    }
    return std::nullopt;
  }
  const int pd = static_cast<int>(cube_.ParamDims());
  // `where:` may reject most of the cube; the spec check guarantees some draws pass.
  const int max_tries = space_.where ? 100000 : 1000;
  for (int tries = 0; tries < max_tries; ++tries) {
    Eigen::VectorXd u(pd);
    for (int j = 0; j < pd; ++j) u[j] = rng.Uniform();
    Eigen::VectorXd x = cube_.FromParamUnit(u);
    if (Usable(x, seen)) return cube_.Snap(x);
  }
  return std::nullopt;
}

std::vector<Config> BayesSearch::Suggest(size_t n, const std::vector<Config>& pending) {
  std::vector<Config> out;
  const uint64_t call_seed = BayesRng::Mix(options_.seed, suggest_count_);
  std::set<std::string> seen = suggested_;
  for (const Config& c : pending) seen.insert(ConfigKey(c));

  // The model, built lazily on the first suggestion that needs it.
  bool model_ready = false, model_failed = false;
  GaussianProcess gp;
  Eigen::MatrixXd Xa, incumbents;
  Eigen::VectorXd ya;
  double best = 0;
  bool no_spread = false;  // every value equal: the model has learnt nothing
  // `believed` = running trials plus what this call has already suggested.
  auto build_model = [&](const std::vector<Config>& believed) {
    Eigen::MatrixXd X;
    Eigen::VectorXd y;
    if (!TrainingData(X, y) || cube_.ModelDims() == 0) return false;
    Eigen::VectorXd yw = WarpOutputs(y);
    std::vector<int> keep = SelectTrainingSubset(X, yw, bayes_.max_model_points);
    Eigen::MatrixXd Xm = X(keep, Eigen::all);
    Eigen::VectorXd ym = yw(keep);
    std::vector<int> fit = SelectTrainingSubset(Xm, ym, bayes_.max_fit_points);
    GpFitOptions fopt;
    fopt.seed = call_seed;
    // Past max_fit_points the fit is on a subset and the latency budget matters more
    // than the last digit of the likelihood: one start from the prior mode.
    const bool subset = static_cast<int>(fit.size()) < Xm.rows();
    fopt.random_starts = subset ? 0 : 2;
    fopt.max_iterations = subset ? 40 : 100;
    GpHyper hyper = FitHyperparameters(Xm(fit, Eigen::all), ym(fit), nullptr, fopt);
    gp.Condition(Xm, ym, hyper);
    best = ym.maxCoeff();
    no_spread = best - ym.minCoeff() <= 0;
    std::vector<int> order(ym.size());
    std::iota(order.begin(), order.end(), 0);
    int k = std::min<int>(kIncumbents, static_cast<int>(order.size()));
    std::partial_sort(order.begin(), order.begin() + k, order.end(),
                      [&](int a, int b) { return ym[a] > ym[b]; });
    incumbents = Xm(std::vector<int>(order.begin(), order.begin() + k), Eigen::all);
    // Kriging believer: running trials are believed to return the posterior mean.
    Xa = Xm;
    ya = ym;
    if (!believed.empty()) {
      Eigen::MatrixXd P(believed.size(), Xm.cols());
      for (size_t i = 0; i < believed.size(); ++i) P.row(i) = cube_.Encode(believed[i]).transpose();
      Eigen::VectorXd mean, var;
      gp.Predict(P, mean, var);
      Xa.conservativeResize(Xa.rows() + P.rows(), Eigen::NoChange);
      Xa.bottomRows(P.rows()) = P;
      ya.conservativeResize(ya.size() + mean.size());
      ya.tail(mean.size()) = mean;
      gp.Condition(Xa, ya, hyper);
    }
    return true;
  };

  // Stall is counted in observation order (a warm start's prior first), not trial
  // number order, so a replayed prior does not look like the latest progress.
  std::vector<std::optional<double>> observed;
  for (const Point& p : points_) observed.push_back(p.y);
  // Far steps come in windows after a stall and stop once a window has not paid
  // (exploration.h, FarStepAllowed).
  const bool far_step_allowed = FarStepAllowed(observed);
  // The branch step turns to the least-tried branch once the best has stalled
  // (branches.h), whether or not far steps still pay; a refinement in the last digits
  // of the leading branch's floor does not count as progress there.
  const bool stalled =
      ObservationsSinceImprovement(SignificantOnly(observed, kBranchStallTolerance)) >=
      static_cast<size_t>(kStallObservations);
  // A space with top-level branches takes the branch step (branches.h): budgets and
  // the stalled-leader rule in every such space, a model per branch and far steps
  // inside a branch only where the branches are disjoint.
  const bool own_models = bayes_.per_branch || branches_.Disjoint();
  std::vector<bool> branch_far;
  if (own_models && branches_.size() > 0) {
    std::vector<size_t> branch_of;
    for (const Point& p : points_) branch_of.push_back(branches_.BranchOf(p.x));
    branch_far = BranchFarStepsAllowed(branches_.size(), branch_of, observed);
  }

  for (size_t i = 0; i < n; ++i) {
    std::optional<Eigen::VectorXd> x;
    bool use_model = suggest_count_ >= static_cast<uint64_t>(design_size_) && !model_failed;
    if (use_model && !model_ready) {
      std::vector<Config> believed = pending;
      believed.insert(believed.end(), out.begin(), out.end());
      model_ready = build_model(believed);
      model_failed = !model_ready;
      use_model = model_ready;
    }
    if (use_model) {
      AcqOptimizerOptions aopt;
      aopt.seed = BayesRng::Mix(call_seed, i + 1);
      if (Xa.rows() > kLargeModel) {  // AcqOptimizerOptions' defaults below that
        aopt.raw_samples = bayes_.large_raw_samples;
        aopt.local_samples = bayes_.large_local_samples;
        aopt.restarts = 3;
        aopt.max_iterations = 30;
      }
      auto usable = [&](const Eigen::VectorXd& c) { return Usable(c, seen); };
      // A small discrete space is scored outright, on its lattice (exploration.h).
      const bool enumerate = finite_size_ > 0 && finite_size_ <= kEnumerateAcquisitionLimit;
      std::vector<ScoredPoint> candidates =
          enumerate              ? EnumerateLogEi(gp, best, cube_, finite_size_, usable, 1)
          : branches_.size() > 0 ? MaximizeLogEiByBranch(gp, Xa, ya, cube_, branches_, stalled,
                                                         own_models, branch_far, aopt)
                                 : MaximizeLogEi(gp, best, cube_, incumbents, aopt);
      double best_log_ei = -INFINITY;
      for (const ScoredPoint& c : candidates)
        if (Usable(c.x, seen)) {
          x = c.x;
          best_log_ei = c.log_ei;
          break;
        }
      // EI has collapsed (plateaus, quantized scores), the best value has stalled and
      // far steps still pay, or every value so far is the same: explore instead of
      // letting round-off pick among equally useless points.
      if (x && (no_spread || (EiIsFlat(best_log_ei) && far_step_allowed))) {
        if (auto far = FarthestPoint(cube_, Xa, usable, 1024, BayesRng::Mix(aopt.seed, 0xFA2)))
          x = far;
      }
    } else {
      x = NextDesignPoint(seen);
    }
    if (!x) x = FallbackPoint(seen, suggest_count_ + 0x5EED);
    if (!x) break;  // a finite space with nothing left
    Config config = cube_.Decode(*x);
    std::string key = ConfigKey(config);
    seen.insert(key);
    suggested_.insert(key);
    out.push_back(std::move(config));
    ++suggest_count_;
    if (model_ready && i + 1 < n) {
      double mean, var;
      Eigen::VectorXd dm, dv;
      gp.PredictWithGradient(*x, mean, var, dm, dv);
      Xa.conservativeResize(Xa.rows() + 1, Eigen::NoChange);
      Xa.row(Xa.rows() - 1) = x->transpose();
      ya.conservativeResize(ya.size() + 1);
      ya[ya.size() - 1] = mean;
      gp.Condition(Xa, ya, gp.hyper());
    }
  }
  return out;
}

}  // namespace sweep
