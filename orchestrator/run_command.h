// `sweep run [--name N] [--tag T]... [--note TEXT] [--sweep ID] [--no-argv-params]
//  -- PROGRAM ARGS...`: one command as a tracked run.
//
// A run is a trial without a spec: it goes through the same TrialRunner as every
// trial of `sweep launch` (trial folder, $SWEEP_* variables, the bundled wandb
// module and sweep_client on PYTHONPATH, both metric channels, provenance,
// artifacts, bounded logs) and lands in the same store, so every read command,
// `compare` against sweep trials, `export` and the dashboard work on it unchanged.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace sweep {

struct RunFlags {
  std::string store;                // --store ("" = default)
  std::string name;                 // --name ("" = the program's file name)
  std::vector<std::string> tags;    // --tag, repeatable; checked like `sweep tag`
  std::optional<std::string> note;  // --note; checked like `sweep note`
  // --sweep: file the run under this existing sweep as a manual trial (ranked with
  // its trials). "" = a standalone run, stored as a one-trial sweep of kind "run".
  std::string sweep;
  bool argv_params = true;        // false: --no-argv-params
  std::vector<std::string> argv;  // PROGRAM ARGS... (after --)
};

// Runs flags.argv to its end, in the current directory, with stdout and stderr
// echoed to this process's and kept in the trial's logs. stdin passes through when
// it is not a terminal (a terminal stays with `sweep run`: the program runs in its
// own process group, so it reads /dev/null). SIGINT, SIGTERM or SIGHUP stop the
// program's process group (SIGTERM, then SIGKILL after the grace period; a second
// signal kills at once) and the run is recorded as stopped.
//
// Writes only its own rows: a standalone run's sweep record (held under the sweep
// lock while it runs) and trial, or one manual trial of an existing sweep, whose
// controller may be running (SQLite serialises the transactions; the rows are
// disjoint). Exit code: the program's; 128+N when it (or `sweep run`) ended by
// signal N; 127 when the program cannot be found and 126 when it cannot be executed
// (like a shell; the run is recorded as failed with the reason); 2 for usage errors
// (nothing written); 1 when the store cannot be opened or written.
int RunTrackedRun(const RunFlags& flags, std::ostream& out, std::ostream& err);

}  // namespace sweep
