// Membership of a configuration in a search space, and typing of text cells.
//
// Bounds are checked in value units with a relative tolerance of 1e-9, because a
// value that went through a text file (CSV export, another tool's JSON) may have lost
// its last bit. A q_* value off its grid still fits: the models treat the parameter as
// continuous and the value was really run, so it is real evidence.
#include "search/space_fit.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace sweep {
namespace {

bool SameValue(const Value& a, const Value& b) {
  if (a.is_number() && b.is_number()) return a.get<double>() == b.get<double>();
  return a == b;
}

std::string Text(const Value& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

bool Within(double v, double lo, double hi) {
  const double tol = 1e-9 * std::max({1.0, std::fabs(lo), std::fabs(hi)});
  return v >= lo - tol && v <= hi + tol;
}

std::optional<double> Number(const std::string& s) {
  if (s.empty() || std::isspace(static_cast<unsigned char>(s[0]))) return std::nullopt;
  errno = 0;
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || errno == ERANGE) return std::nullopt;
  return v;
}

}  // namespace

std::optional<std::string> MisfitReason(const SearchSpace& space, const Config& config) {
  if (config.size() != space.params.size()) return std::string("wrong number of parameters");
  const std::vector<bool> live = space.ActiveMask(config);
  for (size_t i = 0; i < space.params.size(); ++i) {
    if (!live[i]) continue;
    const Parameter& p = space.params[i];
    const Value& v = config[i];
    const std::string name = p.name + ": ";
    switch (p.distribution) {
      case Distribution::kConstant:
        if (!SameValue(v, p.value)) return name + Text(v) + " is not the constant " + Text(p.value);
        continue;
      case Distribution::kCategorical: {
        bool found = false;
        for (const Value& c : p.values) found = found || SameValue(v, c);
        if (!found) return name + Text(v) + " is not one of its values";
        continue;
      }
      default:
        break;
    }
    if (!v.is_number() || v.is_boolean()) return name + Text(v) + " is not a number";
    const double x = v.get<double>();
    if (!std::isfinite(x)) return name + Text(v) + " is not finite";
    if (p.integer && std::floor(x) != x) return name + Text(v) + " is not an integer";
    if (auto range = p.ValueRange(); range && !Within(x, range->first, range->second))
      return name + Text(v) + " is outside [" + FormatPythonFloat(range->first) + ", " +
             FormatPythonFloat(range->second) + "]";
    const bool log_normal =
        p.distribution == Distribution::kLogNormal || p.distribution == Distribution::kQLogNormal;
    if (log_normal && x <= 0) return name + Text(v) + " is not positive";
  }
  if (!space.Admits(config)) return std::string("rejected by where:");
  return std::nullopt;
}

std::optional<Value> ParseCell(const Parameter& p, const std::string& cell) {
  if (p.distribution == Distribution::kConstant || p.distribution == Distribution::kCategorical) {
    const std::vector<Value> domain =
        p.distribution == Distribution::kConstant ? std::vector<Value>{p.value} : p.values;
    const std::optional<double> num = Number(cell);
    for (const Value& d : domain) {
      if (d.is_string() && d.get<std::string>() == cell) return d;
      if (d.is_boolean() && (cell == (d.get<bool>() ? "true" : "false") ||
                             cell == (d.get<bool>() ? "True" : "False")))
        return d;
      if (d.is_number() && num && d.get<double>() == *num) return d;
      if (!d.is_string() && d.dump() == cell) return d;
    }
    return std::nullopt;
  }
  const std::optional<double> num = Number(cell);
  if (!num) return std::nullopt;
  if (p.integer && std::floor(*num) == *num && std::fabs(*num) < 9.2e18)
    return Value(static_cast<int64_t>(*num));
  return Value(*num);
}

}  // namespace sweep
