#include "tests/testing/slurm_cluster.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>

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
    auto out = RunCapture({"sinfo", "-h", "-o", "%t"}, 15);
    if (!out.ok())
      return "the Slurm cluster is not up (tests/slurm/cluster.sh start): " +
             out.status().message();
    if (out->find("idle") == std::string::npos && out->find("mix") == std::string::npos &&
        out->find("alloc") == std::string::npos)
      return "no usable Slurm node (sinfo says '" + *out + "'); run tests/slurm/cluster.sh start";
    return std::string();
  }();
  return why;
}

}  // namespace sweep::testing
