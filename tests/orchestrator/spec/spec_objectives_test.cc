// metrics:, constraints: and where: in the spec parser (the error corpus in
// tests/data/invalid covers the messages; these check what a valid spec produces).
#include "orchestrator/spec/spec_objectives.h"

#include <gtest/gtest.h>

#include "orchestrator/spec/spec_parser.h"

namespace sweep {
namespace {

TEST(SpecObjectives, MetricsBecomeObjectivesAndTheFirstIsTheMetric) {
  auto spec = ParseSpecText(R"Y(program: t.py
method: grid
metrics:
  - name: loss
  - {name: acc, goal: maximize, impute: best}
parameters:
  x: {values: [1, 2]}
)Y",
                            "s.yaml");
  EXPECT_FALSE(spec.ok());
  EXPECT_NE(spec.status().message().find(
                "s.yaml:5:33: metrics[1].impute: impute applies to the whole sweep"),
            std::string::npos)
      << spec.status().message();
  spec = ParseSpecText(R"Y(program: t.py
method: bayes
metrics:
  - {name: loss, impute: best}
  - {name: acc, goal: maximize}
early_terminate: {type: hyperband, min_iter: 3}
parameters:
  x: {min: 0.0, max: 1.0}
)Y",
                       "s.yaml");
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  ASSERT_EQ(spec->objectives.size(), 2u);
  EXPECT_EQ(spec->objectives[1].goal, Goal::kMaximize);
  EXPECT_EQ(spec->metric.name, "loss");
  EXPECT_EQ(spec->metric.impute, Impute::kBest);
}

TEST(SpecObjectives, WhereIsCompiledIntoTheSpace) {
  auto spec = ParseSpecText(R"Y(program: t.py
method: grid
metric: {name: loss}
where: "b * 2 <= 64 and opt != 'sgd'"
parameters:
  b: {values: [16, 32, 64]}
  opt: {values: [sgd, adam]}
)Y",
                            "s.yaml");
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  ASSERT_TRUE(spec->space.where);
  EXPECT_TRUE(spec->space.Admits({16, "adam"}));
  EXPECT_FALSE(spec->space.Admits({64, "adam"}));
  EXPECT_FALSE(spec->space.Admits({16, "sgd"}));
}

TEST(SpecObjectives, WhereErrorsInABlockScalarPointAtTheirLine) {
  auto spec = ParseSpecText(
      "program: t.py\nmethod: random\nmetric: {name: loss}\nwhere: |\n"
      "  x > 0.1 and\n  y >= 0.2 or z\nparameters:\n"
      "  x: {min: 0.0, max: 1.0}\n  y: {min: 0.0, max: 1.0}\n",
      "s.yaml");
  ASSERT_FALSE(spec.ok());
  EXPECT_NE(spec.status().message().find("s.yaml:6:15: where: unknown parameter 'z'"),
            std::string::npos)
      << spec.status().message();
}

TEST(SpecObjectives, ConstraintsNeedSomethingToRank) {
  auto spec = ParseSpecText(R"Y(program: t.py
method: random
constraints:
  - {metric: mem, max: 3}
parameters:
  x: {values: [1, 2]}
)Y",
                            "s.yaml");
  ASSERT_FALSE(spec.ok());
  EXPECT_NE(spec.status().message().find("s.yaml:3:1: constraints: constraints need a metric"),
            std::string::npos)
      << spec.status().message();
}

}  // namespace
}  // namespace sweep
