// Search space helpers: distribution names, configuration layouts (flat and nested),
// and the normalized description printed by `sweep validate` and stored per sweep.
#include "search/search_space.h"

#include <cmath>

#include "search/distribution_traits.h"

namespace sweep {
namespace {

std::string Num(double v) { return FormatPythonFloat(v); }

// Numbers in the description keep integer bounds integral ("1", not "1.0").
Value NumValue(double v, bool integer) {
  if (integer && std::isfinite(v)) return Value(static_cast<int64_t>(std::llround(v)));
  return Value(v);
}

}  // namespace

std::string_view DistributionName(Distribution d) { return TraitsOf(d).name; }

std::optional<Distribution> ParseDistribution(std::string_view name) {
  size_t n = 0;
  const DistributionTraits* rows = AllDistributionTraits(&n);
  for (size_t i = 0; i < n; ++i)
    if (rows[i].name == name) return rows[i].distribution;
  return std::nullopt;
}

const std::vector<std::string_view>& AllDistributionNames() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> v;
    size_t n = 0;
    const DistributionTraits* rows = AllDistributionTraits(&n);
    for (size_t i = 0; i < n; ++i) v.push_back(rows[i].name);
    return v;
  }();
  return names;
}

bool Parameter::IsContinuous() const {
  switch (distribution) {
    case Distribution::kConstant:
    case Distribution::kCategorical:
    case Distribution::kIntUniform:
    case Distribution::kQUniform:  // W&B's grid enumerates it as arange(min, max, q)
      return false;
    default:
      return true;
  }
}

std::optional<std::pair<double, double>> Parameter::ValueRange() const {
  switch (distribution) {
    case Distribution::kIntUniform:
    case Distribution::kUniform:
    case Distribution::kQUniform:
    case Distribution::kLogUniformValues:
    case Distribution::kQLogUniformValues:
    case Distribution::kInvLogUniformValues:
      return std::make_pair(min, max);
    case Distribution::kLogUniform:
    case Distribution::kQLogUniform:
      return std::make_pair(std::exp(min), std::exp(max));
    case Distribution::kInvLogUniform:
      return std::make_pair(std::exp(-max), std::exp(-min));
    case Distribution::kBeta:
    case Distribution::kQBeta:
      return std::make_pair(0.0, 1.0);
    default:
      return std::nullopt;
  }
}

int SearchSpace::IndexOf(std::string_view name) const {
  for (size_t i = 0; i < params.size(); ++i)
    if (params[i].name == name) return static_cast<int>(i);
  return -1;
}

namespace {
struct AdmitContext {
  const SearchSpace* space;
  const Config* config;
};
const Value* LookupParam(const void* ctx, std::string_view name) {
  const auto* c = static_cast<const AdmitContext*>(ctx);
  const int i = c->space->IndexOf(name);
  if (i < 0 || static_cast<size_t>(i) >= c->config->size()) return nullptr;
  return &(*c->config)[static_cast<size_t>(i)];
}
}  // namespace

bool SearchSpace::Admits(const Config& config, WhereError* error) const {
  if (!where) return true;
  const AdmitContext ctx{this, &config};
  auto r = where->Evaluate(&LookupParam, &ctx);
  if (auto* e = std::get_if<WhereError>(&r)) {
    if (error) *error = *e;
    return false;
  }
  return std::get<bool>(r);
}

Value SearchSpace::ToNested(const Config& config) const {
  Value out = Value::object();
  const std::vector<bool> live = ActiveMask(config);
  for (size_t i = 0; i < params.size() && i < config.size(); ++i) {
    if (!live[i]) continue;
    const Parameter& p = params[i];
    Value* node = &out;
    for (size_t k = 0; k + 1 < p.path.size(); ++k) {
      Value& child = (*node)[p.path[k]];
      if (!child.is_object()) child = Value::object();
      node = &child;
    }
    (*node)[p.path.empty() ? p.name : p.path.back()] = config[i];
  }
  return out;
}

Value SearchSpace::ToFlat(const Config& config) const {
  Value out = Value::object();
  const std::vector<bool> live = ActiveMask(config);
  for (size_t i = 0; i < params.size() && i < config.size(); ++i)
    if (live[i]) out[params[i].name] = config[i];
  return out;
}

Result<Config> SearchSpace::FromFlat(const Value& flat) const {
  if (!flat.is_object()) return Status::InvalidSpec("parameters must be a mapping");
  Config config(params.size());
  std::vector<bool> given(params.size(), false);
  for (size_t i = 0; i < params.size(); ++i) {
    auto it = flat.find(params[i].name);
    if (it == flat.end()) continue;
    config[i] = *it;
    given[i] = true;
  }
  for (auto it = flat.begin(); it != flat.end(); ++it)
    if (IndexOf(it.key()) < 0) return Status::InvalidSpec("unknown parameter '" + it.key() + "'");
  // Activity is decided by the parents' values, so it is checked once all are read.
  const std::vector<bool> live = ActiveMask(config);
  for (size_t i = 0; i < params.size(); ++i) {
    if (live[i] && !given[i])
      return Status::InvalidSpec("missing parameter '" + params[i].name + "'");
    if (!live[i] && given[i])
      return Status::InvalidSpec("parameter '" + params[i].name +
                                 "' is given but inactive (its `when:` does not hold)");
  }
  return config;
}

