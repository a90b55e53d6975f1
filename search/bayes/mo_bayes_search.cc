// MultiObjectiveBayes: the ask/tell loop around one GP per objective and constraint
// (see mo_bayes_search.h for the lifecycle, mo_acquisition.h for the acquisition).
//
// Determinism as in BayesSearch: every random choice of a Suggest call comes from
// Mix(seed, suggestions so far) and training data are ordered by trial number.
// Objectives are modelled in "larger is better" form after WarpOutputs (a monotone
// transform per objective, so dominance is unchanged); the front and the reference
// point live in that space, negated into the minimisation form search/pareto.h uses.
// The reference point is recomputed each call: up to two objectives, the worst feasible
// value seen in each objective moved 10% of the range seen further out; beyond two,
// RobustReference (mo_acquisition.h) of the front.
#include "search/bayes/mo_bayes_search.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "search/bayes/initial_design.h"
#include "search/bayes/mo_acquisition.h"
#include "search/bayes/mo_parego.h"
#include "search/bayes/rng.h"
#include "search/pareto.h"

namespace sweep {
namespace {

constexpr size_t kEnumerationLimit = 200000;
constexpr int kMaxIncumbents = 16;

// Beyond two objectives: trials (suggestions) per parameter dimension before EHVI takes
// over from the scalarisations (mo_bayes_search.h).
constexpr uint64_t kScalarisedPerDim = 5;

}  // namespace

struct MultiObjectiveBayes::Models {
  std::vector<GaussianProcess> obj;
  std::vector<Eigen::MatrixXd> X;  // per objective, training inputs incl. fantasies
  std::vector<Eigen::VectorXd> y;
  std::vector<GaussianProcess> con;
  std::vector<std::pair<double, double>> bounds;
  std::vector<ObjectivePoint> front;
  ObjectivePoint reference;
  Eigen::MatrixXd incumbents;
  Eigen::MatrixXd base_samples;
  // Beyond two objectives (mo_parego.h): obj holds one GP of this call's scalarisation.
  bool parego = false;

