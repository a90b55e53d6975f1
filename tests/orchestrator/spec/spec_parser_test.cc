#include "orchestrator/spec/spec_parser.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "test_paths.h"

namespace sweep {
namespace {

namespace fs = std::filesystem;

const std::string kHead = "program: train.py\nmethod: random\n";

Result<SweepSpec> Parse(const std::string& text) { return ParseSpecText(text, "spec.yaml"); }

SweepSpec MustParse(const std::string& text) {
  auto spec = Parse(text);
  EXPECT_TRUE(spec.ok()) << spec.status().message();
  return spec.ok() ? *spec : SweepSpec();
}

std::string MustFail(const std::string& text) {
  auto spec = Parse(text);
  EXPECT_FALSE(spec.ok()) << "parsed although invalid:\n" << text;
  if (spec.ok()) return "";
  EXPECT_EQ(spec.status().code(), ErrorCode::kInvalidSpec);
  return spec.status().message();
}

const Parameter& Param(const SweepSpec& spec, const std::string& name) {
  const int i = spec.space.IndexOf(name);
  EXPECT_GE(i, 0) << "no parameter " << name;
  static const Parameter kNone;
  return i >= 0 ? spec.space.params[i] : kNone;
}

fs::path TempDir() {
  fs::path dir = fs::temp_directory_path() / ("sweep_spec_test_" + std::to_string(getpid()));
  fs::create_directories(dir);
  return dir;
}

// ---- valid specs ------------------------------------------------------------------------

class ValidSpec : public ::testing::TestWithParam<std::string> {};

std::vector<std::string> ValidFiles() {
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(std::string(SWEEP_TESTDATA) + "/valid"))
    if (e.path().extension() == ".yaml") files.push_back(e.path().filename().string());
  std::sort(files.begin(), files.end());
  return files;
}

TEST_P(ValidSpec, ParsesWithoutErrors) {
  const std::string path = std::string(SWEEP_TESTDATA) + "/valid/" + GetParam();
  auto spec = ParseSpecFile(path);
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  EXPECT_EQ(spec->file, path);
  EXPECT_FALSE(spec->space.params.empty());
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(spec->text, text.str());
}

INSTANTIATE_TEST_SUITE_P(Files, ValidSpec, ::testing::ValuesIn(ValidFiles()), [](const auto& info) {
  std::string n = info.param.substr(0, info.param.find('.'));
  std::replace(n.begin(), n.end(), '-', '_');
  return n;
});

TEST(SpecParser, ReadsWandbQuickstartKeys) {
  auto spec = ParseSpecFile(std::string(SWEEP_TESTDATA) + "/valid/wandb_quickstart.yaml");
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  EXPECT_EQ(spec->program, "train.py");
  EXPECT_EQ(spec->method, "random");
  EXPECT_EQ(spec->name, "quickstart");
  EXPECT_EQ(spec->description, "random search over lr, batch size and optimizer");
  EXPECT_EQ(spec->metric.name, "val_loss");
  EXPECT_EQ(spec->metric.goal, Goal::kMinimize);
  ASSERT_EQ(spec->space.params.size(), 4u);
  EXPECT_EQ(spec->space.params[0].name, "learning_rate");
  EXPECT_EQ(spec->space.params[3].name, "optimizer");
  EXPECT_TRUE(spec->command.empty());
  EXPECT_TRUE(spec->notes.empty());
}

// ---- parameter forms ----------------------------------------------------------------------

TEST(SpecParser, IntegerBoundsMeanIntUniformAndAnyFloatMeansUniform) {
  SweepSpec spec = MustParse(kHead +
                             "parameters:\n"
                             "  a: {min: 1, max: 10}\n"
                             "  b: {min: 1, max: 10.0}\n"
                             "  c: {min: 0.5, max: 2}\n"
                             "  d: {min: -3, max: 3, distribution: uniform}\n");
  EXPECT_EQ(Param(spec, "a").distribution, Distribution::kIntUniform);
  EXPECT_TRUE(Param(spec, "a").integer);
  EXPECT_EQ(Param(spec, "a").min, 1);
  EXPECT_EQ(Param(spec, "a").max, 10);
  EXPECT_EQ(Param(spec, "b").distribution, Distribution::kUniform);
  EXPECT_FALSE(Param(spec, "b").integer);
  EXPECT_EQ(Param(spec, "c").distribution, Distribution::kUniform);
  EXPECT_EQ(Param(spec, "c").min, 0.5);
  EXPECT_EQ(Param(spec, "d").distribution, Distribution::kUniform);
  EXPECT_EQ(Param(spec, "d").min, -3);
}

TEST(SpecParser, LogUniformBoundsAreNaturalLogsAndValuesFormsAreRaw) {
  SweepSpec spec = MustParse(kHead +
                             "parameters:\n"
                             "  a: {distribution: log_uniform, min: -9.21, max: -2.3}\n"
                             "  b: {distribution: log_uniform_values, min: 1.0e-4, max: 0.1}\n"
                             "  c: {distribution: inv_log_uniform_values, min: 0.01, max: 1}\n");
  EXPECT_EQ(Param(spec, "a").min, -9.21);
  EXPECT_NEAR(Param(spec, "a").ValueRange()->first, std::exp(-9.21), 1e-12);
  EXPECT_EQ(Param(spec, "b").min, 1e-4);
  EXPECT_EQ(Param(spec, "b").max, 0.1);
  EXPECT_EQ(Param(spec, "c").distribution, Distribution::kInvLogUniformValues);
  // The natural-log form earns a note that says what range the values cover.
  ASSERT_EQ(spec.notes.size(), 1u);
  EXPECT_NE(spec.notes[0].find("spec.yaml:4:3: parameters.a: log_uniform bounds are natural logs"),
            std::string::npos)
      << spec.notes[0];
}

TEST(SpecParser, QuantizedFormsAreIntegerOnlyWhenQIsAnIntegerInTheYaml) {
  SweepSpec spec = MustParse(kHead +
                             "parameters:\n"
                             "  a: {distribution: q_uniform, min: 0, max: 100, q: 5}\n"
                             "  b: {distribution: q_uniform, min: 0, max: 1, q: 0.05}\n"
                             "  c: {distribution: q_uniform, min: 0, max: 10}\n"
                             "  d: {distribution: q_log_uniform_values, min: 16, max: 512, q: 16}\n"
                             "  e: {distribution: q_normal, q: 2.0}\n");
  EXPECT_TRUE(Param(spec, "a").integer);
  EXPECT_EQ(Param(spec, "a").q, 5);
  EXPECT_FALSE(Param(spec, "b").integer);
  EXPECT_EQ(Param(spec, "b").q, 0.05);
  // W&B's default q is the float 1.0, so sampled values stay floats.
  EXPECT_FALSE(Param(spec, "c").integer);
  EXPECT_EQ(Param(spec, "c").q, 1);
  EXPECT_TRUE(Param(spec, "d").integer);
  EXPECT_FALSE(Param(spec, "e").integer);
}

TEST(SpecParser, NormalAndBetaFamiliesTakeTheirDefaults) {
  SweepSpec spec = MustParse(kHead +
                             "parameters:\n"
                             "  n: {distribution: normal}\n"
                             "  ln: {distribution: log_normal, mu: 1.5, sigma: 0.25}\n"
                             "  b: {distribution: beta}\n"
                             "  qb: {distribution: q_beta, a: 2, b: 3, q: 0.1}\n");
  EXPECT_EQ(Param(spec, "n").mu, 0);
  EXPECT_EQ(Param(spec, "n").sigma, 1);
  EXPECT_EQ(Param(spec, "ln").mu, 1.5);
  EXPECT_EQ(Param(spec, "ln").sigma, 0.25);
  EXPECT_EQ(Param(spec, "b").a, 1);
  EXPECT_EQ(Param(spec, "b").b, 1);
  EXPECT_EQ(Param(spec, "qb").a, 2);
  EXPECT_EQ(Param(spec, "qb").b, 3);
  EXPECT_EQ(Param(spec, "qb").q, 0.1);
}

TEST(SpecParser, CategoricalValuesKeepTheirYamlTypes) {
  SweepSpec spec = MustParse(kHead +
                             "parameters:\n"
                             "  v:\n"
                             "    values: [1, 2.5, true, False, \"1\", '2.5', null, ~, [1, two],\n"
                             "             {a: 1}, plain text, 1.0e-3, 0x1F, 0o17, -7, yes]\n");
  const std::vector<Value>& v = Param(spec, "v").values;
  ASSERT_EQ(v.size(), 16u);
  EXPECT_TRUE(v[0].is_number_integer());
  EXPECT_EQ(v[0].get<int64_t>(), 1);
  EXPECT_TRUE(v[1].is_number_float());
  EXPECT_EQ(v[1].get<double>(), 2.5);
  EXPECT_EQ(v[2], Value(true));
  EXPECT_EQ(v[3], Value(false));
  EXPECT_EQ(v[4], Value("1"));
  EXPECT_EQ(v[5], Value("2.5"));
  EXPECT_TRUE(v[6].is_null());
  EXPECT_TRUE(v[7].is_null());
  EXPECT_EQ(v[8], Value::array({1, "two"}));
  EXPECT_EQ(v[9], Value::object({{"a", 1}}));
  EXPECT_EQ(v[10], Value("plain text"));
  EXPECT_TRUE(v[11].is_number_float());
  EXPECT_EQ(v[11].get<double>(), 1e-3);
  EXPECT_EQ(v[12], Value(31));
  EXPECT_EQ(v[13], Value(15));
  EXPECT_EQ(v[14], Value(-7));
  // YAML 1.2: "yes" is a string; W&B's YAML 1.1 loader differs, so a note says so. The
  // second null (~) repeats the first, which earns a note too.
  EXPECT_EQ(v[15], Value("yes"));
  ASSERT_EQ(spec.notes.size(), 2u);
  EXPECT_NE(
      spec.notes[0].find("spec.yaml:5:53: parameters.v.values[7]: value null is listed twice"),
      std::string::npos)
      << spec.notes[0];
  EXPECT_NE(spec.notes[1].find("'yes' is the string"), std::string::npos) << spec.notes[1];
}

TEST(SpecParser, ConstantValueKeepsItsType) {
  SweepSpec spec = MustParse(kHead +
                             "parameters:\n"
                             "  a: {value: 3}\n"
                             "  b: {value: \"3\"}\n"
                             "  c: {value: [1, 2]}\n"
                             "  d: {value: null}\n");
  EXPECT_EQ(Param(spec, "a").distribution, Distribution::kConstant);
  EXPECT_EQ(Param(spec, "a").value, Value(3));
  EXPECT_EQ(Param(spec, "b").value, Value("3"));
  EXPECT_EQ(Param(spec, "c").value, Value::array({1, 2}));
  EXPECT_TRUE(Param(spec, "d").value.is_null());
}

TEST(SpecParser, ProbabilitiesAreKeptAndMaySumToOneWithinRounding) {
  SweepSpec spec = MustParse(kHead +
                             "parameters:\n"
                             "  o:\n"
                             "    values: [a, b, c]\n"
                             "    probabilities: [0.1, 0.2, 0.7000000001]\n");
  EXPECT_EQ(Param(spec, "o").probabilities, (std::vector<double>{0.1, 0.2, 0.7000000001}));
}

TEST(SpecParser, NestedParametersFlattenToDottedNamesInSpecOrder) {
  SweepSpec spec = MustParse(kHead +
                             "parameters:\n"
                             "  z_first: {value: 1}\n"
                             "  optimizer:\n"
                             "    parameters:\n"
                             "      name: {values: [adam, sgd]}\n"
                             "      sched:\n"
                             "        parameters:\n"
                             "          warmup: {min: 0, max: 10}\n"
                             "  a_last: {values: [1]}\n");
  std::vector<std::string> names;
  for (const Parameter& p : spec.space.params) names.push_back(p.name);
  EXPECT_EQ(names, (std::vector<std::string>{"z_first", "optimizer.name", "optimizer.sched.warmup",
                                             "a_last"}));
  EXPECT_EQ(Param(spec, "optimizer.sched.warmup").path,
            (std::vector<std::string>{"optimizer", "sched", "warmup"}));
  EXPECT_EQ(Param(spec, "optimizer.sched.warmup").where.key_path,
            "parameters.optimizer.parameters.sched.parameters.warmup");
  EXPECT_EQ(Param(spec, "optimizer.name").where.line, 7);
}

TEST(SpecParser, ParameterNamesMayUseDotsHyphensAndUnderscores) {
  SweepSpec spec = MustParse(kHead + "parameters:\n  _x.y-z: {value: 1}\n  B2: {value: 2}\n");
  EXPECT_EQ(spec.space.params[0].name, "_x.y-z");
}

TEST(SpecParser, GridAcceptsEnumerableParameters) {
  SweepSpec spec = MustParse(
      "program: t.py\nmethod: grid\nparameters:\n  a: {values: [1, 2]}\n  b: {value: 3}\n"
      "  c: {min: 1, max: 4}\n  d: {distribution: q_uniform, min: 0, max: 1, q: 0.25}\n");
  EXPECT_EQ(spec.method, "grid");  // q_uniform too, as W&B's grid: arange(min, max, q)
}

TEST(SpecParser, GridNamesEveryContinuousParameter) {
  const std::string msg = MustFail(
      "program: t.py\nmethod: grid\nparameters:\n  lr: {min: 0.1, max: 1.0}\n"
      "  keep: {values: [1]}\n  noise: {distribution: normal}\n");
  EXPECT_NE(msg.find("spec.yaml:4:3: parameters.lr: grid search cannot enumerate parameter 'lr'"),
            std::string::npos)
      << msg;
  EXPECT_NE(msg.find("spec.yaml:6:3: parameters.noise: grid search cannot enumerate parameter "
                     "'noise' (distribution normal)"),
            std::string::npos)
      << msg;
}

TEST(SpecParser, AnchorsAndMergeKeysWorkAsInPyYaml) {
  SweepSpec spec = MustParse(kHead +
                             "parameters:\n"
                             "  base: &b {min: 0.1, max: 1.0}\n"
                             "  other:\n"
                             "    <<: *b\n"
                             "    max: 2.0\n"
                             "  choice: {values: &v [a, b]}\n"
                             "  again: {values: *v}\n");
  EXPECT_EQ(Param(spec, "other").min, 0.1);
  EXPECT_EQ(Param(spec, "other").max, 2.0);
  EXPECT_EQ(Param(spec, "again").values, (std::vector<Value>{Value("a"), Value("b")}));
}

TEST(SpecParser, ExponentWithoutDotIsANumberWithANoteAboutPyYaml) {
  SweepSpec spec = MustParse(kHead + "parameters:\n  lr: {min: 1e-5, max: 1.0e-1}\n");
  EXPECT_EQ(Param(spec, "lr").min, 1e-5);
  ASSERT_EQ(spec.notes.size(), 1u);
  EXPECT_NE(spec.notes[0].find("spec.yaml:4:13: parameters.lr.min: 1e-5 is a number here"),
            std::string::npos)
      << spec.notes[0];
}

// ---- the other W&B keys ---------------------------------------------------------------------

TEST(SpecParser, MetricKeysAndDefaults) {
  SweepSpec none = MustParse(kHead + "parameters:\n  a: {value: 1}\n");
  EXPECT_TRUE(none.metric.name.empty());
  EXPECT_EQ(none.metric.goal, Goal::kMinimize);
  EXPECT_EQ(none.metric.summary, SummaryMode::kLast);
  EXPECT_EQ(none.metric.impute, Impute::kWorst);
  SweepSpec spec = MustParse(kHead +
                             "metric: {name: acc, goal: maximize, target: 0.95, impute: latest, "
                             "summary: best}\nparameters:\n  a: {value: 1}\n");
  EXPECT_EQ(spec.metric.name, "acc");
  EXPECT_EQ(spec.metric.goal, Goal::kMaximize);
  EXPECT_EQ(spec.metric.target, 0.95);
  EXPECT_EQ(spec.metric.impute, Impute::kLatest);
  EXPECT_EQ(spec.metric.summary, SummaryMode::kBest);
}

TEST(SpecParser, HyperbandTakesWandbDefaults) {
  SweepSpec spec = MustParse(kHead +
                             "metric: {name: loss}\n"
                             "early_terminate: {type: hyperband, min_iter: 3}\n"
                             "run_cap: 20\n"
                             "parameters:\n  a: {value: 1}\n");
  EXPECT_EQ(spec.early_terminate.type, EarlyTerminateType::kHyperband);
  EXPECT_EQ(spec.early_terminate.min_iter, 3);
  EXPECT_FALSE(spec.early_terminate.max_iter.has_value());
  EXPECT_EQ(spec.early_terminate.eta, 3);
  EXPECT_TRUE(spec.early_terminate.strict);  // W&B's engine fills true from its schema
  EXPECT_EQ(spec.run_cap, 20u);
  SweepSpec mx = MustParse(kHead +
                           "metric: {name: loss}\n"
                           "early_terminate: {type: hyperband, max_iter: 27, s: 2, eta: 2.5, "
                           "strict: true}\nparameters:\n  a: {value: 1}\n");
  EXPECT_EQ(mx.early_terminate.max_iter, 27);
  EXPECT_EQ(mx.early_terminate.s, 2);
  EXPECT_EQ(mx.early_terminate.eta, 2.5);
  EXPECT_TRUE(mx.early_terminate.strict);
}

TEST(SpecParser, CurveRuleTakesMinIterMaxIterAndConfidence) {
  SweepSpec d = MustParse(kHead +
                          "metric: {name: loss}\n"
                          "early_terminate: {type: curve}\nparameters:\n  a: {value: 1}\n");
  EXPECT_EQ(d.early_terminate.type, EarlyTerminateType::kCurve);
  EXPECT_FALSE(d.early_terminate.min_iter.has_value());  // the rule's default, 3
  EXPECT_FALSE(d.early_terminate.max_iter.has_value());  // learned from complete trials
  EXPECT_EQ(d.early_terminate.confidence, 0.99);
  SweepSpec c = MustParse(kHead +
                          "metric: {name: loss}\n"
                          "early_terminate: {type: curve, min_iter: 4, max_iter: 50, "
                          "confidence: 0.9}\nparameters:\n  a: {value: 1}\n");
  EXPECT_EQ(c.early_terminate.min_iter, 4);
  EXPECT_EQ(c.early_terminate.max_iter, 50);
  EXPECT_EQ(c.early_terminate.confidence, 0.9);
}

TEST(SpecParser, CurveRuleKeysAreCheckedWithTheirLocation) {
  const std::string head = kHead + "metric: {name: loss}\nearly_terminate:\n  type: curve\n";
  const std::string tail = "parameters:\n  a: {value: 1}\n";
  std::string msg = MustFail(head + "  confidence: 1\n" + tail);
  EXPECT_NE(msg.find("spec.yaml:6:15: early_terminate.confidence: confidence must be at least "
                     "0.5 and less than 1, found 1"),
            std::string::npos)
      << msg;
  msg = MustFail(head + "  min_iter: 1\n" + tail);
  EXPECT_NE(msg.find("spec.yaml:6:13: early_terminate.min_iter: curve needs min_iter of at "
                     "least 2"),
            std::string::npos)
      << msg;
  msg = MustFail(head + "  max_iter: 3\n" + tail);
  EXPECT_NE(msg.find("spec.yaml:6:13: early_terminate.max_iter: max_iter must be greater than "
                     "min_iter (3)"),
            std::string::npos)
      << msg;
  msg = MustFail(head + "  eta: 3\n" + tail);
  EXPECT_NE(msg.find("spec.yaml:6:3: early_terminate.eta: 'eta' does not apply to "
                     "early_terminate type curve (it takes: type, min_iter, max_iter, "
                     "confidence)"),
            std::string::npos)
      << msg;
  msg = MustFail(head + "  confidence: high\n" + tail);
  EXPECT_NE(msg.find("early_terminate.confidence"), std::string::npos) << msg;
}

TEST(SpecParser, MedianAndAshaRulesAreExtensions) {
  SweepSpec median = MustParse(kHead +
                               "metric: {name: loss}\n"
                               "early_terminate: {type: median, min_iter: 4, min_trials: 8}\n"
                               "parameters:\n  a: {value: 1}\n");
  EXPECT_EQ(median.early_terminate.type, EarlyTerminateType::kMedian);
  EXPECT_EQ(median.early_terminate.min_trials, 8);
  const std::string msg = MustFail(kHead +
                                   "metric: {name: loss}\n"
                                   "early_terminate: {type: asha, min_iter: 4, s: 2}\n"
                                   "parameters:\n  a: {value: 1}\n");
  EXPECT_NE(msg.find("early_terminate.s: 's' does not apply to early_terminate type asha"),
            std::string::npos)
      << msg;
}

TEST(SpecParser, CommandElementsBecomeWhatPythonStrWouldPrint) {
  SweepSpec spec = MustParse(
      "program: t.py\nmethod: random\ncommand:\n  - python\n  - 10\n  - true\n  - 1.50\n"
      "  - \"${args}\"\nparameters:\n  a: {value: 1}\n");
  EXPECT_EQ(spec.command, (std::vector<std::string>{"python", "10", "True", "1.5", "${args}"}));
}

TEST(SpecParser, CommandWithoutProgramMacroNeedsNoProgram) {
  SweepSpec spec = MustParse(
      "method: random\ncommand: [bash, run.sh, \"${args}\"]\nparameters:\n  a: {value: 1}\n");
  EXPECT_TRUE(spec.program.empty());
}

TEST(SpecParser, MacroInsideALongerElementEarnsANote) {
  SweepSpec spec =
      MustParse(kHead + "command: [\"--cfg=${args_json}\"]\nparameters:\n  a: {value: 1}\n");
  ASSERT_EQ(spec.notes.size(), 1u);
  EXPECT_NE(spec.notes[0].find("passed literally"), std::string::npos);
}

TEST(SpecParser, WandbOnlyKeysAreNotesNotErrors) {
  SweepSpec spec = MustParse("entity: team\nproject: p\njob: j\nimage_uri: img\n" + kHead +
                             "parameters:\n  a: {value: 1}\n");
  ASSERT_EQ(spec.notes.size(), 4u);
  EXPECT_EQ(spec.notes[0], "spec.yaml:1:1: entity: W&B-only key 'entity' is accepted and ignored");
  EXPECT_NE(spec.notes[3].find("image_uri"), std::string::npos);
}

// ---- extensions ------------------------------------------------------------------------------

TEST(SpecParser, ExtensionDefaultsApplyWhenKeysAreAbsent) {
  SweepSpec spec = MustParse(kHead + "parameters:\n  a: {value: 1}\n");
  SweepSpec defaults;
  EXPECT_FALSE(spec.seed.has_value());
  EXPECT_EQ(spec.workers, defaults.workers);
  EXPECT_EQ(spec.gpus_per_trial, defaults.gpus_per_trial);
  EXPECT_EQ(spec.timeout_s, defaults.timeout_s);
  EXPECT_EQ(spec.max_retries, defaults.max_retries);
  EXPECT_EQ(spec.interpreter, "python3");
  EXPECT_EQ(spec.track.env_vars, defaults.track.env_vars);
  EXPECT_EQ(spec.backend.type, "local");
  EXPECT_EQ(spec.backend.gpus_per_trial, 0);
  EXPECT_FALSE(spec.backend.max_replacements.has_value());
}

TEST(SpecParser, ExtensionsParseWithTheirUnits) {
  auto spec = ParseSpecFile(std::string(SWEEP_TESTDATA) + "/valid/extensions.yaml");
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  EXPECT_EQ(spec->seed, 1234u);
  EXPECT_EQ(spec->workers, 4);
  EXPECT_EQ(spec->gpus_per_trial, 2);
  EXPECT_EQ(spec->timeout_s, 5400);
  EXPECT_EQ(spec->stop_grace_s, 30);
  EXPECT_EQ(spec->max_retries, 3);
  EXPECT_EQ(spec->max_failures, 10);
  EXPECT_EQ(spec->interpreter, "/usr/bin/python3");
  EXPECT_EQ(spec->env,
            (std::map<std::string, std::string>{{"MODE", "fast"}, {"OMP_NUM_THREADS", "4"}}));
  EXPECT_TRUE(spec->reporting.metrics_file);
  EXPECT_FALSE(spec->reporting.stdout_pairs);
  EXPECT_EQ(spec->reporting.stdout_pattern, "(\\w+)=([-+0-9.eE]+)");
  EXPECT_FALSE(spec->track.env);
  EXPECT_FALSE(spec->track.packages);
  EXPECT_EQ(spec->track.env_vars, (std::vector<std::string>{"CUDA_*", "MY_VAR"}));
  EXPECT_EQ(spec->track.system_metrics_interval_s, 0);
  EXPECT_EQ(spec->artifacts, (std::vector<std::string>{"checkpoints/*.pt", "*.json"}));
  EXPECT_EQ(spec->artifact_max_bytes, 500000000u);
  EXPECT_EQ(spec->data, (std::vector<std::string>{"/data/train", "/data/val"}));
  EXPECT_EQ(spec->backend.type, "slurm");
  EXPECT_EQ(spec->backend.agents, 8);
  EXPECT_EQ(spec->backend.sbatch.size(), 2u);
  EXPECT_EQ(spec->backend.workers_per_agent, 2);
  EXPECT_EQ(spec->backend.listen, "10.0.0.1:7000");
  EXPECT_EQ(spec->backend.pending_timeout_s, 7200);
  EXPECT_EQ(spec->backend.gpus_per_trial, 1);
  EXPECT_EQ(spec->backend.max_replacements, 3);
  EXPECT_EQ(spec->metric.summary, SummaryMode::kMin);
  EXPECT_EQ(spec->metric.impute, Impute::kBest);
  EXPECT_EQ(spec->early_terminate.type, EarlyTerminateType::kAsha);
  EXPECT_EQ(spec->early_terminate.max_iter, 81);
}

TEST(SpecParser, DurationsAcceptSecondsAndUnitText) {
  const std::vector<std::pair<std::string, double>> cases = {
      {"45", 45},      {"2.5", 2.5},    {"\"90s\"", 90}, {"30m", 1800}, {"2h", 7200},
      {"1h30m", 5400}, {"250ms", 0.25}, {"1d", 86400},   {"0", 0}};
  for (const auto& [text, seconds] : cases) {
    SweepSpec spec = MustParse(kHead + "timeout: " + text + "\nparameters:\n  a: {value: 1}\n");
    EXPECT_EQ(spec.timeout_s, seconds) << text;
  }
  for (const std::string bad : {"-5", "5 min", "h", "1x", "\"\""})
    EXPECT_NE(MustFail(kHead + "timeout: " + bad + "\nparameters:\n  a: {value: 1}\n")
                  .find("spec.yaml:3:10: timeout: "),
              std::string::npos)
        << bad;
}

TEST(SpecParser, ByteSizesAcceptIntegersAndUnits) {
  const std::vector<std::pair<std::string, uint64_t>> cases = {{"1024", 1024},
                                                               {"500MB", 500000000},
                                                               {"2GiB", 2147483648ull},
                                                               {"10k", 10000},
                                                               {"1.5 GB", 1500000000}};
  for (const auto& [text, bytes] : cases) {
    SweepSpec spec =
        MustParse(kHead + "artifact_max_bytes: " + text + "\nparameters:\n  a: {value: 1}\n");
    EXPECT_EQ(spec.artifact_max_bytes, bytes) << text;
  }
}

TEST(SpecParser, ReportingWandbIsShimTeeOrOffAndReachesTrialsAsSweepWandb) {
  EXPECT_EQ(MustParse(kHead + "parameters:\n  a: {value: 1}\n").env.count("SWEEP_WANDB"), 0u);
  for (const char* mode : {"shim", "tee", "off"}) {
    SweepSpec spec =
        MustParse(kHead + "reporting: {wandb: " + mode + "}\n" + "parameters:\n  a: {value: 1}\n");
    EXPECT_EQ(spec.env["SWEEP_WANDB"], mode);
  }
  const std::string msg =
      MustFail(kHead + "reporting:\n  wandb: teee\nparameters:\n  a: {value: 1}\n");
  EXPECT_NE(msg.find("spec.yaml:4:10: reporting.wandb: unknown wandb mode 'teee'; did you mean "
                     "'tee'?"),
            std::string::npos)
      << msg;
  EXPECT_NE(MustFail(kHead + "reporting: {wandb: [1]}\nparameters:\n  a: {value: 1}\n")
                .find("reporting.wandb"),
            std::string::npos);
}

// ---- error reporting ---------------------------------------------------------------------------

TEST(SpecParser, ReportsEveryErrorInOnePassSortedByPosition) {
  const std::string msg = MustFail(
      "workers: 0\n"
      "program: t.py\n"
      "method: grdi\n"
      "parameters:\n"
      "  lr: {min: 1.0, max: 0.5}\n"
      "  opt: {values: [a], probabilities: [0.5]}\n"
      "metric: {name: loss, goal: maximise}\n");
  std::vector<std::string> lines;
  std::stringstream in(msg);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 5u) << msg;
  EXPECT_EQ(lines[0], "spec.yaml:1:10: workers: must be an integer in [1, 4096], found 0");
  EXPECT_EQ(lines[1], "spec.yaml:3:9: method: unknown method 'grdi'; did you mean 'grid'?");
  EXPECT_EQ(lines[2],
            "spec.yaml:5:13: parameters.lr.min: min 1.0 is greater than max 0.5; min must be less "
            "than max");
  EXPECT_EQ(lines[3],
            "spec.yaml:6:37: parameters.opt.probabilities: probabilities sum to 0.5, not 1");
  EXPECT_EQ(lines[4],
            "spec.yaml:7:28: metric.goal: unknown goal 'maximise'; did you mean 'maximize'?");
}

