// Whether the one-node Slurm cluster of tests/slurm/cluster.sh is there to test
// against; tests that need it skip, saying why, when it is not (CI starts it).
#pragma once

#include <gtest/gtest.h>

#include <string>

namespace sweep::testing {

// Why the Slurm tests cannot run here, or "" when they can (sinfo on PATH and a node
// idle, mixed or allocated within 20 s). Computed once per process.
std::string ClusterMissing();

}  // namespace sweep::testing

#define SKIP_WITHOUT_CLUSTER()                                                                   \
  do {                                                                                           \
    if (std::string why = ::sweep::testing::ClusterMissing(); !why.empty()) GTEST_SKIP() << why; \
  } while (0)
