// Parsing of the `parameters` section.
//
// Each parameter mapping is classified the way W&B's schema does it (their
// fill_parameter tries each parameter form in turn): an explicit `distribution`
// wins; otherwise `value` means constant, `values` categorical, and `min`/`max`
// int_uniform when both bounds are YAML integers, uniform otherwise. Every form
// allows only its own keys, as W&B's `additionalProperties: false` does, so a key that
// does not apply is an error rather than silently ignored. A mapping with a nested
// `parameters` key is a group: its children are flattened to dotted names while
// Parameter::path keeps the components, so the command builder can pass the group as
// one nested value the way W&B does. Problems are reported, never thrown, and a
// parameter with any error is left out of the space so later checks (grid
// enumerability) do not pile up follow-on errors.
#include "orchestrator/spec/spec_params.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include "orchestrator/spec/did_you_mean.h"
#include "search/distribution_traits.h"

namespace sweep {
namespace {

const std::vector<std::string> kParamKeys = {
    "value", "values", "probabilities", "distribution", "min", "max", "mu", "sigma", "q",
    "a",     "b",      "parameters",    "when"};

bool TakesRawPositiveBounds(Distribution d) {
  return TraitsOf(d).bounds == BoundsKind::kRawPositive;
}

bool TakesLogBounds(Distribution d) { return TraitsOf(d).bounds == BoundsKind::kLog; }

std::vector<std::string> AllowedKeys(Distribution d) {
  std::vector<std::string> keys;
  if (d == Distribution::kConstant) keys = {"value"};
  if (d == Distribution::kCategorical) keys = {"values", "probabilities"};
  if (IsBounded(d)) keys = {"min", "max"};
  if (IsNormalFamily(d)) keys = {"mu", "sigma"};
  if (IsBeta(d)) keys = {"a", "b"};
  if (IsQForm(d)) keys.push_back("q");
  return keys;
}

std::string Join(const std::vector<std::string>& parts, const char* sep) {
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : sep) + p;
  return out;
}

std::string Num(double v) { return FormatPythonFloat(v); }

class ParamParser {
 public:
  ParamParser(SpecReader& reader, SearchSpace& space) : r_(reader), space_(space) {}

  void ParseGroup(const YAML::Node& node, const YAML::Node& key_node, const std::string& ypath,
                  const std::vector<std::string>& prefix,
                  const std::vector<Condition>& inherited = {}) {
    // Aliases can make a group contain itself, or multiply parameters without bound;
    // the text-level depth check cannot see either, so both are bounded here.
    if (prefix.size() > static_cast<size_t>(kMaxGroupDepth)) {
      r_.Error(key_node, ypath,
               "parameter groups nested more than " + std::to_string(kMaxGroupDepth) +
                   " levels deep (a recursive alias?)");
      return;
    }
    if (++groups_ > kMaxParameters) {
      if (groups_ == kMaxParameters + 1)
        r_.Error(key_node, ypath,
                 "more than " + std::to_string(kMaxParameters) + " parameters or groups");
      return;
    }
    auto entries = r_.Entries(node, ypath, key_node);
    if (!entries) return;
    if (entries->empty()) {
      r_.Error(node, ypath, "needs at least one parameter", key_node);
      return;
    }
    for (const MapEntry& e : *entries) {
      std::vector<std::string> path = prefix;
      path.push_back(e.key);
      ParseOne(e, ypath + "." + e.key, path, inherited);
    }
  }

