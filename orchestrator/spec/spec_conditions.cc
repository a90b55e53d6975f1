// `when:` resolution: parents by dotted name, then a cycle check over the parent graph,
// then a liveness check that enumerates every combination of the parents' values (the
// only parameters that decide activity) and marks which parameters are live in at
// least one. The enumeration is skipped, not approximated, past kMaxCombinations: a
// spec with that many parent combinations is unusual and each check that did run
// still holds.
#include "orchestrator/spec/spec_conditions.h"

#include <functional>
#include <string>
#include <vector>

#include "orchestrator/spec/did_you_mean.h"

namespace sweep {
namespace {

constexpr double kMaxCombinations = 1e6;

bool SameValue(const Value& a, const Value& b) {
  if (a.is_number() && b.is_number() && !a.is_boolean() && !b.is_boolean())
    return a.get<double>() == b.get<double>();
  return a == b;
}

// The values a parent can take, or empty when it is not a categorical or constant.
std::vector<Value> ParentValues(const Parameter& p) {
  if (p.distribution == Distribution::kConstant) return {p.value};
  if (p.distribution == Distribution::kCategorical) return p.values;
  return {};
}

void Report(SpecReader& r, const Condition& c, const std::string& what) {
  r.ErrorAt(c.where.line, c.where.col, c.where.key_path, what);
}

bool ResolveParents(SearchSpace& space, SpecReader& r) {
  bool ok = true;
  std::vector<std::string> names;
  for (const Parameter& p : space.params) names.push_back(p.name);
  for (size_t i = 0; i < space.params.size(); ++i) {
    for (Condition& c : space.params[i].when) {
      const int idx = space.IndexOf(c.parent);
      if (idx < 0) {
        Report(r, c,
               "unknown parent parameter '" + c.parent + "'" + DidYouMeanSuffix(c.parent, names) +
                   " (a `when:` key names another parameter by its dotted name)");
        ok = false;
        continue;
      }
      if (static_cast<size_t>(idx) == i) {
        Report(r, c, "parameter '" + c.parent + "' cannot depend on itself (a cycle)");
        ok = false;
        continue;
      }
      const Parameter& parent = space.params[static_cast<size_t>(idx)];
      const std::vector<Value> domain = ParentValues(parent);
      if (domain.empty()) {
        Report(r, c,
               "parent '" + c.parent + "' is " +
                   std::string(DistributionName(parent.distribution)) +
                   "; a `when:` parent must be categorical (values:) or a constant (value:)");
        ok = false;
        continue;
      }
      for (const Value& v : c.values) {
        bool found = false;
        for (const Value& d : domain) found = found || SameValue(v, d);
        if (found) continue;
        std::vector<std::string> spelled;
        for (const Value& d : domain)
          spelled.push_back(d.is_string() ? d.get<std::string>() : d.dump());
        const std::string text = v.is_string() ? v.get<std::string>() : v.dump();
        Report(r, c,
               "'" + c.parent + "' never takes " + v.dump() +
                   " (its values: " + Value(domain).dump() + ")" + DidYouMeanSuffix(text, spelled));
        ok = false;
      }
      c.parent_index = idx;
    }
  }
  return ok;
}

// Reports each cycle once, at the clause that closes it in a depth-first walk from the
// first parameter (in spec order) on it.
bool CheckCycles(const SearchSpace& space, SpecReader& r) {
  const size_t n = space.params.size();
  std::vector<int> state(n, 0);  // 0 unvisited, 1 on the stack, 2 done
  std::vector<size_t> stack;
  bool ok = true;
  std::function<void(size_t)> visit = [&](size_t i) {
    state[i] = 1;
    stack.push_back(i);
    for (const Condition& c : space.params[i].when) {
      if (c.parent_index < 0) continue;
      const size_t j = static_cast<size_t>(c.parent_index);
      if (state[j] == 1) {
        std::string path;
        size_t k = stack.size();
        while (k-- > 0 && stack[k] != j) {
        }
        for (size_t m = k; m < stack.size(); ++m) path += space.params[stack[m]].name + " -> ";
        path += space.params[j].name;
        Report(r, c, "`when:` clauses form a cycle: " + path);
        ok = false;
      } else if (state[j] == 0) {
        visit(j);
      }
    }
    stack.pop_back();
    state[i] = 2;
  };
  for (size_t i = 0; i < n; ++i)
    if (state[i] == 0) visit(i);
  return ok;
}

void CheckLiveness(const SearchSpace& space, SpecReader& r) {
  std::vector<size_t> parents;
  std::vector<bool> is_parent(space.params.size(), false);
  for (const Parameter& p : space.params)
    for (const Condition& c : p.when)
      if (c.parent_index >= 0 && !is_parent[static_cast<size_t>(c.parent_index)]) {
        is_parent[static_cast<size_t>(c.parent_index)] = true;
        parents.push_back(static_cast<size_t>(c.parent_index));
      }
  double combos = 1;
  for (size_t j : parents) combos *= static_cast<double>(ParentValues(space.params[j]).size());
  if (parents.empty() || combos > kMaxCombinations) return;
  std::vector<bool> ever(space.params.size(), false);
  Config config(space.params.size());
  std::vector<size_t> digit(parents.size(), 0);
  for (;;) {
    for (size_t k = 0; k < parents.size(); ++k)
      config[parents[k]] = ParentValues(space.params[parents[k]])[digit[k]];
    const std::vector<bool> live = space.ActiveMask(config);
    for (size_t i = 0; i < live.size(); ++i) ever[i] = ever[i] || live[i];
    size_t k = 0;
    for (; k < parents.size(); ++k) {
      if (++digit[k] < ParentValues(space.params[parents[k]]).size()) break;
      digit[k] = 0;
    }
    if (k == parents.size()) break;
  }
  for (size_t i = 0; i < space.params.size(); ++i)
    if (!ever[i])
      Report(r, space.params[i].when.front(),
             "parameter '" + space.params[i].name +
                 "' is never live: its `when:` cannot hold together with its parents' own "
                 "`when:` clauses");
}

}  // namespace

void ResolveConditions(SearchSpace& space, SpecReader& reader) {
  if (!space.Conditional()) return;
  if (!ResolveParents(space, reader)) return;
  if (!CheckCycles(space, reader)) return;
  CheckLiveness(space, reader);
}

}  // namespace sweep