TEST(SpecParser, EmptyValuesAreReportedAtTheirKey) {
  const std::string msg =
      MustFail(kHead + "metric:\nparameters:\n  lr:\n  n: {distribution: int_uniform}\n");
  EXPECT_EQ(msg,
            "spec.yaml:3:1: metric: expected a mapping, found an empty value\n"
            "spec.yaml:5:3: parameters.lr: expected a mapping, found an empty value\n"
            "spec.yaml:6:3: parameters.n.min: distribution int_uniform requires 'min'\n"
            "spec.yaml:6:3: parameters.n.max: distribution int_uniform requires 'max'");
}

TEST(SpecParser, DuplicateKeysAreFoundAtAnyDepth) {
  const std::string msg = MustFail(kHead +
                                   "parameters:\n"
                                   "  a:\n"
                                   "    value: {x: 1, x: 2}\n");
  EXPECT_NE(msg.find("spec.yaml:5:19: parameters.a.value.x: duplicate key 'x'"), std::string::npos)
      << msg;
}

TEST(SpecParser, MissingFileIsAnInvalidSpecErrorSayingSo) {
  auto spec = ParseSpecFile("/nonexistent/dir/sweep.yaml");
  ASSERT_FALSE(spec.ok());
  EXPECT_EQ(spec.status().code(), ErrorCode::kInvalidSpec);
  EXPECT_EQ(spec.status().message(),
            "/nonexistent/dir/sweep.yaml: cannot read spec file: no such file");
  auto dir = ParseSpecFile(TempDir().string());
  ASSERT_FALSE(dir.ok());
  EXPECT_NE(dir.status().message().find("is a directory"), std::string::npos);
}

