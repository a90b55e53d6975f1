// Specs of sweeps run from Python (SpecParseOptions::in_process): no program needed,
// everything else validated as for launch, and no command built.
#include <gtest/gtest.h>

#include "orchestrator/spec/command_builder.h"
#include "orchestrator/spec/spec_parser.h"

namespace sweep {
namespace {

SpecParseOptions InProcess() {
  SpecParseOptions o;
  o.in_process = true;
  return o;
}

TEST(InProcessSpec, NeedsNoProgram) {
  auto spec = ParseSpecText("method: random\nparameters:\n  lr: {min: 0.1, max: 1.0}\n", "<dict>",
                            InProcess());
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  EXPECT_TRUE(spec->in_process);
  EXPECT_TRUE(spec->program.empty());
}

TEST(InProcessSpec, AnOrdinarySpecStillNeedsAProgram) {
  auto spec = ParseSpecText("method: random\nparameters:\n  lr: {min: 0.1, max: 1.0}\n", "s.yaml");
  ASSERT_FALSE(spec.ok());
  EXPECT_NE(spec.status().message().find("missing 'program'"), std::string::npos);
}

TEST(InProcessSpec, OtherErrorsAreReportedWithTheirKeyPath) {
  // JSON text (what wandb.sweep sends) is YAML: positions refer to its lines.
  auto spec = ParseSpecText(
      "{\n  \"method\": \"random\",\n  \"parameters\": {\"lr\": {\"min\": 0.1, \"max\": "
      "\"x\"}}\n}\n",
      "wandb.sweep(config)", InProcess());
  ASSERT_FALSE(spec.ok());
  EXPECT_EQ(spec.status().code(), ErrorCode::kInvalidSpec);
  EXPECT_NE(spec.status().message().find("wandb.sweep(config):3:"), std::string::npos)
      << spec.status().message();
  EXPECT_NE(spec.status().message().find("parameters.lr.max"), std::string::npos);
}

TEST(InProcessSpec, BuildsNoCommand) {
  auto spec =
      ParseSpecText("method: grid\nparameters:\n  n: {values: [1, 2]}\n", "<dict>", InProcess());
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  auto argv = BuildArgv(*spec, Config{Value(1)}, CommandContext{});
  ASSERT_TRUE(argv.ok()) << argv.status().message();
  EXPECT_TRUE(argv->empty());
}

}  // namespace
}  // namespace sweep
