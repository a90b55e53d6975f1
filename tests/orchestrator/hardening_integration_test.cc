// End-to-end checks of issue 14's hardening through the real binary: a damaged store
// is refused for writing and read with a warning; a trial's metric names are capped
// and validated; validate's numeric checks and messages.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/testing/cli_runner.h"
#include "tests/testing/temp_dir.h"

namespace sweep {
namespace {

using testing::CliOptions;
using testing::CliResult;
using testing::ReadFile;
using testing::RunSweep;
using testing::WriteFile;
using Json = nlohmann::json;

class HardeningTest : public ::testing::Test {
 protected:
  // A spec running `script` (Python) with the given extra YAML.
  std::string Spec(const std::string& script, const std::string& body) {
    WriteFile(dir_.path() + "/trial.py", script);
    std::string path = dir_.path() + "/sweep.yaml";
    WriteFile(path, "program: trial.py\ninterpreter: /usr/bin/python3\n" + body);
    return path;
  }
  CliResult Sweep(std::vector<std::string> args) {
    args.insert(args.begin(), {"--store", store()});
    CliOptions o;
    o.cwd = dir_.path();
    o.timeout_s = 120;
    return RunSweep(args, o);
  }
  std::string store() const { return dir_.path() + "/store"; }
  testing::TempDir dir_;
};

const char kTwoTrials[] = R"Y(method: grid
metric: {name: loss, goal: minimize}
parameters:
  x: {values: [1, 2]}
)Y";

const char kPrintLoss[] = "import sys\nprint('loss=1.5')\n";

// Overwrites `bytes` bytes of `path` at `offset` with a fixed garbage pattern.
void Damage(const std::string& path, std::streamoff offset, size_t bytes) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  ASSERT_TRUE(f.good()) << path;
  f.seekp(offset);
  std::string junk(bytes, '\0');
  for (size_t i = 0; i < bytes; ++i) junk[i] = static_cast<char>((i * 131 + 7) & 0xff);
  f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
}

TEST_F(HardeningTest, DamagedStoreIsRefusedForWritingAndReadWithAWarning) {
  std::string spec = Spec(kPrintLoss, kTwoTrials);
  ASSERT_EQ(Sweep({"launch", spec}).exit_code, 0);
  const std::string db = store() + "/sweep.db";
  // The controller's last connection checkpointed the WAL into the file on close.
  CliResult doctor_ok = Sweep({"doctor"});
  EXPECT_EQ(doctor_ok.exit_code, 0) << doctor_ok.out << doctor_ok.err;
  EXPECT_NE(doctor_ok.out.find(": ok"), std::string::npos) << doctor_ok.out;
  // Page 1 holds the schema; pages 2.. the tables and indexes. 4 KiB of garbage at
  // 8 KiB lands on a b-tree page of the default 4096-byte page size.
  const std::string before = ReadFile(db);
  ASSERT_GT(before.size(), 3 * 4096u);
  Damage(db, 8192, 4096);
  const std::string damaged = ReadFile(db);

  CliResult launch = Sweep({"launch", spec});
  EXPECT_NE(launch.exit_code, 0) << launch.out;
  EXPECT_NE(launch.err.find(db), std::string::npos) << launch.err;
  EXPECT_NE(launch.err.find("damaged"), std::string::npos) << launch.err;
  EXPECT_NE(launch.err.find("sweep doctor"), std::string::npos) << launch.err;
  EXPECT_NE(launch.err.find(".recover"), std::string::npos) << launch.err;
  EXPECT_EQ(ReadFile(db), damaged) << "launch wrote into a damaged store";

  CliResult note = Sweep({"note", "latest", "hello"});
  EXPECT_NE(note.exit_code, 0);
  EXPECT_NE(note.err.find("damaged"), std::string::npos) << note.err;
  EXPECT_EQ(ReadFile(db), damaged);

  CliResult ls = Sweep({"ls"});
  EXPECT_NE(ls.err.find("warning: "), std::string::npos) << ls.err;
  EXPECT_NE(ls.err.find("damaged"), std::string::npos) << ls.err;

  CliResult doctor = Sweep({"doctor"});
  EXPECT_EQ(doctor.exit_code, 1) << doctor.out << doctor.err;
  EXPECT_NE(doctor.out.find("damaged"), std::string::npos) << doctor.out;
  EXPECT_NE(doctor.out.find(".recover"), std::string::npos) << doctor.out;
}

