// End to end: a sweep with `metrics:`, `constraints:` and `where:` run by the real
// binary (real trial processes, a real SQLite store), read back through top, export and
// status; and the bad-input promises (exit 2, nothing written).
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "test_paths.h"
#include "tests/testing/cli_runner.h"
#include "tests/testing/temp_dir.h"

namespace sweep {
namespace {

using testing::CliOptions;
using testing::CliResult;
using testing::RunSweep;
using testing::WriteFile;
using Json = nlohmann::json;
namespace fs = std::filesystem;

const std::string kProgram = std::string(SWEEP_TESTDATA) + "/sweeps/two_objectives.py";

class MultiObjectiveTest : public ::testing::Test {
 protected:
  std::string Spec(const std::string& body) {
    const std::string path = dir_.path() + "/sweep.yaml";
    WriteFile(path, "program: " + kProgram + "\ninterpreter: /usr/bin/python3\n" + body);
    return path;
  }
  CliResult Sweep(std::vector<std::string> args) {
    args.insert(args.begin(), {"--store", store()});
    CliOptions o;
    o.cwd = dir_.path();
    return RunSweep(args, o);
  }
  Json SweepJson(std::vector<std::string> args) {
    if (args[0] != "export") args.push_back("--json");
    CliResult r = Sweep(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return Json::parse(r.out, nullptr, false);
  }
  std::string store() const { return dir_.path() + "/store"; }
  testing::TempDir dir_;
};

// x, y in {0, 0.5, 1}; where drops x = y = 1; memory <= 5 drops y = 1 (and y = 0.5 is
// exactly 5: feasible). loss = x + y and latency = 1 - x + 2 (1 - y) conflict, so among
// the feasible points with y <= 0.5 the front is every y = 0.5 point plus (0, 0)?
// (0, 0): loss 0, latency 3; (0.5, 0): 0.5, 2.5; (1, 0): 1, 2; (0, 0.5): 0.5, 2;
// (0.5, 0.5): 1, 1.5; (1, 0.5): 1.5, 1. Front: (0,0), (0,0.5), (0.5,0.5), (1,0.5);
// (0.5,0) is dominated by (0,0.5) and (1,0) by (0,0.5).
constexpr const char* kGridSpec = R"Y(method: grid
metrics:
  - {name: loss, goal: minimize, reference: 3}
  - {name: latency, goal: minimize, reference: 4}
constraints:
  - {metric: memory, max: 5}
where: "not (x == 1 and y == 1)"
parameters:
  x: {values: [0, 0.5, 1]}
  y: {values: [0, 0.5, 1]}
)Y";

TEST_F(MultiObjectiveTest, GridSweepRanksByParetoFrontInTopExportAndStatus) {
  CliResult r = Sweep({"launch", Spec(kGridSpec), "--workers", "2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;

  Json top = SweepJson({"top", "latest", "-k", "100"});
  ASSERT_TRUE(top.is_object()) << top;
  ASSERT_EQ(top["trials"].size(), 8u) << "where: drops (1, 1)";
  EXPECT_EQ(top["front_size"], 4);
  EXPECT_EQ(top["objectives"][0]["name"], "loss");
  EXPECT_EQ(top["reference"], Json::parse("[3.0, 4.0]"));
  EXPECT_EQ(top["reference_derived"], false);
  // HV of the front against (3, 4): staircase by loss ascending.
  // (0,3) (0.5,2) (1,1.5) (1.5,1): (3-0)(4-3) + (3-0.5)(3-2) + (3-1)(2-1.5) + (3-1.5)(1.5-1)
  EXPECT_DOUBLE_EQ(top["hypervolume"].get<double>(), 3 + 2.5 + 1 + 0.75);
  std::set<std::pair<double, double>> front;
  for (size_t i = 0; i < 4; ++i) {
    const Json& t = top["trials"][i];
    EXPECT_EQ(t["front"], 1);
    EXPECT_EQ(t["feasible"], true);
    EXPECT_EQ(t["values"].size(), 2u);
    front.insert({t["params"]["x"].get<double>(), t["params"]["y"].get<double>()});
  }
  EXPECT_EQ(front, (std::set<std::pair<double, double>>{{0, 0}, {0, 0.5}, {0.5, 0.5}, {1, 0.5}}));
  // Front 1 is listed by the first objective, best first.
  EXPECT_LE(top["trials"][0]["values"][0].get<double>(),
            top["trials"][1]["values"][0].get<double>());
  EXPECT_EQ(top["trials"][4]["front"], 2);
  EXPECT_EQ(top["trials"][5]["front"], 2);
  // The infeasible ones (y = 1, memory 10) come last with the constraint named.
  for (size_t i = 6; i < 8; ++i) {
    const Json& t = top["trials"][i];
    EXPECT_EQ(t["feasible"], false);
    EXPECT_TRUE(t["front"].is_null());
    ASSERT_EQ(t["violations"].size(), 1u);
    EXPECT_EQ(t["violations"][0], "memory=10.0 > max 5.0");
  }

  CliResult text = Sweep({"top", "latest", "-k", "100"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("loss (minimize), latency (minimize); subject to memory <= 5.0"),
            std::string::npos)
      << text.out;
  EXPECT_NE(text.out.find("front: 4 trials, hypervolume 7.25"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("FRONT"), std::string::npos);
  EXPECT_NE(text.out.find("memory=10.0 > max 5.0"), std::string::npos);

  Json exported = SweepJson({"export", "latest", "--format", "json"});
  ASSERT_EQ(exported["trials"].size(), 8u);
  size_t on_front = 0;
  for (const Json& t : exported["trials"]) on_front += t["front"] == 1;
  EXPECT_EQ(on_front, 4u);
  CliResult csv = Sweep({"export", "latest", "--format", "csv"});
  ASSERT_EQ(csv.exit_code, 0);
  EXPECT_NE(csv.out.find("duration,front,feasible,violations,values.loss,values.latency,params.x"),
            std::string::npos)
      << csv.out.substr(0, 300);

  Json status = SweepJson({"status", "latest"});
  EXPECT_EQ(status["pareto"]["front_size"], 4);
  EXPECT_DOUBLE_EQ(status["pareto"]["hypervolume"].get<double>(), 7.25);
  CliResult st = Sweep({"status", "latest"});
  EXPECT_NE(st.out.find("front     4 trials, hypervolume 7.25 (reference loss=3, latency=4)"),
            std::string::npos)
      << st.out;
}

TEST_F(MultiObjectiveTest, BayesSweepRespectsWhereAndDerivesTheReferencePoint) {
  CliResult r = Sweep({"launch", Spec(R"Y(method: bayes
metrics:
  - {name: loss, goal: minimize}
  - {name: latency, goal: minimize}
where: "x + y <= 1.2"
parameters:
  x: {min: 0.0, max: 1.0}
  y: {min: 0.0, max: 1.0}
)Y"),
                       "--max-trials", "14", "--workers", "2", "--seed", "3"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json top = SweepJson({"top", "latest", "-k", "100"});
  ASSERT_EQ(top["trials"].size(), 14u);
  for (const Json& t : top["trials"]) {
    EXPECT_LE(t["params"]["x"].get<double>() + t["params"]["y"].get<double>(), 1.2 + 1e-9);
    EXPECT_EQ(t["status"], "finished");
  }
  EXPECT_GE(top["front_size"].get<int>(), 1);
  EXPECT_EQ(top["reference_derived"], true);
  EXPECT_GT(top["hypervolume"].get<double>(), 0);
  CliResult st = Sweep({"status", "latest"});
  EXPECT_NE(st.out.find("derived"), std::string::npos) << st.out;
}

TEST_F(MultiObjectiveTest, AMissingConstrainedMetricIsWarnedAndMakesTrialsInfeasible) {
  CliResult r = Sweep({"launch", Spec(R"Y(method: grid
metrics:
  - {name: loss, goal: minimize}
  - {name: latency, goal: minimize}
constraints:
  - {metric: memory, max: 5}
parameters:
  x: {values: [0, 1]}
  mode: {value: nomemory}
)Y")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("without reporting 'memory'"), std::string::npos) << r.err;
  Json top = SweepJson({"top", "latest"});
  for (const Json& t : top["trials"]) {
    EXPECT_EQ(t["feasible"], false);
    EXPECT_EQ(t["violations"][0], "memory not reported");
  }
  EXPECT_EQ(top["front_size"], 0);
}

TEST_F(MultiObjectiveTest, BadSpecsExitTwoWithALocationAndWriteNothing) {
  struct Case {
    std::string body, expect;
  };
  const std::vector<Case> cases = {
      {"method: grid\nmetrics:\n  - {name: loss}\nparameters:\n  x: {values: [0, 1]}\n",
       "sweep.yaml:4:1: metrics: metrics needs at least two"},
      {"method: grid\nmetric: {name: loss}\nwhere: \"x / 0 > 1\"\nparameters:\n  x: {values: [0, "
       "1]}\n",
       "sweep.yaml:5:11: where: division by zero"},
      {"method: grid\nmetric: {name: loss}\nwhere: \"z > 1\"\nparameters:\n  x: {values: [0, 1]}\n",
       "sweep.yaml:5:9: where: unknown parameter 'z'"},
      {"method: grid\nmetric: {name: loss}\nwhere: \"x > 5\"\nparameters:\n  x: {values: [0, 1]}\n",
       "no grid point satisfies"},
      {"method: random\nmetric: {name: loss}\nwhere: \"x > 5\"\nparameters:\n  x: {min: 0.0, max: "
       "1.0}\n",
       "no configuration satisfies this expression"},
  };
  for (const Case& c : cases) {
    const std::string spec = Spec(c.body);
    for (const char* cmd : {"validate", "launch"}) {
      CliResult r = Sweep({cmd, spec});
      EXPECT_EQ(r.exit_code, 2) << cmd << "\n" << c.body << r.out << r.err;
      EXPECT_NE((r.out + r.err).find(c.expect), std::string::npos) << r.out << r.err;
      EXPECT_EQ((r.out + r.err).find("terminate"), std::string::npos);
    }
    EXPECT_FALSE(fs::exists(store())) << "a refused spec wrote the store";
  }
}

}  // namespace
}  // namespace sweep
