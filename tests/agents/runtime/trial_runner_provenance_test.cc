// Provenance through the TrialRunner, trial after trial: what the caches answer on
// the event loop (agents/runtime/trial_runner.cc, CachedCode / CachedEnvironment) is
// exactly what a fresh capture would record, and a change between two trials shows
// in the second one.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <optional>

#include "agents/runtime/provenance_code.h"
#include "agents/runtime/provenance_env.h"
#include "agents/runtime/subprocess.h"
#include "agents/runtime/trial_runner.h"
#include "tests/agents/agents_test_util.h"
#include "tests/testing/backdate.h"

namespace sweep {
namespace {

using testing::TempDir;

void Write(const std::string& path, const std::string& text) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

void Git(const std::string& cwd, std::vector<std::string> args) {
  args.insert(args.begin(), {"git", "-c", "user.email=t@example.com", "-c", "user.name=t"});
  auto r = RunCapture(args, 30, cwd);
  ASSERT_TRUE(r.ok()) << r.status().message();
}

// Runs trials one at a time on one runner, as a worker slot does.
class Slot {
 public:
  Slot() : runner_(io_, {nullptr, [this](const std::string&, const TrialEnd& e) { end_ = e; }}) {}

  TrialEnd Run(TrialLaunch l) {
    l.sweep_id = "s";
    l.trial_id = "t" + std::to_string(++n_);
    l.trial_dir = trials_ / l.trial_id;  // outside the repository: no trial file dirties it
    l.provenance.enabled = true;
    end_.reset();
    runner_.Start(l);
    EXPECT_TRUE(testing::RunUntil(
        io_, [&] { return end_.has_value(); }, 120));
    return end_.value_or(TrialEnd{});
  }

 private:
  boost::asio::io_context io_;
  TempDir trials_;
  std::optional<TrialEnd> end_;
  int n_ = 0;
  TrialRunner runner_;
};

TEST(TrialRunnerProvenance, AnEditOfATrackedFileShowsInTheNextTrialsDiff) {
  TempDir dir;
  std::string repo = dir / "repo";
  Write(repo + "/train.py", "lr = 0.1\n");
  Git(repo, {"init", "-q", "-b", "main"});
  Git(repo, {"add", "."});
  Git(repo, {"commit", "-qm", "first"});
  Write(repo + "/train.py", "lr = 0.2\n");
  testing::BackdateTree(repo);  // old edits: the stamp may be trusted
  Slot slot;
  TrialLaunch l;
  l.argv = {"/bin/true"};
  l.workdir = repo;

  Value first = slot.Run(l).provenance;
  ASSERT_EQ(first["code"]["dirty"], true) << first.dump();
  EXPECT_NE(first["code"]["diff_body"].get<std::string>().find("+lr = 0.2"), std::string::npos);
  uint64_t runs = CodeCapturesRun();
  Value second = slot.Run(l).provenance;
  EXPECT_EQ(second["code"], first["code"]);
  EXPECT_EQ(CodeCapturesRun(), runs) << "an unchanged tree ran git again";

  Write(repo + "/train.py", "lr = 0.3\n");  // same size, new content, fresh mtime
  Value third = slot.Run(l).provenance;
  EXPECT_NE(third["code"]["diff"]["sha256"], first["code"]["diff"]["sha256"]);
  EXPECT_NE(third["code"]["diff_body"].get<std::string>().find("+lr = 0.3"), std::string::npos);
  EXPECT_EQ(third["code"]["commit"], first["code"]["commit"]);
}

TEST(TrialRunnerProvenance, AChangedPackageChangesTheNextTrialsEnvironmentHash) {
  TempDir dir;
  std::string site = dir / "site";
  auto install = [&](const std::string& version) {
    std::filesystem::remove_all(site);
    Write(site + "/sweepfakepkg-" + version + ".dist-info/METADATA",
          "Metadata-Version: 2.1\nName: sweepfakepkg\nVersion: " + version + "\n");
  };
  auto has = [](const Value& env, const std::string& pkg) {
    for (const Value& p : env["packages"])
      if (p == pkg) return true;
    return false;
  };
  install("1.0");
  testing::BackdateTree(dir.path());
  Slot slot;
  TrialLaunch l;
  l.argv = {"/usr/bin/python3", "-c", "pass"};
  l.workdir = dir.path();
  l.env = {{"PYTHONPATH", site}};

  Value first = slot.Run(l).provenance;
  ASSERT_TRUE(has(first["env"], "sweepfakepkg==1.0")) << first["env"]["packages"].dump();
  uint64_t runs = InterpreterCapturesRun();
  Value second = slot.Run(l).provenance;
  EXPECT_EQ(second["env_hash"], first["env_hash"]);
  EXPECT_EQ(InterpreterCapturesRun(), runs) << "an unchanged environment ran Python again";

  install("2.0");
  Value upgraded = slot.Run(l).provenance;
  EXPECT_TRUE(has(upgraded["env"], "sweepfakepkg==2.0")) << upgraded["env"]["packages"].dump();
  EXPECT_NE(upgraded["env_hash"], first["env_hash"]);
  EXPECT_EQ(upgraded["env_hash"], EnvironmentHash(upgraded["env"]));
}

// Outside any repository, a program that reports nothing: the second trial's
// provenance comes from the caches and equals the first one's capture, key for key.
TEST(TrialRunnerProvenance, ACachedAnswerHasTheShapeOfACapture) {
  TempDir dir;
  testing::BackdateTree(dir.path());
  Slot slot;
  TrialLaunch l;
  l.argv = {"/bin/true"};
  l.workdir = dir.path();
  l.provenance.env_vars = {"PATH"};
  Value captured = slot.Run(l).provenance;
  Value cached = slot.Run(l).provenance;
  EXPECT_EQ(cached, captured);
  for (const char* key : {"code", "warnings", "env", "env_hash"})
    EXPECT_TRUE(cached.contains(key)) << key << " missing from " << cached.dump();
  EXPECT_FALSE(cached.contains("reported"));
  EXPECT_EQ(cached["env"]["env_vars"]["PATH"], ::getenv("PATH"));
}

}  // namespace
}  // namespace sweep