TEST_F(HardeningTest, MetricNamesOverTheCapAreDroppedWithOneWarning) {
  std::string spec =
      Spec("for i in range(30):\n    print(f'm{i:02d}={i}')\nprint('loss=0.5')\n",
           "method: grid\nmetric: {name: loss, goal: minimize}\nparameters:\n  x: {value: 1}\n"
           "reporting: {max_metric_names: 10}\n");
  CliResult r = Sweep({"launch", spec});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string all = r.out + r.err;
  EXPECT_NE(all.find("reporting.max_metric_names"), std::string::npos) << all;
  EXPECT_NE(all.find("dropped 20 name(s)"), std::string::npos) << all;
  EXPECT_NE(all.find("'m10'"), std::string::npos) << all;
  CliResult exp = Sweep({"export", "latest", "--format", "json"});
  ASSERT_EQ(exp.exit_code, 0) << exp.err;
  Json doc = Json::parse(exp.out);
  ASSERT_EQ(doc["trials"].size(), 1u);
  Json metrics = doc["trials"][0]["metrics"];
  EXPECT_EQ(metrics.size(), 11u) << metrics;
  EXPECT_TRUE(metrics.contains("m09"));
  EXPECT_FALSE(metrics.contains("m10"));
  // The target metric came after the cap was reached and is kept all the same.
  EXPECT_TRUE(metrics.contains("loss"));
  EXPECT_EQ(doc["trials"][0]["value"], 0.5);
}

// A trial with tens of thousands of metric names: its summary is serialised off the
// controller's loop (a writer thread) and must still be recorded whole, with the W&B
// run summary merged in, and read back identically by every read command.
TEST_F(HardeningTest, AManyNameSummaryIsRecordedWholeAndReadBackByEveryCommand) {
  std::string spec = Spec(
      "import json, os, sys\n"
      "x = int(sys.argv[1].split('=')[1])\n"
      "with open(os.environ['SWEEP_METRICS'], 'a') as f:\n"
      "    for start in range(0, 20000, 1000):\n"
      "        f.write(json.dumps({'m%05d' % i: i * x for i in range(start, start + 1000)}))\n"
      "        f.write('\\n')\n"
      "    f.write(json.dumps({'loss': 1.0 / x}) + '\\n')\n",
      std::string(kTwoTrials) + "reporting: {max_metric_names: 20001}\n");
  CliOptions o;
  o.cwd = dir_.path();
  o.timeout_s = 300;
  o.env["SWEEP_REPORT_LOOP_STALL"] = "1";
  CliResult r = RunSweep({"--store", store(), "launch", spec}, o);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE((r.out + r.err).find("event loop: longest stall"), std::string::npos) << r.err;
  EXPECT_EQ((r.out + r.err).find("max_metric_names"), std::string::npos) << r.err;

  CliResult exp = Sweep({"export", "latest", "--format", "json"});
  ASSERT_EQ(exp.exit_code, 0) << exp.err;
  Json rows = Json::parse(exp.out)["trials"];
  ASSERT_EQ(rows.size(), 2u);
  std::vector<std::string> ids;
  for (const Json& t : rows) {
    const int x = t["params"]["x"].get<int>();
    ids.push_back(t["id"].get<std::string>());
    const Json& m = t["metrics"];
    ASSERT_EQ(m.size(), 20001u) << t["id"];
    EXPECT_EQ(m["m00000"], 0);
    EXPECT_EQ(m["m12345"], 12345 * x);
    EXPECT_EQ(m["m19999"], 19999 * x);
    EXPECT_EQ(t["value"], 1.0 / x);
  }
  CliResult show = Sweep({"show", ids[1], "--json"});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  Json summary = Json::parse(show.out)["metrics"];
  ASSERT_EQ(summary.size(), 20001u);
  EXPECT_EQ(summary["m19999"]["last"], 19999 * 2);
  EXPECT_EQ(summary["m19999"]["count"], 1);
  EXPECT_EQ(summary["loss"]["last"], 0.5);

  CliResult cmp = Sweep({"compare", ids[0], ids[1], "--json"});
  ASSERT_EQ(cmp.exit_code, 0) << cmp.err;
  Json c = Json::parse(cmp.out);
  ASSERT_EQ(c["trials"].size(), 2u);
  EXPECT_EQ(c["trials"][1]["metrics"].size(), 20001u);
  EXPECT_EQ(c["trials"][1]["metrics"]["m00007"], 14);
  CliResult text = Sweep({"compare", ids[0], ids[1]});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("metrics.m19999"), std::string::npos);

  CliResult series = Sweep({"metrics", ids[1], "--json"});
  ASSERT_EQ(series.exit_code, 0) << series.err;
  Json s = Json::parse(series.out)["metrics"];
  ASSERT_EQ(s.size(), 20001u);
  EXPECT_EQ(s["m00003"][0]["value"], 6);
}

TEST_F(HardeningTest, MetricCapOutOfRangeIsASpecError) {
  std::string spec =
      Spec(kPrintLoss, std::string(kTwoTrials) + "reporting: {max_metric_names: 0}\n");
  CliResult r = RunSweep({"validate", spec});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("reporting.max_metric_names"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(":7:"), std::string::npos) << r.err;
}

