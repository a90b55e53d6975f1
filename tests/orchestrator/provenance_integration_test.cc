// Provenance end to end: a real git repository in a temporary folder, dirtied, a
// sweep run by the real binary, and what `sweep show --json` / the store recorded
// checked against what git and the system report. Also `reproduce --run`.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>

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

const char kSecret[] = "planted-s3cr3t-value";

class ProvenanceTest : public ::testing::Test {
 protected:
  std::string Git(const std::string& cwd, std::vector<std::string> args) {
    args.insert(args.begin(),
                {"/usr/bin/git", "-c", "user.email=t@example.com", "-c", "user.name=t"});
    CliOptions o;
    o.cwd = cwd;
    CliResult r = RunProgram(args, o);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::string s = r.out;
    while (!s.empty() && s.back() == '\n') s.pop_back();
    return s;
  }
  // A repository with a committed training script, then dirtied: a modified tracked
  // file, an untracked module the script imports, an untracked binary file.
  std::string MakeDirtyRepo() {
    std::string repo = dir_.Join("repo");
    fs::create_directories(repo);
    Git(repo, {"init", "-q", "-b", "main"});
    WriteFile(repo + "/train.py",
              "import json, os\n"
              "p = json.load(open(os.environ['SWEEP_PARAMS']))\n"
              "from helper import OFFSET\n"
              "SCALE = 1\n"
              "print(f\"loss={p['x'] * SCALE + OFFSET}\")\n");
    Git(repo, {"add", "train.py"});
    Git(repo, {"commit", "-qm", "train"});
    Git(repo, {"remote", "add", "origin", "https://alice:hunter2@example.com/team/repo.git"});
    std::string text = ReadFile(repo + "/train.py");
    text.replace(text.find("SCALE = 1"), 9, "SCALE = 3");
    WriteFile(repo + "/train.py", text);
    WriteFile(repo + "/helper.py", "OFFSET = 0.25\n");
    WriteFile(repo + "/weights.bin", std::string("\x00\xff\x10\x80 binary", 11));
    WriteFile(repo + "/sweep.yaml",
              "program: train.py\ninterpreter: /usr/bin/python3\nmethod: grid\n"
              "metric: {name: loss, goal: minimize}\n"
              "parameters:\n  x: {values: [1, 2]}\n"
              "track: {env_vars: ['MY_*', 'OMP_*', 'PATH']}\n"
              "artifacts: ['out.txt']\n");
    return repo;
  }
  CliResult Sweep(const std::string& cwd, std::vector<std::string> args) {
    args.insert(args.begin(), {"--store", store()});
    CliOptions o;
    o.cwd = cwd;
    o.env["MY_API_TOKEN"] = kSecret;
    o.env["OMP_NUM_THREADS"] = "3";
    o.timeout_s = 180;
    return RunSweep(args, o);
  }
  Json SweepJson(const std::string& cwd, std::vector<std::string> args) {
    if (args[0] != "export") args.push_back("--json");
    CliResult r = Sweep(cwd, args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return Json::parse(r.out, nullptr, false);
  }
  std::string store() const { return dir_.Join("store"); }
  testing::TempDir dir_;
};

TEST_F(ProvenanceTest, DirtyRepoTrialRecordsCodeEnvironmentAndNoSecret) {
  std::string repo = MakeDirtyRepo();
  CliResult r = Sweep(repo, {"launch", "sweep.yaml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json trials = SweepJson(repo, {"export", "latest", "--format", "json"})["trials"];
  ASSERT_EQ(trials.size(), 2u);
  std::string id = trials[0]["id"];
  Json show = SweepJson(repo, {"show", id});
  Json code = show["code"];
  EXPECT_EQ(code["repo"], true);
  EXPECT_EQ(code["commit"], Git(repo, {"rev-parse", "HEAD"}));
  EXPECT_EQ(code["branch"], "main");
  EXPECT_EQ(code["remote"], "https://example.com/team/repo.git");
  EXPECT_EQ(code["dirty"], true);
  std::string patch = code["diff"]["path"];
  std::string body = ReadFile(patch);
  EXPECT_NE(body.find("+SCALE = 3"), std::string::npos);
  EXPECT_NE(body.find("helper.py"), std::string::npos);
  EXPECT_NE(body.find("GIT binary patch"), std::string::npos);
  EXPECT_EQ(code["program"]["path"], fs::canonical(repo + "/train.py").string());
  // Both trials saw the same tree: one diff file, one environment row.
  Json other = SweepJson(repo, {"show", trials[1]["id"]});
  EXPECT_EQ(other["code"]["diff"]["path"], patch);
  EXPECT_EQ(other["env_hash"], show["env_hash"]);

  Json env = show["environment"];
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  EXPECT_EQ(env["hostname"], std::string(host));
  EXPECT_TRUE(env["gpus"].is_array());
  EXPECT_EQ(env["env_vars"]["OMP_NUM_THREADS"], "3");
  EXPECT_FALSE(env["env_vars"].contains("MY_API_TOKEN"));
  EXPECT_EQ(env["interpreter"]["path"], fs::canonical("/usr/bin/python3").string());
  EXPECT_GT(env["packages"].size(), 5u);
  ASSERT_TRUE(show["warnings"].is_array());
  EXPECT_NE(show["warnings"].dump().find("'out.txt' matched nothing"), std::string::npos);

  CliResult text = Sweep(repo, {"show", id});
  EXPECT_NE(text.out.find("commit"), std::string::npos);
  EXPECT_NE(text.out.find(patch), std::string::npos);
  EXPECT_NE(text.out.find("packages"), std::string::npos);

  // The planted secret is nowhere in the store: database files, trial folders, blobs.
  for (const auto& e : fs::recursive_directory_iterator(store())) {
    if (!e.is_regular_file()) continue;
    EXPECT_EQ(ReadFile(e.path().string()).find(kSecret), std::string::npos) << e.path();
  }
}

TEST_F(ProvenanceTest, ReproduceRunOfADirtyTreeTrialGivesTheSameMetrics) {
  std::string repo = MakeDirtyRepo();
  ASSERT_EQ(Sweep(repo, {"launch", "sweep.yaml"}).exit_code, 0);
  Json trials = SweepJson(repo, {"export", "latest", "--format", "json"})["trials"];
  ASSERT_EQ(trials.size(), 2u);
  std::string id = trials[1]["id"];
  CliResult printed = Sweep(repo, {"reproduce", id});
  ASSERT_EQ(printed.exit_code, 0) << printed.err;
  EXPECT_NE(printed.out.find("train.py"), std::string::npos);
  EXPECT_NE(printed.out.find("git apply --binary"), std::string::npos);
  EXPECT_NE(printed.out.find("OMP_NUM_THREADS=3"), std::string::npos);

  // Change the working tree afterwards: the re-run must use the recorded code.
  WriteFile(repo + "/helper.py", "OFFSET = 100\n");
  CliResult rerun = Sweep(dir_.path(), {"reproduce", id, "--run"});
  ASSERT_EQ(rerun.exit_code, 0) << rerun.err << rerun.out;
  Json latest = SweepJson(repo, {"export", "latest", "--format", "json"})["trials"];
  ASSERT_EQ(latest.size(), 1u);
  EXPECT_EQ(latest[0]["params"], trials[1]["params"]);
  EXPECT_EQ(latest[0]["metrics"]["loss"], trials[1]["metrics"]["loss"]) << latest.dump();
  Json shown = SweepJson(repo, {"show", latest[0]["id"]});
  EXPECT_EQ(shown["reproduces"], id);
  EXPECT_EQ(shown["code"]["commit"], Git(repo, {"rev-parse", "HEAD"}));
}

TEST_F(ProvenanceTest, ProgramOutsideAnyRepositoryIsRecordedWithItsHash) {
  std::string work = dir_.Join("plain");
  fs::create_directories(work);
  WriteFile(work + "/train.py", "print('loss=1')\n");
  WriteFile(work + "/sweep.yaml",
            "program: train.py\ninterpreter: /usr/bin/python3\nmethod: grid\n"
            "parameters:\n  x: {value: 1}\n");
  ASSERT_EQ(Sweep(work, {"launch", "sweep.yaml"}).exit_code, 0);
  Json trials = SweepJson(work, {"export", "latest", "--format", "json"})["trials"];
  ASSERT_EQ(trials.size(), 1u);
  Json show = SweepJson(work, {"show", trials[0]["id"]});
  EXPECT_EQ(show["code"]["repo"], false);
  CliResult sum = RunProgram({"/usr/bin/sha256sum", work + "/train.py"});
  EXPECT_EQ(show["code"]["program"]["sha256"], sum.out.substr(0, 64));
  CliResult printed = Sweep(work, {"reproduce", trials[0]["id"]});
  EXPECT_NE(printed.out.find("not a git repository"), std::string::npos);
}

TEST_F(ProvenanceTest, DiffOverTheCapIsTruncatedAndSaysSo) {
  std::string repo = MakeDirtyRepo();
  WriteFile(repo + "/sweep.yaml",
            "program: train.py\ninterpreter: /usr/bin/python3\nmethod: grid\n"
            "parameters:\n  x: {value: 1}\ntrack: {max_diff_bytes: 200}\n");
  WriteFile(repo + "/helper.py", "OFFSET = 0.25\n" + std::string(5000, '#') + "\n");
  ASSERT_EQ(Sweep(repo, {"launch", "sweep.yaml"}).exit_code, 0);
  Json trials = SweepJson(repo, {"export", "latest", "--format", "json"})["trials"];
  Json diff = SweepJson(repo, {"show", trials[0]["id"]})["code"]["diff"];
  EXPECT_EQ(diff["truncated"], true);
  EXPECT_GT(diff["original_size"].get<int64_t>(), 5000);
  EXPECT_NE(Sweep(repo, {"show", trials[0]["id"]}).out.find("TRUNCATED"), std::string::npos);
  CliResult rerun = Sweep(repo, {"reproduce", trials[0]["id"], "--run"});
  EXPECT_EQ(rerun.exit_code, 1);
  EXPECT_NE(rerun.err.find("truncated"), std::string::npos);
}

}  // namespace
}  // namespace sweep

namespace sweep {
namespace {

TEST_F(ProvenanceTest, CompareMarksDifferingCommits) {
  std::string repo = MakeDirtyRepo();
  ASSERT_EQ(Sweep(repo, {"launch", "sweep.yaml"}).exit_code, 0);
  std::string first = SweepJson(repo, {"export", "latest", "--format", "json"})["trials"][0]["id"];
  Git(repo, {"add", "-A"});
  Git(repo, {"commit", "-qm", "second"});
  ASSERT_EQ(Sweep(repo, {"launch", "sweep.yaml"}).exit_code, 0);
  std::string second = SweepJson(repo, {"export", "latest", "--format", "json"})["trials"][0]["id"];
  Json cmp = SweepJson(repo, {"compare", first, second});
  std::string differing = cmp["differing"].dump();
  EXPECT_NE(differing.find("code.commit"), std::string::npos) << differing;
  EXPECT_NE(differing.find("code.dirty"), std::string::npos) << differing;
  EXPECT_EQ(differing.find("packages."), std::string::npos) << differing;  // same interpreter
}

TEST_F(ProvenanceTest, MissingDataPathFailsBeforeAnythingIsWritten) {
  std::string work = dir_.Join("plain");
  fs::create_directories(work);
  WriteFile(work + "/train.py", "print('loss=1')\n");
  WriteFile(work + "/sweep.yaml",
            "program: train.py\ninterpreter: /usr/bin/python3\nmethod: grid\n"
            "parameters:\n  x: {value: 1}\ndata: [missing.csv]\n");
  CliResult r = Sweep(work, {"launch", "sweep.yaml"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("missing.csv"), std::string::npos);
  EXPECT_FALSE(fs::exists(store()));
}

TEST_F(ProvenanceTest, DataHashesAndArtifactsAreRecordedPerTrial) {
  std::string work = dir_.Join("plain");
  fs::create_directories(work + "/data");
  WriteFile(work + "/data/train.csv", "a,b\n1,2\n");
  WriteFile(work + "/train.py",
            "import os\nopen(os.environ['SWEEP_TRIAL_DIR'] + '/model.txt', 'w').write('m')\n"
            "print('loss=1')\n");
  WriteFile(work + "/sweep.yaml",
            "program: train.py\ninterpreter: /usr/bin/python3\nmethod: grid\n"
            "parameters:\n  x: {value: 1}\ndata: [data]\nartifacts: ['model.txt']\n");
  ASSERT_EQ(Sweep(work, {"launch", "sweep.yaml"}).exit_code, 0);
  Json trials = SweepJson(work, {"export", "latest", "--format", "json"})["trials"];
  Json show = SweepJson(work, {"show", trials[0]["id"]});
  ASSERT_EQ(show["data"].size(), 1u) << show.dump();
  EXPECT_EQ(show["data"][0]["kind"], "dir");
  EXPECT_EQ(show["data"][0]["files"], 1);
  ASSERT_EQ(show["artifacts"].size(), 1u) << show.dump();
  EXPECT_EQ(show["artifacts"][0]["path"], "model.txt");
  EXPECT_EQ(show["artifacts"][0]["size"], 1);
  EXPECT_EQ(ReadFile(show["trial_dir"].get<std::string>() + "/artifacts/model.txt"), "m");
}

}  // namespace
}  // namespace sweep