 private:
  void ParseOne(const MapEntry& e, const std::string& ypath, const std::vector<std::string>& path,
                const std::vector<Condition>& inherited) {
    if (++groups_ > kMaxParameters) {
      if (groups_ == kMaxParameters + 1)
        r_.Error(e.key_node, ypath,
                 "more than " + std::to_string(kMaxParameters) + " parameters or groups");
      return;
    }
    const size_t errors_before = r_.error_count();
    if (e.key.empty()) {
      r_.Error(e.key_node, ypath, "empty parameter name");
    } else if (!IsValidParameterName(e.key)) {
      r_.Error(e.key_node, ypath,
               "parameter name '" + e.key +
                   "' is not allowed: W&B accepts names matching [A-Za-z_][A-Za-z0-9_.-]* "
                   "(letters, digits, '_', '.', '-', not starting with a digit, '-' or '.')");
    }
    auto entries = r_.Entries(e.value, ypath, e.key_node);
    if (!entries) return;
    if (entries->empty()) {
      r_.Error(e.value, ypath,
               "empty parameter: give value, values, min/max, distribution or parameters",
               e.key_node);
      return;
    }
    std::map<std::string, const MapEntry*> keys;
    bool unknown = false;
    for (const MapEntry& k : *entries) {
      if (std::find(kParamKeys.begin(), kParamKeys.end(), k.key) == kParamKeys.end()) {
        r_.UnknownKey(k, ypath, kParamKeys, "parameter key");
        unknown = true;
        continue;
      }
      keys[k.key] = &k;
    }
    // The form cannot be trusted with a misspelt key ("maxx"): that error says enough.
    if (unknown) return;
    const auto get = [&](const std::string& k) -> const MapEntry* {
      auto it = keys.find(k);
      return it == keys.end() ? nullptr : it->second;
    };

    // `when:` (our extension); on a group it applies to every parameter inside.
    std::vector<Condition> when = inherited;
    if (const MapEntry* w = get("when")) ParseWhen(*w, ypath + ".when", when);

    if (const MapEntry* nested = get("parameters")) {
      for (const auto& [k, entry] : keys)
        if (k != "parameters" && k != "when")
          r_.Error(entry->key_node, ypath + "." + k,
                   "a parameter group (with nested `parameters`) cannot also have '" + k + "'");
      ParseGroup(nested->value, nested->key_node, ypath + ".parameters", path, when);
      return;
    }

    Parameter p;
    p.name = Join(path, ".");
    p.path = path;
    p.where = r_.Where(e.key_node, ypath);
    p.when = std::move(when);

    // Which form is this?
    std::optional<Distribution> dist;
    if (const MapEntry* d = get("distribution")) {
      auto name = r_.Text(*d, ypath + ".distribution");
      if (!name) return;
      if (*name == "categorical_w_probabilities") {
        dist = Distribution::kCategorical;
      } else {
        dist = ParseDistribution(*name);
      }
      if (!dist) {
        std::vector<std::string> known;
        for (auto n : AllDistributionNames()) known.emplace_back(n);
        std::string msg = "unknown distribution '" + *name + "'";
        if (auto s = DidYouMean(*name, known)) {
          msg += "; did you mean '" + *s + "'?";
        } else {
          msg += " (known: " + Join(known, ", ") + ")";
        }
        r_.Error(d->value, ypath + ".distribution", msg);
        return;
      }
    } else if (get("value") && get("values")) {
      r_.Error(get("values")->key_node, ypath + ".values",
               "'value' and 'values' cannot both be given (a constant or a list of choices?)");
      return;
    } else if (get("value")) {
      dist = Distribution::kConstant;
    } else if (get("values")) {
      dist = Distribution::kCategorical;
    } else if (get("min") || get("max")) {
      const MapEntry* lo = get("min");
      const MapEntry* hi = get("max");
      if (!lo || !hi) {
        const MapEntry* present = lo ? lo : hi;
        r_.Error(present->key_node, ypath,
                 std::string("'") + (lo ? "min" : "max") + "' given without '" +
                     (lo ? "max" : "min") + "'");
        return;
      }
      // W&B: both bounds integers => int_uniform; any float => uniform.
      const bool ints = lo->value.IsScalar() && hi->value.IsScalar() &&
                        ResolveScalar(lo->value).kind == ScalarKind::kInt &&
                        ResolveScalar(hi->value).kind == ScalarKind::kInt;
      dist = ints ? Distribution::kIntUniform : Distribution::kUniform;
    } else {
      r_.Error(e.key_node, ypath,
               "cannot tell the parameter's form: give value, values, min and max, or a "
               "distribution");
      return;
    }
    p.distribution = *dist;
    const std::string dname(DistributionName(*dist));

    const std::vector<std::string> allowed = AllowedKeys(*dist);
    for (const auto& [k, entry] : keys) {
      if (k == "distribution" || k == "when" ||
          std::find(allowed.begin(), allowed.end(), k) != allowed.end())
        continue;
      r_.Error(entry->key_node, ypath + "." + k,
               "'" + k + "' does not apply to distribution " + dname +
                   " (it takes: " + Join(allowed, ", ") + ")");
    }
    const auto require = [&](const std::string& k) -> const MapEntry* {
      const MapEntry* m = get(k);
      if (!m)
        r_.Error(e.key_node, ypath + "." + k, "distribution " + dname + " requires '" + k + "'");
      return m;
    };

    if (*dist == Distribution::kConstant) {
      if (const MapEntry* v = require("value")) {
        if (auto val = r_.ToValue(v->value, ypath + ".value")) p.value = *val;
        NoteYaml11Booleans(v->value, ypath + ".value");
      }
    } else if (*dist == Distribution::kCategorical) {
      ParseCategorical(get("values") ? get("values") : require("values"), get("probabilities"),
                       ypath, p);
    } else if (IsBounded(*dist)) {
      const MapEntry* lo = require("min");  // in this order, so errors read min, max
      const MapEntry* hi = require("max");
      ParseBounds(lo, hi, ypath, p);
    } else if (IsNormalFamily(*dist)) {
      if (const MapEntry* m = get("mu")) {
        if (auto v = r_.Number(*m, ypath + ".mu")) p.mu = *v;
      }
      if (const MapEntry* s = get("sigma")) {
        auto v = r_.Number(*s, ypath + ".sigma");
        if (v && *v <= 0) {
          r_.Error(s->value, ypath + ".sigma", "sigma must be > 0, found " + s->value.Scalar());
        } else if (v) {
          p.sigma = *v;
        }
      }
    } else if (IsBeta(*dist)) {
      for (const char* k : {"a", "b"}) {
        const MapEntry* m = get(k);
        if (!m) continue;
        auto v = r_.Number(*m, ypath + "." + k);
        if (v && *v <= 0) {
          r_.Error(m->value, ypath + "." + k,
                   std::string(k) + " (a beta shape) must be > 0, found " + m->value.Scalar());
        } else if (v) {
          (k[0] == 'a' ? p.a : p.b) = *v;
        }
      }
    }
    if (IsQForm(*dist)) {
      if (const MapEntry* q = get("q")) {
        auto v = r_.Number(*q, ypath + ".q");
        if (v && *v <= 0) {
          r_.Error(q->value, ypath + ".q", "q must be > 0, found " + q->value.Scalar());
        } else if (v) {
          p.q = *v;
          // W&B returns ints when q is an int in the spec (its default 1.0 is a float).
          p.integer = ResolveScalar(q->value).kind == ScalarKind::kInt;
        }
      }
    }
    if (*dist == Distribution::kIntUniform) p.integer = true;

    if (r_.error_count() != errors_before) return;
    if (TakesLogBounds(*dist)) {
      auto range = p.ValueRange();
      r_.Note(e.key_node, ypath,
              dname + " bounds are natural logs: values range over [" + Num(range->first) + ", " +
                  Num(range->second) + "]; use " + dname + "_values to give the values themselves");
    }
    if (!names_.insert(p.name).second) {
      r_.Error(e.key_node, ypath,
               "parameter '" + p.name + "' is defined twice (a dotted name and a nested group)");
      return;
    }
    space_.params.push_back(std::move(p));
  }

