#include "orchestrator/spec/spec_summary.h"

#include <gtest/gtest.h>

#include "orchestrator/spec/spec_parser.h"

namespace sweep {
namespace {

SweepSpec Hyperband() {
  auto spec = ParseSpecText(
      "name: demo\nprogram: train.py\nmethod: random\nrun_cap: 9\n"
      "metric: {name: loss, target: 0.1}\n"
      "early_terminate: {type: hyperband, min_iter: 2}\n"
      "entity: me\n"
      "parameters:\n  lr: {min: 0.1, max: 1.0}\n  n: {values: [1, 2]}\n",
      "s.yaml");
  EXPECT_TRUE(spec.ok()) << spec.status().message();
  return *spec;
}

TEST(SummarizeSpec, ListsMethodMetricRulesCommandParametersAndNotes) {
  const auto lines = SummarizeSpec(Hyperband());
  ASSERT_EQ(lines.size(), 8u);
  EXPECT_EQ(lines[0], "spec: s.yaml  (demo)");
  EXPECT_EQ(lines[1],
            "method: random  metric: loss (minimize, summary last)  target: 0.1  run_cap: 9");
  EXPECT_EQ(lines[2], "early_terminate: type=hyperband min_iter=2 eta=3.0 strict=True");
  EXPECT_EQ(lines[3], "command: ${env} ${interpreter} ${program} ${args}");
  EXPECT_EQ(lines[4], "parameters (2):");
  EXPECT_EQ(lines[5].rfind("  lr  uniform", 0), 0u) << lines[5];
  EXPECT_EQ(lines[7].rfind("note: s.yaml:7:1: entity:", 0), 0u) << lines[7];
}

TEST(SummarizeSpec, ShowsTheCurveRuleWithItsConfidence) {
  auto spec = ParseSpecText(
      "program: train.py\nmethod: random\nmetric: {name: loss}\n"
      "early_terminate: {type: curve, max_iter: 30}\n"
      "parameters:\n  lr: {min: 0.1, max: 1.0}\n",
      "s.yaml");
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  const auto lines = SummarizeSpec(*spec);
  ASSERT_GE(lines.size(), 3u);
  EXPECT_EQ(lines[2], "early_terminate: type=curve max_iter=30 confidence=0.99");
}

TEST(SpecToJson, HasTheDocumentedShape) {
  const Value v = SpecToJson(Hyperband());
  EXPECT_EQ(v["method"], "random");
  EXPECT_EQ(v["metric"]["name"], "loss");
  EXPECT_EQ(v["metric"]["target"], 0.1);
  EXPECT_EQ(v["early_terminate"]["min_iter"], 2);
  EXPECT_EQ(v["run_cap"], 9);
  EXPECT_EQ(v["command"].size(), 4u);
  EXPECT_EQ(v["parameters"].size(), 2u);
  EXPECT_EQ(v["parameters"][1]["name"], "n");
  EXPECT_EQ(v["notes"].size(), 1u);
}

}  // namespace
}  // namespace sweep