TEST_F(HardeningTest, BadMetricNamesAreRefusedAndCountedOnce) {
  std::string spec = Spec(
      "import json, os\n"
      "with open(os.environ['SWEEP_METRICS'], 'a') as f:\n"
      "    f.write(json.dumps({'': 1, 'ok': 2}) + '\\n')\n"
      "    f.write(json.dumps({'bad\\nname': 3, 'loss': 0.5}) + '\\n')\n"
      "    f.write(json.dumps({'x' * 300: 4}) + '\\n')\n",
      "method: grid\nmetric: {name: loss, goal: minimize}\nparameters:\n  x: {value: 1}\n");
  CliResult r = Sweep({"launch", spec});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string all = r.out + r.err;
  EXPECT_NE(all.find("3 malformed metric line(s)"), std::string::npos) << all;
  EXPECT_NE(all.find("metric name refused (empty)"), std::string::npos) << all;
  CliResult exp = Sweep({"export", "latest", "--format", "json"});
  Json metrics = Json::parse(exp.out)["trials"][0]["metrics"];
  EXPECT_EQ(metrics.size(), 2u) << metrics;  // ok and loss
  EXPECT_TRUE(metrics.contains("ok"));
  EXPECT_TRUE(metrics.contains("loss"));
}

TEST_F(HardeningTest, NonFiniteValuesAreCountedAndRankAfterFiniteOnes) {
  std::string spec = Spec(
      "import sys\nx = int(sys.argv[1].split('=')[1])\n"
      "print('loss=-inf' if x == 1 else 'loss=2.0')\nprint('loss=3.0' if x == 2 else '')\n",
      "method: grid\nmetric: {name: loss, goal: minimize}\nparameters:\n  x: {values: [1, 2]}\n");
  CliResult r = Sweep({"launch", spec});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  CliResult top = Sweep({"top", "latest", "--json"});
  ASSERT_EQ(top.exit_code, 0) << top.err;
  Json trials = Json::parse(top.out)["trials"];
  ASSERT_EQ(trials.size(), 2u);
  EXPECT_EQ(trials[0]["params"]["x"], 2) << trials;  // 3.0 beats -Infinity
  EXPECT_EQ(trials[1]["params"]["x"], 1);
  CliResult exp = Sweep({"export", "latest", "--format", "json"});
  Json rows = Json::parse(exp.out)["trials"];
  std::string id1;
  for (const Json& t : rows)
    if (t["params"]["x"] == 1) id1 = t["id"].get<std::string>();
  CliResult show = Sweep({"show", id1});
  EXPECT_NE(show.out.find("NON-FINITE"), std::string::npos) << show.out;
  EXPECT_NE(show.out.find("-Infinity"), std::string::npos) << show.out;
}

TEST_F(HardeningTest, ValidateRefusesOverflowingExponentsWithTheirLocation) {
  std::string spec = Spec(kPrintLoss,
                          "method: random\nparameters:\n  lr: {distribution: log_uniform, min: 0, "
                          "max: 1000}\n");
  CliResult r = RunSweep({"validate", spec});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("sweep.yaml:5:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("parameters.lr.max"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("overflows"), std::string::npos) << r.err;
}

TEST_F(HardeningTest, HugeUniformRangeSamplesFiniteValuesInsideIt) {
  std::string spec = Spec(kPrintLoss,
                          "method: random\nparameters:\n  w: {distribution: uniform, min: -1e308, "
                          "max: 1e308}\n");
  CliResult r = RunSweep({"launch", spec, "--dry-run", "--max-trials", "50", "--json"},
                         CliOptions{dir_.path(), {}, 60});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json doc = Json::parse(r.out);
  int distinct_signs[2] = {0, 0};
  for (const Json& t : doc["trials"]) {
    ASSERT_TRUE(t["params"]["w"].is_number_float()) << t;
    double w = t["params"]["w"];
    EXPECT_GE(w, -1e308);
    EXPECT_LE(w, 1e308);
    distinct_signs[w < 0 ? 0 : 1]++;
  }
  EXPECT_GT(distinct_signs[0], 5);
  EXPECT_GT(distinct_signs[1], 5);
}

TEST_F(HardeningTest, HugeGridCountIsExactAndLocationsArePrintedOnce) {
  std::string params;
  for (int i = 0; i < 10; ++i) params += "  p" + std::to_string(i) + ": {min: 1, max: 100}\n";
  std::string spec = Spec(kPrintLoss, "method: grid\nparameters:\n" + params);
  CliResult r = RunSweep({"validate", spec});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("(100000000000000000000 configuration(s))"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("18446744073709551615"), std::string::npos) << r.out;

  // The parser accepts this; the grid strategy refuses it with the parameter's location.
  std::string bad = Spec(kPrintLoss,
                         "method: grid\nparameters:\n  x: {values: [1, 2], probabilities: [0.5, "
                         "0.5]}\n");
  for (const char* cmd : {"validate", "launch"}) {
    std::vector<std::string> args = {cmd, bad};
    if (std::string(cmd) == "launch") args.insert(args.end(), {"--store", store()});
    CliResult v = RunSweep(args, CliOptions{dir_.path(), {}, 60});
    EXPECT_EQ(v.exit_code, 2) << cmd;
    // One location, not "sweep.yaml: method: sweep.yaml:5:3: ...".
    size_t first = v.err.find("sweep.yaml:5:3: ");
    ASSERT_NE(first, std::string::npos) << cmd << ": " << v.err;
    EXPECT_EQ(v.err.find("sweep.yaml", first + 1), std::string::npos) << v.err;
    EXPECT_NE(v.err.find("probabilities"), std::string::npos) << v.err;
  }
}

}  // namespace
}  // namespace sweep
