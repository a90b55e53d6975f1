// The controller's event handlers: scheduling, trial start and end, metrics, early
// stopping, stop requests, signals, and the periodic tick (flush, progress, polls).
// All run on the io_context thread; see controller.cc for the overall design.
#include <algorithm>
#include <boost/asio/post.hpp>
#include <cmath>
#include <iterator>
#include <unordered_set>

#include "orchestrator/controller/controller_impl.h"
#include "orchestrator/controller/ids.h"
#include "orchestrator/spec/command_builder.h"
#include "orchestrator/spec/track_options.h"

namespace sweep {
namespace asio = boost::asio;

namespace {
// Metric points per commit at most (see OnMetrics).
constexpr size_t kMaxBatchPoints = 1000;
}  // namespace

std::optional<uint64_t> Controller::Impl::PlannedTotal() const {
  std::optional<uint64_t> total = options_.max_trials;
  if (spec_.run_cap && (!total || *spec_.run_cap < *total)) total = spec_.run_cap;
  if (auto size = strategy_ ? strategy_->SpaceSize() : std::nullopt;
      size && (!total || *size < *total))
    total = size;
  return total;
}

// Distinct configurations this sweep may still start (caps are in suggestions, so
// re-runs of lost trials do not use them up).
uint64_t Controller::Impl::Remaining() const {
  std::optional<uint64_t> cap = options_.max_trials;
  if (spec_.run_cap && (!cap || *spec_.run_cap < *cap)) cap = spec_.run_cap;
  if (!cap) return UINT64_MAX;
  return *cap > next_suggestion_ ? *cap - next_suggestion_ : 0;
}

void Controller::Impl::Schedule() {
  if (finished_ || suggest_in_flight_) return;
  // After an interruption or a failed store write, lost trials wait for `sweep
  // resume` instead: a re-run now could not be recorded, or would be stopped again.
  bool reruns = !state_.interrupted && !state_.store_failed;
  while (!requeue_.empty() && reruns && FreeExecutor()) {
    Queued q = std::move(requeue_.front());
    requeue_.pop_front();
    StartTrial(std::move(q));
  }
  size_t capacity = FreeCapacity();
  if (capacity == 0 || state_.no_new_trials || state_.interrupted) {
    MaybeFinish();
    return;
  }
  uint64_t remaining = Remaining();
  if (remaining == 0) {
    NoNewTrials(SweepStatus::kFinished, "");
    MaybeFinish();
    return;
  }
  if (strategy_->Exhausted()) {
    MaybeFinish();
    return;
  }
  size_t n = std::min<uint64_t>(capacity, remaining);
  std::vector<Config> pending;
  for (const auto& [id, rt] : running_) pending.push_back(rt.config);
  for (const auto& [id, e] : ending_) pending.push_back(e->rt.config);  // not yet observed
  if (expensive_suggest_) {
    suggest_in_flight_ = true;
    asio::post(*pool_, [this, n, pending = std::move(pending)] {
      std::vector<Config> configs = strategy_->Suggest(n, pending);
      asio::post(io_, [this, configs = std::move(configs)]() mutable {
        suggest_in_flight_ = false;
        for (const Observation& obs : deferred_) strategy_->Observe(obs);
        deferred_.clear();
        if (configs.empty()) state_.strategy_idle = true;
        for (Config& c : configs) StartNew(std::move(c));
        Schedule();
      });
    });
    return;
  }
  std::vector<Config> configs = strategy_->Suggest(n, pending);
  if (configs.empty()) state_.strategy_idle = true;
  for (Config& c : configs) StartNew(std::move(c));
  MaybeFinish();
}

void Controller::Impl::StartNew(Config config) {
  if (!FreeExecutor()) return;
  state_.strategy_idle = false;
  Queued q;
  q.config = std::move(config);
  q.suggestion = next_suggestion_++;
  StartTrial(std::move(q));
}

Executor* Controller::Impl::FreeExecutor() const {
  for (const auto& e : executors_)
    if (e->FreeCapacity() > 0) return e.get();
  return nullptr;
}

size_t Controller::Impl::FreeCapacity() const {
  size_t n = 0;
  for (const auto& e : executors_) n += e->FreeCapacity();
  return n;
}

void Controller::Impl::StartTrial(Queued q) {
  Executor* exec = FreeExecutor();
  if (!exec) return;
  Running rt;
  rt.config = std::move(q.config);
  rt.exec = exec;
  TrialRecord& rec = rt.rec;
  rec.sweep_id = sweep_.id;
  rec.number = next_number_++;
  rec.id = TrialId(sweep_.id, rec.number);
  rec.suggestion = q.suggestion;
  rec.retry_of = q.retry_of;
  rec.params = spec_.space.ToFlat(rt.config);
  rec.status = TrialStatus::kRunning;
  rec.trial_dir = store_.root() + "/trials/" + rec.id;
  rec.created_at = rec.started_at = Now();
  attempts_[q.suggestion]++;
  Placement placement = exec->Take(rec);
  display_.Debug("placed " + rec.id + " on " + rec.agent + " (host " + rec.host + ", slot " +
                 std::to_string(rec.slot) + (rec.gpus.empty() ? "" : ", GPUs " + rec.gpus) + ")");

  CommandContext ctx;
  ctx.args_json_file = placement.params_file;
  auto argv = BuildArgv(spec_, rt.config, ctx);
  std::string id = rec.id;
  if (argv.ok()) rec.argv = argv.value();
  // The running record rides with the next commit (a trial end or the flush tick)
  // rather than costing a transaction of its own: if the controller dies first, no
  // result of this trial can exist yet, and resume re-issues the same suggestion
  // number (grid and random regenerate the same configuration from it).
  QueueTrial(rec);
  rt.summary = TrialSummary(spec_.max_metric_names, spec_.metric.name);
  auto [it, inserted] = running_.emplace(id, std::move(rt));
  Running& run = it->second;
  display_.Log("start " + id + " " + FormatPython(spec_.space.ToNested(run.config)));
  if (!argv.ok()) {
    TrialEnd end;
    end.kind = TrialEnd::Kind::kSpawnFailed;
    end.reason = argv.status().message();
    end.started_at = end.ended_at = Now();
    asio::post(io_, [this, id, end] { OnEnd(id, end, EndCause::kEnded); });
    return;
  }
  TrialLaunch launch;
  launch.sweep_id = sweep_.id;
  launch.trial_id = id;
  launch.argv = argv.value();
  launch.workdir = sweep_.workdir;
  launch.trial_dir = run.rec.trial_dir;
  launch.params = spec_.space.ToNested(run.config);
  for (const auto& [k, v] : spec_.env) launch.env.emplace_back(k, v);
  launch.timeout_s = spec_.timeout_s;
  launch.stop_grace_s = spec_.stop_grace_s;
  launch.reading = spec_.reporting;
  launch.python_client_dir = options_.python_client_dir;
  launch.provenance = ProvenanceFor(spec_);
  launch.system_metrics_interval_s = spec_.track.system_metrics_interval_s;
  exec->Start(run.rec, std::move(launch));
  // The next trial's folder, made while this one runs (after any event already
  // waiting, such as another trial's end).
  asio::post(io_,
             [this, exec, dir = store_.root() + "/trials/" + TrialId(sweep_.id, next_number_)] {
               if (!finished_) exec->PrepareNextFolder(dir);
             });
}

void Controller::Impl::OnStarted(const std::string& id, int64_t pid, double started_at) {
  auto it = running_.find(id);
  if (it == running_.end()) return;
  it->second.rec.pid = pid;
  if (started_at > 0) it->second.rec.started_at = started_at;
  QueueTrial(it->second.rec);
}

void Controller::Impl::OnMetrics(const std::string& id, std::vector<ParsedPoint> points) {
  auto it = running_.find(id);
  if (it == running_.end()) return;
  Running& rt = it->second;
  bool target_seen = false;
  for (ParsedPoint& p : points) {
    if (!rt.summary.Add(p.name, p.step, p.value)) continue;  // over max_metric_names
    if (p.name == spec_.metric.name) {
      target_seen = true;
      if (early_) early_->OnReport(id, rt.summary.Count(p.name), p.value);
    }
    batch_.points.push_back(MetricPoint{id, std::move(p.name), p.step, p.value, p.wall});
  }
  if (target_seen && spec_.metric.target && !state_.no_new_trials) {
    auto v = rt.summary.Value(spec_.metric.name, spec_.metric.summary, spec_.metric.goal);
    if (v && ReachesTarget(*v, *spec_.metric.target, spec_.metric.goal))
      NoNewTrials(SweepStatus::kFinished, "target " + spec_.metric.name + " " +
                                              FormatPythonFloat(*spec_.metric.target) +
                                              " reached by " + id);
  }
  if (target_seen && early_) ApplyEarlyStop();
  // Bounded so that one commit holds the loop for milliseconds, not hundreds of them:
  // at a thousand new metric names per commit each point dirties its own index pages.
  if (batch_.points.size() >= kMaxBatchPoints) Flush();
}

void Controller::Impl::ApplyEarlyStop() {
  std::vector<std::string> ids;
  for (const auto& [id, rt] : running_)
    if (!rt.stopping) ids.push_back(id);
  for (const StopDecision& d : early_->Decide(ids)) {
    auto it = running_.find(d.trial_id);
    if (it == running_.end() || it->second.stopping) continue;
    StopTrial(it->second, TrialStatus::kStopped, d.reason);
  }
}

void Controller::Impl::StopTrial(Running& rt, TrialStatus status, const std::string& reason) {
  rt.stopping = true;
  rt.stop_status = status;
  rt.stop_reason = reason;
  rt.exec->Stop(rt.rec.id, reason, spec_.stop_grace_s);
}

void Controller::Impl::Observe(const Observation& obs) {
  if (suggest_in_flight_)
    deferred_.push_back(obs);
  else
    strategy_->Observe(obs);
}

void Controller::Impl::NoNewTrials(SweepStatus status, const std::string& reason) {
  if (state_.no_new_trials) return;
  state_.no_new_trials = true;
  state_.end_status = status;
  state_.end_reason = reason;
  if (!reason.empty()) display_.Log(reason, true);
}

void Controller::Impl::CheckFailureBudget(const TrialRecord& rec) {
  if (rec.status != TrialStatus::kFailed || state_.no_new_trials) return;
  std::string last = rec.reason;
  if (!LastLine(rec.stderr_tail).empty()) last += ": " + LastLine(rec.stderr_tail);
  if (spec_.max_failures) {
    if (state_.failed >= static_cast<uint64_t>(*spec_.max_failures))
      NoNewTrials(SweepStatus::kFailed,
                  std::to_string(state_.failed) + " trials failed (max_failures: " +
                      std::to_string(*spec_.max_failures) + "); last: " + last);
  } else if (state_.FirstAllFailed(5)) {
    NoNewTrials(SweepStatus::kFailed,
                "the first 5 trials all failed, so the sweep stops instead of burning its budget; "
                "last: " +
                    last + " (see `sweep logs " + rec.id + " --stderr`)");
  }
}

void Controller::Impl::MaybeFinish() {
  if (finished_ || !running_.empty() || !ending_.empty() || !detached_.empty() ||
      suggest_in_flight_)
    return;
  if (!requeue_.empty() && !state_.interrupted && !state_.store_failed) return;
  bool done = state_.interrupted || state_.no_new_trials || strategy_->Exhausted() ||
              Remaining() == 0 || state_.strategy_idle;
  if (!done) return;
  finished_ = true;
  SweepStatus status = state_.interrupted     ? SweepStatus::kInterrupted
                       : state_.no_new_trials ? state_.end_status
                                              : SweepStatus::kFinished;
  std::string reason = state_.interrupted ? "interrupted" : state_.end_reason;
  if (status == SweepStatus::kFinished && state_.finished == 0 && state_.failed > 0) {
    status = SweepStatus::kFailed;
    reason = "all " + std::to_string(state_.failed) + " trials failed";
  }
  sweep_.status = status;
  sweep_.reason = reason;
  sweep_.ended_at = Now();
  // Executors record their last words (the agents' final counts) before the final
  // commit; their goodbyes go out while the loop drains in Run().
  for (auto& e : executors_)
    drain_s_ = std::max(drain_s_, e->Close(status == SweepStatus::kInterrupted));
  batch_.sweeps.push_back(sweep_);
  Flush();
  outcome_.status = status;
  outcome_.reason = reason;
  outcome_.exit_code = status == SweepStatus::kInterrupted ? 130
                       : status == SweepStatus::kFailed    ? 1
                                                           : 0;
  signals_.cancel();
  tick_.cancel();
  group_.cancel();
  watch_.Stop();
  io_.stop();
}

void Controller::Impl::Flush() {
  if (batch_.empty()) return;
  Status s = store_.Commit(batch_);
  last_flush_ = Now();
  if (s.ok()) {
    display_.Debug("committed " + std::to_string(batch_.trials.size()) + " trial row(s), " +
                   std::to_string(batch_.points.size()) + " metric point(s)");
    batch_.clear();
    return;
  }
  // A failed commit wrote nothing (one transaction), so the batch is kept and the
  // next Flush retries it: a result is never dropped, and never written twice.
  if (!state_.store_failed) {
    state_.store_failed = true;
    display_.Log("error: writing the store failed: " + s.message() +
                     "; stopping the sweep so that no result goes unrecorded",
                 true);
    NoNewTrials(SweepStatus::kFailed, "store write failed: " + s.message());
    for (auto& [id, rt] : running_)
      if (!rt.stopping) StopTrial(rt, TrialStatus::kLost, "store write failed");
  }
}

void Controller::Impl::QueueTrial(TrialRecord rec) {
  // Searched from the back: the record replaced is usually among the last queued.
  for (auto r = batch_.trials.rbegin(); r != batch_.trials.rend(); ++r) {
    if (r->id == rec.id) {
      *r = std::move(rec);
      return;
    }
  }
  batch_.trials.push_back(std::move(rec));
}

void Controller::Impl::FlushEnd() {
  // A short trial's running record is worth a row only if the trial outlives it: kept
  // out of the end commits while younger than flush_interval_s, it is usually replaced
  // in the batch by the trial's own end record, one upsert per trial instead of two
  // (issue 16). A longer trial's start is committed with the first commit after that.
  // If the controller dies meanwhile, resume re-issues the suggestion, as for any trial
  // whose running record had not reached a commit yet (StartTrial).
  // A trial with metric points in this batch needs its row: the points refer to it.
  const double cutoff = Now() - options_.flush_interval_s;
  auto& trials = batch_.trials;
  std::unordered_set<std::string> with_points;
  if (std::any_of(trials.begin(), trials.end(), [&](const TrialRecord& r) {
        return r.status == TrialStatus::kRunning && r.started_at > cutoff;
      }))
    for (const MetricPoint& p : batch_.points) with_points.insert(p.trial_id);
  auto young = std::stable_partition(trials.begin(), trials.end(), [&](const TrialRecord& r) {
    return r.status != TrialStatus::kRunning || r.started_at <= cutoff ||
           with_points.count(r.id) > 0;
  });
  std::vector<TrialRecord> held(std::make_move_iterator(young),
                                std::make_move_iterator(trials.end()));
  trials.erase(young, trials.end());
  Flush();
  for (TrialRecord& r : held) trials.push_back(std::move(r));
}

void Controller::Impl::OnTick() {
  double now = Now();
  if (now - last_flush_ >= options_.flush_interval_s) Flush();
  if (now - last_stop_poll_ >= options_.stop_poll_s) {
    last_stop_poll_ = now;
    auto rec = store_.GetSweep(sweep_.id);
    if (rec.ok() && (rec->stop_requested || rec->cancel_requested)) {
      sweep_.stop_requested = rec->stop_requested;
      sweep_.cancel_requested = rec->cancel_requested;
      NoNewTrials(SweepStatus::kStopped, rec->cancel_requested
                                             ? "cancelled by `sweep stop --cancel`"
                                             : "stopped by `sweep stop`");
      if (rec->cancel_requested)
        for (auto& [id, rt] : running_)
          if (!rt.stopping)
            StopTrial(rt, TrialStatus::kStopped, "cancelled by `sweep stop --cancel`");
      MaybeFinish();
    }
  }
  if (now - last_poll_ >= 1.0) {
    last_poll_ = now;
    CheckDetached();
    for (auto& e : executors_) {
      std::string why = e->Poll();
      if (why.empty()) continue;
      NoNewTrials(SweepStatus::kFailed, why);
      for (auto& [id, rt] : running_)
        if (!rt.stopping) StopTrial(rt, TrialStatus::kLost, why);
      MaybeFinish();
      break;
    }
  }
  display_.Update(Counts());
  if (finished_) return;
  tick_.expires_after(std::chrono::milliseconds(100));
  tick_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) OnTick();
  });
}

