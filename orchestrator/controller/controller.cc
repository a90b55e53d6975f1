// The controller loop.
//
// Everything happens on one io_context thread. Trials move queued -> running ->
// ended; each transition is a TrialRecord upsert in the pending WriteBatch. A
// trial's end is committed at once (before the slot is freed and the strategy told),
// its start with the first commit after it has run flush_interval_s (a shorter trial's
// start is replaced by its end), metric points at least every flush_interval_s. An ended trial's
// summary is serialised on a one-thread writer pool first (controller_end.cc), so that
// a summary of 100,000 metric names never blocks the loop. Suggestions for
// strategies whose Suggest is expensive run on a one-thread pool; while one is in
// flight, observations are queued and applied afterwards, so the strategy is never
// used from two threads at once. Resume re-queues trials that were running when the
// previous controller died (marked lost first), and replays the history into the
// strategy so it continues the same sequence.
#include "orchestrator/controller/controller.h"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>

#include "orchestrator/controller/controller_impl.h"
#include "orchestrator/controller/local_executor.h"
#include "orchestrator/controller/objective_values.h"
#include "orchestrator/controller/prior_trials.h"
#include "orchestrator/store/trial_kinds.h"

namespace sweep {
namespace asio = boost::asio;

std::string LocalHostname() {
  char buf[256] = {0};
  if (gethostname(buf, sizeof buf - 1) != 0) return "localhost";
  return buf;
}

std::string LastLine(const std::string& text) {
  size_t end = text.find_last_not_of("\n\r ");
  if (end == std::string::npos) return "";
  size_t start = text.rfind('\n', end);
  start = start == std::string::npos ? 0 : start + 1;
  std::string line = text.substr(start, end - start + 1);
  if (line.size() > 200) line = line.substr(0, 200) + "...";
  return line;
}

namespace {

// A trial still running from a controller that died (kill -9) keeps its process group
// alive; before it is re-run, that group is killed so two copies never share a GPU.
// The pid alone could have been reused, so the group leader must still carry the
// trial's SWEEP_TRIAL_ID in its environment.
void KillOrphan(const TrialRecord& rec, const std::string& host) {
  if (rec.pid <= 0 || rec.host != host) return;
  std::ifstream f("/proc/" + std::to_string(rec.pid) + "/environ", std::ios::binary);
  std::string env((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  std::string want = std::string("SWEEP_TRIAL_ID=") + rec.id;
  size_t pos = 0;
  while ((pos = env.find(want, pos)) != std::string::npos) {
    bool starts = pos == 0 || env[pos - 1] == '\0';
    bool ends = pos + want.size() == env.size() || env[pos + want.size()] == '\0';
    if (starts && ends) {
      ::kill(-static_cast<pid_t>(rec.pid), SIGKILL);
      return;
    }
    pos += want.size();
  }
}

}  // namespace

Status Controller::Impl::Setup() {
  StrategyOptions so;
  so.seed = sweep_.seed;
  so.goal = spec_.metric.goal;
  so.impute = spec_.metric.impute;
  so.has_metric = !spec_.metric.name.empty();
  // The planned number of trials, when the spec or --max-trials (optimize's n_trials)
  // caps it: bayes sizes its initial design by it (issue 21).
  so.budget = spec_.run_cap;
  if (options_.max_trials && (!so.budget || *options_.max_trials < *so.budget))
    so.budget = options_.max_trials;
  SetObjectiveOptions(spec_, so);
  auto strategy = MakeStrategy(spec_.method, spec_.space, so);
  if (!strategy.ok()) return strategy.status();
  strategy_ = std::move(strategy.value());
  expensive_suggest_ = strategy_->SuggestIsExpensive();
  strategy_learns_ = strategy_->LearnsFromResults();
  if (expensive_suggest_) pool_ = std::make_unique<asio::thread_pool>(1);
  if (spec_.early_terminate.type != EarlyTerminateType::kNone) {
    if (spec_.metric.name.empty())
      return Status::InvalidSpec("early_terminate needs metric.name to compare trials by");
    auto rule = MakeEarlyStopRule(spec_.early_terminate, spec_.metric.goal, spec_.metric.name);
    if (!rule.ok()) return rule.status();
    early_ = std::move(rule.value());
  }
  if (!options_.executors.empty()) {
    for (const ExecutorFactory& make : options_.executors)
      executors_.push_back(make(io_, Events()));
  } else if (!options_.slots.empty()) {
    LocalExecutorOptions lo;
    lo.slots = options_.slots;
    lo.gpus_managed = options_.gpus_managed;
    lo.host = host_;
    executors_.push_back(std::make_unique<LocalExecutor>(io_, std::move(lo), Events()));
  }
  state_.metric = spec_.metric.name;
  state_.goal = spec_.metric.goal;
  return Status::Ok();
}

// Rebuilds counters, the strategy and the early-stopping rule from a previous run's
// trials. Trials that were running when that controller died are marked lost and
// re-queued (or failed once they used up their retries).
void Controller::Impl::RestoreHistory() {
  std::map<uint64_t, const TrialRecord*> latest;  // suggestion -> latest attempt
  for (TrialRecord& rec : history_) {
    // A manual trial (`sweep run --sweep`) is `sweep run`'s to finish, not ours: its
    // number is outside ours, its process is not ours to kill, and its params are
    // not a suggestion of the strategy.
    if (IsManualTrial(rec)) continue;
    next_number_ = std::max(next_number_, rec.number + 1);
    next_suggestion_ = std::max(next_suggestion_, rec.suggestion + 1);
    attempts_[rec.suggestion]++;
    if (!IsTerminal(rec.status) && Detach(rec)) {
      // kept for its agent to re-attach: counts neither as ended nor as lost yet
      auto it = latest.find(rec.suggestion);
      if (it == latest.end() || it->second->number < rec.number) latest[rec.suggestion] = &rec;
      continue;
    }
    if (!IsTerminal(rec.status)) {
      KillOrphan(rec, host_);
      rec.status = TrialStatus::kLost;
      rec.reason = "the controller exited while this trial ran; re-run by resume";
      if (rec.ended_at == 0) rec.ended_at = Now();
      QueueTrial(rec);
    }
    auto it = latest.find(rec.suggestion);
    if (it == latest.end() || it->second->number < rec.number) latest[rec.suggestion] = &rec;
    state_.Count(rec);
  }
  std::vector<Observation> replay;
  for (const auto& [suggestion, rec] : latest) {
    auto config = spec_.space.FromFlat(rec->params);
    if (!config.ok()) continue;
    Observation obs;
    obs.trial_number = suggestion;
    obs.config = config.value();
    obs.outcome = StrategyOutcome(rec->status);
    obs.value = rec->value;
    FillObjectiveValues(spec_, TrialSummary::FromJson(rec->summary), obs);
    if (detached_.count(rec->id)) {
      obs.outcome = Outcome::kRunning;
    } else if (rec->status == TrialStatus::kLost) {
      if (attempts_[suggestion] > spec_.max_retries) {
        TrialRecord failed = *rec;
        failed.status = TrialStatus::kFailed;
        failed.reason = "lost " + std::to_string(attempts_[suggestion]) +
                        " times (max_retries: " + std::to_string(spec_.max_retries) + ")";
        QueueTrial(failed);
        obs.outcome = Outcome::kFailed;
      } else {
        requeue_.push_back(Queued{obs.config, suggestion, rec->id, attempts_[suggestion]});
        obs.outcome = Outcome::kRunning;
      }
    }
    replay.push_back(std::move(obs));
  }
  // The early-stopping rule sees every trial's full series of the target metric
  // again, in trial order, so its brackets and rungs are rebuilt exactly.
  if (early_) {
    for (const TrialRecord& rec : history_) {
      if (IsManualTrial(rec)) continue;
      MetricQuery q;
      q.trial_id = rec.id;
      q.name = spec_.metric.name;
      auto points = store_.GetMetrics(q);
      if (points.ok()) {
        int64_t count = 0;
        for (const MetricPoint& p : points.value()) early_->OnReport(rec.id, ++count, p.value);
      }
      if (!detached_.count(rec.id)) early_->OnEnd(rec.id);
    }
  }
  // Warm start: the prior trials come first, as if they were the sweep's oldest.
  std::vector<Observation> prior = PriorObservations(spec_, sweep_.options.warm_start);
  replay.insert(replay.begin(), std::make_move_iterator(prior.begin()),
                std::make_move_iterator(prior.end()));
  if (!replay.empty()) strategy_->Replay(replay);
  if (!batch_.empty()) Flush();
}

SweepOutcome Controller::Impl::Run() {
  if (!options_.log_file.empty()) {
    if (Status l = display_.AttachLogFile(options_.log_file); !l.ok())
      display_.Log("warning: no controller log: " + l.message(), true);
  }
  display_.Debug("controller for sweep " + sweep_.id + " on " + host_ + ", pid " +
                 std::to_string(::getpid()));
  Status s = Setup();
  if (!s.ok()) {
    display_.Log("error: " + s.message(), true);
    return SweepOutcome{SweepStatus::kFailed, s.message(), s.ExitCode()};
  }
  if (options_.listen) {
    if (Status h = Listen(); !h.ok()) {
      display_.Log("error: " + h.message(), true);
      return SweepOutcome{SweepStatus::kFailed, h.message(), h.ExitCode()};
    }
  }
  RestoreHistory();
  if (!detached_.empty())
    display_.Log(std::to_string(detached_.size()) +
                     " trial(s) were running on agents; waiting up to " +
                     std::to_string(static_cast<int>(options_.listen->lease_timeout_s + 30)) +
                     "s for them to re-attach",
                 true);
  started_ = Now();
  last_flush_ = last_stop_poll_ = started_;
  signals_.async_wait([this](const boost::system::error_code& ec, int sig) {
    if (!ec) OnSignal(sig);
  });
  if (!requeue_.empty())
    display_.Log("re-running " + std::to_string(requeue_.size()) +
                     " trial(s) that were running when the sweep was interrupted",
                 true);
  asio::post(io_, [this] { Schedule(); });
  OnTick();
  watch_.Start();
  io_.run();
  outcome_.longest_stall_s = watch_.longest_stall_s();
  if (options_.report_loop_stall)
    display_.Log("event loop: longest stall " +
                     std::to_string(static_cast<int64_t>(watch_.longest_stall_s() * 1000)) + " ms",
                 true);
  if (drain_s_ > 0) {  // let the executors' goodbyes reach their peers, then close
    io_.restart();
    io_.run_for(std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::duration<double>(drain_s_)));
  }
  executors_.clear();
  if (pool_) pool_->join();
  if (writer_) writer_->join();
  display_.Finish();
  return outcome_;
}

Controller::Controller(TrialStore& store, SweepSpec spec, SweepRecord sweep,
                       std::vector<TrialRecord> history, ControllerOptions options,
                       std::ostream& out)
    : impl_(std::make_unique<Impl>(store, std::move(spec), std::move(sweep), std::move(history),
                                   std::move(options), out)) {}

Controller::~Controller() = default;

SweepOutcome Controller::Run() { return impl_->Run(); }

}  // namespace sweep
