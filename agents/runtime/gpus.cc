// GPU discovery and slot assignment for --gpus.
//
// `all` asks `nvidia-smi -L` (absent or failing: no GPUs, said in a note, not an
// error: the sweep then runs on CPU slots); a list names GPU indices. GPUs are
// grouped gpus_per_trial at a time; each group is one slot's CUDA_VISIBLE_DEVICES.
#include "agents/runtime/gpus.h"

#include <set>

#include "agents/runtime/subprocess.h"

namespace sweep {

std::vector<std::string> ListGpus(std::string* note) {
  auto out = RunCapture({"nvidia-smi", "-L"}, 10.0);
  if (!out.ok()) {
    *note = "nvidia-smi not available: " + out.status().message();
    return {};
  }
  std::vector<std::string> ids;
  size_t pos = 0;
  const std::string& text = out.value();
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    std::string line = text.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    // "GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-...)"
    if (line.rfind("GPU ", 0) == 0) {
      size_t colon = line.find(':');
      if (colon != std::string::npos) ids.push_back(line.substr(4, colon - 4));
    }
    if (nl == std::string::npos) break;
    pos = nl + 1;
  }
  if (ids.empty()) *note = "nvidia-smi -L listed no GPUs";
  return ids;
}

GpuSlots ParseGpuSlots(const std::string& flag, int per_trial, std::string* error) {
  GpuSlots result;
  std::vector<std::string> ids;
  if (flag == "all") {
    std::string note;
    ids = ListGpus(&note);
    if (ids.empty()) {
      result.note = "--gpus all: no GPUs found (" + note + "); running on CPU slots";
      return result;
    }
  } else {
    std::set<std::string> seen;
    size_t start = 0;
    while (start <= flag.size()) {
      size_t comma = flag.find(',', start);
      std::string id =
          flag.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      if (id.empty() || id.find_first_not_of("0123456789") != std::string::npos) {
        *error = "expected 'all' or a comma-separated list of GPU indices like 0,2,3";
        return result;
      }
      if (!seen.insert(id).second) {
        *error = "GPU " + id + " is listed twice";
        return result;
      }
      ids.push_back(id);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  if (static_cast<int>(ids.size()) < per_trial) {
    *error = "gpus_per_trial is " + std::to_string(per_trial) + " but only " +
             std::to_string(ids.size()) + " GPU(s) are given";
    return result;
  }
  for (size_t i = 0; i + per_trial <= ids.size(); i += per_trial) {
    std::string slot;
    for (int k = 0; k < per_trial; ++k) slot += (k ? "," : "") + ids[i + k];
    result.slots.push_back(slot);
  }
  if (ids.size() % per_trial)
    result.note = std::to_string(ids.size() % per_trial) + " GPU(s) left unused (gpus_per_trial " +
                  std::to_string(per_trial) + ")";
  return result;
}

}  // namespace sweep
