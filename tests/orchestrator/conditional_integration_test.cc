// End-to-end tests of conditional parameters (`when:`) and warm start with the real
// `sweep` binary: the trial program (tests/data/sweeps/conditional.py) exits 4 when an
// inactive parameter reaches its argv or $SWEEP_PARAMS, so a finished trial proves it
// did not.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "test_paths.h"
#include "tests/testing/cli_runner.h"
#include "tests/testing/conditional_spaces.h"
#include "tests/testing/temp_dir.h"

namespace sweep {
namespace {

using testing::CliOptions;
using testing::CliResult;
using testing::RunSweep;
using testing::WriteFile;
using Json = nlohmann::json;

const std::string& kProgram = testing::kConditionalProgram;
const char* const kGridParams = testing::kConditionalGridParams;
const char* const kContinuousParams = testing::kConditionalContinuousParams;

class ConditionalTest : public ::testing::Test {
 protected:
  std::string Spec(const std::string& name, const std::string& method, const std::string& params,
                   const std::string& extra = "") {
    std::string path = dir_.path() + "/" + name + ".yaml";
    WriteFile(path, "program: " + kProgram + "\ninterpreter: /usr/bin/python3\nmethod: " + method +
                        "\nmetric: {name: loss, goal: minimize}\nseed: 3\n" + params + extra);
    return path;
  }
  CliResult Sweep(std::vector<std::string> args) {
    args.insert(args.begin(), {"--store", dir_.path() + "/store"});
    CliOptions o;
    o.cwd = dir_.path();
    o.timeout_s = 300;
    return RunSweep(args, o);
  }
  Json SweepJson(std::vector<std::string> args) {
    const bool is_export = args[0] == "export";
    if (!is_export) args.push_back("--json");
    CliResult r = Sweep(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    Json doc = Json::parse(r.out, nullptr, false);
    return doc;
  }
  static std::string SweepId(const std::string& err) {
    std::smatch m;
    std::regex re("sweep ([a-z0-9]+) \\(");
    return std::regex_search(err, m, re) ? m[1].str() : "";
  }
  // Every trial finished (the program checked its parameters) and its params hold
  // exactly the live ones; returns their flat params.
  std::vector<Json> ExpectAllFinishedAndCanonical(const std::string& sweep) {
    Json doc = SweepJson({"export", sweep, "--format", "json"});
    std::vector<Json> out;
    for (const Json& t : doc["trials"]) {
      EXPECT_EQ(t["status"], "finished") << t.dump();
      const Json& p = t["params"];
      std::set<std::string> keys;
      for (auto it = p.begin(); it != p.end(); ++it) keys.insert(it.key());
      std::set<std::string> expected = {"optimizer", "lr",
                                        p["optimizer"] == "sgd" ? "momentum" : "beta2"};
      EXPECT_EQ(keys, expected) << p.dump();
      out.push_back(p);
    }
    return out;
  }
  testing::TempDir dir_;
};

TEST_F(ConditionalTest, GridCountsOnlyLiveCombinationsInValidateDryRunAndLaunch) {
  const std::string spec = Spec("grid", "grid", kGridParams);
  CliResult v = Sweep({"validate", spec});
  ASSERT_EQ(v.exit_code, 0) << v.err;
  EXPECT_NE(v.out.find("(8 configuration(s))"), std::string::npos) << v.out;
  EXPECT_NE(v.out.find("when optimizer in [\"sgd\"]"), std::string::npos) << v.out;
  Json dry = SweepJson({"launch", spec, "--dry-run"});
  EXPECT_EQ(dry["total"], 8);
  ASSERT_EQ(dry["trials"].size(), 8u);
  for (const Json& t : dry["trials"]) {
    const std::string argv = t["argv"].dump();
    EXPECT_EQ(argv.find(t["params"]["optimizer"] == "sgd" ? "beta2" : "momentum"),
              std::string::npos)
        << argv;
  }
  CliResult r = Sweep({"launch", spec, "--workers", "2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<Json> params = ExpectAllFinishedAndCanonical(SweepId(r.err));
  EXPECT_EQ(params.size(), 8u);
  std::set<std::string> distinct;
  for (const Json& p : params) distinct.insert(p.dump());
  EXPECT_EQ(distinct.size(), 8u);
}

TEST_F(ConditionalTest, RandomAndBayesNeverPassAnInactiveParameter) {
  for (const std::string method : {"random", "bayes"}) {
    CliResult r = Sweep({"launch", Spec(method, method, kContinuousParams), "--max-trials", "14",
                         "--workers", "2", "-q"});
    ASSERT_EQ(r.exit_code, 0) << method << ": " << r.err;
    std::vector<Json> params = ExpectAllFinishedAndCanonical(SweepId(r.err));
    EXPECT_EQ(params.size(), 14u) << method;
  }
}

TEST_F(ConditionalTest, AnInvalidWhenExitsTwoWithItsLocationAndWritesNothing) {
  const std::string spec = Spec("bad", "grid", R"Y(parameters:
  optimizer: {values: [sgd, adam]}
  momentum: {values: [0.9], when: {optimizer: sgdd}}
)Y");
  CliResult r = Sweep({"launch", spec});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("bad.yaml:8:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("parameters.momentum.when.optimizer"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("did you mean 'sgd'"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir_.path() + "/store"));
}

TEST_F(ConditionalTest, WarmStartFromASweepNeverRerunsItsConfigurations) {
  CliResult a = Sweep({"launch", Spec("a", "grid", kGridParams), "--max-trials", "5", "-q"});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  const std::string first = SweepId(a.err);
  std::set<std::string> before;
  for (const Json& p : ExpectAllFinishedAndCanonical(first)) before.insert(p.dump());
  ASSERT_EQ(before.size(), 5u);

  CliResult b = Sweep({"launch", Spec("b", "grid", kGridParams), "--warm-start", first, "-q"});
  ASSERT_EQ(b.exit_code, 0) << b.err;
  EXPECT_NE(b.err.find("warm start: 5 trials from sweep " + first), std::string::npos) << b.err;
  const std::string second = SweepId(b.err);
  std::vector<Json> rest = ExpectAllFinishedAndCanonical(second);
  EXPECT_EQ(rest.size(), 3u);
  for (const Json& p : rest) EXPECT_EQ(before.count(p.dump()), 0u) << "re-ran " << p.dump();

  Json status = SweepJson({"status", second});
  ASSERT_TRUE(status["warm_start"].is_array()) << status.dump();
  EXPECT_EQ(status["warm_start"][0]["sweep"], first);
  EXPECT_EQ(status["warm_start"][0]["used"], 5);
  CliResult text = Sweep({"status", second});
  EXPECT_NE(text.out.find("prior     warm start: 5 trials from sweep " + first), std::string::npos)
      << text.out;

  Json own = SweepJson({"top", second, "-k", "0"});
  EXPECT_EQ(own["trials"].size(), 3u);
  Json with = SweepJson({"top", second, "-k", "0", "--with-prior"});
  ASSERT_EQ(with["trials"].size(), 8u);
  size_t prior = 0;
  for (const Json& t : with["trials"]) prior += t["prior"].get<bool>() ? 1 : 0;
  EXPECT_EQ(prior, 5u);
}

TEST_F(ConditionalTest, WarmStartFromFilesCountsWhatItSkips) {
  const std::string csv = dir_.path() + "/prior.csv";
  WriteFile(csv,
            "status,params.optimizer,params.lr,params.momentum,params.beta2,metrics.loss\n"
            "finished,sgd,0.01,0.9,,0.01\n"
            "finished,adam,0.01,,0.99,0.3\n"
            "finished,sgd,0.5,0.9,,0.2\n"        // lr outside the space
            "failed,sgd,0.01,0.8,,\n"            // not finished
            "finished,adam,0.01,0.9,0.99,0.4\n"  // momentum given but inactive
            "finished,sgd,0.02,0.85,,\n");       // no loss
  const std::string json = dir_.path() + "/prior.json";
  WriteFile(json, R"J({"metric": "loss", "trials": [
    {"status": "finished", "params": {"optimizer": "adam", "lr": 0.05, "beta2": 0.95},
     "value": 0.7},
    {"status": "finished", "params": {"optimizer": "sgd", "lr": 0.05}, "value": 0.6}]})J");
  CliResult r = Sweep({"launch", Spec("warm", "bayes", kContinuousParams), "--warm-start",
                       csv + "," + json, "--max-trials", "3", "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("warm start: 2 trials from file " + csv + " (4 skipped"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("lr: 0.5 is outside [0.001, 0.1]"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("not finished (failed)"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("'momentum' is given but inactive"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("no value of metric 'loss'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("warm start: 1 trial from file " + json +
                       " (1 skipped: 1 missing "
                       "parameter 'momentum')"),
            std::string::npos)
      << r.err;
  const std::string id = SweepId(r.err);
  EXPECT_EQ(ExpectAllFinishedAndCanonical(id).size(), 3u);
  Json with = SweepJson({"top", id, "-k", "1", "--with-prior"});
  ASSERT_EQ(with["trials"].size(), 1u);
  EXPECT_EQ(with["total"], 6);
}

TEST_F(ConditionalTest, AnUnknownWarmStartSourceExitsTwoAndWritesNoSweep) {
  CliResult r =
      Sweep({"launch", Spec("x", "random", kContinuousParams, "warm_start: [nosuchsweep]\n")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("warm start: 'nosuchsweep' is neither a file nor a sweep in this store"),
            std::string::npos)
      << r.err;
  CliResult ls = Sweep({"ls", "--json"});
  EXPECT_EQ(ls.out.find("\"id\""), std::string::npos) << ls.out;
}

}  // namespace
}  // namespace sweep
