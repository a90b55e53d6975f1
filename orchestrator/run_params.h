// Params of a tracked run (`sweep run`) read from its command line.
//
// W&B and MLflow users pass hyperparameters as flags (`--lr 0.1`, `--lr=0.1`); a run
// records them as params unless `--no-argv-params` says not to. The program's own
// declaration (wandb.config, sweep_client.log_params) wins over these on a clash,
// because it says what the program actually used.
#pragma once

#include <string>
#include <vector>

#include "base/value.h"

namespace sweep {

// Reads `--key value` and `--key=value` pairs from a program's arguments (argv
// without argv[0]) into a flat object {key: typed value}, in first-seen order.
//  - `--key=value`: value is everything after the first '='.
//  - `--key value`: the next token is the value unless it starts with '-' and is not
//    a number (`--lr -0.1` is a value; `--lr --seed 3` is not).
//  - `--key` with no value (last, or followed by another flag): true.
//  - a repeated key: the last occurrence wins (what argparse does).
//  - a bare `--` ends the flags; single-dash flags (`-k 3`) and positional tokens
//    (a script path, sub-commands) are skipped, since their meaning is program-specific.
//  - keys keep their spelling (`--batch-size` gives "batch-size"); an empty key or
//    one with whitespace or control characters is skipped.
// Values are typed as ArgvValue says. Pure; never fails.
Value ParseArgvParams(const std::vector<std::string>& args);

// One command-line value typed the way a user reads it: an integer (fits int64,
// optional sign, digits only), a finite float (strtod syntax, e.g. 1e-3, .5), true /
// false (any case), else the string itself ("nan", "inf", "0x10" stay strings).
Value ArgvValue(const std::string& text);

}  // namespace sweep
