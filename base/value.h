// Parameter values and configurations.
//
// A value keeps its YAML type (int stays int, bool stays bool, strings verbatim), so
// nlohmann::ordered_json is the representation (mappings keep spec order): it distinguishes
// integers from floats and holds the lists and mappings W&B allows as categorical values.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace sweep {

using Value = nlohmann::ordered_json;

// One value per SearchSpace parameter, in the space's parameter order.
using Config = std::vector<Value>;

// Python's repr() of a float: shortest round-trip digits, "1e-05", "100.0", "inf", "nan".
// W&B builds flags with Python's str(), so this is how a float reaches a program.
std::string FormatPythonFloat(double v);

// Python's str() of the value as W&B's agent would format it: True/False, None,
// floats as FormatPythonFloat, strings verbatim, lists and dicts in Python repr
// ({'lr': 0.1, 'name': 'adam'}).
std::string FormatPython(const Value& v);

// A canonical text key for a configuration (compact JSON), for de-duplication.
std::string ConfigKey(const Config& config);

}  // namespace sweep
