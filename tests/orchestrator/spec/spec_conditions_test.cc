// `when:` in the spec: parsing, resolution, and every validation error with its
// file:line:col and key path.
#include "orchestrator/spec/spec_conditions.h"

#include <gtest/gtest.h>

#include "orchestrator/spec/spec_parser.h"

namespace sweep {
namespace {

Result<SweepSpec> Parse(const std::string& body) {
  return ParseSpecText("program: train.py\nmethod: random\nparameters:\n" + body, "spec.yaml");
}

std::string MustFail(const std::string& body) {
  auto spec = Parse(body);
  EXPECT_FALSE(spec.ok()) << "parsed although invalid:\n" << body;
  if (spec.ok()) return "";
  EXPECT_EQ(spec.status().code(), ErrorCode::kInvalidSpec);
  EXPECT_EQ(spec.status().ExitCode(), 2);
  return spec.status().message();
}

TEST(SpecConditions, ParsesScalarAndListValuesAndResolvesParents) {
  auto spec = Parse(R"Y(  momentum: {min: 0.0, max: 0.99, when: {optimizer: sgd}}
  optimizer: {values: [sgd, adam, nesterov]}
  beta2: {values: [0.99, 0.999], when: {optimizer: [adam, nesterov]}}
)Y");
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  const SearchSpace& s = spec->space;
  ASSERT_EQ(s.params.size(), 3u);
  ASSERT_EQ(s.params[0].when.size(), 1u);
  EXPECT_EQ(s.params[0].when[0].parent, "optimizer");
  EXPECT_EQ(s.params[0].when[0].parent_index, 1);  // a parent defined after its child
  EXPECT_EQ(s.params[2].when[0].values.size(), 2u);
  EXPECT_TRUE(s.Conditional());
  Config sgd = {Value(0.5), Value("sgd"), Value(0.99)};
  EXPECT_EQ(s.ActiveMask(sgd), (std::vector<bool>{true, true, false}));
  Config adam = {Value(0.5), Value("adam"), Value(0.99)};
  EXPECT_EQ(s.ActiveMask(adam), (std::vector<bool>{false, true, true}));
  EXPECT_EQ(s.ToFlat(adam), Value({{"optimizer", "adam"}, {"beta2", 0.99}}));
}

TEST(SpecConditions, SeveralKeysMustAllHoldAndChainsFollowTheirParents) {
  auto spec = Parse(R"Y(  depth: {values: [1, 2, 3]}
  opt: {values: [sgd, adam]}
  width2: {values: [8, 16], when: {depth: [2, 3]}}
  width3: {values: [8, 16], when: {depth: 3, width2: 16}}
  momentum: {min: 0.0, max: 1.0, when: {opt: sgd, depth: 1}}
)Y");
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  const SearchSpace& s = spec->space;
  EXPECT_EQ(s.ActiveMask({Value(3), Value("sgd"), Value(16), Value(8), Value(0.1)}),
            (std::vector<bool>{true, true, true, true, false}));
  EXPECT_EQ(s.ActiveMask({Value(1), Value("sgd"), Value(16), Value(8), Value(0.1)}),
            (std::vector<bool>{true, true, false, false, true}));
  EXPECT_EQ(s.ActiveMask({Value(3), Value("adam"), Value(8), Value(8), Value(0.1)}),
            (std::vector<bool>{true, true, true, false, false}));
}

TEST(SpecConditions, WhenOnAGroupAppliesToEveryParameterInIt) {
  auto spec = Parse(R"Y(  optimizer: {values: [sgd, adam]}
  sgd:
    when: {optimizer: sgd}
    parameters:
      momentum: {min: 0.0, max: 0.9}
      nesterov: {values: [true, false]}
)Y");
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  ASSERT_EQ(spec->space.params.size(), 3u);
  EXPECT_EQ(spec->space.params[1].name, "sgd.momentum");
  EXPECT_EQ(spec->space.params[2].when.size(), 1u);
  Config adam = {Value("adam"), Value(0.5), Value(true)};
  EXPECT_EQ(spec->space.ToNested(adam), Value({{"optimizer", "adam"}}));
}

TEST(SpecConditions, UnknownParentIsAnErrorWithLocationAndHint) {
  std::string msg = MustFail(R"Y(  optimizer: {values: [sgd, adam]}
  momentum: {min: 0.0, max: 0.9, when: {optimiser: sgd}}
)Y");
  EXPECT_NE(msg.find("spec.yaml:5:"), std::string::npos) << msg;
  EXPECT_NE(msg.find("parameters.momentum.when.optimiser"), std::string::npos) << msg;
  EXPECT_NE(msg.find("unknown parent parameter 'optimiser'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("did you mean 'optimizer'"), std::string::npos) << msg;
}

TEST(SpecConditions, ParentMustBeCategoricalOrConstant) {
  std::string msg = MustFail(R"Y(  lr: {min: 0.001, max: 0.1}
  momentum: {min: 0.0, max: 0.9, when: {lr: 0.01}}
)Y");
  EXPECT_NE(msg.find("spec.yaml:5:"), std::string::npos) << msg;
  EXPECT_NE(msg.find("parent 'lr' is uniform"), std::string::npos) << msg;
}

TEST(SpecConditions, AValueTheParentNeverTakesIsAnError) {
  std::string msg = MustFail(R"Y(  optimizer: {values: [sgd, adam]}
  momentum: {min: 0.0, max: 0.9, when: {optimizer: [sgd, adamw]}}
)Y");
  EXPECT_NE(msg.find("spec.yaml:5:"), std::string::npos) << msg;
  EXPECT_NE(msg.find("'optimizer' never takes \"adamw\""), std::string::npos) << msg;
  EXPECT_NE(msg.find("did you mean 'adam'"), std::string::npos) << msg;
}

TEST(SpecConditions, CyclesAreErrors) {
  std::string msg = MustFail(R"Y(  a: {values: [1, 2], when: {b: 1}}
  b: {values: [1, 2], when: {a: 1}}
)Y");
  EXPECT_NE(msg.find("`when:` clauses form a cycle: a -> b -> a"), std::string::npos) << msg;
  EXPECT_NE(msg.find("spec.yaml:5:"), std::string::npos) << msg;  // the clause closing it
  std::string self = MustFail("  a: {values: [1, 2], when: {a: 1}}\n");
  EXPECT_NE(self.find("cannot depend on itself"), std::string::npos) << self;
}

TEST(SpecConditions, AChildThatIsNeverLiveIsAnError) {
  // c needs a == 1 (through b) and a == 2 at once.
  std::string msg = MustFail(R"Y(  a: {values: [1, 2]}
  b: {values: [x, y], when: {a: 1}}
  c: {values: [3, 4], when: {b: x, a: 2}}
)Y");
  EXPECT_NE(msg.find("spec.yaml:6:"), std::string::npos) << msg;
  EXPECT_NE(msg.find("parameter 'c' is never live"), std::string::npos) << msg;
}

TEST(SpecConditions, WhenMustBeAMappingOfValues) {
  std::string msg = MustFail("  a: {values: [1, 2]}\n  b: {values: [3], when: [a]}\n");
  EXPECT_NE(msg.find("parameters.b.when"), std::string::npos) << msg;
  std::string nested = MustFail("  a: {values: [1, 2]}\n  b: {values: [3], when: {a: {x: 1}}}\n");
  EXPECT_NE(nested.find("expected a value or a list of values of 'a'"), std::string::npos)
      << nested;
}

}  // namespace
}  // namespace sweep