// ---- the bad-input corpus
// -------------------------------------------------------------------------

struct CorpusCase {
  std::string file;
  std::vector<std::string> expected;
};

void PrintTo(const CorpusCase& c, std::ostream* os) { *os << c.file; }

std::map<std::string, std::vector<std::string>> LoadExpectations() {
  std::map<std::string, std::vector<std::string>> out;
  std::ifstream in(std::string(SWEEP_TESTDATA) + "/invalid/EXPECTED.tsv");
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    const size_t tab = line.find('\t');
    if (tab == std::string::npos) continue;
    out[line.substr(0, tab)].push_back(line.substr(tab + 1));
  }
  return out;
}

std::vector<CorpusCase> CorpusCases() {
  std::vector<CorpusCase> cases;
  for (auto& [file, expected] : LoadExpectations()) cases.push_back({file, expected});
  return cases;
}

class InvalidSpec : public ::testing::TestWithParam<CorpusCase> {};

TEST_P(InvalidSpec, FailsWithItsExpectedMessagesQuickly) {
  const std::string path = std::string(SWEEP_TESTDATA) + "/invalid/" + GetParam().file;
  ASSERT_TRUE(fs::exists(path)) << "EXPECTED.tsv names a missing file: " << path;
  const auto start = std::chrono::steady_clock::now();
  auto spec = ParseSpecFile(path);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_FALSE(spec.ok()) << path << " parsed although it is in the invalid corpus";
  EXPECT_EQ(spec.status().code(), ErrorCode::kInvalidSpec);
  EXPECT_EQ(spec.status().ExitCode(), 2);
  for (const std::string& want : GetParam().expected)
    EXPECT_NE(spec.status().message().find(want), std::string::npos)
        << "expected: " << want << "\nactual:\n"
        << spec.status().message();
  // A guard against hangs (exponential alias expansion, runaway recursion), not a
  // speed target: generous enough for a sanitizer build on a loaded machine.
  EXPECT_LT(seconds, 20.0);
}

