// The `parameters` section of a sweep spec: every W&B parameter form, validated and
// normalized into SearchSpace parameters.
//
// Internal to the spec parser (includes yaml-cpp through spec_reader.h).
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>

#include "orchestrator/spec/spec_reader.h"
#include "search/search_space.h"

namespace sweep {

// Parses the `parameters` mapping into `space` (spec order, nested parameters
// flattened depth-first to dotted names). Every problem is reported to `reader`;
// parameters with errors are left out of `space`. `key_node` is the `parameters` key,
// for errors about an empty value.
void ParseParameters(const YAML::Node& node, const YAML::Node& key_node, SpecReader& reader,
                     SearchSpace& space);

// True when `name` is a parameter name W&B accepts: [A-Za-z_][A-Za-z0-9_.-]*.
bool IsValidParameterName(const std::string& name);

}  // namespace sweep
