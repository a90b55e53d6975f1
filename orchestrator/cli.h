// The command-line interface: parses argv with CLI11 and runs one subcommand.
#pragma once

namespace sweep {

// Runs the `sweep` command line; returns the process exit code (0 ok, 1 failure,
// 2 usage or spec error, 130 interrupted). Never throws.
int RunCli(int argc, char** argv);

}  // namespace sweep
