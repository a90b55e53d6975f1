// The map between a SearchSpace and the unit cube the Gaussian process models.
//
// Each non-constant parameter gets one "parameter coordinate" u in [0,1]; the model
// sees that coordinate unchanged for numeric parameters and as a one-hot block for
// categorical ones, so the model space has ModelDims() >= ParamDims() dimensions.
// Constants are dropped. Numeric parameters are warped so that equal distances in the
// cube mean comparable changes: log-scale distributions live in log space, the normal
// family goes through its CDF (u = Phi((x - mu) / sigma)), integers own equal-width
// bins, q_* values are rounded to their grid inside the bounds. Beta parameters are
// modelled linearly on [0,1].
//
// Conditional spaces (`when:`): an inactive parameter is imputed, not modelled as if
// it had a value (Levesque, Durand, Gagne, Sabourin, "Bayesian optimization for
// conditional hyperparameter spaces", IJCNN 2017, section III-A): its numeric
// coordinate is the constant kInactiveCoordinate and its one-hot block all zeros, so
// two points where it is inactive agree on it exactly and a point where it is active
// differs from all of them by the same amount in a categorical block. Every point the
// cube hands out (FromParamUnit, Snap, EnumeratePoint) is already imputed, and Decode
// returns the canonical configuration with inactive parameters null.
#pragma once

#include <Eigen/Dense>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "base/value.h"
#include "search/search_space.h"

namespace sweep {

class UnitCube {
 public:
  // The model coordinate of an inactive numeric parameter (see the file comment).
  static constexpr double kInactiveCoordinate = 0.5;

  // Copies what it needs from space; the space need not outlive the cube.
  explicit UnitCube(const SearchSpace& space);

  size_t ParamDims() const { return dims_.size(); }
  size_t ModelDims() const { return model_dims_; }
  // True for model coordinates that belong to a one-hot block (not moved by gradients).
  const std::vector<bool>& CategoricalMask() const { return categorical_mask_; }
  // (offset, width) of each one-hot block in model space.
  const std::vector<std::pair<int, int>>& CategoricalBlocks() const { return blocks_; }
  // True when every modelled parameter takes finitely many values.
  bool Finite() const;
  // Number of distinct configurations when Finite() and below limit, else 0 (live
  // ones only in a conditional space: the first call lists them, so it is not
  // thread-safe against a concurrent EnumeratePoint).
  size_t CountIfFinite(size_t limit) const;
  // The i-th configuration of a finite space in mixed-radix order (i < CountIfFinite).
  Eigen::VectorXd EnumeratePoint(size_t i) const;

  // The parameter coordinate (index below ParamDims()) of space parameter `param`;
  // -1 when the parameter is a constant, which the cube does not model.
  int ParamDimOf(size_t param) const;
  // Number of categories of parameter coordinate j (0 when it is numeric).
  size_t Categories(size_t j) const;
  // Overwrites the model coordinates of parameter coordinate j with what the unit value
  // u lifts to (FromParamUnit's rule), leaving every other coordinate alone. Used to
  // hold a conditional space's branch fixed while the rest of a point moves.
  void SetParamUnit(Eigen::VectorXd& x, size_t j, double u) const;

  // Lifts parameter coordinates u (one per ParamDims(), each in [0,1]) to model space:
  // categorical u picks category floor(u * k).
  Eigen::VectorXd FromParamUnit(const Eigen::VectorXd& u) const;

  // The configuration for a model point; out-of-range coordinates are clamped,
  // one-hot blocks decode to their argmax. Never fails.
  Config Decode(const Eigen::VectorXd& x) const;

  // The model point of a configuration. Values outside the space are clamped; an
  // unknown categorical value encodes as an all-zero block.
  Eigen::VectorXd Encode(const Config& config) const;

  // Encode(Decode(x)): the point the configuration actually sits at.
  Eigen::VectorXd Snap(const Eigen::VectorXd& x) const { return Encode(Decode(x)); }

 private:
  enum class Scale { kLinear, kLog, kNormal, kLogNormal };
  struct Dim {
    size_t param = 0;   // index in the space
    size_t offset = 0;  // first model coordinate
    bool categorical = false;
    std::vector<Value> values;  // categorical values
    Scale scale = Scale::kLinear;
    double lo = 0, hi = 1;  // bounds in the warped (linear or log) value space
    double mu = 0, sigma = 1;
    double q = 0;               // rounding step in value units, 0 = none
    bool integer = false;       // value is an integer (int_uniform or integral q)
    bool int_bins = false;      // int_uniform: equal-width bins per integer
    double vmin = 0, vmax = 0;  // value bounds used to keep q-rounding inside the range
  };

  // Conditional spaces: imputes the coordinates of the parameters inactive in
  // `config` (the decoded point x).
  void Impute(const Config& config, Eigen::VectorXd& x) const;
  // The mixed-radix point i before imputation; `canonical` is false when an inactive
  // parameter is off its first level (the same configuration as another index).
  Eigen::VectorXd RawPoint(size_t i, bool* canonical) const;

  double ToValue(const Dim& d, double u) const;
  double ToUnit(const Dim& d, double v) const;
  // Number of values a numeric dimension can take (0 when continuous or unbounded).
  double Levels(const Dim& d) const;

  std::vector<Dim> dims_;
  size_t n_params_ = 0;
  std::vector<Value> constants_;  // by parameter index; null for modelled ones
  std::vector<bool> categorical_mask_;
  std::vector<std::pair<int, int>> blocks_;
  size_t model_dims_ = 0;
  SearchSpace space_;  // for ActiveMask; set only when conditional
  bool conditional_ = false;
  mutable std::vector<size_t> live_index_;  // conditional finite spaces: raw live indices
};

// The standard normal CDF and its inverse (Acklam's rational approximation refined
// by one Halley step, relative error ~1e-15). InvNormalCdf clamps p to (0,1).
double NormalCdf(double z);
double InvNormalCdf(double p);

}  // namespace sweep