INSTANTIATE_TEST_SUITE_P(Corpus, InvalidSpec, ::testing::ValuesIn(CorpusCases()),
                         [](const auto& info) {
                           std::string n = info.param.file;
                           for (char& c : n)
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n;
                         });

TEST(InvalidSpecCorpus, EveryFileHasAnExpectationAndThereAreAtLeast45) {
  const auto expected = LoadExpectations();
  size_t files = 0;
  for (const auto& e : fs::directory_iterator(std::string(SWEEP_TESTDATA) + "/invalid")) {
    const std::string name = e.path().filename().string();
    if (name == "EXPECTED.tsv") continue;
    ++files;
    EXPECT_TRUE(expected.count(name)) << name << " has no row in EXPECTED.tsv";
  }
  EXPECT_GE(files, 45u);
}

// Runs the real `sweep validate FILE` (no shell) and returns its exit code and output.
std::pair<int, std::string> RunValidate(const std::string& path) {
  int fds[2];
  if (pipe(fds) != 0) return {-1, ""};
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], 1);
    dup2(fds[1], 2);
    close(fds[0]);
    close(fds[1]);
    execl(SWEEP_BINARY, SWEEP_BINARY, "validate", path.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  close(fds[1]);
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;) out.append(buf, n);
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

// Enabled once `sweep validate` is wired to ParseSpecFile (issue 2, item 6).
TEST(InvalidSpecCorpus, SweepValidateExitsTwoWithTheSameMessages) {
  for (const CorpusCase& c : CorpusCases()) {
    auto [code, out] = RunValidate(std::string(SWEEP_TESTDATA) + "/invalid/" + c.file);
    EXPECT_EQ(code, 2) << c.file;
    for (const std::string& want : c.expected)
      EXPECT_NE(out.find(want), std::string::npos) << c.file << ": " << want << "\n" << out;
  }
}

