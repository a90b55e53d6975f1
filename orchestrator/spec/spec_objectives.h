// Multi-objective and constrained sweeps in the spec: W&B's `metrics:` list and our
// extensions `constraints:` (bounds on metrics) and `where:` (a predicate over
// parameters, search/where_expr.h).
//
// Internal to the spec parser (includes yaml-cpp through spec_reader.h). One
// ObjectivesParser lives beside the top-level parser: Key() takes the keys it owns as
// they are read, CrossChecks() runs once every key is read (it needs the parameters,
// the method and whether `metric:` was given). Meaning and defaults are documented in
// schemas/spec.md and schemas/sweep.schema.json.
#pragma once

#include <string>
#include <vector>

#include "orchestrator/spec/spec.h"
#include "orchestrator/spec/spec_reader.h"

namespace sweep {

// The extension keys this file owns ("constraints", "where"), for did-you-mean hints.
const std::vector<std::string>& ObjectiveExtensionKeys();

// Configurations drawn to check a `where:` of a random or bayes sweep at validate time:
// when none of them is admitted the spec is refused as (nearly) unsatisfiable.
constexpr int kWhereCheckDraws = 20000;

class ObjectivesParser {
 public:
  ObjectivesParser(SpecReader& reader, SweepSpec& spec) : r_(reader), spec_(spec) {}

  // Parses `metrics`, `constraints` or `where` into the spec; false for any other key
  // (nothing reported then).
  bool Key(const MapEntry& entry);

  // Checks that span keys: `metric` and `metrics` both given, constraints without
  // anything to rank, `where` names that are not parameters, and a `where` that no grid
  // point (grid) or no sampled configuration (random, bayes) satisfies, or whose
  // evaluation fails (division by zero) for one of them. Sets spec.metric from
  // objectives[0].
  void CrossChecks(bool has_metric, const YAML::Node& metric_key);

 private:
  void Metrics(const MapEntry& e);
  void Constraints(const MapEntry& e);
  void Where(const MapEntry& e);
  // Reports `message` at character `offset` of the `where:` expression.
  void ReportWhere(size_t offset, const std::string& message);
  void CheckWhereSatisfiable();

  SpecReader& r_;
  SweepSpec& spec_;
  bool has_metrics_ = false;
  YAML::Node metrics_key_;
  YAML::Node where_node_;
  YAML::Node constraints_key_;
};

}  // namespace sweep
