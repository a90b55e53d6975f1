// The conditional search spaces the integration tests launch (an optimizer with a
// child parameter per branch) and the program they run, in one place.
#pragma once

#include <string>

#include "test_paths.h"

namespace sweep::testing {

// tests/data/sweeps/conditional.py: fails when a parameter of the other branch reaches it.
inline const std::string kConditionalProgram =
    std::string(SWEEP_TESTDATA) + "/sweeps/conditional.py";

// 8 live configurations: 2 optimizers x 2 lr x their own 2-value child.
inline constexpr const char* kConditionalGridParams = R"Y(parameters:
  optimizer: {values: [sgd, adam]}
  lr: {values: [0.1, 0.01]}
  momentum: {values: [0.8, 0.9], when: {optimizer: sgd}}
  beta2: {values: [0.99, 0.999], when: {optimizer: adam}}
)Y";

// The same branches over continuous ranges.
inline constexpr const char* kConditionalContinuousParams = R"Y(parameters:
  optimizer: {values: [sgd, adam]}
  lr: {distribution: log_uniform_values, min: 0.001, max: 0.1}
  momentum: {min: 0.5, max: 0.99, when: {optimizer: sgd}}
  beta2: {min: 0.9, max: 0.9999, when: {optimizer: adam}}
)Y";

}  // namespace sweep::testing
