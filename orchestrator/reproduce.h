// `sweep reproduce TRIAL [--run]`: what produced a trial, and running it again.
#pragma once

#include <ostream>
#include <string>

namespace sweep {

struct ReproduceFlags {
  std::string trial;  // id or unique prefix
  std::string store;  // --store ("" = default)
  bool run = false;   // --run: re-run it as a new trial
  bool json = false;
};

// Prints the trial's argv (shell-quoted), cwd, commit, diff path, recorded
// environment variables and packages. With run: checks the recorded code out into a
// fresh git worktree under <store>/reproduce/ (`git worktree add --detach`), applies
// the stored diff (`git apply --binary`), and launches a one-configuration grid sweep
// ("reproduce-<trial>") from the original spec with the original params, through
// the normal launch path, in the matching folder of that worktree (outside a
// repository: in the original working directory, said so). The new trial's
// `reproduces` names the original; original and new metrics are printed side by
// side. Exit codes: 0, 1 (failure, e.g. a truncated diff cannot be applied), 2 (usage).
int RunReproduce(const ReproduceFlags& flags, std::ostream& out, std::ostream& err);

}  // namespace sweep
