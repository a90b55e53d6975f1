// Building a trial's argv from the spec's `program`/`command`, the way W&B's agent
// does, without ever going through a shell.
//
// Macros (each must be a whole command element, as in W&B; inside a longer element
// they stay literal text):
//   ${env}                   /usr/bin/env
//   ${interpreter}           SweepSpec::interpreter (default python3)
//   ${program}               SweepSpec::program
//   ${args}                  --name=value per top-level parameter (several elements)
//   ${args_no_equals}        --name value (two elements per parameter)
//   ${args_no_hyphens}       name=value
//   ${args_append_hydra}     +name=value (Hydra: add a key)
//   ${args_override_hydra}   ++name=value (Hydra: add or override a key)
//   ${args_dict}             name, one element per top-level parameter: W&B's agent
//                            does `argv += args_dict`, which in Python adds the keys
//   ${args_no_boolean_flags} like ${args}, but true booleans become --name, false omitted
//   ${args_json}             one element: the args mapping as Python's json.dumps
//   ${args_json_file}        CommandContext::args_json_file
// ${envvar:NAME} is replaced anywhere in an element, before the macros, by the
// variable's value (an error when it is unset). Values are formatted with Python's
// str() (FormatPython): floats in shortest round-trip form, True/False, None; a nested
// parameter group is one flag whose value is the Python repr of its dict, as in W&B.
// An empty `command` is W&B's default: ${env} ${interpreter} ${program} ${args}.
// Pure functions; thread-safe when ctx.getenv is.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "base/value.h"
#include "orchestrator/spec/spec.h"

namespace sweep {

struct CommandContext {
  // What ${args_json_file} expands to: the path of the trial's params JSON file (the
  // caller writes ArgsJson() there). Using the macro with this empty is an error.
  std::string args_json_file;
  // Looks up ${envvar:NAME}. Default: the process environment (::getenv).
  std::function<std::optional<std::string>(const std::string&)> getenv;
};

// The trial's argv. Every parameter value is exactly one element (never re-split).
// Empty for an in-process spec (SweepSpec::in_process): its trials are function calls.
// Errors: kInvalidSpec for an unset ${envvar:NAME} or an unknown macro; kInternal
// when `config` does not match the spec's space or ${args_json_file} has no path.
Result<std::vector<std::string>> BuildArgv(const SweepSpec& spec, const Config& config,
                                           const CommandContext& ctx);

// The args mapping W&B passes: parameter -> value in spec order, nested groups as
// nested mappings ({"optimizer": {"lr": 0.1}}).
Value ArgsMapping(const SweepSpec& spec, const Config& config);

// ArgsMapping as Python's json.dumps writes it (what ${args_json} and W&B's
// args-json file contain): ", " and ": " separators, ASCII only, NaN/Infinity.
std::string ArgsJson(const SweepSpec& spec, const Config& config);

// Python's json.dumps(value) with its default settings.
std::string PythonJsonDumps(const Value& value);

// The command tokens in effect: spec.command, or W&B's default when it is empty.
std::vector<std::string> EffectiveCommand(const SweepSpec& spec);

}  // namespace sweep