// Inputs too large to commit, generated here.
void ExpectFastFailure(const std::string& path, const std::string& want) {
  const auto start = std::chrono::steady_clock::now();
  auto spec = ParseSpecFile(path);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_FALSE(spec.ok());
  EXPECT_NE(spec.status().message().find(want), std::string::npos) << spec.status().message();
  EXPECT_LT(seconds, 20.0);  // a hang guard, not a speed target
}

void WriteFile(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

TEST(InvalidSpecCorpus, TenMegabyteFileIsRefusedBySize) {
  const fs::path path = TempDir() / "ten_mb.yaml";
  std::string text = kHead + "parameters:\n  a:\n    values: [";
  while (text.size() < 10u * 1024 * 1024) text += "1234567, ";
  text += "1]\n";
  WriteFile(path, text);
  ExpectFastFailure(path.string(), "ten_mb.yaml: spec file is " + std::to_string(text.size()) +
                                       " bytes, over the 4 MiB limit");
  // The text entry point applies the same limit.
  auto spec = Parse(text);
  ASSERT_FALSE(spec.ok());
  EXPECT_NE(spec.status().message().find("over the 4 MiB limit"), std::string::npos);
}

TEST(InvalidSpecCorpus, RandomBinaryGarbageNeverParses) {
  std::mt19937 rng(12345);
  for (int round = 0; round < 50; ++round) {
    std::string bytes(4096, '\0');
    for (char& c : bytes) c = static_cast<char>(rng() & 0xff);
    auto spec = Parse(bytes);
    ASSERT_FALSE(spec.ok());
    EXPECT_NE(spec.status().message().find("spec.yaml:1:"), std::string::npos)
        << spec.status().message();
  }
}

TEST(InvalidSpecCorpus, TenThousandDeepNestingIsRefusedWithItsLine) {
  const fs::path dir = TempDir();
  // Indentation nesting: one space per level keeps the file under the size limit.
  std::string indent_text = kHead + "parameters:\n";
  for (int i = 1; i <= 2000; ++i)
    indent_text += std::string(i, ' ') + "k" + std::to_string(i) + ":\n";
  WriteFile(dir / "deep_indent.yaml", indent_text);
  ExpectFastFailure((dir / "deep_indent.yaml").string(),
                    "deep_indent.yaml:67:65: nesting deeper than 64 levels");

  std::string flow_text =
      kHead + "parameters: " + std::string(10000, '[') + std::string(10000, ']') + "\n";
  WriteFile(dir / "deep_flow.yaml", flow_text);
  ExpectFastFailure((dir / "deep_flow.yaml").string(),
                    "deep_flow.yaml:3:76: nesting deeper than 64 levels");

  std::string dash_text = kHead + "parameters:\n  a:\n    values:\n      ";
  for (int i = 0; i < 10000; ++i) dash_text += "- ";
  dash_text += "x\n";
  WriteFile(dir / "deep_dash.yaml", dash_text);
  ExpectFastFailure((dir / "deep_dash.yaml").string(),
                    "deep_dash.yaml:6:7: nesting deeper than 64 levels");

  std::string brace_text = kHead + "parameters: ";
  for (int i = 0; i < 10000; ++i) brace_text += "{a: ";
  WriteFile(dir / "deep_brace.yaml", brace_text);
  ExpectFastFailure((dir / "deep_brace.yaml").string(), "nesting deeper than 64 levels");
}

TEST(InvalidSpecCorpus, NestingWithinTheLimitStillParses) {
  std::string text =
      kHead + "parameters:\n  a:\n    value: " + std::string(50, '[') + std::string(50, ']') + "\n";
  SweepSpec spec = MustParse(text);
  EXPECT_TRUE(spec.space.params[0].value.is_array());
}

}  // namespace
}  // namespace sweep
