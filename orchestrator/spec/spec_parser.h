// The sweep spec parser: YAML text in, a validated SweepSpec out.
//
// Accepts every key W&B Sweeps accepts, with W&B's meaning, plus our extensions
// (schemas/spec.md). The only files that include yaml-cpp are this parser's
// (spec_parser.cc, spec_params.cc, spec_extensions.cc, spec_reader.cc); no yaml-cpp
// exception escapes them. Safe to call from any thread (no shared state).
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"
#include "orchestrator/spec/spec.h"

namespace sweep {

// Reads and parses a spec file. Errors (ErrorCode::kInvalidSpec): the file is missing
// or unreadable, larger than 4 MiB, not UTF-8 text, not valid YAML, or not a valid
// spec. The message has one line per problem, "file:line:col: key.path: what is
// wrong", every problem found in one pass, sorted by position.
Result<SweepSpec> ParseSpecFile(const std::string& path);

// Parses spec text; `file_name` is used in messages and stored in SweepSpec::file.
// SweepSpec::text is `text`; notes (ignored W&B-only keys, hints) go to
// SweepSpec::notes. Never throws, never recurses deeper than kMaxSpecDepth levels.
Result<SweepSpec> ParseSpecText(std::string_view text, const std::string& file_name);

// How to read a spec beyond its text.
struct SpecParseOptions {
  // The trials run inside a Python process (wandb.agent(function=), optimize()):
  // `program` is not required, and SweepSpec::in_process is set.
  bool in_process = false;
};

// ParseSpecText with options; the two-argument form uses the defaults.
Result<SweepSpec> ParseSpecText(std::string_view text, const std::string& file_name,
                                const SpecParseOptions& options);

// The search methods a spec may name: grid, random, bayes and every registered one.
std::vector<std::string> KnownMethods();

// The macros a `command` element may be (without ${ }): env, interpreter, program,
// args, args_no_equals, args_no_hyphens, args_no_boolean_flags, args_json,
// args_json_file. ${envvar:NAME} is substituted anywhere in an element.
const std::vector<std::string>& CommandMacros();

}  // namespace sweep