Value SearchSpace::Describe() const {
  Value out = Value::array();
  for (const Parameter& p : params) {
    Value d = Value::object();
    d["name"] = p.name;
    d["kind"] = std::string(DistributionName(p.distribution));
    d["scale"] = std::string(TraitsOf(p.distribution).scale);
    d["integer"] = p.integer;
    switch (p.distribution) {
      case Distribution::kConstant:
        d["value"] = p.value;
        break;
      case Distribution::kCategorical:
        d["values"] = p.values;
        if (!p.probabilities.empty()) d["probabilities"] = p.probabilities;
        break;
      case Distribution::kNormal:
      case Distribution::kQNormal:
      case Distribution::kLogNormal:
      case Distribution::kQLogNormal:
        d["mu"] = p.mu;
        d["sigma"] = p.sigma;
        break;
      case Distribution::kBeta:
      case Distribution::kQBeta:
        d["a"] = p.a;
        d["b"] = p.b;
        break;
      default:
        d["min"] = NumValue(p.min, p.distribution == Distribution::kIntUniform);
        d["max"] = NumValue(p.max, p.distribution == Distribution::kIntUniform);
        break;
    }
    switch (p.distribution) {
      case Distribution::kQUniform:
      case Distribution::kQLogUniform:
      case Distribution::kQLogUniformValues:
      case Distribution::kQNormal:
      case Distribution::kQLogNormal:
      case Distribution::kQBeta:
        d["q"] = NumValue(p.q, p.integer);
        break;
      default:
        break;
    }
    if (auto range = p.ValueRange()) d["range"] = {range->first, range->second};
    if (!p.when.empty()) {
      Value when = Value::object();
      for (const Condition& c : p.when) when[c.parent] = c.values;
      d["when"] = std::move(when);
    }
    out.push_back(std::move(d));
  }
  return out;
}

std::vector<std::string> SearchSpace::DescribeLines() const {
  std::vector<std::string> lines;
  for (const Parameter& p : params) {
    std::string kind(DistributionName(p.distribution));
    std::string domain;
    switch (p.distribution) {
      case Distribution::kConstant:
        domain = "= " + p.value.dump();
        break;
      case Distribution::kCategorical: {
        domain = "{";
        for (size_t i = 0; i < p.values.size(); ++i) {
          if (i) domain += ", ";
          domain += p.values[i].dump();
          if (!p.probabilities.empty()) domain += " (p=" + Num(p.probabilities[i]) + ")";
        }
        domain += "}";
        break;
      }
      case Distribution::kNormal:
      case Distribution::kQNormal:
      case Distribution::kLogNormal:
      case Distribution::kQLogNormal:
        domain = "mu=" + Num(p.mu) + " sigma=" + Num(p.sigma);
        break;
      case Distribution::kBeta:
      case Distribution::kQBeta:
        domain = "a=" + Num(p.a) + " b=" + Num(p.b);
        break;
      case Distribution::kIntUniform:
        domain = "[" + std::to_string(std::llround(p.min)) + ", " +
                 std::to_string(std::llround(p.max)) + "]";
        break;
      default:
        domain = "[" + Num(p.min) + ", " + Num(p.max) + "]";
        break;
    }
    if (p.distribution == Distribution::kQUniform || p.distribution == Distribution::kQLogUniform ||
        p.distribution == Distribution::kQLogUniformValues ||
        p.distribution == Distribution::kQNormal || p.distribution == Distribution::kQLogNormal ||
        p.distribution == Distribution::kQBeta)
      domain += " q=" + Num(p.q);
    if (auto range = p.ValueRange(); range && (p.distribution == Distribution::kLogUniform ||
                                               p.distribution == Distribution::kQLogUniform ||
                                               p.distribution == Distribution::kInvLogUniform))
      domain += " (values " + Num(range->first) + " .. " + Num(range->second) + ")";
    std::string when;
    for (const Condition& c : p.when) {
      when += when.empty() ? "  when " : " and ";
      when += c.parent + " in " + Value(c.values).dump();
    }
    lines.push_back(p.name + "  " + kind + "  " + domain +
                    "  scale=" + std::string(TraitsOf(p.distribution).scale) +
                    (p.integer ? "  int" : "") + when);
  }
  return lines;
}

}  // namespace sweep
