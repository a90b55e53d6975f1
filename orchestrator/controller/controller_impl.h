// Private to the controller's .cc files: the state the loop owns. Not a public API.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "orchestrator/controller/controller.h"
#include "orchestrator/controller/controller_state.h"
#include "orchestrator/controller/executor.h"
#include "orchestrator/controller/loop_watch.h"
#include "orchestrator/controller/progress.h"
#include "orchestrator/controller/remote_executor.h"
#include "orchestrator/controller/reported_run.h"
#include "orchestrator/controller/summary.h"
#include "orchestrator/controller/trial_outcome.h"
#include "orchestrator/early_stop/early_stop.h"

namespace sweep {

// This machine's host name.
std::string LocalHostname();
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
        clock_(options_.clock ? *options_.clock : RealClock()),
        display_(out, options_.progress_tty, options_.quiet),
        signals_(io_, SIGINT, SIGTERM),
        tick_(io_),
        history_(std::move(history)) {}

  SweepOutcome Run();

 private:
  struct Running {
    TrialRecord rec;
    Config config;
    Executor* exec = nullptr;  // where it runs; owned by executors_
    TrialSummary summary;
    bool stopping = false;
    TrialStatus stop_status = TrialStatus::kStopped;
    std::string stop_reason;
    bool released = false;  // its slot went back at OnExited, before its end
  };
  // A remote trial that was running when the previous controller died: its agent
  // may re-attach it until `deadline`, after which it is lost and re-queued.
  struct Detached {
    TrialRecord rec;
    Config config;
    double deadline = 0;
  };
  // A trial between OnEnd and OnEndWritten (controller_end.cc): the writer thread
  // serialises its summary and alone touches it until OnEndWritten runs.
  struct Ending {
    Running rt;
    ReportedEffects reported;       // notes and warnings of a W&B-style run
    std::string first_malformed;    // an example of its malformed metric lines
    bool points_committed = false;  // OnEndWritten gave the pending points their own commit
    bool inline_end = false;        // serialised on the loop, not on the writer thread
  };
  // Summaries with at most this many metric names are serialised on the loop.
  static constexpr size_t kInlineSummaryNames = 256;
  // Released trials' ends share a commit (OnEndWritten): at most this many, waiting at
  // most this long for it.
  static constexpr size_t kGroupEnds = 64;
  static constexpr std::chrono::milliseconds kGroupWindow{5};
  struct Queued {
    Config config;
    uint64_t suggestion = 0;
    std::string retry_of;
    int attempts = 0;  // earlier attempts of this suggestion
  };

  Status Setup();
  ExecutorEvents Events();
  void RestoreHistory();
  void Schedule();
  void StartNew(Config config);
  void StartTrial(Queued q);
  void OnStarted(const std::string& id, int64_t pid, double started_at);
  void OnMetrics(const std::string& id, std::vector<ParsedPoint> points);
  void OnEnd(const std::string& id, const TrialEnd& end, EndCause cause);
  void OnExited(const std::string& id);
  void OnEndWritten(std::shared_ptr<Ending> ending);
  void AckEnd(std::shared_ptr<Ending> ending);
  // Commits the batch and acknowledges every end waiting in unacked_, in order.
  void CommitGroup();
  void StopTrial(Running& rt, TrialStatus status, const std::string& reason);
  void ApplyEarlyStop();
  void Observe(const Observation& obs);
  void NoNewTrials(SweepStatus status, const std::string& reason);
  void CheckFailureBudget(const TrialRecord& rec);
  void MaybeFinish();
  void Flush();
  // Queues a trial's record for the next commit, replacing a record of the same trial
  // already queued: the batch holds at most one record per trial (FlushEnd relies on
  // it; a stale running copy held back past the trial's end would be written over it).
  void QueueTrial(TrialRecord rec);
  // Flush for a trial's end: running records younger than flush_interval_s stay in the
  // batch for a later commit (controller_loop.cc).
  void FlushEnd();
  void OnTick();
  void OnSignal(int sig);
  void WarnDroppedNames(const Running& rt);
  void WarnMissingMetric(const Running& rt);
  ProgressCounts Counts() const;
  // The first executor with a free slot, or nullptr.
  Executor* FreeExecutor() const;
  size_t FreeCapacity() const;
  double Now() const { return clock_.WallSeconds(); }

  // Remote agents (controller_remote.cc): listening, the agents table, re-attachment.
  Status Listen();
  void OnAgent(const AgentInfo& agent);
  bool OnAttach(const AgentInfo& agent, const std::string& trial_id, const std::string& lease_id);
  bool Detach(TrialRecord& rec);
  void CheckDetached();
  std::optional<uint64_t> PlannedTotal() const;
  uint64_t Remaining() const;

  TrialStore& store_;
  SweepSpec spec_;
  SweepRecord sweep_;
  ControllerOptions options_;
  const Clock& clock_;
  ProgressDisplay display_;
  boost::asio::io_context io_;
  boost::asio::signal_set signals_;
  boost::asio::steady_timer tick_;
  LoopWatch watch_{io_};  // the loop's longest stall (ControllerOptions::report_loop_stall)
  std::unique_ptr<boost::asio::thread_pool> pool_;
  // One thread that serialises ended trials' summaries (controller_end.cc), in order.
  std::unique_ptr<boost::asio::thread_pool> writer_;
  size_t writer_ends_ = 0;  // ends handed to writer_ and not yet back in OnEndWritten
  std::vector<TrialRecord> history_;

  std::unique_ptr<SearchStrategy> strategy_;
  bool expensive_suggest_ = false;
  bool strategy_learns_ = true;  // SearchStrategy::LearnsFromResults
  bool suggest_in_flight_ = false;
  std::vector<Observation> deferred_;
  std::unique_ptr<EarlyStopRule> early_;

  // In order of preference: local slots first (no network hop), then agents.
  std::vector<std::unique_ptr<Executor>> executors_;
  RemoteExecutor* remote_ = nullptr;  // the agents' executor in executors_, if listening
  std::map<std::string, Detached> detached_;
  std::map<std::string, bool> agent_connected_;  // agent id -> last logged state
  std::map<std::string, std::string> agent_paused_;
  double last_poll_ = 0;
  std::map<std::string, Running> running_;
  std::map<std::string, std::shared_ptr<Ending>> ending_;  // ended, record not yet written
  // Ends whose records wait in batch_ for a commit (OnEndWritten; released trials'
  // ends share one), oldest first; group_ bounds the wait.
  std::vector<std::shared_ptr<Ending>> unacked_;
  boost::asio::steady_timer group_{io_};
  bool group_armed_ = false;
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
  std::set<std::string> warned_objectives_;  // metrics/constraints metrics warned as missing
  bool warned_malformed_ = false;
  bool finished_ = false;
  int signals_seen_ = 0;
  double drain_s_ = 0;  // how long to keep the loop running after the end (agents' byes)
  SweepOutcome outcome_;
};

}  // namespace sweep
