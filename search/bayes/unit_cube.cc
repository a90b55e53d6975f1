// UnitCube: how each W&B distribution is warped into [0,1] and back.
//
// Construction walks the space once and records, per modelled parameter, its scale
// (linear, log, normal or log-normal), bounds in that scale and its rounding. Decode
// clamps, warps back and rounds (q grid kept inside the value range, integers as
// integers); Encode is the inverse and lands integers on their bin centres, so
// Snap() = Encode(Decode(x)) maps every point of a bin to one canonical point. That
// canonical point is what the strategy de-duplicates on and what the GP is fitted at.
#include "search/bayes/unit_cube.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace sweep {

double NormalCdf(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }

double InvNormalCdf(double p) {
  // Acklam's algorithm (https://web.archive.org/web/20151030215612/http://home.online.no/
  // ~pjacklam/notes/invnorm/), then one Halley refinement step.
  static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,  -2.759285104469687e+02,
                             1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
  static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                             6.680131188771972e+01, -1.328068155288572e+01};
  static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                             -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00};
  static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                             3.754408661907416e+00};
  p = std::clamp(p, 1e-300, 1.0 - 1e-16);
  const double plow = 0.02425;
  double x;
  if (p < plow) {
    double q = std::sqrt(-2 * std::log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else if (p <= 1 - plow) {
    double q = p - 0.5, r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  } else {
    double q = std::sqrt(-2 * std::log1p(-p));
    x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  double e = NormalCdf(x) - p;
  double u = e * std::sqrt(2 * M_PI) * std::exp(x * x / 2);
  return x - u / (1 + x * u / 2);
}

UnitCube::UnitCube(const SearchSpace& space) {
  n_params_ = space.params.size();
  conditional_ = space.Conditional();
  if (conditional_) space_ = space;
  constants_.assign(n_params_, Value());
  const double inf = std::numeric_limits<double>::infinity();
  for (size_t i = 0; i < n_params_; ++i) {
    const Parameter& p = space.params[i];
    Dim d;
    d.param = i;
    d.integer = p.integer;
    d.vmin = -inf;
    d.vmax = inf;
    if (auto range = p.ValueRange()) std::tie(d.vmin, d.vmax) = *range;
    switch (p.distribution) {
      case Distribution::kConstant:
        constants_[i] = p.value;
        continue;
      case Distribution::kCategorical:
        if (p.values.size() <= 1) {
          constants_[i] = p.values.empty() ? Value() : p.values[0];
          continue;
        }
        d.categorical = true;
        d.values = p.values;
        break;
      case Distribution::kIntUniform:
        d.int_bins = true;
        d.integer = true;
        d.lo = p.min;
        d.hi = p.max;
        break;
      case Distribution::kUniform:
      case Distribution::kQUniform:
      case Distribution::kBeta:
      case Distribution::kQBeta:
        d.lo = d.vmin;
        d.hi = d.vmax;
        break;
      case Distribution::kLogUniform:
      case Distribution::kLogUniformValues:
      case Distribution::kQLogUniform:
      case Distribution::kQLogUniformValues:
      case Distribution::kInvLogUniform:
      case Distribution::kInvLogUniformValues:
        d.scale = Scale::kLog;
        d.lo = std::log(std::max(d.vmin, 1e-300));
        d.hi = std::log(std::max(d.vmax, 1e-300));
        break;
      case Distribution::kNormal:
      case Distribution::kQNormal:
        d.scale = Scale::kNormal;
        break;
      case Distribution::kLogNormal:
      case Distribution::kQLogNormal:
        d.scale = Scale::kLogNormal;
        d.vmin = 0;
        break;
    }
    switch (p.distribution) {
      case Distribution::kQUniform:
      case Distribution::kQBeta:
      case Distribution::kQLogUniform:
      case Distribution::kQLogUniformValues:
      case Distribution::kQNormal:
      case Distribution::kQLogNormal:
        d.q = p.q > 0 ? p.q : 0;
        break;
      default:
        break;
    }
    d.mu = p.mu;
    d.sigma = p.sigma > 0 ? p.sigma : 1;
    if (!d.categorical && d.scale != Scale::kNormal && d.scale != Scale::kLogNormal &&
        !(d.hi > d.lo)) {
      // A degenerate range is a constant: whatever Decode would return.
      constants_[i] = d.integer ? Value(static_cast<int64_t>(std::llround(d.vmin)))
                                : Value(d.scale == Scale::kLog ? std::exp(d.lo) : d.lo);
      continue;
    }
    d.offset = model_dims_;
    size_t width = d.categorical ? d.values.size() : 1;
    model_dims_ += width;
    for (size_t k = 0; k < width; ++k) categorical_mask_.push_back(d.categorical);
    if (d.categorical) blocks_.emplace_back(static_cast<int>(d.offset), static_cast<int>(width));
    dims_.push_back(std::move(d));
  }
}

namespace {

// lo + u * (hi - lo) without overflow when hi - lo exceeds the largest double.
double Lerp(double lo, double hi, double u) {
  const double span = hi - lo;
  return std::isfinite(span) ? lo + u * span : lo * (1.0 - u) + hi * u;
}

// (v - lo) / (hi - lo), halving everything first when the span overflows.
double Fraction(double v, double lo, double hi) {
  const double span = hi - lo;
  if (std::isfinite(span)) return (v - lo) / span;
  return (v / 2 - lo / 2) / (hi / 2 - lo / 2);
}

}  // namespace

double UnitCube::ToValue(const Dim& d, double u) const {
  u = std::clamp(std::isfinite(u) ? u : 0.5, 0.0, 1.0);
  double v = 0;
  switch (d.scale) {
    case Scale::kLinear:
      v = d.int_bins ? std::min(d.hi, std::floor(d.lo + u * (d.hi - d.lo + 1)))
                     : Lerp(d.lo, d.hi, u);
      break;
    case Scale::kLog:
      v = std::exp(Lerp(d.lo, d.hi, u));
      break;
    case Scale::kNormal:
    case Scale::kLogNormal:
      v = d.mu + d.sigma * InvNormalCdf(std::clamp(u, 1e-6, 1 - 1e-6));
      if (d.scale == Scale::kLogNormal) v = std::exp(v);
      break;
  }
  if (d.q > 0) {
    v = std::round(v / d.q) * d.q;
    // Keep the rounded value inside the range when the grid has a point there.
    if (v > d.vmax && std::floor(d.vmax / d.q) * d.q >= d.vmin) v = std::floor(d.vmax / d.q) * d.q;
    if (v < d.vmin && std::ceil(d.vmin / d.q) * d.q <= d.vmax) v = std::ceil(d.vmin / d.q) * d.q;
  }
  if (d.integer) v = std::round(v);
  // A proposal never leaves the parameter's bounds (nor the finite doubles): rounding
  // or exp() at the edge of a huge range could otherwise step outside.
  const double lo = std::max(d.vmin, -std::numeric_limits<double>::max());
  const double hi = std::min(d.vmax, std::numeric_limits<double>::max());
  if (v > hi) v = hi;
  if (v < lo) v = lo;
  return v;
}

double UnitCube::ToUnit(const Dim& d, double v) const {
  double u = 0.5;
  switch (d.scale) {
    case Scale::kLinear:
      u = d.int_bins ? (v - d.lo + 0.5) / (d.hi - d.lo + 1) : Fraction(v, d.lo, d.hi);
      break;
    case Scale::kLog:
      u = v > 0 ? (std::log(v) - d.lo) / (d.hi - d.lo) : 0.0;
      break;
    case Scale::kNormal:
      u = NormalCdf((v - d.mu) / d.sigma);
      break;
    case Scale::kLogNormal:
      u = v > 0 ? NormalCdf((std::log(v) - d.mu) / d.sigma) : 0.0;
      break;
  }
  return std::isfinite(u) ? std::clamp(u, 0.0, 1.0) : 0.5;
}

double UnitCube::Levels(const Dim& d) const {
  if (d.int_bins) return d.hi - d.lo + 1;
  if (d.q > 0 && std::isfinite(d.vmin) && std::isfinite(d.vmax))
    return std::max(1.0, std::floor(d.vmax / d.q) - std::ceil(d.vmin / d.q) + 1);
  return 0;
}

bool UnitCube::Finite() const {
  for (const Dim& d : dims_)
    if (!d.categorical && Levels(d) <= 0) return false;
  return true;
}

size_t UnitCube::CountIfFinite(size_t limit) const {
  if (!Finite()) return 0;
  double count = 1;
  for (const Dim& d : dims_) {
    count *= d.categorical ? static_cast<double>(d.values.size()) : Levels(d);
    if (count > static_cast<double>(limit)) return 0;
  }
  if (!conditional_) return static_cast<size_t>(count);
  // Only indices whose inactive parameters sit on their first level are distinct
  // configurations; list them once.
  if (live_index_.empty()) {
    for (size_t i = 0; i < static_cast<size_t>(count); ++i) {
      bool canonical = false;
      RawPoint(i, &canonical);
      if (canonical) live_index_.push_back(i);
    }
  }
  return live_index_.size();
}

Eigen::VectorXd UnitCube::EnumeratePoint(size_t i) const {
  if (!conditional_) return RawPoint(i, nullptr);
  if (i < live_index_.size()) i = live_index_[i];
  Eigen::VectorXd x = RawPoint(i, nullptr);
  Impute(Decode(x), x);
  return x;
}

void UnitCube::Impute(const Config& config, Eigen::VectorXd& x) const {
  const std::vector<bool> live = space_.ActiveMask(config);
  for (const Dim& d : dims_) {
    if (live[d.param]) continue;
    if (d.categorical) {
      x.segment(static_cast<Eigen::Index>(d.offset), static_cast<Eigen::Index>(d.values.size()))
          .setZero();
    } else {
      x[static_cast<Eigen::Index>(d.offset)] = kInactiveCoordinate;
    }
  }
}

Eigen::VectorXd UnitCube::RawPoint(size_t i, bool* canonical) const {
  Eigen::VectorXd x = Eigen::VectorXd::Zero(model_dims_);
  std::vector<size_t> digit(dims_.size());
  for (size_t k = 0; k < dims_.size(); ++k) {
    const Dim& d = dims_[k];
    size_t levels = d.categorical ? d.values.size() : static_cast<size_t>(Levels(d));
    size_t j = i % levels;
    digit[k] = j;
    i /= levels;
    if (d.categorical) {
      x[d.offset + j] = 1;
    } else if (d.int_bins) {
      x[d.offset] = (j + 0.5) / static_cast<double>(levels);
    } else {
      x[d.offset] = ToUnit(d, (std::ceil(d.vmin / d.q) + static_cast<double>(j)) * d.q);
    }
  }
  if (canonical) {
    *canonical = true;
    if (conditional_) {
      const std::vector<bool> live = space_.ActiveMask(Decode(x));
      for (size_t k = 0; k < dims_.size(); ++k)
        if (!live[dims_[k].param] && digit[k] != 0) *canonical = false;
    }
  }
  return x;
}

int UnitCube::ParamDimOf(size_t param) const {
  for (size_t j = 0; j < dims_.size(); ++j)
    if (dims_[j].param == param) return static_cast<int>(j);
  return -1;
}

size_t UnitCube::Categories(size_t j) const {
  return j < dims_.size() && dims_[j].categorical ? dims_[j].values.size() : 0;
}

void UnitCube::SetParamUnit(Eigen::VectorXd& x, size_t j, double u) const {
  if (j >= dims_.size() || static_cast<size_t>(x.size()) != model_dims_) return;
  const Dim& d = dims_[j];
  u = std::clamp(u, 0.0, 1.0);
  if (!d.categorical) {
    x[d.offset] = u;
    return;
  }
  const size_t k = d.values.size();
  x.segment(d.offset, k).setZero();
  x[d.offset + std::min(k - 1, static_cast<size_t>(u * static_cast<double>(k)))] = 1;
}

Eigen::VectorXd UnitCube::FromParamUnit(const Eigen::VectorXd& u) const {
  Eigen::VectorXd x = Eigen::VectorXd::Zero(model_dims_);
  for (size_t i = 0; i < dims_.size() && i < static_cast<size_t>(u.size()); ++i) {
    const Dim& d = dims_[i];
    double ui = std::clamp(u[i], 0.0, 1.0);
    if (d.categorical) {
      size_t k = d.values.size();
      x[d.offset + std::min(k - 1, static_cast<size_t>(ui * static_cast<double>(k)))] = 1;
    } else {
      x[d.offset] = ui;
    }
  }
  if (conditional_) Impute(Decode(x), x);
  return x;
}

Config UnitCube::Decode(const Eigen::VectorXd& x) const {
  Config config = constants_;
  for (const Dim& d : dims_) {
    if (d.categorical) {
      size_t best = 0;
      for (size_t k = 1; k < d.values.size(); ++k)
        if (x[d.offset + k] > x[d.offset + best]) best = k;
      config[d.param] = d.values[best];
    } else {
      double v = ToValue(d, x[d.offset]);
      config[d.param] = d.integer ? Value(static_cast<int64_t>(v)) : Value(v);
    }
  }
  if (conditional_) space_.Deactivate(config);
  return config;
}

Eigen::VectorXd UnitCube::Encode(const Config& config) const {
  Eigen::VectorXd x = Eigen::VectorXd::Zero(model_dims_);
  for (const Dim& d : dims_) {
    if (d.param >= config.size()) continue;
    const Value& v = config[d.param];
    if (d.categorical) {
      for (size_t k = 0; k < d.values.size(); ++k)
        if (d.values[k] == v) {
          x[d.offset + k] = 1;
          break;
        }
    } else {
      x[d.offset] = v.is_number() ? ToUnit(d, v.get<double>()) : 0.5;
    }
  }
  if (conditional_) Impute(config, x);
  return x;
}

}  // namespace sweep
