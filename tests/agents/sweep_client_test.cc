// sweep_client.py run by the real interpreter, inside and outside sweep.
#include <gtest/gtest.h>

#include <optional>

#include "agents/runtime/subprocess.h"
#include "test_paths.h"
#include "tests/agents/agents_test_util.h"

namespace sweep {
namespace {

using testing::ReadFile;
using testing::RunUntil;
using testing::TempDir;

struct PyRun {
  std::vector<std::string> lines;
  std::string stderr_text;
  ExitStatus exit;
};

// Runs `python3 -c code` with exactly env (plus PYTHONPATH to the client).
PyRun RunPython(const std::string& code, std::vector<std::string> env) {
  boost::asio::io_context io;
  TempDir dir;
  SpawnOptions o;
  o.argv = {"/usr/bin/python3", "-c", code};
  env.push_back("PYTHONPATH=" + std::string(SWEEP_SOURCE_DIR) + "/agents/python");
  o.env = std::move(env);
  o.stderr_path = dir / "stderr";
  PyRun run;
  std::optional<ExitStatus> exit;
  SubprocessCallbacks cb;
  cb.on_stdout_line = [&](std::string_view l, bool) { run.lines.emplace_back(l); };
  cb.on_exit = [&](const ExitStatus& s) { exit = s; };
  auto p = Subprocess::Spawn(io, o, std::move(cb));
  EXPECT_TRUE(p.ok()) << p.status().message();
  if (!p.ok()) return run;
  EXPECT_TRUE(RunUntil(io, [&] { return exit.has_value(); }));
  run.exit = exit.value_or(ExitStatus{});
  run.stderr_text = ReadFile(dir / "stderr");
  return run;
}

TEST(SweepClient, AppendsOneJsonLinePerReport) {
  TempDir dir;
  const std::string params = dir / "params.json";
  std::ofstream(params) << R"({"lr": 0.5, "opt": {"name": "adam"}})";
  auto run = RunPython(
      "from sweep_client import report, params\n"
      "p = params()\n"
      "report(loss=p['lr'], ok=True)\n"
      "report(step=3, acc=float('nan'), up=float('inf'), n=2)\n"
      "print(p['opt']['name'])\n",
      {"SWEEP_METRICS=" + (dir / "m.jsonl"), "SWEEP_PARAMS=" + params});
  ASSERT_TRUE(run.exit.ok()) << run.stderr_text;
  EXPECT_EQ(run.lines, (std::vector<std::string>{"adam"}));
  EXPECT_EQ(ReadFile(dir / "m.jsonl"),
            "{\"loss\":0.5,\"ok\":1}\n{\"step\":3,\"acc\":NaN,\"up\":Infinity,\"n\":2}\n");
}

TEST(SweepClient, PrintsPairsWhenRunOutsideSweep) {
  auto run = RunPython(
      "from sweep_client import report, params\n"
      "assert params() == {}\n"
      "report(step=2, loss=0.25, acc=float('-inf'))\n",
      {});
  ASSERT_TRUE(run.exit.ok()) << run.stderr_text;
  EXPECT_EQ(run.lines, (std::vector<std::string>{"step=2 loss=0.25 acc=-Infinity"}));
}

TEST(SweepClient, RejectsValuesThatAreNotNumbers) {
  TempDir dir;
  auto run = RunPython(
      "from sweep_client import report\n"
      "try:\n"
      "    report(loss='low')\n"
      "except TypeError as e:\n"
      "    print(e)\n"
      "try:\n"
      "    report(step=1.5, loss=1)\n"
      "except ValueError as e:\n"
      "    print(e)\n",
      {"SWEEP_METRICS=" + (dir / "m.jsonl")});
  ASSERT_TRUE(run.exit.ok()) << run.stderr_text;
  EXPECT_EQ(run.lines, (std::vector<std::string>{"metric 'loss': 'low' is not a number",
                                                 "step must be an integer, got 1.5"}));
  EXPECT_EQ(ReadFile(dir / "m.jsonl"), "");
}

}  // namespace
}  // namespace sweep
