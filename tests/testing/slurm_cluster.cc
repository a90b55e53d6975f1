#include "tests/testing/slurm_cluster.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "agents/runtime/subprocess.h"

namespace sweep::testing {

std::string ClusterMissing() {
  static const std::string why = [] {
    bool installed = false;
    const char* path = std::getenv("PATH");
    std::string dirs = path ? path : "";
    for (size_t start = 0; start <= dirs.size();) {
      size_t end = std::min(dirs.find(':', start), dirs.size());
      std::error_code ec;
      installed =
          installed || std::filesystem::exists(dirs.substr(start, end - start) + "/sinfo", ec);
      start = end + 1;
    }
    if (!installed) return std::string("sinfo is not installed (apt-get install slurm-wlm munge)");
    // A node is briefly "comp" (completing) after another test's jobs end, and tests
    // run in parallel: wait for it rather than skip (CI skipped four Slurm tests so).
    std::string state;
    for (int tries = 0; tries < 40; ++tries) {
      auto out = RunCapture({"sinfo", "-h", "-o", "%t"}, 15);
      if (!out.ok())
        return "the Slurm cluster is not up (tests/slurm/cluster.sh start): " +
               out.status().message();
      state = *out;
      for (const char* usable : {"idle", "mix", "alloc"})
        if (state.find(usable) != std::string::npos) return std::string();
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
    return "no usable Slurm node for 20 s (sinfo says '" + state +
           "'); run tests/slurm/cluster.sh start";
  }();
  return why;
}

}  // namespace sweep::testing