  MoModel View() const {
    MoModel m;
    for (const GaussianProcess& g : obj) m.objectives.push_back(&g);
    for (const GaussianProcess& g : con) m.constraints.push_back(&g);
    m.bounds = bounds;
    m.front = front;
    m.reference = reference;
    m.base_samples = base_samples;
    return m;
  }
};

MultiObjectiveBayes::MultiObjectiveBayes(const SearchSpace& space, const StrategyOptions& options,
                                         const BayesOptions& bayes)
    : space_(space), cube_(space), options_(options), bayes_(bayes) {
  if (options_.objectives.empty()) options_.objectives.push_back(options_.goal);
  // Beyond two objectives a smaller design (d + 1) leaves the scalarised phase more
  // model-guided trials; on DTLZ2 it raised the hypervolume at 40 trials (RESULTS.md).
  const int dims = static_cast<int>(cube_.ParamDims());
  design_size_ = bayes.initial_design > 0         ? bayes.initial_design
                 : options_.objectives.size() > 2 ? std::max(dims + 1, 5)
                                                  : InitialDesignSize(dims, options_.budget);
  finite_size_ = cube_.CountIfFinite(kEnumerationLimit);
}

void MultiObjectiveBayes::Observe(const Observation& obs) {
  suggested_.insert(ConfigKey(obs.config));
  if (obs.outcome == Outcome::kRunning || obs.outcome == Outcome::kLost) return;
  Point p{obs.trial_number, cube_.Encode(obs.config), {}, {}, obs.outcome == Outcome::kFailed};
  const bool drop = obs.outcome == Outcome::kFailed && options_.impute != Impute::kLatest;
  for (size_t k = 0; k < options_.objectives.size(); ++k) {
    std::optional<double> v = k < obs.values.size() ? obs.values[k] : std::nullopt;
    if (obs.values.empty() && k == 0) v = obs.value;
    if (drop || !v || !std::isfinite(*v)) v.reset();
    if (v && options_.objectives[k] == Goal::kMinimize) v = -*v;
    p.y.push_back(v);
  }
  for (size_t j = 0; j < options_.constraints.size(); ++j) {
    std::optional<double> v =
        j < obs.constraint_values.size() ? obs.constraint_values[j] : std::nullopt;
    if (v && !std::isfinite(*v)) v.reset();
    p.c.push_back(v);
  }
  auto same = std::find_if(points_.begin(), points_.end(),
                           [&](const Point& q) { return q.trial_number == obs.trial_number; });
  if (same != points_.end()) {
    *same = std::move(p);
  } else {
    points_.push_back(std::move(p));
  }
}

void MultiObjectiveBayes::Replay(const std::vector<Observation>& history) {
  points_.clear();
  suggested_.clear();
  design_cursor_ = 0;
  for (const Observation& obs : history) Observe(obs);
  suggest_count_ = history.size();
}

bool MultiObjectiveBayes::Exhausted() const {
  return finite_size_ > 0 && suggested_.size() >= finite_size_;
}

bool MultiObjectiveBayes::Fit(Models& models, uint64_t seed) const {
  std::vector<const Point*> pts;
  for (const Point& p : points_) pts.push_back(&p);
  std::sort(pts.begin(), pts.end(),
            [](const Point* a, const Point* b) { return a->trial_number < b->trial_number; });
  const size_t m = options_.objectives.size();
  const Eigen::Index n = static_cast<Eigen::Index>(pts.size());
  if (n < 2 || cube_.ModelDims() == 0) return false;
  // One phase for a whole Suggest call, so that a batch's refits keep it. With
  // constraints the scalarisations stay: the EHVI phase picked infeasible trials in
  // mo_parego_test's constrained DTLZ2 (not yet understood; RESULTS.md, issue 17).
  models.parego = m > 2 && (call_start_ < kScalarisedPerDim * cube_.ParamDims() ||
                            !options_.constraints.empty());
  Eigen::MatrixXd X(n, static_cast<Eigen::Index>(cube_.ModelDims()));
  for (Eigen::Index i = 0; i < n; ++i) X.row(i) = pts[i]->x.transpose();
  // Feasible points with every objective reported form the front.
  std::vector<bool> on_front(pts.size(), true);
  for (size_t i = 0; i < pts.size(); ++i) {
    const Point& p = *pts[i];
    bool ok = !p.failed;
    for (size_t k = 0; k < m; ++k) ok = ok && p.y[k].has_value();
    for (size_t j = 0; j < options_.constraints.size(); ++j)
      ok = ok &&
           (p.c[j] ? options_.constraints[j].Holds(*p.c[j]) : options_.impute == Impute::kBest);
    on_front[i] = ok;
  }
  std::vector<Eigen::VectorXd> warped(m);
  Eigen::MatrixXd F(n, static_cast<Eigen::Index>(m));  // imputed raw values, minimised
  for (size_t k = 0; k < m; ++k) {
    double worst = INFINITY, best = -INFINITY;
    for (const Point* p : pts)
      if (p->y[k]) worst = std::min(worst, *p->y[k]), best = std::max(best, *p->y[k]);
    if (!std::isfinite(worst)) return false;
    const double impute = options_.impute == Impute::kBest ? best : worst;
    Eigen::VectorXd y(n);
    for (Eigen::Index i = 0; i < n; ++i) y[i] = pts[i]->y[k] ? *pts[i]->y[k] : impute;
    F.col(static_cast<Eigen::Index>(k)) = -y;
    if (m <= 2 || models.parego) {
      warped[k] = WarpOutputs(y);
      continue;
    }
    // EHVI beyond two objectives: standardized only, so that the reference point's
    // margin (RobustReference) is a share of each objective's own range.
    const double mean = y.mean(), sd = std::sqrt((y.array() - mean).square().mean());
    warped[k] = sd > 0 ? Eigen::VectorXd((y.array() - mean) / sd) : Eigen::VectorXd::Zero(n);
  }
  // What the objective GPs model: each warped objective, or (ParEGO) one warped
  // scalarisation, negated so that larger is better.
  std::vector<Eigen::VectorXd> targets = warped;
  if (models.parego)
    targets = {WarpOutputs(-PbiScalarize(F, ScalarisationWeights(m, BayesRng::Mix(seed, 0x9A7E))))};
  const size_t t = targets.size();
  models.obj.assign(t, GaussianProcess());
  models.X.assign(t, Eigen::MatrixXd());
  models.y.assign(t, Eigen::VectorXd());
  for (size_t k = 0; k < t; ++k) {
    std::vector<int> keep = SelectTrainingSubset(X, targets[k], bayes_.max_model_points);
    Eigen::MatrixXd Xm = X(keep, Eigen::all);
    Eigen::VectorXd ym = targets[k](keep);
    std::vector<int> fit = SelectTrainingSubset(Xm, ym, bayes_.max_fit_points);
    GpFitOptions fopt;
    fopt.seed = BayesRng::Mix(seed, k);
    fopt.dimension_scaled_prior = true;
    const bool subset = static_cast<int>(fit.size()) < Xm.rows();
    fopt.random_starts = subset ? 0 : 1;
    fopt.max_iterations = subset ? 40 : 80;
    GpHyper hyper = FitHyperparameters(Xm(fit, Eigen::all), ym(fit), nullptr, fopt);
    // The scalarisation's GP keeps every lengthscale within the cube's width: with few
    // trials the fit makes the coordinates it cannot yet resolve irrelevant (DTLZ2's
    // distance coordinates got lengthscales near 15), and its posterior mean was then
    // as high far from the good trials in those coordinates as near them. Capped, the
    // mean falls off away from them, so the picks keep what the good trials share.
    if (models.parego) hyper.log_lengthscales = hyper.log_lengthscales.cwiseMin(0.0);
    models.obj[k].Condition(Xm, ym, hyper);
    models.X[k] = std::move(Xm);
    models.y[k] = std::move(ym);
  }
  // One GP per constraint that has at least two reports with some spread.
  models.con.clear();
  models.bounds.clear();
  for (size_t j = 0; j < options_.constraints.size(); ++j) {
    std::vector<int> rows;
    for (Eigen::Index i = 0; i < n; ++i)
      if (pts[i]->c[j]) rows.push_back(static_cast<int>(i));
    if (rows.size() < 2) continue;
    Eigen::VectorXd c(static_cast<Eigen::Index>(rows.size()));
    for (size_t r = 0; r < rows.size(); ++r) c[r] = *pts[rows[r]]->c[j];
    const double mean = c.mean();
    const double sd = std::sqrt((c.array() - mean).square().mean());
    if (!(sd > 0)) continue;
    const Eigen::VectorXd z = (c.array() - mean) / sd;
    const Eigen::MatrixXd Xc = X(rows, Eigen::all);
    std::vector<int> fit = SelectTrainingSubset(Xc, -z.cwiseAbs(), bayes_.max_fit_points);
    GpFitOptions fopt;
    fopt.seed = BayesRng::Mix(seed, 0xC0 + j);
    fopt.dimension_scaled_prior = true;
    fopt.random_starts = 0;
    fopt.max_iterations = 60;
    GaussianProcess g;
    g.Condition(Xc, z, FitHyperparameters(Xc(fit, Eigen::all), z(fit), nullptr, fopt));
    models.con.push_back(std::move(g));
    const MetricBound& b = options_.constraints[j];
    models.bounds.emplace_back(b.min ? (*b.min - mean) / sd : -INFINITY,
                               b.max ? (*b.max - mean) / sd : INFINITY);
  }
  // Front (minimisation form) and reference point.
  std::vector<ObjectivePoint> eligible;
  std::vector<Eigen::Index> eligible_rows;
  for (Eigen::Index i = 0; i < n; ++i) {
    if (!on_front[i]) continue;
    ObjectivePoint p(m);
    for (size_t k = 0; k < m; ++k) p[k] = -warped[k][i];
    eligible.push_back(std::move(p));
    eligible_rows.push_back(i);
  }
  models.front.clear();
  std::vector<Eigen::Index> front_rows;
  for (size_t i : ParetoFront(eligible)) {
    models.front.push_back(eligible[i]);
    front_rows.push_back(eligible_rows[i]);
  }
  // Up to two objectives the reference is the worst feasible value seen, moved out by
  // 10% of the range seen: taken from the front alone (BoTorch's heuristic) it sat
  // just beyond a front that had found one end only (ZDT1's x0 = 0), and EHVI then
  // crept along the front in steps of that width. Beyond two, RobustReference.
  models.reference.assign(m, 0);
  for (size_t k = 0; k < m; ++k) {
    double lo = INFINITY, hi = -INFINITY;
    for (const ObjectivePoint& p : eligible) lo = std::min(lo, p[k]), hi = std::max(hi, p[k]);
    if (eligible.empty()) lo = hi = 0;
    models.reference[k] = hi + 0.1 * (hi > lo ? hi - lo : 1.0);
  }
  if (m > 2 && !models.front.empty()) models.reference = RobustReference(models.front);
  if (models.parego) {
    // Perturb around the feasible trials best for this scalarisation, front or not.
    front_rows = eligible_rows;
    std::stable_sort(front_rows.begin(), front_rows.end(),
                     [&](Eigen::Index a, Eigen::Index b) { return targets[0][a] > targets[0][b]; });
  }
  const Eigen::Index k_inc = std::min<Eigen::Index>(kMaxIncumbents, front_rows.size());
  models.incumbents =
      X(std::vector<Eigen::Index>(front_rows.begin(), front_rows.begin() + k_inc), Eigen::all);
  const int samples = m <= 2 ? 64 : 32;
  models.base_samples = MoBaseSamples(samples, static_cast<int>(m), BayesRng::Mix(seed, 0xBA5E));
  return true;
}

void MultiObjectiveBayes::Believe(Models& models, const Eigen::VectorXd& x) const {
  const size_t m = models.obj.size();  // 1 under ParEGO
  ObjectivePoint believed(m);
  Eigen::MatrixXd q = x.transpose();
  for (size_t k = 0; k < m; ++k) {
    Eigen::VectorXd mean, var;
    models.obj[k].Predict(q, mean, var);
    believed[k] = -mean[0];
    Eigen::MatrixXd& X = models.X[k];
    Eigen::VectorXd& y = models.y[k];
    X.conservativeResize(X.rows() + 1, Eigen::NoChange);
    X.row(X.rows() - 1) = x.transpose();
    y.conservativeResize(y.size() + 1);
    y[y.size() - 1] = mean[0];
    models.obj[k].Condition(X, y, models.obj[k].hyper());
  }
  bool feasible = true;
  for (size_t j = 0; j < models.con.size(); ++j) {
    Eigen::VectorXd mean, var;
    models.con[j].Predict(q, mean, var);
    feasible = feasible && mean[0] >= models.bounds[j].first && mean[0] <= models.bounds[j].second;
  }
  if (!feasible) return;
  if (models.parego) return;  // no front under ParEGO; picks differ by weight (Suggest)
  models.front.push_back(believed);
  std::vector<ObjectivePoint> kept;
  for (size_t i : ParetoFront(models.front)) kept.push_back(models.front[i]);
  models.front = std::move(kept);
}

bool MultiObjectiveBayes::Usable(const Eigen::VectorXd& x,
                                 const std::set<std::string>& seen) const {
  const Config config = cube_.Decode(x);
  return !seen.count(ConfigKey(config)) && space_.Admits(config);
}

std::optional<Eigen::VectorXd> MultiObjectiveBayes::DesignPoint(const std::set<std::string>& seen) {
  const int pd = static_cast<int>(cube_.ParamDims());
  for (int tries = 0; tries < 1024; ++tries) {
    Eigen::VectorXd u = SpaceFilling(1, pd, options_.seed, design_cursor_).row(0).transpose();
    if (pd > SobolSequence::kMaxDims) {
      BayesRng rng(BayesRng::Mix(options_.seed, design_cursor_ + 0xD1));
      for (int j = 0; j < pd; ++j) u[j] = rng.Uniform();
    }
    ++design_cursor_;
    const Eigen::VectorXd x = cube_.Snap(cube_.FromParamUnit(u));
    if (Usable(x, seen)) return x;
  }
  return std::nullopt;
}

std::optional<Eigen::VectorXd> MultiObjectiveBayes::RandomPoint(const std::set<std::string>& seen,
                                                                uint64_t salt) {
  BayesRng rng(BayesRng::Mix(options_.seed, salt));
  if (finite_size_ > 0) {
    const size_t start = rng.Below(finite_size_);
    for (size_t k = 0; k < finite_size_; ++k) {
      Eigen::VectorXd x = cube_.EnumeratePoint((start + k) % finite_size_);
      if (Usable(x, seen)) return x;
    }
    return std::nullopt;
  }
  const int pd = static_cast<int>(cube_.ParamDims());
  for (int tries = 0; tries < 100000; ++tries) {
    Eigen::VectorXd u(pd);
    for (int j = 0; j < pd; ++j) u[j] = rng.Uniform();
    const Eigen::VectorXd x = cube_.Snap(cube_.FromParamUnit(u));
    if (Usable(x, seen)) return x;
  }
  return std::nullopt;
}

std::vector<Config> MultiObjectiveBayes::Suggest(size_t n, const std::vector<Config>& pending) {
  std::vector<Config> out;
  const uint64_t call_seed = BayesRng::Mix(options_.seed, suggest_count_);
  call_start_ = suggest_count_;
  std::set<std::string> seen = suggested_;
  for (const Config& c : pending) seen.insert(ConfigKey(c));
  Models models;
  bool model_ready = false, model_failed = false;
  for (size_t i = 0; i < n; ++i) {
    std::optional<Eigen::VectorXd> x;
    bool use_model = suggest_count_ >= static_cast<uint64_t>(design_size_) && !model_failed;
    if (use_model && !model_ready) {
      model_ready = Fit(models, call_seed);
      model_failed = !model_ready;
      use_model = model_ready;
      if (model_ready)
        for (const Config& c : pending) Believe(models, cube_.Encode(c));
    } else if (use_model && models.parego) {
      // The score is a posterior mean, which a belief leaves unchanged at the believed
      // point: each further pick of a batch gets its own weight vector instead.
      Fit(models, BayesRng::Mix(call_seed, 0x5CA1 + i));
    }
    if (use_model) {
      AcqOptimizerOptions aopt;
      aopt.seed = BayesRng::Mix(call_seed, i + 1);
      const bool many = models.obj[0].size() > 300 || models.obj.size() > 2;
      aopt.raw_samples = many ? 512 : 1024;
      aopt.local_samples = 256;
      aopt.restarts = many ? 4 : 8;
      const std::vector<ScoredPoint> candidates =
          models.parego ? MaximizeScalarised(models.View(), cube_, models.incumbents, aopt)
                        : MaximizeMoAcquisition(models.View(), cube_, models.incumbents, aopt);
      for (const ScoredPoint& c : candidates)
        if (Usable(c.x, seen)) {
          x = c.x;
          break;
        }
    } else {
      x = DesignPoint(seen);
    }
    if (!x) x = RandomPoint(seen, suggest_count_ + 0x5EED);
    if (!x) break;  // nothing unseen that `where:` admits
    Config config = cube_.Decode(*x);
    std::string key = ConfigKey(config);
    seen.insert(key);
    suggested_.insert(key);
    out.push_back(std::move(config));
    ++suggest_count_;
    if (model_ready && i + 1 < n) Believe(models, *x);
  }
  return out;
}

}  // namespace sweep
