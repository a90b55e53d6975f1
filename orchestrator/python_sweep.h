// Sweeps run from Python (README "Sweeps from Python"): the commands behind
// wandb.sweep(dict) + wandb.agent(id, function=) and sweep_client.optimize().
//
// `sweep python-path` writes the bundled Python modules (sweep_client, the wandb
// package) into a folder and prints it, for sys.path or PYTHONPATH. The two internal
// commands are what those modules run (never through a shell, see
// schemas/inprocess-protocol.md): `inproc-create` validates a spec exactly as
// `launch` does (program not required) and records the sweep; `inproc-serve` runs
// its controller with the Python process as the only executor (InProcessExecutor).
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

namespace sweep {

struct InProcessCreateFlags {
  std::string spec_path;  // a YAML or JSON spec file; "-" = read it from stdin
  std::string file_name;  // the name errors give a spec read from stdin ("" = "<stdin>")
  std::string store;      // --store ("" = default)
  std::optional<uint64_t> seed;
  std::string name;   // the sweep's name ("" = the spec's name, else "python")
  bool json = false;  // print {"id","metric","goal","objectives"} instead of the id
};

// Creates an in-process sweep (status interrupted, reason "waiting for its first
// agent"), prints its id (or the JSON object) on `out`. Exit 2 with the spec's errors
// (file:line:col: key.path: what) on `err` for a bad spec, nothing written; 1 when the
// store cannot be written.
int RunInProcessCreate(const InProcessCreateFlags& flags, std::istream& in, std::ostream& out,
                       std::ostream& err);

struct InProcessServeFlags {
  std::string sweep;  // id or unique prefix of an in-process sweep
  std::string store;
  std::optional<uint64_t> count;  // new configurations to run in this session (nullopt: no cap)
  int workers = 1;                // trials handed out at once
  bool quiet = false;
};

// Runs the controller of an in-process sweep with stdin/stdout as the channel to
// the Python process that started it (its parent). Exit codes: 0 finished/stopped,
// 1 failed (every trial failed, a store write failed), 130 interrupted (the Python
// process closed the channel), 3 it could not run (no such sweep, one not created
// from Python, one another controller runs) with the reason on `err`.
int RunInProcessServe(const InProcessServeFlags& flags, std::ostream& err);

// `sweep python-path`: installs the bundled modules into
// $XDG_CACHE_HOME/sweep/python/<hash> (else ~/.cache/...; $SWEEP_PYTHON_PATH_DIR
// overrides the folder) with a `_sweep_bin` file naming this binary, and prints the
// folder. Exit 1 when it cannot be written.
int RunPythonPath(std::ostream& out, std::ostream& err);

// True when a stored sweep's options mark it in-process (resume refuses those).
struct SweepRecord;
bool IsInProcessSweep(const SweepRecord& sweep);

}  // namespace sweep
