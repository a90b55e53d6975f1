// Private to the controller's .cc files: the state the loop owns. Not a public API.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "agents/runtime/trial_runner.h"
#include "orchestrator/remote/agent_hub.h"
#include "orchestrator/controller/controller.h"
#include "orchestrator/controller/controller_state.h"
#include "orchestrator/controller/loop_watch.h"
#include "orchestrator/early_stop/early_stop.h"
#include "orchestrator/controller/progress.h"
#include "orchestrator/controller/summary.h"

namespace sweep {

// Seconds since the Unix epoch.
double NowSeconds();
// This machine's host name.
std::string LocalHostname();
// "SIGKILL" for 9.
std::string SignalName(int sig);
// The last non-empty line of text, cut to 200 characters.
std::string LastLine(const std::string& text);

class Controller::Impl {
 public:
  Impl(TrialStore& store, SweepSpec spec, SweepRecord sweep, std::vector<TrialRecord> history,
       ControllerOptions options, std::ostream& out)
      : store_(store),
        spec_(std::move(spec)),
        sweep_(std::move(sweep)),
        options_(std::move(options)),
        display_(out, options_.progress_tty, options_.quiet),
        signals_(io_, SIGINT, SIGTERM),
        tick_(io_),
        runner_(io_, TrialRunnerCallbacks{
                         [this](const std::string& id, std::vector<ParsedPoint> pts) {
                           OnMetrics(id, std::move(pts));
                         },
                         [this](const std::string& id, const TrialEnd& end) { OnEnd(id, end); }}),
        history_(std::move(history)) {}

  SweepOutcome Run();

 private:
  struct Running {
    TrialRecord rec;
    Config config;
    size_t slot = 0;
    TrialSummary summary;
    bool stopping = false;
    TrialStatus stop_status = TrialStatus::kStopped;
    std::string stop_reason;
    bool remote = false;            // on an agent (rec.lease_id is its lease), not a local slot
    uint64_t log_next[2] = {0, 0};  // next expected offset of stdout, stderr chunks
  };
  // A remote trial that was running when the previous controller died: its agent
  // may re-attach it until `deadline`, after which it is lost and re-queued.
  struct Detached {
    TrialRecord rec;
    Config config;
    double deadline = 0;
  };
  struct Queued {
    Config config;
    uint64_t suggestion = 0;
    std::string retry_of;
    int attempts = 0;  // earlier attempts of this suggestion
  };

  Status Setup();
  void RestoreHistory();
  void Schedule();
  void StartNew(Config config);
  void StartTrial(Queued q);
  void OnMetrics(const std::string& id, std::vector<ParsedPoint> points);
  void OnEnd(const std::string& id, const TrialEnd& end);
  void StopTrial(Running& rt, TrialStatus status, const std::string& reason);
  void ApplyEarlyStop();
  void Observe(const Observation& obs);
  void NoNewTrials(SweepStatus status, const std::string& reason);
  void CheckFailureBudget(const TrialRecord& rec);
  void MaybeFinish();
  void Flush();
  void OnTick();
  void OnSignal(int sig);
  void WarnDroppedNames(const Running& rt);
  void WarnMissingMetric(const Running& rt);
  ProgressCounts Counts() const;
  void KillTrial(Running& rt);

  // Remote agents (controller_remote.cc).
  Status StartHub();
  bool HasFreeSlot() const;
  size_t FreeCapacity() const;
  int RemoteSlots() const;
  void StartRemote(const std::string& id, const RemoteSlot& slot, const TrialLaunch& launch);
  void OnRemoteStarted(const std::string& id, int64_t pid, double started_at);
  void OnRemoteLog(const std::string& id, const std::string& stream, uint64_t offset,
                   std::string_view data);
  void OnLost(const std::string& id, const std::string& reason);
  void OnAgent(const AgentInfo& agent);
  bool OnAttach(const AgentInfo& agent, const std::string& trial_id, const std::string& lease_id);
  bool Detach(TrialRecord& rec);
  void CheckDetached();
  void CloseHub(bool interrupted);
  std::optional<uint64_t> PlannedTotal() const;
  uint64_t Remaining() const;

  TrialStore& store_;
  SweepSpec spec_;
  SweepRecord sweep_;
  ControllerOptions options_;
  ProgressDisplay display_;
  boost::asio::io_context io_;
  boost::asio::signal_set signals_;
  boost::asio::steady_timer tick_;
  LoopWatch watch_{io_};  // the loop's longest stall (ControllerOptions::report_loop_stall)
  TrialRunner runner_;
  std::unique_ptr<boost::asio::thread_pool> pool_;
  std::vector<TrialRecord> history_;

  std::unique_ptr<SearchStrategy> strategy_;
  bool expensive_suggest_ = false;
  bool suggest_in_flight_ = false;
  std::vector<Observation> deferred_;
  std::unique_ptr<EarlyStopRule> early_;

  std::deque<size_t> free_slots_;
  std::unique_ptr<AgentHub> hub_;
  std::map<std::string, Detached> detached_;
  std::map<std::string, bool> agent_connected_;  // agent id -> last logged state
  std::map<std::string, std::string> agent_paused_;
  double last_remote_poll_ = 0;
  std::map<std::string, Running> running_;
  std::deque<Queued> requeue_;
  std::map<uint64_t, int> attempts_;  // suggestion -> attempts started so far
  uint64_t next_number_ = 0;
  uint64_t next_suggestion_ = 0;

  ControllerState state_;
  WriteBatch batch_;
  double last_flush_ = 0;
  double last_stop_poll_ = 0;
  double started_ = 0;
  std::string host_ = LocalHostname();
  bool warned_metric_ = false;
  bool warned_malformed_ = false;
  bool finished_ = false;
  int signals_seen_ = 0;
  SweepOutcome outcome_;
};

}  // namespace sweep
