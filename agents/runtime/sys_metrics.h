// System metrics of a running trial: CPU and resident memory of its process group
// (from /proc), and utilization and memory of its GPUs (nvidia-smi), as metric points.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "agents/runtime/metric_reader.h"

namespace sweep {

// CPU time (clock ticks) and resident memory summed over every process whose
// process group is pgid. Reads /proc; processes that vanish mid-read are skipped.
struct GroupUsage {
  uint64_t cpu_ticks = 0;
  uint64_t rss_bytes = 0;
  int processes = 0;
};
GroupUsage ReadGroupUsage(pid_t pgid);

// One sampler per trial. Not thread-safe; Sample() is cheap (a /proc scan) except
// for the GPU query, which runs only when gpus is non-empty and nvidia-smi exists
// (once it fails, no sampler in the process asks again).
class SysSampler {
 public:
  // gpus: the trial's CUDA_VISIBLE_DEVICES indexes ("0,2"); "" = no GPU sampling.
  SysSampler(pid_t pgid, std::string gpus);
  // Points sys/cpu_percent (100 = one core busy, over the time since the previous
  // sample; the first sample gives none), sys/rss_mb and, with GPUs, sys/gpu_util
  // (mean %) and sys/gpu_mem_mb (sum), all with the given step and wall time.
  // emit = false only records the CPU baseline (the trial's start), so a trial
  // shorter than one interval gets no sys/ points at all.
  std::vector<ParsedPoint> Sample(int64_t step, double wall, bool emit = true);
  // The CPU baseline of a group spawned at `wall`: zero ticks, without reading /proc
  // (a group that was just spawned has used no CPU yet). Keeps the scan, which
  // costs a read per process on the machine, off the trial's start path.
  void BaselineAtSpawn(double wall);

 private:
  pid_t pgid_;
  std::string gpus_;
  bool have_prev_ = false;
  uint64_t prev_ticks_ = 0;
  double prev_wall_ = 0;
};

}  // namespace sweep
