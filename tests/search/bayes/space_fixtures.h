// Search spaces shared by the search tests.
#pragma once

#include <string>
#include <vector>

#include "search/search_space.h"

namespace sweep::testing {

inline Parameter MakeParam(const std::string& name, Distribution d, double lo = 0, double hi = 1) {
  Parameter p;
  p.name = name;
  p.path = {name};
  p.distribution = d;
  p.min = lo;
  p.max = hi;
  return p;
}

inline Parameter MakeCategorical(const std::string& name, std::vector<Value> values) {
  Parameter p = MakeParam(name, Distribution::kCategorical);
  p.values = std::move(values);
  return p;
}

inline SearchSpace ContinuousSpace(int dims) {
  SearchSpace s;
  for (int i = 0; i < dims; ++i)
    s.params.push_back(MakeParam("x" + std::to_string(i), Distribution::kUniform, 0, 1));
  return s;
}

// Makes `child` live only when `parent` takes one of `values` (a `when:` clause).
inline void When(SearchSpace& s, const std::string& child, const std::string& parent,
                 std::vector<Value> values) {
  Condition c;
  c.parent = parent;
  c.parent_index = s.IndexOf(parent);
  c.values = std::move(values);
  s.params[static_cast<size_t>(s.IndexOf(child))].when.push_back(std::move(c));
}

}  // namespace sweep::testing
