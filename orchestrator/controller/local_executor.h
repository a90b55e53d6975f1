// LocalExecutor: the controller's worker slots on this machine, each running one
// trial at a time as a subprocess through the TrialRunner (agents/runtime/trial_runner.h).
#pragma once

#include <deque>
#include <map>
#include <string>
#include <vector>

#include "orchestrator/controller/executor.h"

namespace sweep {

struct LocalExecutorOptions {
  // One entry per slot: the CUDA_VISIBLE_DEVICES value its trials get ("" = none).
  std::vector<std::string> slots = {""};
  // true when --gpus was given: trials get their slot's CUDA_VISIBLE_DEVICES; false:
  // the caller's value passes through untouched.
  bool gpus_managed = false;
  std::string host;  // recorded as each trial's host (this machine's name)
};

class LocalExecutor : public Executor {
 public:
  // io must outlive the executor. Destroying it kills every running trial's group.
  LocalExecutor(boost::asio::io_context& io, LocalExecutorOptions options, ExecutorEvents events);

  size_t FreeCapacity() const override { return free_.size(); }
  int TotalSlots() const override { return static_cast<int>(options_.slots.size()); }
  // Slots are handed out lowest first, then in the order they were freed.
  Placement Take(TrialRecord& rec) override;
  void Start(const TrialRecord& rec, TrialLaunch launch) override;
  void Stop(const std::string& trial_id, const std::string& reason, double grace_s) override;
  void Kill(const std::string& trial_id) override;
  void Release(const std::string& trial_id) override;
  void PrepareNextFolder(const std::string& trial_dir) override;

 private:
  LocalExecutorOptions options_;
  ExecutorEvents events_;
  TrialRunner runner_;
  std::deque<size_t> free_;
  std::map<std::string, size_t> taken_;  // trial id -> slot
};

}  // namespace sweep
