// `sweep launch --dry-run` with a warm start (issue 18): the dry run reads the prior
// the way a launch would (read-only, writing nothing), says how many trials it holds
// and how many were skipped, and shows only configurations a launch would actually
// run: grid and random leave out the ones already finished there.
#include <gtest/gtest.h>

#include <filesystem>
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

class WarmStartDryRunTest : public ::testing::Test {
 protected:
  std::string Spec(const std::string& name, const std::string& method, const std::string& params) {
    std::string path = dir_.path() + "/" + name + ".yaml";
    WriteFile(path, "program: " + kProgram + "\ninterpreter: /usr/bin/python3\nmethod: " + method +
                        "\nmetric: {name: loss, goal: minimize}\nseed: 3\n" + params);
    return path;
  }
  CliResult Sweep(std::vector<std::string> args, const std::string& store = "store") {
    args.insert(args.begin(), {"--store", dir_.path() + "/" + store});
    CliOptions o;
    o.cwd = dir_.path();
    o.timeout_s = 300;
    return RunSweep(args, o);
  }
  static std::string SweepId(const std::string& err) {
    std::smatch m;
    std::regex re("sweep ([a-z0-9]+) \\(");
    return std::regex_search(err, m, re) ? m[1].str() : "";
  }
  size_t SweepCount() {
    CliResult ls = Sweep({"ls", "--json"});
    Json doc = Json::parse(ls.out, nullptr, false);
    if (doc.is_array()) return doc.size();
    return doc.contains("sweeps") ? doc["sweeps"].size() : 0;
  }
  testing::TempDir dir_;
};

TEST_F(WarmStartDryRunTest, GridDryRunShowsOnlyConfigurationsNotFinishedInThePrior) {
  CliResult a = Sweep({"launch", Spec("a", "grid", kGridParams), "--max-trials", "5", "-q"});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  const std::string first = SweepId(a.err);
  ASSERT_FALSE(first.empty()) << a.err;
  CliResult exported = Sweep({"export", first, "--format", "json"});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  std::set<std::string> before;
  const Json exported_doc = Json::parse(exported.out);
  for (const Json& t : exported_doc["trials"]) before.insert(t["params"].dump());
  ASSERT_EQ(before.size(), 5u);
  const size_t sweeps = SweepCount();

  const std::string spec = Spec("b", "grid", kGridParams);
  CliResult text = Sweep({"launch", spec, "--warm-start", first, "--dry-run"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("warm start: 5 trials from sweep " + first), std::string::npos)
      << text.out;
  EXPECT_NE(text.out.find("grid will not run the 5 configuration(s) already finished there; 3 "
                          "of 8 left"),
            std::string::npos)
      << text.out;
  EXPECT_NE(text.out.find("showing 3"), std::string::npos) << text.out;

  CliResult json = Sweep({"launch", spec, "--warm-start", first, "--dry-run", "--json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  Json doc = Json::parse(json.out);
  EXPECT_EQ(doc["warm_start"]["trials"], 5);
  EXPECT_EQ(doc["warm_start"]["skipped_configurations"], 5);
  EXPECT_EQ(doc["warm_start"]["sources"][0]["sweep"], first);
  EXPECT_EQ(doc["warm_start"]["sources"][0]["used"], 5);
  ASSERT_EQ(doc["trials"].size(), 3u);
  std::set<std::string> shown;
  for (const Json& t : doc["trials"]) {
    EXPECT_EQ(before.count(t["params"].dump()), 0u) << "would re-run " << t["params"].dump();
    shown.insert(t["params"].dump());
  }
  EXPECT_EQ(shown.size(), 3u);
  // Nothing was written: no new sweep in the store.
  EXPECT_EQ(SweepCount(), sweeps);
}

TEST_F(WarmStartDryRunTest, BayesDryRunFromAFileCountsSkippedRowsAndCreatesNoStore) {
  const std::string csv = dir_.path() + "/prior.csv";
  WriteFile(csv,
            "status,params.optimizer,params.lr,params.momentum,params.beta2,metrics.loss\n"
            "finished,sgd,0.01,0.9,,0.01\n"
            "finished,adam,0.01,,0.99,0.3\n"
            "finished,sgd,0.5,0.9,,0.2\n"  // lr outside the space
            "failed,sgd,0.01,0.8,,\n");    // not finished
  CliResult r = Sweep({"launch", Spec("w", "bayes", kContinuousParams), "--warm-start", csv,
                       "--dry-run", "--max-trials", "2"},
                      "fresh-store");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("warm start: 2 trials from file " + csv + " (2 skipped"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("lr: 0.5 is outside [0.001, 0.1]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("bayes learns from these 2 trial(s) before its first suggestion"),
            std::string::npos)
      << r.out;
  EXPECT_FALSE(std::filesystem::exists(dir_.path() + "/fresh-store"));
}

TEST_F(WarmStartDryRunTest, ADryRunWithAnUnknownSourceExitsTwo) {
  CliResult r = Sweep({"launch", Spec("x", "random", kContinuousParams), "--warm-start",
                       "nosuchsweep", "--dry-run"},
                      "none");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("warm start: 'nosuchsweep' is not a file, and there is no store"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_FALSE(std::filesystem::exists(dir_.path() + "/none"));

  // With a store, the usual message.
  ASSERT_EQ(Sweep({"launch", Spec("y", "random", kContinuousParams), "--max-trials", "1", "-q"})
                .exit_code,
            0);
  CliResult s = Sweep({"launch", Spec("x", "random", kContinuousParams), "--warm-start",
                       "nosuchsweep", "--dry-run"});
  EXPECT_EQ(s.exit_code, 2);
  EXPECT_NE(s.err.find("warm start: 'nosuchsweep' is neither a file nor a sweep in this store"),
            std::string::npos)
      << s.err;
}

}  // namespace
}  // namespace sweep
