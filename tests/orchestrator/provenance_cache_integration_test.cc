// Cached provenance stays exact, end to end: the real binary runs three trials one
// after the other in one process (so the second and third are answered from the
// per-process caches unless something changed), and the middle trial changes what
// provenance records. The third trial must record the change. The repository and
// package folder are backdated first, so the cache really is consulted (a fresh
// file is never trusted: agents/runtime/stat_stamp.h).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "tests/testing/backdate.h"
#include "tests/testing/cli_runner.h"
#include "tests/testing/temp_dir.h"

namespace sweep {
namespace {

namespace fs = std::filesystem;
using testing::CliOptions;
using testing::CliResult;
using testing::ReadFile;
using testing::RunProgram;
using testing::RunSweep;
using testing::WriteFile;
using Json = nlohmann::json;

class ProvenanceCacheTest : public ::testing::Test {
 protected:
  void Git(const std::string& cwd, std::vector<std::string> args) {
    args.insert(args.begin(),
                {"/usr/bin/git", "-c", "user.email=t@example.com", "-c", "user.name=t"});
    CliOptions o;
    o.cwd = cwd;
    CliResult r = RunProgram(args, o);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  // A committed repository whose train.py, when x == 2, runs `change` (Python).
  void MakeRepo(const std::string& change) {
    fs::create_directories(repo());
    Git(repo(), {"init", "-q", "-b", "main"});
    WriteFile(repo() + "/train.py",
              "import json, os\n"
              "p = json.load(open(os.environ['SWEEP_PARAMS']))\n"
              "if p['x'] == 2:\n" +
                  change + "print('loss=%s' % p['x'])\n");
    WriteFile(repo() + "/notes.txt", "first line\n");
    WriteFile(repo() + "/sweep.yaml",
              "program: train.py\ninterpreter: /usr/bin/python3\nmethod: grid\n"
              "metric: {name: loss, goal: minimize}\n"
              "parameters:\n  x: {values: [1, 2, 3]}\n");
    Git(repo(), {"add", "."});
    Git(repo(), {"commit", "-qm", "start"});
  }
  // Runs the sweep with one worker; returns `sweep show --json` of trials 1..3.
  std::vector<Json> Run(std::map<std::string, std::string> env = {}) {
    testing::BackdateTree(dir_.path());
    CliOptions o;
    o.cwd = repo();
    o.env = std::move(env);
    o.timeout_s = 180;
    CliResult r = RunSweep({"--store", store(), "launch", "sweep.yaml", "--workers", "1"}, o);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    CliResult ex = RunSweep({"--store", store(), "export", "latest", "--format", "json"}, o);
    Json trials = Json::parse(ex.out, nullptr, false)["trials"];
    std::vector<Json> shown;
    if (!trials.is_array()) return shown;
    std::sort(trials.begin(), trials.end(),
              [](const Json& a, const Json& b) { return a["number"] < b["number"]; });
    for (const Json& t : trials) {
      CliResult s = RunSweep({"--store", store(), "show", t["id"], "--json"}, o);
      shown.push_back(Json::parse(s.out, nullptr, false));
    }
    return shown;
  }
  std::string repo() const { return dir_.Join("repo"); }
  std::string store() const { return dir_.Join("store"); }
  testing::TempDir dir_;
};

TEST_F(ProvenanceCacheTest, ATrackedFileEditedBetweenTrialsChangesTheNextTrialsDiff) {
  MakeRepo("  open('notes.txt', 'a').write('edited by trial 2\\n')\n");
  std::vector<Json> t = Run();
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t[0]["code"]["dirty"], false) << t[0]["code"].dump();
  ASSERT_EQ(t[2]["code"]["dirty"], true) << t[2]["code"].dump();
  std::string patch = ReadFile(t[2]["code"]["diff"]["path"].get<std::string>());
  EXPECT_NE(patch.find("+edited by trial 2"), std::string::npos) << patch;
  EXPECT_EQ(t[2]["code"]["commit"], t[0]["code"]["commit"]);
}

TEST_F(ProvenanceCacheTest, APackageUpgradedBetweenTrialsChangesTheNextTrialsEnvironment) {
  std::string site = dir_.Join("site");
  fs::create_directories(site + "/sweepfakepkg-1.0.dist-info");
  WriteFile(site + "/sweepfakepkg-1.0.dist-info/METADATA",
            "Metadata-Version: 2.1\nName: sweepfakepkg\nVersion: 1.0\n");
  // The upgrade pip would do: the old dist-info goes, the new one comes.
  MakeRepo(
      "  import shutil\n  site = os.environ['FAKE_SITE']\n"
      "  shutil.rmtree(site + '/sweepfakepkg-1.0.dist-info')\n"
      "  os.makedirs(site + '/sweepfakepkg-2.0.dist-info')\n"
      "  open(site + '/sweepfakepkg-2.0.dist-info/METADATA', 'w').write("
      "'Metadata-Version: 2.1\\nName: sweepfakepkg\\nVersion: 2.0\\n')\n");
  std::vector<Json> t = Run({{"PYTHONPATH", site}, {"FAKE_SITE", site}});
  ASSERT_EQ(t.size(), 3u);
  auto packages = [](const Json& shown) { return shown["environment"]["packages"].dump(); };
  EXPECT_NE(packages(t[0]).find("sweepfakepkg==1.0"), std::string::npos) << packages(t[0]);
  EXPECT_NE(packages(t[2]).find("sweepfakepkg==2.0"), std::string::npos) << packages(t[2]);
  EXPECT_NE(t[2]["env_hash"], t[0]["env_hash"]);
}

}  // namespace
}  // namespace sweep