void Controller::Impl::OnSignal(int sig) {
  ++signals_seen_;
  if (signals_seen_ == 1) {
    state_.interrupted = true;
    display_.Log("interrupted (" + SignalName(sig) + "): stopping " +
                     std::to_string(running_.size()) +
                     " running trial(s); press Ctrl-C again to kill them now",
                 true);
    for (auto& [id, rt] : running_)
      StopTrial(rt, TrialStatus::kLost,
                "sweep interrupted; `sweep resume " + sweep_.id + "` re-runs it");
    MaybeFinish();
  } else {
    for (auto& [id, rt] : running_) rt.exec->Kill(id);
  }
  signals_.async_wait([this](const boost::system::error_code& ec, int s) {
    if (!ec) OnSignal(s);
  });
}

ProgressCounts Controller::Impl::Counts() const {
  ProgressCounts c;
  c.finished = state_.finished;
  c.failed = state_.failed;
  c.stopped = state_.stopped;
  c.lost = state_.lost;
  c.running = running_.size() + ending_.size();
  c.total = PlannedTotal();
  c.metric = spec_.metric.name;
  c.best = state_.best;
  c.best_trial = state_.best_trial;
  c.elapsed_s = Now() - started_;
  c.mean_trial_s = state_.MeanDuration();
  c.slots = 0;
  for (const auto& e : executors_) c.slots += e->TotalSlots();
  return c;
}

}  // namespace sweep
