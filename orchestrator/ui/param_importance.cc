// Random-forest permutation importance, self-contained (no ML library is available
// in C++ here and the forest is ~200 lines).
//
// Features: every param name seen in any row becomes one column of doubles. A numeric
// column keeps its values (log10 when log-scale); a missing value becomes a value
// below the column's minimum so "absent" is one more side of a split. A categorical
// column maps each category to the mean target rank of its rows, so an ordered split
// can isolate any prefix of categories sorted by quality (optimal for squared error).
// Trees split on the best variance reduction over every column, scanning sorted
// values once per column and node. All randomness (bootstrap, subsample, permutations)
// comes from one std::mt19937_64 seeded by options.seed, so results are reproducible.
#include "orchestrator/ui/param_importance.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <random>

namespace sweep {
namespace {

struct Node {
  int feature = -1;  // -1: leaf
  double threshold = 0;
  double value = 0;  // leaf prediction
  int left = -1, right = -1;
};

class Tree {
 public:
  Tree(const std::vector<std::vector<double>>& x, const std::vector<double>& y,
       const ImportanceOptions& opt)
      : x_(x), y_(y), opt_(opt) {}

  void Fit(std::vector<size_t> rows) { Build(rows, 0); }

  double Predict(const std::vector<std::vector<double>>& cols, size_t row) const {
    int i = 0;
    while (nodes_[i].feature >= 0) {
      i = cols[nodes_[i].feature][row] <= nodes_[i].threshold ? nodes_[i].left : nodes_[i].right;
    }
    return nodes_[i].value;
  }

 private:
  int Build(std::vector<size_t>& rows, int depth) {
    int id = static_cast<int>(nodes_.size());
    nodes_.emplace_back();
    double sum = 0;
    for (size_t r : rows) sum += y_[r];
    const double n = static_cast<double>(rows.size());
    nodes_[id].value = sum / n;
    if (depth >= opt_.max_depth || rows.size() < 2 * opt_.min_leaf) return id;

    double best_gain = 1e-12;
    int best_f = -1;
    double best_t = 0;
    std::vector<std::pair<double, double>> v(rows.size());  // (feature, target)
    for (size_t f = 0; f < x_.size(); ++f) {
      for (size_t k = 0; k < rows.size(); ++k) v[k] = {x_[f][rows[k]], y_[rows[k]]};
      std::sort(v.begin(), v.end());
      if (v.front().first == v.back().first) continue;
      // Gain = SSE(parent) - SSE(left) - SSE(right) = sl^2/nl + sr^2/nr - s^2/n.
      double sl = 0;
      for (size_t k = 0; k + 1 < v.size(); ++k) {
        sl += v[k].second;
        size_t nl = k + 1, nr = v.size() - nl;
        if (v[k].first == v[k + 1].first || nl < opt_.min_leaf || nr < opt_.min_leaf) continue;
        double sr = sum - sl;
        double gain = sl * sl / nl + sr * sr / nr - sum * sum / n;
        if (gain > best_gain) {
          best_gain = gain;
          best_f = static_cast<int>(f);
          best_t = 0.5 * (v[k].first + v[k + 1].first);
        }
      }
    }
    if (best_f < 0) return id;
    std::vector<size_t> left, right;
    for (size_t r : rows) (x_[best_f][r] <= best_t ? left : right).push_back(r);
    rows.clear();
    rows.shrink_to_fit();
    int l = Build(left, depth + 1);
    int r = Build(right, depth + 1);
    nodes_[id].feature = best_f;
    nodes_[id].threshold = best_t;
    nodes_[id].left = l;
    nodes_[id].right = r;
    return id;
  }