  // `when: {parent: value}` or `{parent: [v1, v2]}`; several keys must all hold. The
  // parent is resolved later (ResolveConditions), once every parameter is known.
  void ParseWhen(const MapEntry& w, const std::string& wpath, std::vector<Condition>& out) {
    auto entries = r_.Entries(w.value, wpath, w.key_node);
    if (!entries) return;
    if (entries->empty()) {
      r_.Error(w.value, wpath, "needs at least one `parent: value` entry", w.key_node);
      return;
    }
    for (const MapEntry& c : *entries) {
      const std::string cpath = wpath + "." + c.key;
      Condition cond;
      cond.parent = c.key;
      cond.where =
          r_.Where(c.value.IsDefined() && c.value.Mark().line >= 0 ? c.value : c.key_node, cpath);
      if (c.value.IsSequence()) {
        if (c.value.size() == 0) {
          r_.Error(c.value, cpath, "needs at least one value of '" + c.key + "'");
          continue;
        }
        for (size_t i = 0; i < c.value.size(); ++i) {
          const std::string ipath = cpath + "[" + std::to_string(i) + "]";
          if (!c.value[i].IsScalar()) {
            r_.Error(
                c.value[i], ipath,
                "expected a value of '" + c.key + "', found " + SpecReader::Describe(c.value[i]));
            continue;
          }
          if (auto v = r_.ToValue(c.value[i], ipath)) cond.values.push_back(std::move(*v));
        }
      } else if (c.value.IsScalar()) {
        if (auto v = r_.ToValue(c.value, cpath)) cond.values.push_back(std::move(*v));
      } else {
        r_.Error(c.value, cpath,
                 "expected a value or a list of values of '" + c.key + "', found " +
                     SpecReader::Describe(c.value),
                 c.key_node);
        continue;
      }
      if (!cond.values.empty()) out.push_back(std::move(cond));
    }
  }

