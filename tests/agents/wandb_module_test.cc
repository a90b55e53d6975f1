// agents/python/wandb (sweep's bundled W&B module) run by the real interpreter:
// W&B's step rules, config locking and errors, summary modes, what it writes, and
// its answer to an API it lacks. The end-to-end runs through `sweep launch` are in
// tests/orchestrator/wandb_integration_test.cc.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>

#include "agents/runtime/subprocess.h"
#include "agents/runtime/wandb_files.h"
#include "test_paths.h"
#include "tests/agents/agents_test_util.h"

namespace sweep {
namespace {

using testing::ReadFile;
using testing::RunUntil;
using testing::TempDir;
using Json = nlohmann::json;

struct PyRun {
  std::string out, err;
  ExitStatus exit;
};

// Runs `python3 -c code` as a trial would: SWEEP_* pointing into dir, the module on
// PYTHONPATH, and params.json holding `params`.
PyRun RunTrial(const TempDir& dir, const std::string& code, const std::string& params = "{}") {
  boost::asio::io_context io;
  std::ofstream(dir / "params.json") << params;
  SpawnOptions o;
  o.argv = {"/usr/bin/python3", "-c", code};
  o.cwd = dir.path();
  o.env = {"PYTHONPATH=" + std::string(SWEEP_SOURCE_DIR) + "/agents/python",
           "SWEEP_TRIAL_DIR=" + dir.path(), "SWEEP_PARAMS=" + (dir / "params.json"),
           "SWEEP_METRICS=" + (dir / "metrics.jsonl"), "SWEEP_TRIAL_ID=t-1"};
  o.stderr_path = dir / "stderr";
  PyRun run;
  std::optional<ExitStatus> exit;
  SubprocessCallbacks cb;
  cb.on_stdout_line = [&](std::string_view l, bool) { run.out += std::string(l) + "\n"; };
  cb.on_exit = [&](const ExitStatus& s) { exit = s; };
  auto p = Subprocess::Spawn(io, o, std::move(cb));
  EXPECT_TRUE(p.ok()) << p.status().message();
  if (!p.ok()) return run;
  EXPECT_TRUE(RunUntil(io, [&] { return exit.has_value(); }));
  run.exit = exit.value_or(ExitStatus{});
  run.err = ReadFile(dir / "stderr");
  return run;
}

TEST(WandbModule, FollowsWandbStepRules) {
  TempDir dir;
  auto run = RunTrial(dir,
                      "import wandb\n"
                      "wandb.init()\n"
                      "wandb.log({'a': 1})\n"                // step 0
                      "wandb.log({'b': 2}, commit=False)\n"  // step 1, pending
                      "wandb.log({'c': 3})\n"                // joins step 1
                      "wandb.log({'d': 4}, step=5)\n"        // jumps to 5, not committed
                      "wandb.log({'e': 5}, step=5)\n"        // same row
                      "wandb.log({'f': 6}, step=2)\n"        // backwards: ignored
                      "wandb.log({'g': {'h': 7}})\n"         // commits 5, then 6: g/h
                      "wandb.finish()\n");
  ASSERT_TRUE(run.exit.ok()) << run.err;
  EXPECT_EQ(ReadFile(dir / "metrics.jsonl"),
            "{\"step\":0,\"a\":1}\n{\"step\":1,\"b\":2,\"c\":3}\n"
            "{\"step\":5,\"d\":4,\"e\":5,\"g/h\":7}\n");
  EXPECT_NE(run.err.find("Steps must be monotonically increasing"), std::string::npos) << run.err;
}

TEST(WandbModule, LocksSweepParamsAndRaisesOnUnallowedChanges) {
  TempDir dir;
  auto run =
      RunTrial(dir,
               "import argparse, wandb\n"
               "ns = argparse.Namespace(lr=0.5, depth=3)\n"
               "run = wandb.init(config=ns)\n"
               "print(wandb.config.lr, wandb.config['opt']['beta'], 'depth' in wandb.config)\n"
               "wandb.config.lr = 7\n"
               "wandb.config.update({'depth': 4}, allow_val_change=True)\n"
               "wandb.config.setdefaults({'depth': 9, 'width': 2})\n"
               "try:\n"
               "    wandb.config.update({'width': 5})\n"
               "except wandb.ConfigError as e:\n"
               "    print('ConfigError')\n"
               "print(sorted(wandb.config.as_dict().items()))\n",
               R"({"lr": 0.1, "opt": {"beta": 0.9}})");
  ASSERT_TRUE(run.exit.ok()) << run.err;
  EXPECT_EQ(run.out,
            "0.1 0.9 True\nConfigError\n"
            "[('depth', 4), ('lr', 0.1), ('opt', {'beta': 0.9}), ('width', 2)]\n");
  EXPECT_NE(run.err.find("Config item 'lr' was locked by 'sweep' (ignored update)"),
            std::string::npos)
      << run.err;
}

TEST(WandbModule, SummarizesAsDefineMetricSays) {
  TempDir dir;
  auto run = RunTrial(dir,
                      "import wandb\n"
                      "wandb.init()\n"
                      "wandb.define_metric('acc', summary='max')\n"
                      "wandb.define_metric('val/*', summary='mean')\n"
                      "wandb.define_metric('r', summary='best', goal='maximize')\n"
                      "wandb.define_metric('f', summary='first')\n"
                      "for v in [1, 3, 2]:\n"
                      "    wandb.log({'acc': v, 'val/x': v, 'r': v, 'f': v, 'last': v})\n"
                      "wandb.summary['extra'] = 'text'\n"
                      "wandb.finish()\n");
  ASSERT_TRUE(run.exit.ok()) << run.err;
  Json doc = Json::parse(ReadFile(dir / "reported.json"));
  EXPECT_EQ(doc["summary"]["acc"], 3);
  EXPECT_DOUBLE_EQ(doc["summary"]["val/x"].get<double>(), 2.0);
  EXPECT_EQ(doc["summary"]["r"], 3);
  EXPECT_EQ(doc["summary"]["f"], 1);
  EXPECT_EQ(doc["summary"]["last"], 2);
  EXPECT_EQ(doc["summary"]["extra"], "text");
  EXPECT_EQ(doc["summary_modes"]["acc"], "max");
  EXPECT_EQ(doc["finished"], true);
}

TEST(WandbModule, NamesWhatItDoesNotProvideAndNeedsInitFirst) {
  TempDir dir;
  auto run = RunTrial(dir,
                      "import wandb\n"
                      "for call in (lambda: wandb.log({'a': 1}), lambda: wandb.config.lr,\n"
                      "             lambda: wandb.Api(), lambda: wandb.init().use_artifact('x')):\n"
                      "    try:\n"
                      "        call()\n"
                      "    except (AttributeError, RuntimeError) as e:\n"
                      "        print(type(e).__name__, str(e).split(' (')[0].split(';')[0])\n");
  ASSERT_TRUE(run.exit.ok()) << run.err;
  EXPECT_EQ(run.out,
            "RuntimeError You must call wandb.init() before wandb.log()\n"
            "RuntimeError You must call wandb.init() before wandb.config\n"
            "NotProvided wandb.Api is not provided by sweep's bundled wandb module\n"
            "NotProvided run.use_artifact\n");
}

TEST(WandbModule, ReadReportedKeepsCheckedFieldsAndNeverFollowsSymlinks) {
  TempDir dir;
  std::filesystem::create_directories(dir / "artifacts/m");
  std::ofstream(dir / "artifacts/m/w.bin") << "abc";
  std::ofstream(dir / "secret") << "secret";
  std::filesystem::create_symlink(dir / "secret", dir / "artifacts/m/link");
  std::ofstream(dir / "reported.json")
      << R"({"config": {"a": {"b": 1}, "s": "x"}, "summary": {"loss": 0.5, "bad": [1]},
            "notes": ["n", 3], "artifacts": ["artifacts/m/w.bin", "artifacts/m/link",
            "../secret", "/etc/passwd"]})";
  Value r = ReadReported(dir.path());
  EXPECT_EQ(r["config"], (Value{{"a.b", 1}, {"s", "x"}}));
  EXPECT_EQ(r["summary"], (Value{{"loss", 0.5}}));
  EXPECT_EQ(r["notes"], Value::array({"n"}));
  ASSERT_EQ(r["artifacts"].size(), 1u) << r.dump();
  EXPECT_EQ(r["artifacts"][0]["path"], "m/w.bin");
  EXPECT_EQ(r["artifacts"][0]["sha256"],
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(r["warnings"].size(), 3u);

  std::filesystem::remove(dir / "reported.json");
  std::filesystem::create_symlink(dir / "secret", dir / "reported.json");
  EXPECT_TRUE(ReadReported(dir.path()).is_null());
  std::filesystem::remove(dir / "reported.json");
  std::ofstream(dir / "reported.json") << "[1, 2";
  EXPECT_EQ(ReadReported(dir.path())["warnings"].size(), 1u);
}

TEST(WandbModule, ParamsFileIsWhatPyYamlReadsBack) {
  Value params = {{"lr", 1e-05},       {"n", 3},      {"name", "a: b"}, {"opt", {{"beta", 0.9}}},
                  {"x", std::nan("")}, {"flag", true}};
  EXPECT_EQ(WandbParamsYaml(params),
            "wandb_version: 1\n\"lr\":\n  value: 1.0e-05\n\"n\":\n  value: 3\n"
            "\"name\":\n  value: \"a: b\"\n\"opt\":\n  value: {\"beta\": 0.9}\n"
            "\"x\":\n  value: .nan\n\"flag\":\n  value: true\n");
}

}  // namespace
}  // namespace sweep
