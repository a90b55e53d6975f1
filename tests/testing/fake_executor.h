// FakeExecutor: an Executor (orchestrator/controller/executor.h) that runs scripted
// trials without processes, for fast, deterministic controller tests.
//
// Each started trial plays its FakeAttempt on the controller's io_context: one
// posted handler per metric report (so trials on several slots interleave in a fixed
// order), then its end: an exit code, a loss (EndCause::kLost, as an expired lease),
// or nothing until the controller stops it. A Stop or Kill ends the trial as
// TrialEnd::kStopped with the stop's reason and no further reports. Not thread-safe.
#pragma once

#include <boost/asio/io_context.hpp>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "orchestrator/controller/executor.h"

namespace sweep {

struct FakeAttempt {
  enum class End { kExit, kLost, kHang };
  std::string metric = "loss";                      // the name every report uses
  std::vector<std::pair<int64_t, double>> reports;  // (step, value), in order
  End end = End::kExit;
  int exit_code = 0;  // for kExit
  // on_started comes from a posted handler, as an agent's "started" message does,
  // instead of from inside Start, as a local slot's does.
  bool started_later = false;
  // A clean exit (kExit, code 0) is announced through on_exited before on_end, as a
  // local slot's is.
  bool exited_first = false;
};

// What an executor was asked to do; shared with the test, so it outlives the
// executor (the controller destroys its executors when Run returns).
struct FakeTrace {
  std::vector<TrialLaunch> launches;                       // every Start, in order
  std::vector<std::pair<std::string, std::string>> stops;  // every Stop: (trial id, reason)
};

// Decides what the n-th started trial (0-based, over this executor) does.
using FakeScript = std::function<FakeAttempt(const TrialLaunch& launch, int n)>;

class FakeExecutor : public Executor {
 public:
  FakeExecutor(boost::asio::io_context& io, ExecutorEvents events, std::string name, int slots,
               FakeScript script, std::shared_ptr<FakeTrace> trace);

  // A factory for ControllerOptions::executors; what the executor is asked to do
  // is recorded in *trace.
  static ExecutorFactory Factory(std::string name, int slots, FakeScript script,
                                 std::shared_ptr<FakeTrace> trace);

  size_t FreeCapacity() const override { return free_.size(); }
  int TotalSlots() const override { return slots_; }
  Placement Take(TrialRecord& rec) override;
  void Start(const TrialRecord& rec, TrialLaunch launch) override;
  void Stop(const std::string& trial_id, const std::string& reason, double grace_s) override;
  void Kill(const std::string& trial_id) override;
  void Release(const std::string& trial_id) override;

 private:
  struct Trial {
    FakeAttempt attempt;
    size_t next = 0;
    bool ended = false;
  };
  void Step(const std::string& id);
  void End(const std::string& id, const TrialEnd& end, EndCause cause);

  boost::asio::io_context& io_;
  ExecutorEvents events_;
  std::string name_;
  int slots_;
  FakeScript script_;
  std::deque<int> free_;
  std::map<std::string, int> taken_;
  std::map<std::string, Trial> trials_;
  std::shared_ptr<FakeTrace> trace_;
};

}  // namespace sweep
