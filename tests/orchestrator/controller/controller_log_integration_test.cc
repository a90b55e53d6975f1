// The controller's log through spdlog, end to end: the real binary writes
// .sweep/sweeps/<id>/controller.log, `sweep logs --controller` prints it (refusing a
// symbolic link), and the global --log-level / -q flags shape the terminal.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>

#include "test_paths.h"
#include "tests/testing/cli_runner.h"
#include "tests/testing/temp_dir.h"

namespace sweep {
namespace {

using testing::CliOptions;
using testing::CliResult;
using testing::ReadFile;
using testing::RunSweep;
using testing::WriteFile;

const std::string kObjective = std::string(SWEEP_TESTDATA) + "/sweeps/objective.py";

class ControllerLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    spec_ = dir_.path() + "/sweep.yaml";
    WriteFile(spec_, "program: " + kObjective +
                         "\ninterpreter: /usr/bin/python3\nmethod: grid\n"
                         "metric: {name: loss}\nparameters:\n  x: {values: [1, 2]}\n"
                         "  steps: {value: 1}\n");
  }
  CliResult Sweep(std::vector<std::string> args) {
    args.insert(args.begin(), {"--store", store()});
    CliOptions o;
    o.cwd = dir_.path();
    return RunSweep(args, o);
  }
  std::string SweepId() {
    CliResult r = Sweep({"ls", "--json"});
    auto doc = nlohmann::json::parse(r.out, nullptr, false);
    if (!doc.is_object() || doc["sweeps"].empty()) return "";
    return doc["sweeps"][0]["id"].get<std::string>();
  }
  std::string LogPath(const std::string& id) {
    return store() + "/sweeps/" + id + "/controller.log";
  }
  std::string store() const { return dir_.path() + "/store"; }
  testing::TempDir dir_;
  std::string spec_;
};

TEST_F(ControllerLogTest, LaunchWritesTimestampedLevelledLinesThatLogsControllerPrints) {
  CliResult r = Sweep({"--log-level", "debug", "launch", spec_});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string id = SweepId();
  ASSERT_FALSE(id.empty());
  std::string log = ReadFile(LogPath(id));
  // Each line: an ISO UTC time with milliseconds, the level, the text users saw.
  std::regex start(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z info  start )" + id + "-0 ");
  EXPECT_TRUE(std::regex_search(log, start)) << log;
  EXPECT_NE(log.find(" debug placed " + id + "-0 on local"), std::string::npos) << log;
  EXPECT_NE(log.find(" info  finished " + id + "-1 loss="), std::string::npos) << log;
  // The terminal shows the same text without level tags; debug lines too at debug.
  EXPECT_NE(r.err.find("start " + id + "-0 "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("placed " + id + "-0 on local"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find(" info "), std::string::npos) << r.err;

  CliResult logs = Sweep({"logs", "--controller", id});
  EXPECT_EQ(logs.exit_code, 0) << logs.err;
  EXPECT_EQ(logs.out, log);
}

TEST_F(ControllerLogTest, QuietKeepsTrialLinesOffTheTerminalButInTheFile) {
  CliResult r = Sweep({"-q", "launch", spec_});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string id = SweepId();
  EXPECT_EQ(r.err.find("start " + id), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("sweep " + id + " finished"), std::string::npos) << r.err;
  std::string log = ReadFile(LogPath(id));
  EXPECT_NE(log.find("info  start " + id + "-0"), std::string::npos) << log;
  // The default level keeps debug lines out of the file.
  EXPECT_EQ(log.find(" debug "), std::string::npos) << log;
}

TEST_F(ControllerLogTest, ASymbolicLinkInPlaceOfTheLogIsRefused) {
  ASSERT_EQ(Sweep({"launch", spec_}).exit_code, 0);
  std::string id = SweepId();
  std::string secret = dir_.path() + "/secret.txt";
  WriteFile(secret, "do not print me\n");
  std::filesystem::remove(LogPath(id));
  std::filesystem::create_symlink(secret, LogPath(id));
  CliResult r = Sweep({"logs", "--controller", id});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("symbolic link"), std::string::npos) << r.err;
  EXPECT_EQ(r.out.find("do not print me"), std::string::npos);
}

TEST_F(ControllerLogTest, BadFlagsAreUsageErrors) {
  CliResult r = Sweep({"--log-level", "loud", "ls"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--log-level"), std::string::npos) << r.err;
  r = Sweep({"logs", "--controller", "latest", "--follow"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--controller takes neither"), std::string::npos) << r.err;
}

TEST_F(ControllerLogTest, ASweepWithoutALogIsNotFound) {
  ASSERT_EQ(Sweep({"launch", spec_}).exit_code, 0);
  std::string id = SweepId();
  std::filesystem::remove(LogPath(id));
  CliResult r = Sweep({"logs", "--controller", id});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("has no controller log"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace sweep
