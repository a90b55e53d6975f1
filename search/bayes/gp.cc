// GP fitting and prediction.
//
// The log marginal likelihood (Rasmussen & Williams 2006, eq. 5.8) is
//   log p(y|X,θ) = -1/2 r^T K^-1 r - 1/2 log|K| - n/2 log 2π,  r = y - m,
// with gradient 1/2 tr((αα^T - K^-1) dK/dθ_j), α = K^-1 r (eq. 5.9) and d/dm = 1^T α.
// Kernel derivatives enter only through tr(W dK), which Matern52::WeightedGradient
// computes pair by pair. Every factorisation goes through FactorWithJitter, which adds
// growing diagonal jitter before giving up; a failed factorisation makes the
// likelihood -infinity so the optimiser's line search simply rejects that point.
#include "search/bayes/gp.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "search/bayes/lbfgs.h"
#include "search/bayes/rng.h"

namespace sweep {
namespace {

constexpr double kLog2Pi = 1.8378770664093454836;
constexpr double kNoiseMu = -6.0, kNoiseSd = 2.0;
constexpr double kMinLogLs = -5.3, kMaxLogLs = 4.6;       // l in [0.005, 100]
constexpr double kMinLogS2 = -4.6, kMaxLogS2 = 4.6;       // s2 in [0.01, 100]
constexpr double kMinLogNoise = -13.8, kMaxLogNoise = 0;  // noise in [1e-6, 1]

double LsPriorMean(int d, bool dimension_scaled) {
  return std::sqrt(2.0) + (dimension_scaled ? 0.5 * std::log(std::max(1, d)) : 0.0);
}
constexpr double kLsPriorSd = 1.7320508075688772;  // sqrt(3)

bool FactorWithJitter(Eigen::MatrixXd K, double s2, Eigen::LLT<Eigen::MatrixXd>& llt) {
  if (!K.allFinite()) return false;
  double jitter = 0;
  for (int attempt = 0; attempt < 7; ++attempt) {
    Eigen::MatrixXd A = K;
    A.diagonal().array() += jitter;
    llt.compute(A);
    if (llt.info() == Eigen::Success) {
      auto diag = llt.matrixLLT().diagonal();
      if (diag.allFinite() && diag.minCoeff() > 0) return true;
    }
    jitter = jitter == 0 ? 1e-10 * s2 : jitter * 100;
  }
  return false;
}

}  // namespace

Eigen::VectorXd GpHyper::Pack() const {
  const Eigen::Index d = log_lengthscales.size();
  Eigen::VectorXd t(d + 3);
  t.head(d) = log_lengthscales;
  t[d] = log_signal_variance;
  t[d + 1] = log_noise;
  t[d + 2] = mean;
  return t;
}

GpHyper GpHyper::Unpack(const Eigen::VectorXd& theta, int dims) {
  GpHyper h;
  h.log_lengthscales = theta.head(dims);
  h.log_signal_variance = theta[dims];
  h.log_noise = theta[dims + 1];
  h.mean = theta[dims + 2];
  return h;
}

double LogMarginalLikelihood(const Eigen::MatrixXd& X, const Eigen::VectorXd& y,
                             const GpHyper& hyper, Eigen::VectorXd* grad) {
  const Eigen::Index n = X.rows(), d = X.cols();
  Matern52 kernel(hyper.log_lengthscales, hyper.log_signal_variance);
  const double noise = std::exp(hyper.log_noise);
  Eigen::MatrixXd K = kernel.Gram(X);
  K.diagonal().array() += noise;
  Eigen::LLT<Eigen::MatrixXd> llt;
  if (!FactorWithJitter(std::move(K), kernel.SignalVariance(), llt)) {
    if (grad) grad->setZero(d + 3);
    return -std::numeric_limits<double>::infinity();
  }
  Eigen::VectorXd r = y.array() - hyper.mean;
  Eigen::VectorXd alpha = llt.solve(r);
  double logdet = 2 * llt.matrixLLT().diagonal().array().log().sum();
  double lml = -0.5 * r.dot(alpha) - 0.5 * logdet - 0.5 * static_cast<double>(n) * kLog2Pi;
  if (grad) {
    Eigen::MatrixXd W = -llt.solve(Eigen::MatrixXd::Identity(n, n));
    W.noalias() += alpha * alpha.transpose();
    grad->resize(d + 3);
    grad->head(d + 1) = 0.5 * kernel.WeightedGradient(X, W);
    (*grad)[d + 1] = 0.5 * noise * W.trace();
    (*grad)[d + 2] = alpha.sum();
  }
  return lml;
}

double LogHyperPrior(const GpHyper& hyper, Eigen::VectorXd* grad, bool dimension_scaled) {
  const int d = static_cast<int>(hyper.log_lengthscales.size());
  const double mu = LsPriorMean(d, dimension_scaled), var = kLsPriorSd * kLsPriorSd;
  Eigen::ArrayXd dl = hyper.log_lengthscales.array() - mu;
  double lp = -0.5 * (dl * dl).sum() / var;
  lp += -0.5 * hyper.log_signal_variance * hyper.log_signal_variance;
  double dn = hyper.log_noise - kNoiseMu;
  lp += -0.5 * dn * dn / (kNoiseSd * kNoiseSd);
  lp += -0.5 * hyper.mean * hyper.mean;
  if (grad) {
    grad->resize(d + 3);
    grad->head(d) = (-dl / var).matrix();
    (*grad)[d] = -hyper.log_signal_variance;
    (*grad)[d + 1] = -dn / (kNoiseSd * kNoiseSd);
    (*grad)[d + 2] = -hyper.mean;
  }
  return lp;
}

GpHyper FitHyperparameters(const Eigen::MatrixXd& X, const Eigen::VectorXd& y, const GpHyper* warm,
                           const GpFitOptions& options) {
  const int d = static_cast<int>(X.cols());
  Eigen::VectorXd lo(d + 3), hi(d + 3);
  lo.head(d).setConstant(kMinLogLs);
  hi.head(d).setConstant(kMaxLogLs);
  lo[d] = kMinLogS2, hi[d] = kMaxLogS2;
  lo[d + 1] = kMinLogNoise, hi[d + 1] = kMaxLogNoise;
  lo[d + 2] = -5, hi[d + 2] = 5;

  GpHyper mode;
  mode.log_lengthscales =
      Eigen::VectorXd::Constant(d, LsPriorMean(d, options.dimension_scaled_prior));
  mode.log_noise = kNoiseMu;
  std::vector<Eigen::VectorXd> starts = {mode.Pack()};
  if (warm && warm->log_lengthscales.size() == d) starts.push_back(warm->Pack());
  BayesRng rng(BayesRng::Mix(options.seed, 0xF17));
  for (int s = 0; s < options.random_starts; ++s) {
    GpHyper h = mode;
    for (int i = 0; i < d; ++i) h.log_lengthscales[i] += kLsPriorSd * rng.Normal();
    h.log_signal_variance = 0.5 * rng.Normal();
    h.log_noise += kNoiseSd * rng.Normal();
    starts.push_back(h.Pack());
  }

  Objective objective = [&](const Eigen::VectorXd& theta, Eigen::VectorXd& grad) {
    GpHyper h = GpHyper::Unpack(theta, d);
    Eigen::VectorXd g1, g2;
    double v =
        LogMarginalLikelihood(X, y, h, &g1) + LogHyperPrior(h, &g2, options.dimension_scaled_prior);
    grad = -(g1 + g2);
    return -v;
  };
  LbfgsOptions lopt;
  lopt.max_iterations = options.max_iterations;
  lopt.relative_tol = 1e-7;
  LbfgsResult best;
  best.f = std::numeric_limits<double>::infinity();
  best.x = mode.Pack();
  for (const Eigen::VectorXd& s : starts) {
    LbfgsResult r = MinimizeBox(objective, s, lo, hi, lopt);
    if (r.f < best.f) best = r;
  }
  return GpHyper::Unpack(best.x, d);
}

void GaussianProcess::Condition(const Eigen::MatrixXd& X, const Eigen::VectorXd& y,
                                const GpHyper& hyper) {
  hyper_ = hyper;
  kernel_ = Matern52(hyper.log_lengthscales, hyper.log_signal_variance);
  X_ = X;
  Eigen::MatrixXd K = kernel_.Gram(X);
  Eigen::LLT<Eigen::MatrixXd> llt;
  double noise = std::exp(hyper.log_noise);
  for (int attempt = 0;; ++attempt) {
    Eigen::MatrixXd A = K;
    A.diagonal().array() += noise;
    if (FactorWithJitter(std::move(A), kernel_.SignalVariance(), llt)) break;
    if (attempt >= 10 || !K.allFinite()) {
      // Unreachable for finite inputs; keeps the model usable (a diagonal one) anyway.
      Eigen::MatrixXd D = Eigen::MatrixXd::Identity(X.rows(), X.rows());
      D *= kernel_.SignalVariance() + 1;
      llt.compute(D);
      break;
    }
    noise = noise * 10 + 1e-8;
  }
  L_ = llt.matrixL();
  Eigen::VectorXd r = y.array() - hyper.mean;
  alpha_ = llt.solve(r);
  if (!alpha_.allFinite()) alpha_.setZero(r.size());
}

void GaussianProcess::Predict(const Eigen::MatrixXd& Q, Eigen::VectorXd& mean,
                              Eigen::VectorXd& var) const {
  Eigen::MatrixXd Ks = kernel_.Cross(Q, X_);
  mean = (Ks * alpha_).array() + hyper_.mean;
  Eigen::MatrixXd V = L_.triangularView<Eigen::Lower>().solve(Ks.transpose());
  var = (kernel_.SignalVariance() - V.colwise().squaredNorm().array()).matrix();
  var = var.cwiseMax(1e-12);
}

void GaussianProcess::PredictWithGradient(const Eigen::VectorXd& x, double& mean, double& var,
                                          Eigen::VectorXd& dmean, Eigen::VectorXd& dvar) const {
  Eigen::VectorXd k = kernel_.Cross(x.transpose(), X_).row(0).transpose();
  Eigen::MatrixXd G = kernel_.GradX(x, X_);
  mean = hyper_.mean + k.dot(alpha_);
  dmean = G * alpha_;
  Eigen::VectorXd w = L_.triangularView<Eigen::Lower>().solve(k);
  Eigen::VectorXd v = L_.transpose().triangularView<Eigen::Upper>().solve(w);
  var = kernel_.SignalVariance() - w.squaredNorm();
  dvar = -2.0 * (G * v);
  if (var < 1e-12) {
    var = 1e-12;
    dvar.setZero();
  }
}

Eigen::VectorXd WarpOutputs(const Eigen::VectorXd& y_in) {
  const Eigen::Index n = y_in.size();
  Eigen::VectorXd y = y_in;
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (double v : y)
    if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
  if (!(hi >= lo)) return Eigen::VectorXd::Zero(n);
  for (double& v : y) v = std::isnan(v) ? lo : std::clamp(v, lo, hi);
  double scale = std::max(std::abs(lo), std::abs(hi));
  if (scale > 0) y /= scale;
  auto standardize = [](Eigen::VectorXd& v) {
    double m = v.mean();
    double sd = std::sqrt((v.array() - m).square().mean());
    if (!(sd > 1e-12 * std::max(1.0, std::abs(m))) || !std::isfinite(sd)) {
      v.setZero();
      return false;
    }
    v = (v.array() - m) / sd;
    return true;
  };
  if (!standardize(y)) return y;
  // Yeo-Johnson: psi(z) = ((1+z)^l - 1)/l for z >= 0, -((1-z)^(2-l) - 1)/(2-l) for z < 0.
  auto yj = [](double z, double l) {
    if (z >= 0) return std::abs(l) < 1e-8 ? std::log1p(z) : (std::pow(1 + z, l) - 1) / l;
    return std::abs(l - 2) < 1e-8 ? -std::log1p(-z) : -(std::pow(1 - z, 2 - l) - 1) / (2 - l);
  };
  double log_jac = 0;
  for (double z : y) log_jac += std::copysign(1.0, z) * std::log1p(std::abs(z));
  auto loglik = [&](double l) {
    Eigen::VectorXd t = y.unaryExpr([&](double z) { return yj(z, l); });
    double var = (t.array() - t.mean()).square().mean();
    if (!(var > 0) || !std::isfinite(var)) return -std::numeric_limits<double>::infinity();
    return -0.5 * static_cast<double>(n) * std::log(var) + (l - 1) * log_jac;
  };
  double best_l = 1, best_ll = loglik(1);
  for (double l = -2; l <= 4.0001; l += 0.25) {
    double ll = loglik(l);
    if (ll > best_ll) best_ll = ll, best_l = l;
  }
  for (double step = 0.125; step > 1e-3; step /= 2)  // refine around the grid optimum
    for (double l : {best_l - step, best_l + step}) {
      double ll = loglik(l);
      if (ll > best_ll) best_ll = ll, best_l = l;
    }
  Eigen::VectorXd t = y.unaryExpr([&](double z) { return yj(z, best_l); });
  if (!t.allFinite() || !standardize(t)) return y;
  return t;
}

std::vector<int> SelectTrainingSubset(const Eigen::MatrixXd& X, const Eigen::VectorXd& y, int m) {
  const int n = static_cast<int>(X.rows());
  std::vector<int> order(n);
  std::iota(order.begin(), order.end(), 0);
  if (n <= m) return order;
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return y[a] > y[b]; });
  std::vector<int> chosen(order.begin(), order.begin() + std::max(1, m / 4));
  std::vector<char> taken(n, 0);
  for (int i : chosen) taken[i] = 1;
  Eigen::VectorXd min_d2 = Eigen::VectorXd::Constant(n, std::numeric_limits<double>::infinity());
  auto update = [&](int c) {
    for (int i = 0; i < n; ++i)
      if (!taken[i]) min_d2[i] = std::min(min_d2[i], (X.row(i) - X.row(c)).squaredNorm());
  };
  for (int c : chosen) update(c);
  while (static_cast<int>(chosen.size()) < m) {
    int best = -1;
    for (int i = 0; i < n; ++i)
      if (!taken[i] && (best < 0 || min_d2[i] > min_d2[best])) best = i;
    taken[best] = 1;
    chosen.push_back(best);
    update(best);
  }
  return chosen;
}

}  // namespace sweep
