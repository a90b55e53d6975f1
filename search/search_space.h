// The search space: the normalized, validated parameters of a sweep.
//
// Built by the spec parser (orchestrator/spec_parser), read by every strategy. All W&B
// distributions are represented with their W&B meaning: bounds are stored as written
// in the spec (for log_uniform and q_log_uniform they are natural logs; for the
// *_values forms they are raw values).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "base/value.h"
#include "search/where_expr.h"

namespace sweep {

enum class Distribution {
  kConstant,
  kCategorical,
  kIntUniform,
  kUniform,
  kQUniform,
  kLogUniform,        // exp(U(min, max)); bounds are natural logs
  kLogUniformValues,  // exp(U(log min, log max)); bounds are raw values
  kQLogUniform,
  kQLogUniformValues,
  kInvLogUniform,        // exp(-U(min, max)) i.e. 1/exp(U); bounds are natural logs
  kInvLogUniformValues,  // 1/x with x log-uniform in [1/max, 1/min]; bounds raw values
  kNormal,
  kQNormal,
  kLogNormal,
  kQLogNormal,
  kBeta,
  kQBeta,
};

// The W&B spelling ("q_log_uniform_values", ...).
std::string_view DistributionName(Distribution d);
// Inverse of DistributionName; nullopt for an unknown name.
std::optional<Distribution> ParseDistribution(std::string_view name);
// Every W&B distribution name, for did-you-mean hints and docs.
const std::vector<std::string_view>& AllDistributionNames();

// One clause of a parameter's `when:` (our extension): the parameter is live only while
// `parent` is live and takes one of `values`. A parameter with several clauses is live
// when all of them hold. Resolved and validated by the spec parser (parent_index set,
// no cycles, every value one the parent can take).
struct Condition {
  std::string parent;         // dotted name of the parent parameter
  int parent_index = -1;      // index of the parent in SearchSpace::params
  std::vector<Value> values;  // the parent's values that make the clause hold
  SourceLocation where;       // where the clause was written, for error messages
};

struct Parameter {
  // Dotted name for nested parameters ("optimizer.lr"); path holds its components.
  std::string name;
  std::vector<std::string> path;
  Distribution distribution = Distribution::kConstant;

  Value value;                        // kConstant: the value, YAML type kept
  std::vector<Value> values;          // kCategorical: the values, in spec order
  std::vector<double> probabilities;  // kCategorical: empty means uniform; sums to 1

  // Bounds as written (see the file comment). For int_uniform they are integers.
  double min = 0;
  double max = 0;
  double mu = 0;     // normal family; default 0
  double sigma = 1;  // normal family; default 1
  double q = 1;      // q_* rounding step; default 1
  double a = 1;      // beta shape; default 1
  double b = 1;      // beta shape; default 1
  // True when sampled values are integers: int_uniform, or a q_* form whose q is an
  // integer in the spec (W&B returns ints then).
  bool integer = false;

  SourceLocation where;  // where the parameter was defined, for error messages
  // The `when:` clauses; empty for a parameter that is always live.
  std::vector<Condition> when;

  // True for distributions grid search cannot enumerate (all but constant,
  // categorical, int_uniform and q_uniform, as in W&B's grid).
  bool IsContinuous() const;
  // Lower/upper bound of the values this parameter can take, when bounded (for
  // normal family: nullopt). In value units, after any log/exp transform.
  std::optional<std::pair<double, double>> ValueRange() const;
};

// The validated parameters, in spec order (nested parameters flattened depth-first
// where they appear).
struct SearchSpace {
  std::vector<Parameter> params;
  // The spec's `where:` predicate; nullptr when it has none. Every strategy suggests
  // only configurations it admits.
  std::shared_ptr<const WhereExpr> where;

  // True when `config` satisfies `where` (always true without one). A configuration
  // whose evaluation fails (division by zero, a type error) is not admitted; `error`
  // then receives why, when non-null.
  bool Admits(const Config& config, WhereError* error = nullptr) const;

  // True when some parameter has a `when:` (search/conditional_space.cc).
  bool Conditional() const;
  // Which parameters are live in `config` (one flag per parameter, in space order):
  // a parameter is live when every clause of its `when:` holds and each parent is
  // itself live. Reads only the parents' values, so inactive slots may hold anything.
  std::vector<bool> ActiveMask(const Config& config) const;
  // Sets every inactive parameter of `config` to null: the canonical form every
  // strategy suggests, so that two configurations that differ only in inactive
  // parameters compare equal.
  void Deactivate(Config& config) const;

  // Index of the parameter with this dotted name, or -1.
  int IndexOf(std::string_view name) const;

  // The configuration as the program sees it: a mapping in spec order whose nested
  // parameters are nested mappings ({"optimizer": {"lr": 0.1}}). Inactive parameters
  // (see ActiveMask) are left out, here and in ToFlat.
  Value ToNested(const Config& config) const;
  // The configuration as a flat mapping of dotted names to values (what the store and
  // `--json` output use).
  Value ToFlat(const Config& config) const;
  // Inverse of ToFlat; an error names a missing or unknown parameter, or one given while
  // its `when:` does not hold. Inactive parameters come back as null.
  Result<Config> FromFlat(const Value& flat) const;

  // The normalized space as JSON: one object per parameter with name, kind
  // (distribution), domain, scale. Stored with each sweep; printed by `validate`.
  Value Describe() const;
  // One human line per parameter for `sweep validate`.
  std::vector<std::string> DescribeLines() const;
};

}  // namespace sweep
