#include "orchestrator/spec/command_builder.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "orchestrator/spec/spec_parser.h"

namespace sweep {
namespace {

using Argv = std::vector<std::string>;

SweepSpec Spec(const std::string& body) {
  auto spec = ParseSpecText("program: train.py\nmethod: random\n" + body, "spec.yaml");
  EXPECT_TRUE(spec.ok()) << spec.status().message();
  return spec.ok() ? *spec : SweepSpec();
}

CommandContext Ctx(std::map<std::string, std::string> env = {}) {
  CommandContext ctx;
  ctx.args_json_file = "/runs/7/params.json";
  ctx.getenv = [env](const std::string& name) -> std::optional<std::string> {
    auto it = env.find(name);
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
  return ctx;
}

Argv Build(const SweepSpec& spec, const Config& config, const CommandContext& ctx = Ctx()) {
  auto argv = BuildArgv(spec, config, ctx);
  EXPECT_TRUE(argv.ok()) << argv.status().message();
  return argv.ok() ? *argv : Argv{};
}

const char* kTwoParams =
    "parameters:\n  lr:\n    values: [0.1, 0.001]\n  aug:\n    values: [true, false]\n";

TEST(BuildArgv, DefaultCommandIsEnvInterpreterProgramArgs) {
  SweepSpec spec = Spec(kTwoParams);
  EXPECT_EQ(Build(spec, {Value(0.001), Value(true)}),
            (Argv{"/usr/bin/env", "python3", "train.py", "--lr=0.001", "--aug=True"}));
}

TEST(BuildArgv, InterpreterExtensionReplacesPython3) {
  SweepSpec spec = Spec(std::string("interpreter: /opt/venv/bin/python\n") + kTwoParams);
  EXPECT_EQ(Build(spec, {Value(0.1), Value(false)})[1], "/opt/venv/bin/python");
}

TEST(BuildArgv, ArgsNoHyphensDropsTheDashes) {
  SweepSpec spec =
      Spec(std::string("command: [\"${program}\", \"${args_no_hyphens}\"]\n") + kTwoParams);
  EXPECT_EQ(Build(spec, {Value(0.1), Value(false)}), (Argv{"train.py", "lr=0.1", "aug=False"}));
}

TEST(BuildArgv, ArgsNoBooleanFlagsKeepsTrueAsBareFlagAndDropsFalse) {
  SweepSpec spec =
      Spec(std::string("command: [\"${program}\", \"${args_no_boolean_flags}\"]\n") + kTwoParams);
  EXPECT_EQ(Build(spec, {Value(0.1), Value(true)}), (Argv{"train.py", "--lr=0.1", "--aug"}));
  EXPECT_EQ(Build(spec, {Value(0.1), Value(false)}), (Argv{"train.py", "--lr=0.1"}));
}

TEST(BuildArgv, ArgsNoEqualsGivesNameAndValueAsTwoElements) {
  SweepSpec spec =
      Spec(std::string("command: [\"${program}\", \"${args_no_equals}\"]\n") + kTwoParams);
  EXPECT_EQ(Build(spec, {Value(0.1), Value(true)}),
            (Argv{"train.py", "--lr", "0.1", "--aug", "True"}));
}

// W&B's agent: create_sweep_command_args gives +k=v and ++k=v element for element.
TEST(BuildArgv, HydraMacrosPrefixEachNameValuePairWithPlusOrPlusPlus) {
  SweepSpec append =
      Spec(std::string("command: [\"${program}\", \"${args_append_hydra}\", x=1]\n") + kTwoParams);
  EXPECT_EQ(Build(append, {Value(0.1), Value(false)}),
            (Argv{"train.py", "+lr=0.1", "+aug=False", "x=1"}));
  SweepSpec override_ =
      Spec(std::string("command: [\"${program}\", \"${args_override_hydra}\"]\n") + kTwoParams);
  EXPECT_EQ(Build(override_, {Value(1e-5), Value(true)}),
            (Argv{"train.py", "++lr=1e-05", "++aug=True"}));
}

// W&B's agent splices the args dict into argv (`list += dict`), i.e. its keys.
TEST(BuildArgv, ArgsDictGivesTheParameterNames) {
  SweepSpec spec = Spec(std::string("command: [\"${program}\", \"${args_dict}\"]\n") + kTwoParams);
  EXPECT_EQ(Build(spec, {Value(0.1), Value(true)}), (Argv{"train.py", "lr", "aug"}));
}

TEST(BuildArgv, ArgsJsonIsOneElementInPythonJsonDumpsFormat) {
  SweepSpec spec = Spec(std::string("command: [\"${program}\", \"${args_json}\"]\n") + kTwoParams);
  EXPECT_EQ(Build(spec, {Value(1e-5), Value(true)}),
            (Argv{"train.py", "{\"lr\": 1e-05, \"aug\": true}"}));
}

TEST(BuildArgv, ArgsJsonFileExpandsToTheContextPath) {
  SweepSpec spec = Spec(
      std::string("command: [\"${program}\", --config, \"${args_json_file}\"]\n") + kTwoParams);
  EXPECT_EQ(Build(spec, {Value(0.1), Value(true)}),
            (Argv{"train.py", "--config", "/runs/7/params.json"}));
  CommandContext no_path = Ctx();
  no_path.args_json_file.clear();
  auto argv = BuildArgv(spec, {Value(0.1), Value(true)}, no_path);
  ASSERT_FALSE(argv.ok());
  EXPECT_EQ(argv.status().code(), ErrorCode::kInternal);
}

TEST(BuildArgv, EnvMacroIsUsrBinEnv) {
  SweepSpec spec = Spec(std::string("command: [\"${env}\", ls]\n") + kTwoParams);
  EXPECT_EQ(Build(spec, {Value(0.1), Value(true)}), (Argv{"/usr/bin/env", "ls"}));
}

TEST(BuildArgv, EnvvarIsSubstitutedInsideAnyElement) {
  SweepSpec spec = Spec(std::string("command: [\"${program}\", \"--out=${envvar:RUNS}/x\", "
                                    "\"${envvar:MODE}\", \"${envvar:A}${envvar:B}\"]\n") +
                        kTwoParams);
  EXPECT_EQ(Build(spec, {Value(0.1), Value(true)},
                  Ctx({{"RUNS", "/scratch"}, {"MODE", "fast mode"}, {"A", "1"}, {"B", "2"}})),
            (Argv{"train.py", "--out=/scratch/x", "fast mode", "12"}));
}

TEST(BuildArgv, UnsetEnvvarIsAnErrorNamingTheVariable) {
  SweepSpec spec =
      Spec(std::string("command: [\"${program}\", \"${envvar:DATA_ROOT}\"]\n") + kTwoParams);
  auto argv = BuildArgv(spec, {Value(0.1), Value(true)}, Ctx());
  ASSERT_FALSE(argv.ok());
  EXPECT_NE(argv.status().message().find("DATA_ROOT is not set"), std::string::npos)
      << argv.status().message();
}

TEST(BuildArgv, MacroInsideALongerElementStaysLiteralAsInWandb) {
  SweepSpec spec = Spec(std::string("command: [\"./${program}\", \"--x=${args}\"]\n") + kTwoParams);
  EXPECT_EQ(Build(spec, {Value(0.1), Value(true)}), (Argv{"./${program}", "--x=${args}"}));
}

TEST(BuildArgv, ShellMetacharactersStayOneLiteralElement) {
  SweepSpec spec = Spec("parameters:\n  name:\n    values: [\"; rm -rf ~ $(reboot)\", 'a b']\n");
  EXPECT_EQ(Build(spec, {Value("; rm -rf ~ $(reboot)")}),
            (Argv{"/usr/bin/env", "python3", "train.py", "--name=; rm -rf ~ $(reboot)"}));
  EXPECT_EQ(Build(spec, {Value("a b")}).back(), "--name=a b");
}

TEST(BuildArgv, ValuesAreFormattedWithPythonStr) {
  SweepSpec spec = Spec(
      "parameters:\n  a:\n    values: [1]\n  b:\n    values: [1]\n  c:\n    values: [1]\n"
      "  d:\n    values: [1]\n  e:\n    values: [1]\n");
  Config config = {Value(100.0), Value(nullptr), Value(int64_t{7}), Value::array({1, "x"}),
                   Value(1e16)};
  EXPECT_EQ(Build(spec, config), (Argv{"/usr/bin/env", "python3", "train.py", "--a=100.0",
                                       "--b=None", "--c=7", "--d=[1, 'x']", "--e=1e+16"}));
}

TEST(BuildArgv, NestedGroupIsOneFlagWithThePythonReprOfItsDict) {
  SweepSpec spec = Spec(
      "parameters:\n  optimizer:\n    parameters:\n      name:\n        values: [adam]\n"
      "      lr:\n        values: [0.001]\n  epochs:\n    value: 3\n");
  ASSERT_EQ(spec.space.params.size(), 3u);
  EXPECT_EQ(Build(spec, {Value("adam"), Value(0.001), Value(3)}),
            (Argv{"/usr/bin/env", "python3", "train.py",
                  "--optimizer={'name': 'adam', 'lr': 0.001}", "--epochs=3"}));
  EXPECT_EQ(ArgsJson(spec, {Value("adam"), Value(0.001), Value(3)}),
            "{\"optimizer\": {\"name\": \"adam\", \"lr\": 0.001}, \"epochs\": 3}");
}

TEST(BuildArgv, MacrosThatExpandToNothingLeaveNoEmptyElement) {
  SweepSpec spec = Spec(
      "command: [\"${program}\", \"${args_no_boolean_flags}\", --end]\n"
      "parameters:\n  flag:\n    values: [true, false]\n");
  EXPECT_EQ(Build(spec, {Value(false)}), (Argv{"train.py", "--end"}));
}

TEST(BuildArgv, ConfigOfTheWrongSizeIsAnInternalError) {
  SweepSpec spec = Spec(kTwoParams);
  auto argv = BuildArgv(spec, {Value(1)}, Ctx());
  ASSERT_FALSE(argv.ok());
  EXPECT_EQ(argv.status().code(), ErrorCode::kInternal);
}

TEST(BuildArgv, UnknownMacroInAHandBuiltSpecIsAnError) {
  SweepSpec spec = Spec(kTwoParams);
  spec.command = {"${program}", "${argz}"};
  auto argv = BuildArgv(spec, {Value(0.1), Value(true)}, Ctx());
  ASSERT_FALSE(argv.ok());
  EXPECT_NE(argv.status().message().find("${argz}"), std::string::npos);
}

TEST(PythonJsonDumps, MatchesPythonJsonModule) {
  // Expected strings are what CPython 3.11's json.dumps prints for the same data.
  Value v = Value::object();
  v["lr"] = 0.1;
  v["flag"] = true;
  v["n"] = nullptr;
  v["u"] = "\xC3\xA9\xF0\x9F\x98\x80";  // é and an emoji
  v["big"] = 1e16;
  v["l"] = Value::array({1, 2.0, "a\"b"});
  v["nan"] = std::nan("");
  v["tab"] = "a\tb\x7f";
  EXPECT_EQ(PythonJsonDumps(v),
            "{\"lr\": 0.1, \"flag\": true, \"n\": null, \"u\": \"\\u00e9\\ud83d\\ude00\", "
            "\"big\": 1e+16, \"l\": [1, 2.0, \"a\\\"b\"], \"nan\": NaN, \"tab\": "
            "\"a\\tb\\u007f\"}");
}

TEST(EffectiveCommand, EmptyCommandIsWandbDefault) {
  SweepSpec spec = Spec(kTwoParams);
  EXPECT_EQ(EffectiveCommand(spec), (Argv{"${env}", "${interpreter}", "${program}", "${args}"}));
}

}  // namespace
}  // namespace sweep
