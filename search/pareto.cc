// Dominance, non-dominated sorting and exact hypervolume (see pareto.h).
//
// Hypervolume: points outside the reference box are dropped, then the measure is
// computed by recursion on the last objective: points are sorted by it and each slab
// between consecutive values contributes its thickness times the (m-1)-dimensional
// hypervolume of the points at or below it. Two objectives are the base case (a sort
// and a sweep, which skips dominated points itself); above that, dominated points are
// pruned before every level so slabs stay cheap.
// The improvement of one candidate is HV(front + candidate) - HV(front) restricted to
// the candidate's box: the box volume minus the hypervolume of the front clipped to it.
#include "search/pareto.h"

#include <algorithm>
#include <cmath>

namespace sweep {
namespace {

double Hv2(std::vector<ObjectivePoint>& pts, const ObjectivePoint& ref) {
  std::sort(pts.begin(), pts.end(), [](const ObjectivePoint& a, const ObjectivePoint& b) {
    return a[0] < b[0] || (a[0] == b[0] && a[1] < b[1]);
  });
  double volume = 0, y_bound = ref[1];
  for (const ObjectivePoint& p : pts) {
    if (p[1] >= y_bound) continue;
    volume += (ref[0] - p[0]) * (y_bound - p[1]);
    y_bound = p[1];
  }
  return volume;
}

double HvRec(std::vector<ObjectivePoint> pts, const ObjectivePoint& ref, size_t m) {
  if (pts.empty()) return 0;
  if (m == 1) {
    double best = ref[0];
    for (const ObjectivePoint& p : pts) best = std::min(best, p[0]);
    return ref[0] - best;
  }
  if (m == 2) return Hv2(pts, ref);
  const size_t last = m - 1;
  std::sort(pts.begin(), pts.end(),
            [last](const ObjectivePoint& a, const ObjectivePoint& b) { return a[last] < b[last]; });
  double volume = 0;
  std::vector<ObjectivePoint> below;
  for (size_t i = 0; i < pts.size(); ++i) {
    below.push_back(pts[i]);
    const double next = i + 1 < pts.size() ? pts[i + 1][last] : ref[last];
    const double depth = next - pts[i][last];
    if (depth <= 0) continue;
    if (last == 2) {  // the 2-D sweep skips dominated points itself
      std::vector<ObjectivePoint> slab = below;
      volume += depth * Hv2(slab, ref);
      continue;
    }
    // Prune points dominated in the first m-1 objectives: they add nothing to slabs.
    std::vector<ObjectivePoint> keep;
    for (const ObjectivePoint& p : below) {
      bool dominated = false;
      for (const ObjectivePoint& q : below) {
        if (&p == &q) continue;
        bool no_worse = true, better = false;
        for (size_t k = 0; k < last; ++k) {
          no_worse = no_worse && q[k] <= p[k];
          better = better || q[k] < p[k];
        }
        if (no_worse && (better || &q < &p)) {
          dominated = true;
          break;
        }
      }
      if (!dominated) keep.push_back(p);
    }
    below = keep;
    volume += depth * HvRec(below, ref, last);
  }
  return volume;
}

}  // namespace

bool Dominates(const ObjectivePoint& a, const ObjectivePoint& b) {
  bool better = false;
  for (size_t k = 0; k < a.size(); ++k) {
    if (a[k] > b[k]) return false;
    better = better || a[k] < b[k];
  }
  return better;
}

std::vector<size_t> NonDominatedSort(const std::vector<ObjectivePoint>& points) {
  const size_t n = points.size();
  std::vector<size_t> front(n, 0), dominated_by(n, 0);
  std::vector<std::vector<size_t>> dominates(n);
  for (size_t i = 0; i < n; ++i)
    for (size_t j = i + 1; j < n; ++j) {
      if (Dominates(points[i], points[j])) {
        dominates[i].push_back(j);
        ++dominated_by[j];
      } else if (Dominates(points[j], points[i])) {
        dominates[j].push_back(i);
        ++dominated_by[i];
      }
    }
  std::vector<size_t> current;
  for (size_t i = 0; i < n; ++i)
    if (dominated_by[i] == 0) current.push_back(i);
  for (size_t level = 1; !current.empty(); ++level) {
    std::vector<size_t> next;
    for (size_t i : current) {
      front[i] = level;
      for (size_t j : dominates[i])
        if (--dominated_by[j] == 0) next.push_back(j);
    }
    current = std::move(next);
  }
  return front;
}

std::vector<size_t> ParetoFront(const std::vector<ObjectivePoint>& points) {
  std::vector<size_t> out;
  for (size_t i = 0; i < points.size(); ++i) {
    bool keep = true;
    for (size_t j = 0; j < points.size() && keep; ++j)
      keep = !(Dominates(points[j], points[i]) || (j < i && points[j] == points[i]));
    if (keep) out.push_back(i);
  }
  return out;
}

double Hypervolume(std::vector<ObjectivePoint> points, const ObjectivePoint& reference) {
  const size_t m = reference.size();
  std::vector<ObjectivePoint> inside;
  for (ObjectivePoint& p : points) {
    bool ok = p.size() == m;
    for (size_t k = 0; ok && k < m; ++k) ok = std::isfinite(p[k]) && p[k] < reference[k];
    if (ok) inside.push_back(std::move(p));
  }
  if (inside.empty() || m == 0) return 0;
  std::vector<ObjectivePoint> front;
  for (size_t i : ParetoFront(inside)) front.push_back(inside[i]);
  return HvRec(std::move(front), reference, m);
}

double HypervolumeImprovement(const std::vector<ObjectivePoint>& front,
                              const ObjectivePoint& candidate, const ObjectivePoint& reference) {
  const size_t m = reference.size();
  double box = 1;
  for (size_t k = 0; k < m; ++k) {
    if (!(candidate[k] < reference[k])) return 0;
    box *= reference[k] - candidate[k];
  }
  // The front clipped to the candidate's box [candidate, reference].
  std::vector<ObjectivePoint> clipped;
  for (const ObjectivePoint& p : front) {
    ObjectivePoint q(m);
    bool inside = true;
    for (size_t k = 0; k < m && inside; ++k) {
      q[k] = std::max(p[k], candidate[k]);
      inside = q[k] < reference[k];
    }
    if (!inside) continue;
    if (q == candidate) return 0;  // the candidate is weakly dominated
    clipped.push_back(std::move(q));
  }
  return std::max(0.0, box - Hypervolume(std::move(clipped), reference));
}

}  // namespace sweep
