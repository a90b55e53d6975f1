// Shell completion answered by the binary itself: the bash and zsh scripts under
// packaging/completion/ pass the words typed so far to the hidden `sweep __complete`
// subcommand and print what it answers, so subcommands, flags and their values come
// from the same CLI11 definitions that parse them and never drift from them.
#pragma once

#include <CLI/CLI.hpp>
#include <ostream>
#include <string>
#include <vector>

namespace sweep {

// The last line Complete() prints when the shell should complete file names itself
// (a spec, a token file, the store folder).
inline constexpr const char* kCompleteFiles = ":files";

// Prints the completions of words.back() (possibly empty) after the earlier words
// (everything after "sweep"), one "candidate\tdescription" line each, or the single
// line kCompleteFiles. Candidates: subcommand names; flags of the chosen subcommand
// (and --store); the values a flag admits (CLI11 IsMember sets); sweep ids for a
// SWEEP argument and trial ids for TRIAL/TRIALS, read from the store that store_flag
// (or $SWEEP_STORE, else ./.sweep) names. A missing or unreadable store completes
// nothing. Hidden subcommands (an empty group) are never offered. Returns 0; never
// throws and writes nothing but candidates, so a shell shows no noise.
int Complete(const CLI::App& app, const std::vector<std::string>& words,
             const std::string& store_flag, std::ostream& out);

}  // namespace sweep
