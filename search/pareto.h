// Pareto dominance, non-dominated sorting and hypervolume, for multi-objective sweeps.
//
// Every function here takes points in MINIMISATION form: callers negate objectives
// that are maximised. Points are rows of equal length (the number of objectives);
// NaN must not appear (callers leave such trials out). Used by the multi-objective
// Bayesian strategy (search/bayes/) and by ranking (orchestrator/store/).
#pragma once

#include <cstddef>
#include <vector>

namespace sweep {

using ObjectivePoint = std::vector<double>;

// True when a is no worse than b in every objective and better in at least one.
bool Dominates(const ObjectivePoint& a, const ObjectivePoint& b);

// Front number of each point, 1 = non-dominated, 2 = non-dominated once front 1 is
// removed, ... (Deb et al., "A fast and elitist multiobjective genetic algorithm:
// NSGA-II", IEEE TEC 2002, the fast non-dominated sort). O(m n^2).
std::vector<size_t> NonDominatedSort(const std::vector<ObjectivePoint>& points);

// Indices of the non-dominated points (front 1), in input order; duplicates kept once.
std::vector<size_t> ParetoFront(const std::vector<ObjectivePoint>& points);

// The hypervolume dominated by `points` and bounded by `reference` (the Lebesgue
// measure of the union of boxes [p, reference]); points not strictly better than the
// reference in every objective contribute nothing. Exact: a sort for 1 and 2
// objectives, dimension sweep (Fonseca, Paquete & Lopez-Ibanez, "An improved
// dimension-sweep algorithm for the hypervolume indicator", CEC 2006, without its
// AVL tree) beyond: O(n^(m-1) log n).
double Hypervolume(std::vector<ObjectivePoint> points, const ObjectivePoint& reference);

// The hypervolume `candidate` adds to `front` (both in minimisation form; `front` should
// be non-dominated for speed but need not be). 0 when the candidate is dominated.
double HypervolumeImprovement(const std::vector<ObjectivePoint>& front,
                              const ObjectivePoint& candidate, const ObjectivePoint& reference);

}  // namespace sweep