  void ParseCategorical(const MapEntry* values, const MapEntry* probs, const std::string& ypath,
                        Parameter& p) {
    if (!values) return;
    if (!values->value.IsSequence()) {
      r_.Error(values->value, ypath + ".values",
               "expected a list of values, found " + SpecReader::Describe(values->value),
               values->key_node);
      return;
    }
    if (values->value.size() == 0) {
      r_.Error(values->value, ypath + ".values", "needs at least one value");
      return;
    }
    std::set<std::string> seen;
    for (size_t i = 0; i < values->value.size(); ++i) {
      const std::string ipath = ypath + ".values[" + std::to_string(i) + "]";
      auto v = r_.ToValue(values->value[i], ipath);
      if (!v) continue;
      NoteYaml11Booleans(values->value[i], ipath);
      if (!seen.insert(v->dump()).second)
        r_.Note(values->value[i], ipath, "value " + v->dump() + " is listed twice");
      p.values.push_back(std::move(*v));
    }
    if (!probs) return;
    const std::string ppath = ypath + ".probabilities";
    if (!probs->value.IsSequence()) {
      r_.Error(probs->value, ppath,
               "expected a list of numbers, found " + SpecReader::Describe(probs->value),
               probs->key_node);
      return;
    }
    if (probs->value.size() != values->value.size()) {
      r_.Error(probs->value, ppath,
               "has " + std::to_string(probs->value.size()) + " entries but values has " +
                   std::to_string(values->value.size()) + "; they must be the same length");
      return;
    }
    double sum = 0;
    bool ok = true;
    for (size_t i = 0; i < probs->value.size(); ++i) {
      MapEntry item{"", probs->key_node, probs->value[i]};
      const std::string ipath = ppath + "[" + std::to_string(i) + "]";
      auto v = r_.Number(item, ipath);
      if (!v) {
        ok = false;
        continue;
      }
      if (*v < 0 || *v > 1) {
        r_.Error(item.value, ipath,
                 "a probability must be in [0, 1], found " + item.value.Scalar());
        ok = false;
        continue;
      }
      sum += *v;
      p.probabilities.push_back(*v);
    }
    if (ok && std::fabs(sum - 1.0) > 1e-6) {
      r_.Error(probs->value, ppath, "probabilities sum to " + Num(sum) + ", not 1");
    }
  }

