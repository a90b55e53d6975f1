// `sweep launch` killed with SIGKILL never records that it ended. `sweep status`,
// `sweep ls`, `sweep stop` and the dashboard must say that its controller is gone
// (pid, host, last seen) and how to go on, while a live one is shown as running.
#include <gtest/gtest.h>
#include <signal.h>

#include <nlohmann/json.hpp>

#include "orchestrator/store/controller_probe.h"
#include "orchestrator/store/trial_store.h"
#include "orchestrator/ui/ui_api.h"
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

class DeadControllerTest : public ::testing::Test {
 protected:
  CliResult Sweep(std::vector<std::string> args) {
    args.insert(args.begin(), {"--store", dir_.Join("store")});
    CliOptions o;
    o.cwd = dir_.path();
    o.timeout_s = 60;
    return RunSweep(args, o);
  }
  Json SweepJson(std::vector<std::string> args) {
    args.push_back("--json");
    CliResult r = Sweep(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return Json::parse(r.out, nullptr, false);
  }
  testing::TempDir dir_;
};

TEST_F(DeadControllerTest, KillNineTurnsRunningIntoInterruptedWithTheWayOn) {
  // One slow trial (60 s) keeps the sweep running until the controller is killed.
  WriteFile(dir_.Join("sweep.yaml"), "program: " + std::string(SWEEP_TESTDATA) +
                                         "/sweeps/objective.py\ninterpreter: /usr/bin/python3\n"
                                         "method: grid\nmetric: {name: loss}\nparameters:\n"
                                         "  x: {value: 1}\n  steps: {value: 600}\n"
                                         "  sleep: {value: 0.1}\n");
  CliOptions o;
  o.cwd = dir_.path();
  pid_t pid =
      testing::StartSweep({"--store", dir_.Join("store"), "launch", dir_.Join("sweep.yaml")}, o,
                          dir_.Join("out.txt"), dir_.Join("err.txt"));
  ASSERT_GT(pid, 0);
  std::string id;
  ASSERT_TRUE(testing::WaitUntil(
      [&] {
        CliResult r = Sweep({"status", "--json"});
        Json s = Json::parse(r.out, nullptr, false);
        if (!s.is_object() || s["counts"]["running"] != 1) return false;
        id = s["id"];
        return true;
      },
      60, 0.2))
      << testing::ReadFile(dir_.Join("err.txt"));

  // Alive: running, and the lock names this very process.
  Json live = SweepJson({"status", id});
  EXPECT_EQ(live["status"], "running") << live;
  EXPECT_EQ(live["controller"]["running"], true);
  EXPECT_EQ(live["controller"]["pid"], pid);
  EXPECT_EQ(live["controller"]["host"], LocalHostName());
  CliResult live_text = Sweep({"status", id});
  EXPECT_EQ(live_text.out.find("controller not running"), std::string::npos) << live_text.out;

  ::kill(pid, SIGKILL);
  EXPECT_EQ(testing::WaitChild(pid, 30), 1000 + SIGKILL);

  const std::string expected = "controller not running (pid " + std::to_string(pid) + " on " +
                               LocalHostName() + ", last seen ";
  CliResult status = Sweep({"status", id});
  EXPECT_EQ(status.exit_code, 0) << status.err;
  EXPECT_NE(status.out.find("status    interrupted"), std::string::npos) << status.out;
  EXPECT_NE(status.out.find(expected), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("sweep resume " + id), std::string::npos) << status.out;

  Json dead = SweepJson({"status", id});
  EXPECT_EQ(dead["status"], "interrupted") << dead;
  EXPECT_EQ(dead["controller"]["running"], false);
  EXPECT_EQ(dead["controller"]["pid"], pid);
  EXPECT_TRUE(dead["controller"]["last_seen"].is_string()) << dead;

  CliResult ls = Sweep({"ls"});
  EXPECT_NE(ls.out.find("interrupted"), std::string::npos) << ls.out;
  EXPECT_NE(ls.out.find(id + ": " + expected), std::string::npos) << ls.out;
  Json ls_json = SweepJson({"ls"});
  EXPECT_EQ(ls_json["sweeps"][0]["status"], "interrupted");

  CliResult stop = Sweep({"stop", id});
  EXPECT_EQ(stop.exit_code, 1);
  EXPECT_NE(stop.err.find("controller not running"), std::string::npos) << stop.err;

  {
    auto store = OpenStore(dir_.Join("store"), StoreOptions{.read_only = true, .create = false});
    ASSERT_TRUE(store.ok()) << store.status().message();
    UiApiOptions opts;
    opts.background = false;
    UiApi api(**store, opts);
    UiResponse r = api.Handle({"GET", "/api/sweeps/" + id, ""});
    ASSERT_EQ(r.status, 200) << r.body;
    Json v = Json::parse(r.body);
    EXPECT_EQ(v["status"], "interrupted");
    EXPECT_NE(v["reason"].get<std::string>().find(expected), std::string::npos) << v["reason"];
  }

  // The way on works: resume takes the free lock and the sweep is running again.
  pid_t again = testing::StartSweep({"--store", dir_.Join("store"), "resume", id}, o,
                                    dir_.Join("out2.txt"), dir_.Join("err2.txt"));
  ASSERT_GT(again, 0);
  EXPECT_TRUE(testing::WaitUntil(
      [&] {
        Json s = Json::parse(Sweep({"status", id, "--json"}).out, nullptr, false);
        return s.is_object() && s["status"] == "running" && s["controller"]["pid"] == again;
      },
      60, 0.2))
      << testing::ReadFile(dir_.Join("err2.txt"));
  ::kill(again, SIGINT);
  testing::WaitChild(again, 60);
}

}  // namespace
}  // namespace sweep