  const std::vector<std::vector<double>>& x_;
  const std::vector<double>& y_;
  const ImportanceOptions& opt_;
  std::vector<Node> nodes_;
};

// Average ranks in [0, 1] (ties share their mean rank).
std::vector<double> Ranks(const std::vector<double>& v) {
  std::vector<size_t> idx(v.size());
  std::iota(idx.begin(), idx.end(), 0);
  std::stable_sort(idx.begin(), idx.end(), [&](size_t a, size_t b) { return v[a] < v[b]; });
  std::vector<double> r(v.size());
  const double denom = v.size() > 1 ? static_cast<double>(v.size() - 1) : 1.0;
  for (size_t i = 0; i < idx.size();) {
    size_t j = i;
    while (j + 1 < idx.size() && v[idx[j + 1]] == v[idx[i]]) ++j;
    double mean = 0.5 * static_cast<double>(i + j) / denom;
    for (size_t k = i; k <= j; ++k) r[idx[k]] = mean;
    i = j + 1;
  }
  return r;
}

}  // namespace

bool LooksLogScaled(std::vector<double>& values) {
  if (values.size() < 2) return false;
  auto [lo, hi] = std::minmax_element(values.begin(), values.end());
  double l = *lo, h = *hi;
  if (!(l > 0) || h / l < 100) return false;
  auto mid = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
  std::nth_element(values.begin(), mid, values.end());
  return *mid < 0.2 * (l + h) / 2;
}

Result<std::vector<ParamImportance>> ComputeParamImportance(const std::vector<Value>& all_rows,
                                                            const std::vector<double>& all_target,
                                                            const ImportanceOptions& options) {
  if (all_rows.size() != all_target.size()) {
    return Status::Usage("param importance: rows and targets differ in number");
  }
  if (all_rows.size() < 8)
    return Status::Usage("param importance needs at least 8 trials with a value");
  std::mt19937_64 rng(options.seed);

  // Deterministic subsample when large.
  std::vector<size_t> keep(all_rows.size());
  std::iota(keep.begin(), keep.end(), 0);
  if (keep.size() > options.max_rows && options.max_rows >= 8) {
    std::shuffle(keep.begin(), keep.end(), rng);
    keep.resize(options.max_rows);
    std::sort(keep.begin(), keep.end());
  }
  const size_t n = keep.size();
  std::vector<double> raw(n);
  for (size_t i = 0; i < n; ++i) raw[i] = all_target[keep[i]];
  std::vector<double> y = Ranks(raw);

  // Columns: param names in first-seen order.
  std::vector<std::string> names;
  std::map<std::string, size_t> index;
  for (size_t i : keep) {
    if (!all_rows[i].is_object()) continue;
    for (auto it = all_rows[i].begin(); it != all_rows[i].end(); ++it) {
      if (index.emplace(it.key(), names.size()).second) names.push_back(it.key());
    }
  }
  std::vector<ParamImportance> result(names.size());
  std::vector<std::vector<double>> x(names.size(), std::vector<double>(n, 0));
  for (size_t f = 0; f < names.size(); ++f) {
    result[f].name = names[f];
    bool numeric = true;
    double lo = INFINITY;
    std::vector<double> seen;
    for (size_t i = 0; i < n; ++i) {
      const Value& row = all_rows[keep[i]];
      auto it = row.is_object() ? row.find(names[f]) : row.end();
      if (!row.is_object() || it == row.end() || it->is_null()) continue;
      if (!it->is_number() || !std::isfinite(it->get<double>())) {
        numeric = false;
        break;
      }
      seen.push_back(it->get<double>());
      lo = std::min(lo, seen.back());
    }
    bool log_scale =
        numeric && lo > 0 && (options.log_params.count(names[f]) || LooksLogScaled(seen));
    result[f].categorical = !numeric;
    result[f].log_scale = log_scale;
    if (numeric) {
      double missing = log_scale ? std::log10(lo) - 1 : (std::isfinite(lo) ? lo - 1 : 0);
      for (size_t i = 0; i < n; ++i) {
        const Value& row = all_rows[keep[i]];
        auto it = row.is_object() ? row.find(names[f]) : row.end();
        bool absent = !row.is_object() || it == row.end() || it->is_null();
        double v = absent ? missing : it->get<double>();
        x[f][i] = absent ? v : (log_scale ? std::log10(v) : v);
      }
    } else {
      std::map<std::string, std::pair<double, size_t>> cats;  // key -> (sum rank, count)
      std::vector<std::string> key(n);
      for (size_t i = 0; i < n; ++i) {
        const Value& row = all_rows[keep[i]];
        auto it = row.is_object() ? row.find(names[f]) : row.end();
        key[i] = (!row.is_object() || it == row.end()) ? "\x01"
                                                         "absent"
                                                       : it->dump();
        auto& c = cats[key[i]];
        c.first += y[i];
        c.second++;
      }
      for (size_t i = 0; i < n; ++i) {
        const auto& c = cats[key[i]];
        x[f][i] = c.first / static_cast<double>(c.second);
      }
    }
  }

  if (names.empty() || std::all_of(y.begin(), y.end(), [&](double v) { return v == y[0]; })) {
    return result;
  }

  std::vector<double> increase(names.size(), 0);
  std::uniform_int_distribution<size_t> pick(0, n - 1);
  int trees_used = 0;
  for (int t = 0; t < options.trees; ++t) {
    std::vector<size_t> sample(n);
    std::vector<char> in_bag(n, 0);
    for (size_t& s : sample) {
      s = pick(rng);
      in_bag[s] = 1;
    }
    std::vector<size_t> oob;
    for (size_t i = 0; i < n; ++i)
      if (!in_bag[i]) oob.push_back(i);
    if (oob.size() < 2) continue;
    Tree tree(x, y, options);
    tree.Fit(sample);
    auto mse = [&](const std::vector<std::vector<double>>& cols) {
      double e = 0;
      for (size_t i : oob) {
        double d = tree.Predict(cols, i) - y[i];
        e += d * d;
      }
      return e / static_cast<double>(oob.size());
    };
    double base = mse(x);
    for (size_t f = 0; f < names.size(); ++f) {
      std::vector<double> saved = x[f];
      std::vector<double> vals;
      for (size_t i : oob) vals.push_back(x[f][i]);
      std::shuffle(vals.begin(), vals.end(), rng);
      for (size_t k = 0; k < oob.size(); ++k) x[f][oob[k]] = vals[k];
      increase[f] += mse(x) - base;
      x[f] = std::move(saved);
    }
    ++trees_used;
  }
  double total = 0;
  for (double& v : increase) {
    v = std::max(0.0, trees_used ? v / trees_used : 0.0);
    total += v;
  }
  for (size_t f = 0; f < names.size(); ++f) {
    result[f].importance = total > 0 ? increase[f] / total : 0;
  }
  std::sort(result.begin(), result.end(), [](const ParamImportance& a, const ParamImportance& b) {
    if (a.importance != b.importance) return a.importance > b.importance;
    return a.name < b.name;
  });
  return result;
}

}  // namespace sweep