  void ParseBounds(const MapEntry* lo, const MapEntry* hi, const std::string& ypath, Parameter& p) {
    if (!lo || !hi) return;
    const Distribution d = p.distribution;
    const std::string dname(DistributionName(d));
    std::optional<double> vmin = r_.Number(*lo, ypath + ".min");
    std::optional<double> vmax = r_.Number(*hi, ypath + ".max");
    if (d == Distribution::kIntUniform) {
      for (const MapEntry* m : {lo, hi}) {
        const std::string kpath = ypath + "." + (m == lo ? "min" : "max");
        const Scalar s = ResolveScalar(m->value);
        if (m->value.IsScalar() && s.kind == ScalarKind::kFloat && std::isfinite(s.f)) {
          r_.Error(m->value, kpath,
                   "int_uniform needs integer bounds, found " + s.text +
                       " (use distribution: uniform for real numbers)");
          (m == lo ? vmin : vmax).reset();
        } else if (m->value.IsScalar() && s.kind == ScalarKind::kUnsigned) {
          r_.Error(m->value, kpath, "integer " + s.text + " is too large");
          (m == lo ? vmin : vmax).reset();
        }
      }
    }
    if (!vmin || !vmax) return;
    if (TakesRawPositiveBounds(d) && *vmin <= 0) {
      r_.Error(lo->value, ypath + ".min",
               dname + " bounds are values on a log scale and must be > 0, found min " +
                   lo->value.Scalar());
      return;
    }
    if (*vmin == *vmax) {
      r_.Error(lo->value, ypath + ".min",
               "min " + lo->value.Scalar() + " equals max " + hi->value.Scalar() +
                   "; min must be less than max (use value: for a constant)");
      return;
    }
    if (*vmin > *vmax) {
      r_.Error(lo->value, ypath + ".min",
               "min " + lo->value.Scalar() + " is greater than max " + hi->value.Scalar() +
                   "; min must be less than max");
      return;
    }
    // Bounds that are exponents (log_uniform: e^U(min, max), inv_log_uniform:
    // e^-U(min, max)) must keep the value a finite double: e^710 is infinite, and an
    // infinite value cannot reach a program or the store.
    const double kMaxExponent = std::log(std::numeric_limits<double>::max());  // 709.78
    const bool exp_of_bounds = d == Distribution::kLogUniform || d == Distribution::kQLogUniform;
    const bool exp_of_neg = d == Distribution::kInvLogUniform;
    if (exp_of_bounds && *vmax > kMaxExponent) {
      r_.Error(hi->value, ypath + ".max",
               dname + " max " + hi->value.Scalar() + " is an exponent: e^" + hi->value.Scalar() +
                   " overflows a double (the largest exponent is 709.78)");
      return;
    }
    if (exp_of_neg && -*vmin > kMaxExponent) {
      r_.Error(lo->value, ypath + ".min",
               dname + " min " + lo->value.Scalar() + " is an exponent: e^-(" + lo->value.Scalar() +
                   ") overflows a double (the smallest min is -709.78)");
      return;
    }
    p.min = *vmin;
    p.max = *vmax;
  }

  // YAML 1.1 (W&B's PyYAML) reads yes/no/on/off as booleans; YAML 1.2 (and we) do not.
  void NoteYaml11Booleans(const YAML::Node& node, const std::string& path) {
    if (!node.IsScalar() || node.Tag() != "?") return;
    static const std::set<std::string> k11 = {"yes", "Yes", "YES", "no",  "No",  "NO",
                                              "on",  "On",  "ON",  "off", "Off", "OFF"};
    if (k11.count(node.Scalar()))
      r_.Note(node, path,
              "'" + node.Scalar() + "' is the string \"" + node.Scalar() +
                  "\" here (YAML 1.2); W&B's YAML 1.1 loader reads it as a boolean: write "
                  "true/false or quote it to be unambiguous");
  }

  static constexpr int kMaxGroupDepth = 32;
  static constexpr size_t kMaxParameters = 10000;

  SpecReader& r_;
  SearchSpace& space_;
  std::set<std::string> names_;
  size_t groups_ = 0;  // parameters and groups seen, for the budget
};

}  // namespace

bool IsValidParameterName(const std::string& name) {
  if (name.empty()) return false;
  const auto alpha = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); };
  const auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (!alpha(name[0]) && name[0] != '_') return false;
  for (char c : name)
    if (!alpha(c) && !digit(c) && c != '_' && c != '.' && c != '-') return false;
  return true;
}

void ParseParameters(const YAML::Node& node, const YAML::Node& key_node, SpecReader& reader,
                     SearchSpace& space) {
  ParamParser parser(reader, space);
  parser.ParseGroup(node, key_node, "parameters", {});
}

}  // namespace sweep
