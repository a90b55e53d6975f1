// LocalExecutor: a queue of free slot numbers in front of one TrialRunner. A
// trial's slot is returned only by Release (after the controller recorded its end),
// so a slot never runs two trials even while an end is being committed.
#include "orchestrator/controller/local_executor.h"

namespace sweep {

LocalExecutor::LocalExecutor(boost::asio::io_context& io, LocalExecutorOptions options,
                             ExecutorEvents events)
    : options_(std::move(options)),
      events_(std::move(events)),
      runner_(io,
              TrialRunnerCallbacks{[this](const std::string& id, std::vector<ParsedPoint> points) {
                                     if (events_.on_metrics)
                                       events_.on_metrics(id, std::move(points));
                                   },
                                   [this](const std::string& id, const TrialEnd& end) {
                                     if (events_.on_end) events_.on_end(id, end, EndCause::kEnded);
                                   },
                                   [this](const std::string& id) {
                                     if (events_.on_exited) events_.on_exited(id);
                                   }}) {
  for (size_t i = 0; i < options_.slots.size(); ++i) free_.push_back(i);
}

Placement LocalExecutor::Take(TrialRecord& rec) {
  size_t slot = free_.front();
  free_.pop_front();
  taken_[rec.id] = slot;
  rec.host = options_.host;
  rec.agent = "local";
  rec.slot = static_cast<int>(slot);
  rec.gpus = options_.slots[slot];
  return Placement{rec.trial_dir + "/params.json"};
}

void LocalExecutor::Start(const TrialRecord& rec, TrialLaunch launch) {
  auto it = taken_.find(rec.id);
  if (it == taken_.end()) return;
  if (options_.gpus_managed) launch.gpus = options_.slots[it->second];
  runner_.Start(launch);
  // The pid goes on record at once, for orphan cleanup after a controller crash.
  if (pid_t pid = runner_.Pid(rec.id); pid > 0 && events_.on_started)
    events_.on_started(rec.id, pid, 0);
}

void LocalExecutor::Stop(const std::string& trial_id, const std::string& reason,
                         double /*grace_s: the launch's stop_grace_s applies*/) {
  runner_.Stop(trial_id, reason);
}

void LocalExecutor::PrepareNextFolder(const std::string& trial_dir) {
  runner_.PrepareFolder(trial_dir);
}

void LocalExecutor::Kill(const std::string& trial_id) { runner_.Kill(trial_id); }

void LocalExecutor::Release(const std::string& trial_id) {
  auto it = taken_.find(trial_id);
  if (it == taken_.end()) return;
  free_.push_back(it->second);
  taken_.erase(it);
  // No on_capacity: the controller schedules right after its own Release call.
}

}  // namespace sweep
