// GPU discovery (nvidia-smi) and the --gpus flag's slot assignment.
#pragma once

#include <string>
#include <vector>

namespace sweep {

// Indices of the GPUs `nvidia-smi -L` lists ("0", "1", ...); empty with *note set
// when nvidia-smi is missing or lists none.
std::vector<std::string> ListGpus(std::string* note);

struct GpuSlots {
  std::vector<std::string> slots;  // one CUDA_VISIBLE_DEVICES value per slot
  std::string note;                // something the user should know, or ""
};

// Parses --gpus: "all" or a comma list "0,2,3", grouped `per_trial` GPUs a slot.
// On a malformed list, duplicates or too few GPUs, sets *error and returns no slots.
GpuSlots ParseGpuSlots(const std::string& flag, int per_trial, std::string* error);

}  // namespace sweep
